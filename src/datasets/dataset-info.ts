/**
 * `datasetInfo(dir)` (`loopgym dataset info`): what a dataset folder written by `dataset export` (or any
 * Minari HDF5 dataset of Box observations and Discrete actions) holds, checked: metadata.json's keys, every
 * `episode_<i>` group's arrays and their lengths (observations T+1, actions/rewards/flags T). A malformed
 * dataset is refused with a DataError that names the file and what is wrong.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { DataError } from '../core/errors.js';

export interface DatasetInfo {
  dir: string;
  datasetId: string;
  dataFormat: string;
  totalEpisodes: number;
  totalSteps: number;
  observationShape: number[];
  numActions: number;
  minariVersion: string;
  description: string;
}

const REQUIRED = ['dataset_id', 'total_episodes', 'total_steps', 'data_format', 'observation_space', 'action_space', 'minari_version'] as const;

export async function datasetInfo(dir: string): Promise<DatasetInfo> {
  const metadataPath = join(dir, 'data', 'metadata.json');
  if (!existsSync(metadataPath)) throw new DataError(`Expected a dataset folder with data/metadata.json (loopgym dataset export writes one), but ${metadataPath} is missing.`);
  let metadata: Record<string, unknown>;
  try {
    metadata = JSON.parse(readFileSync(metadataPath, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new DataError(`Expected ${metadataPath} to be JSON, but it does not parse (${(error as Error).message}).`);
  }
  const missing = REQUIRED.filter((key) => !(key in metadata));
  if (missing.length > 0) throw new DataError(`Expected ${metadataPath} to hold ${missing.join(', ')}, but they are missing.`);
  const observationSpace = parsePythonJson(String(metadata.observation_space), 'observation_space') as { type?: string; shape?: number[] };
  const actionSpace = parsePythonJson(String(metadata.action_space), 'action_space') as { type?: string; n?: number };
  if (observationSpace.type !== 'Box' || actionSpace.type !== 'Discrete') throw new DataError(`Expected a Box observation space and a Discrete action space in ${metadataPath}, but got ${observationSpace.type} and ${actionSpace.type}.`);
  const info: DatasetInfo = {
    dir,
    datasetId: String(metadata.dataset_id),
    dataFormat: String(metadata.data_format),
    totalEpisodes: Number(metadata.total_episodes),
    totalSteps: Number(metadata.total_steps),
    observationShape: observationSpace.shape ?? [],
    numActions: actionSpace.n ?? 0,
    minariVersion: String(metadata.minari_version),
    description: String(metadata.description ?? ''),
  };
  if (info.dataFormat === 'hdf5') await checkHdf5(join(dir, 'data', 'main_data.hdf5'), info);
  else if (info.dataFormat !== 'jsonl') throw new DataError(`Expected data_format hdf5 or jsonl in ${metadataPath}, but got ${JSON.stringify(info.dataFormat)}.`);
  return info;
}

/** JSON as Python writes it (Minari's space strings may hold Infinity or NaN). */
function parsePythonJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text.replace(/-?Infinity|NaN/g, '0'));
  } catch (error) {
    throw new DataError(`Expected ${what} to be Minari's JSON string of a space, but it does not parse (${(error as Error).message}).`);
  }
}

async function checkHdf5(path: string, info: DatasetInfo): Promise<void> {
  if (!existsSync(path)) throw new DataError(`Expected ${path} (data_format hdf5), but it is missing.`);
  await h5wasm.ready;
  let file: InstanceType<typeof h5wasm.File>;
  try {
    file = new h5wasm.File(path, 'r');
  } catch (error) {
    throw new DataError(`Expected an HDF5 file at ${path}, but it does not open (${(error as Error).message}).`);
  }
  try {
    const groups = file.keys().filter((key) => key.startsWith('episode_'));
    if (groups.length !== info.totalEpisodes) throw new DataError(`Expected ${info.totalEpisodes} episode groups in ${path} (metadata total_episodes), but found ${groups.length}.`);
    let steps = 0;
    for (const name of groups) {
      const shape = (key: string) => {
        const entity = file.get(`${name}/${key}`) as { shape?: number[] } | null;
        if (!entity?.shape) throw new DataError(`Expected ${name}/${key} in ${path}, but it is missing.`);
        return entity.shape;
      };
      const T = shape('actions')[0];
      const observations = shape('observations');
      if (observations[0] !== T + 1) throw new DataError(`Expected ${name}/observations in ${path} to have ${T + 1} rows (actions + 1), but it has ${observations[0]}.`);
      for (const key of ['rewards', 'terminations', 'truncations']) {
        if (shape(key)[0] !== T) throw new DataError(`Expected ${name}/${key} in ${path} to have ${T} entries, but it has ${shape(key)[0]}.`);
      }
      steps += T;
    }
    if (steps !== info.totalSteps) throw new DataError(`Expected ${info.totalSteps} steps in ${path} (metadata total_steps), but the episodes hold ${steps}.`);
  } finally {
    file.close();
  }
}
