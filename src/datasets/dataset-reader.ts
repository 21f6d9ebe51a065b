/**
 * `readDataset(dir)`: a dataset folder written by `loopgym dataset export` (Minari HDF5 or JSONL) as an
 * OfflineDataset, what offline learners (behaviour cloning) train on. The folder is checked first
 * (datasetInfo); then every episode's arrays: T+1 observation rows of the declared width (the last, the
 * observation after the final step, is dropped), T actions in [0, numActions), and T+1 mask rows whose
 * recorded action is allowed. Anything else is a DataError naming the file, the episode and the problem.
 * `episodesToDataset` makes the same from episodes played in memory (playRecorded), with the same checks.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import type { OfflineDataset } from '../core/agent.js';
import { DataError } from '../core/errors.js';
import { datasetInfo } from './dataset-info.js';
import type { Episode } from './minari-export.js';

/** One episode as read: T+1 observation rows, T actions, T+1 mask rows (or none). */
interface RawEpisode {
  name: string;
  observations: Float32Array;
  actions: ArrayLike<number | bigint>;
  masks: Uint8Array | null;
}

export async function readDataset(dir: string): Promise<OfflineDataset> {
  const info = await datasetInfo(dir);
  const D = info.observationShape.reduce((a, b) => a * b, 1);
  const A = info.numActions;
  const source = info.dataFormat === 'hdf5' ? join(dir, 'data', 'main_data.hdf5') : join(dir, 'data', 'episodes.jsonl');
  const episodes = info.dataFormat === 'hdf5' ? await readHdf5(source) : readJsonl(source, D, A);
  return assemble(info.datasetId, D, A, episodes, source);
}

/** Episodes played in memory (playRecorded) as an OfflineDataset, checked like a read one. */
export function episodesToDataset(id: string, episodes: readonly Episode[], obsDim: number, numActions: number): OfflineDataset {
  const raw = episodes.map((e, i): RawEpisode => {
    const observations = new Float32Array(e.observations.length * obsDim);
    e.observations.forEach((row, t) => observations.set(row, t * obsDim));
    let masks: Uint8Array | null = null;
    if (e.masks.length > 0) {
      masks = new Uint8Array(e.masks.length * numActions);
      e.masks.forEach((row, t) => masks!.set(row, t * numActions));
    }
    return { name: `episode_${i}`, observations, actions: e.actions, masks };
  });
  return assemble(id, obsDim, numActions, raw, id);
}

/** Episodes back to back, each checked (shapes, action range, actions allowed by their masks). */
function assemble(id: string, D: number, A: number, episodes: readonly RawEpisode[], source: string): OfflineDataset {
  if (episodes.length === 0) throw new DataError(`Expected at least one episode in ${source}, but it holds none.`);
  const rows = episodes.reduce((n, e) => n + e.actions.length, 0);
  const dataset: OfflineDataset = {
    id,
    obsDim: D,
    numActions: A,
    observations: new Float32Array(rows * D),
    actions: new Int32Array(rows),
    masks: episodes.every((e) => e.masks) ? new Uint8Array(rows * A) : null,
    episodeStarts: new Int32Array(episodes.length + 1),
  };
  let row = 0;
  episodes.forEach((e, i) => {
    const T = e.actions.length;
    if (e.observations.length !== (T + 1) * D) throw new DataError(`Expected ${e.name} in ${source} to hold ${T + 1} observations of ${D} values, but it holds ${e.observations.length} values.`);
    if (e.masks && e.masks.length !== (T + 1) * A) throw new DataError(`Expected ${e.name}/infos/action_mask in ${source} to hold ${T + 1} rows of ${A}, but it holds ${e.masks.length} values.`);
    dataset.episodeStarts[i] = row;
    dataset.observations.set(e.observations.subarray(0, T * D), row * D);
    for (let t = 0; t < T; t++) {
      const action = Number(e.actions[t]);
      if (!Number.isInteger(action) || action < 0 || action >= A) throw new DataError(`Expected actions in [0, ${A - 1}] in ${source}, but ${e.name} step ${t} has ${action}.`);
      if (e.masks && e.masks[t * A + action] === 0) throw new DataError(`Expected every recorded action to be allowed by its mask, but ${e.name} step ${t} in ${source} took masked action ${action}.`);
      dataset.actions[row + t] = action;
    }
    if (dataset.masks && e.masks) dataset.masks.set(e.masks.subarray(0, T * A), row * A);
    row += T;
  });
  dataset.episodeStarts[episodes.length] = row;
  return dataset;
}

async function readHdf5(path: string): Promise<RawEpisode[]> {
  await h5wasm.ready;
  const file = new h5wasm.File(path, 'r');
  try {
    const names = file.keys().filter((key) => key.startsWith('episode_')).sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)));
    return names.map((name) => {
      const value = (key: string) => (file.get(`${name}/${key}`) as { value?: unknown } | null)?.value;
      const observations = value('observations');
      const actions = value('actions');
      const masks = value('infos/action_mask');
      if (!(observations instanceof Float32Array)) throw new DataError(`Expected ${name}/observations in ${path} to be float32, but it is ${describeArray(observations)}.`);
      if (!(actions instanceof BigInt64Array || actions instanceof Int32Array || actions instanceof Int16Array || actions instanceof Uint8Array)) {
        throw new DataError(`Expected ${name}/actions in ${path} to be integers, but it is ${describeArray(actions)}.`);
      }
      if (masks !== undefined && !(masks instanceof Uint8Array)) throw new DataError(`Expected ${name}/infos/action_mask in ${path} to be uint8, but it is ${describeArray(masks)}.`);
      return { name, observations, actions, masks: masks ?? null };
    });
  } finally {
    file.close();
  }
}

function readJsonl(path: string, D: number, A: number): RawEpisode[] {
  if (!existsSync(path)) throw new DataError(`Expected ${path} (data_format jsonl), but it is missing.`);
  const episodes: RawEpisode[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      let value: { observations?: unknown; actions?: unknown; infos?: { action_mask?: unknown } };
      try {
        value = JSON.parse(line) as typeof value;
      } catch (error) {
        throw new DataError(`${path}:${i + 1}: Expected a JSON episode, but the line does not parse (${(error as Error).message}).`);
      }
      const name = `episode on line ${i + 1}`;
      const rows = (x: unknown, width: number, what: string): number[] => {
        if (!Array.isArray(x) || x.some((r) => !Array.isArray(r) || r.length !== width || r.some((v) => typeof v !== 'number'))) {
          throw new DataError(`${path}:${i + 1}: Expected ${what} as rows of ${width} numbers, but they are not.`);
        }
        return (x as number[][]).flat();
      };
      if (!Array.isArray(value.actions)) throw new DataError(`${path}:${i + 1}: Expected actions as a list, but got ${typeof value.actions}.`);
      const masks = value.infos?.action_mask;
      episodes.push({
        name,
        observations: Float32Array.from(rows(value.observations, D, 'observations')),
        actions: value.actions as number[],
        masks: Array.isArray(masks) && masks.length > 0 ? Uint8Array.from(rows(masks, A, 'infos.action_mask')) : null,
      });
    });
  return episodes;
}

function describeArray(value: unknown): string {
  return value === undefined ? 'missing' : ((value as object)?.constructor?.name ?? typeof value);
}

