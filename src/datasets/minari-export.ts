/**
 * `recordDataset(agent, env, outDir, options, source)`: plays a policy on fresh seeded episodes and writes an
 * offline-RL dataset in Minari's layout (`loopgym dataset export` plays a finished run's saved policy:
 * src/experiments/run-dataset.ts), which Python's `minari.load_dataset`
 * reads (format facts: Minari 0.5's storage, serialization and HDF5 backend):
 *
 * ```
 * <out>/<namespace>/<name>-v<N>/data/main_data.hdf5   groups episode_<i>: observations (T+1 rows, float32),
 *                                                      actions (int64), rewards (float64), terminations and
 *                                                      truncations (uint8: h5wasm cannot write HDF5 booleans),
 *                                                      infos/action_mask (T+1 rows, uint8); attributes id,
 *                                                      total_steps, seed
 * <out>/<namespace>/<name>-v<N>/data/metadata.json    dataset_id, total_episodes, total_steps, data_format,
 *                                                      observation_space / action_space (Minari's JSON
 *                                                      strings), minari_version, algorithm_name, author,
 *                                                      description (how episodes were selected)
 * ```
 * `format: 'jsonl'` writes `data/episodes.jsonl` (one episode per line) instead. Episodes are played with the
 * gold reward, seeds `seedBase + i`; `top` keeps the best fraction by return, `minReturn` those at or above it.
 * The dataset folder is written under a temporary name and renamed into place; an existing one is refused.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import h5wasm from 'h5wasm/node';
import type { Agent } from '../core/agent.js';
import type { Env } from '../core/env.js';
import { resolveConfig } from '../core/config-schema.js';
import { ConfigError, DataError } from '../core/errors.js';
import { Box, Discrete, type Space } from '../core/spaces.js';

export const MINARI_VERSION = '0.5.3';

export const DatasetExportOptionsSchema = z.strictObject({
  id: z.string().regex(/^([A-Za-z0-9_-]+\/)?[A-Za-z0-9_-]+-v\d+$/, 'an id like namespace/name-v0').describe('Dataset id, ending in -v<N>'),
  episodes: z.number().int().min(1).max(1_000_000).default(100).describe('Episodes to play'),
  top: z.number().gt(0).max(1).optional().describe('Keep only this best fraction of the episodes by return'),
  minReturn: z.number().optional().describe('Keep only episodes with at least this return'),
  format: z.enum(['hdf5', 'jsonl']).default('hdf5').describe('hdf5: Minari layout; jsonl: one episode per line'),
  seedBase: z.number().int().min(0).default(3_000_000).describe('Seed of the first episode (then +1 each)'),
  author: z.string().default('loopgym').describe('Author recorded in metadata.json'),
});
export type DatasetExportOptions = z.output<typeof DatasetExportOptionsSchema>;

export interface Episode {
  seed: number;
  observations: Float32Array[];
  actions: number[];
  rewards: number[];
  terminations: boolean[];
  truncations: boolean[];
  masks: Uint8Array[];
  return: number;
}

export interface ExportedDataset {
  dir: string;
  metadata: Record<string, unknown>;
  episodes: Episode[];
}

/** Where recorded episodes came from, for metadata.json. */
export interface DatasetSource {
  /** Agent name (algorithm_name is `loopgym <agent>`). */
  agent: string;
  /** What was played, e.g. `run default/<run-id>`. */
  source: string;
  envId: string;
  deterministic: boolean;
}

/**
 * Plays `agent` on `env` for `options.episodes` seeded episodes, keeps the selected ones and writes the
 * dataset folder `<outDir>/<id>` atomically; an existing folder is refused before anything is played.
 */
export async function recordDataset(agent: Agent, env: Env<Float32Array, number>, outDir: string, input: Record<string, unknown>, from: DatasetSource): Promise<ExportedDataset> {
  const options = resolveDatasetOptions(input);
  const target = datasetTarget(outDir, options);
  const played = Array.from({ length: options.episodes }, (_, i) => playRecorded(agent, env, options.seedBase + i, from.deterministic));
  const kept = select(played, options);
  if (kept.length === 0) throw new DataError(`Expected at least one episode to keep, but none of ${played.length} has a return >= ${options.minReturn}.`);
  const selection = options.top !== undefined ? `the best ${Math.round(options.top * 100)}% (${kept.length} of ${played.length}) by return` : options.minReturn !== undefined ? `the ${kept.length} of ${played.length} with return >= ${options.minReturn}` : `all ${played.length}`;
  const metadata = {
    dataset_id: options.id,
    total_episodes: kept.length,
    total_steps: kept.reduce((n, e) => n + e.actions.length, 0),
    data_format: options.format,
    observation_space: serializeSpace(env.observationSpace),
    action_space: serializeSpace(env.actionSpace),
    minari_version: MINARI_VERSION,
    algorithm_name: `loopgym ${from.agent}`,
    author: options.author,
    description: `Episodes of the ${from.agent} policy of ${from.source} on ${from.envId} (gold reward), seeds ${options.seedBase}-${options.seedBase + options.episodes - 1}, ${from.deterministic ? 'deterministic' : 'sampled'} actions; kept ${selection}.`,
  };
  await writeAtomically(target, async (dir) => {
    mkdirSync(join(dir, 'data'), { recursive: true });
    if (options.format === 'hdf5') await writeHdf5(join(dir, 'data', 'main_data.hdf5'), kept);
    else writeFileSync(join(dir, 'data', 'episodes.jsonl'), kept.map((e, i) => JSON.stringify(episodeJson(e, i))).join('\n') + '\n');
    writeFileSync(join(dir, 'data', 'metadata.json'), `${JSON.stringify(metadata)}\n`);
  });
  return { dir: target, metadata, episodes: kept };
}

/** The options, checked (one of --top / --min-return at most). */
export function resolveDatasetOptions(input: Record<string, unknown>): DatasetExportOptions {
  const options = resolveConfig(DatasetExportOptionsSchema, input, 'dataset export');
  if (options.top !== undefined && options.minReturn !== undefined) throw new ConfigError('Expected --top or --min-return, but got both.');
  return options;
}

/** `<outDir>/<id>`, refused when a dataset is already there (nothing is changed). */
export function datasetTarget(outDir: string, options: DatasetExportOptions): string {
  const target = join(outDir, options.id);
  if (existsSync(target)) throw new DataError(`Expected no dataset at ${target}, but one exists (nothing was changed; choose another id or folder).`);
  return target;
}

/** One episode with everything Minari stores: T+1 observations and masks, T actions, rewards and flags. */
export function playRecorded(agent: Agent, env: Env<Float32Array, number>, seed: number, deterministic: boolean): Episode {
  const episode: Episode = { seed, observations: [], actions: [], rewards: [], terminations: [], truncations: [], masks: [], return: 0 };
  let { obs, info } = env.reset({ seed });
  for (;;) {
    const mask = info.actionMask instanceof Uint8Array ? info.actionMask : undefined;
    episode.observations.push(Float32Array.from(obs));
    if (mask) episode.masks.push(Uint8Array.from(mask));
    const action = agent.act(obs, { deterministic, ...(mask ? { mask } : {}) });
    const step = env.step(action);
    episode.actions.push(action);
    episode.rewards.push(step.reward);
    episode.terminations.push(step.terminated);
    episode.truncations.push(step.truncated);
    episode.return += step.reward;
    obs = step.obs;
    info = step.info;
    if (step.terminated || step.truncated) break;
  }
  episode.observations.push(Float32Array.from(obs));
  if (info.actionMask instanceof Uint8Array) episode.masks.push(Uint8Array.from(info.actionMask));
  return episode;
}

function select(episodes: readonly Episode[], options: DatasetExportOptions): Episode[] {
  if (options.minReturn !== undefined) return episodes.filter((e) => e.return >= options.minReturn!);
  if (options.top === undefined) return [...episodes];
  const keep = Math.max(1, Math.ceil(options.top * episodes.length));
  const ranked = episodes.map((e, i) => ({ e, i })).sort((a, b) => b.e.return - a.e.return || a.i - b.i).slice(0, keep);
  return ranked.sort((a, b) => a.i - b.i).map(({ e }) => e);
}

/** A number as Python's json.dumps writes it (Infinity/-Infinity/NaN as bare tokens, as Minari's metadata has them). */
function pythonNumber(x: number): string {
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (Number.isNaN(x)) return 'NaN';
  // Python's repr: exponent form from 1e16 on, and a float always shows a '.' or an exponent.
  const text = Math.abs(x) >= 1e16 ? x.toExponential() : String(x);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** A space as Minari's serialize_space writes it (a JSON string). */
export function serializeSpace(space: Space<unknown>): string {
  if (space instanceof Box) {
    const list = (values: ArrayLike<number>) => `[${Array.from(values, pythonNumber).join(', ')}]`;
    return `{"type": "Box", "dtype": "float32", "shape": [${space.shape.join(', ')}], "low": ${list(space.low)}, "high": ${list(space.high)}}`;
  }
  if (space instanceof Discrete) return `{"type": "Discrete", "dtype": "int64", "start": ${space.start ?? 0}, "n": ${space.n}}`;
  throw new ConfigError(`Expected a Box observation space and a Discrete action space for a Minari dataset, but got ${String(space)}.`);
}

async function writeHdf5(path: string, episodes: readonly Episode[]): Promise<void> {
  await h5wasm.ready;
  const file = new h5wasm.File(path, 'w');
  try {
    episodes.forEach((episode, i) => {
      const group = file.create_group(`episode_${i}`);
      const T = episode.actions.length;
      const D = episode.observations[0].length;
      const observations = new Float32Array((T + 1) * D);
      episode.observations.forEach((row, t) => observations.set(row, t * D));
      group.create_dataset({ name: 'observations', data: observations, shape: [T + 1, D] });
      group.create_dataset({ name: 'actions', data: BigInt64Array.from(episode.actions, (a) => BigInt(a)) });
      group.create_dataset({ name: 'rewards', data: Float64Array.from(episode.rewards) });
      group.create_dataset({ name: 'terminations', data: Uint8Array.from(episode.terminations, Number), dtype: '<B' });
      group.create_dataset({ name: 'truncations', data: Uint8Array.from(episode.truncations, Number), dtype: '<B' });
      if (episode.masks.length > 0) {
        const A = episode.masks[0].length;
        const masks = new Uint8Array(episode.masks.length * A);
        episode.masks.forEach((row, t) => masks.set(row, t * A));
        file.create_group(`episode_${i}/infos`).create_dataset({ name: 'action_mask', data: masks, shape: [episode.masks.length, A], dtype: '<B' });
      }
      group.create_attribute('id', i, null, '<q');
      group.create_attribute('total_steps', T, null, '<q');
      group.create_attribute('seed', episode.seed, null, '<q');
    });
  } finally {
    file.close();
  }
}

function episodeJson(e: Episode, id: number): Record<string, unknown> {
  return { id, seed: e.seed, total_steps: e.actions.length, observations: e.observations.map((o) => Array.from(o)), actions: e.actions, rewards: e.rewards, terminations: e.terminations, truncations: e.truncations, infos: { action_mask: e.masks.map((m) => Array.from(m)) } };
}

/** Writes the dataset folder under a temporary name, then renames it into place (nothing half-written). */
async function writeAtomically(target: string, write: (dir: string) => Promise<void>): Promise<void> {
  const temporary = `${target}.partial-${process.pid}`;
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  try {
    await write(temporary);
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
}
