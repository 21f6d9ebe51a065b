/**
 * Which shard this process runs, on a cluster engine: `--shard auto --shards N` reads the index that the
 * engine sets for each task of an array job, `SLURM_ARRAY_TASK_ID` (Slurm job arrays) or
 * `JOB_COMPLETION_INDEX` (Kubernetes Indexed Jobs). The count N is always given explicitly: re-running
 * failed Slurm tasks with `--array=1,3` sets SLURM_ARRAY_TASK_COUNT=2 (MIN 1, MAX 3), so the environment
 * cannot tell how many shards the sweep was split into, and Kubernetes has no variable for it at all.
 */
import { ConfigError } from '../../core/errors.js';
import { parseShard, type Shard } from '../sweep.js';

/** The shard index (or count) could not be resolved: a variable is missing, malformed or out of range. */
export class ShardIndexError extends ConfigError {}

/** The variables that carry a task's index, in the order they are read. */
export const SHARD_INDEX_VARIABLES = ['SLURM_ARRAY_TASK_ID', 'JOB_COMPLETION_INDEX'] as const;

type Environment = Readonly<Record<string, string | undefined>>;

/** The shard of this array task: index from the engine's variable, count from `--shards`. */
export function shardFromEnvironment(count: number, env: Environment = process.env): Shard {
  checkCount(count);
  const found = SHARD_INDEX_VARIABLES.filter((name) => env[name] !== undefined && env[name] !== '').map((name) => ({ name, index: readIndex(name, env[name] as string) }));
  if (found.length === 0) {
    throw new ShardIndexError(
      `Expected ${SHARD_INDEX_VARIABLES[0]} (a Slurm job array task) or ${SHARD_INDEX_VARIABLES[1]} (a Kubernetes Indexed Job) in the environment for --shard auto, but neither is set.`,
    );
  }
  if (found.length > 1 && found[0].index !== found[1].index) {
    throw new ShardIndexError(`Expected ${found[0].name} and ${found[1].name} to agree when both are set, but got ${found[0].index} and ${found[1].index}.`);
  }
  const { name, index } = found[0];
  if (index >= count) {
    throw new ShardIndexError(`Expected ${name} below --shards ${count} (indices 0-${count - 1}), but got ${index}: the job has more tasks than the sweep has shards.`);
  }
  return { index, count };
}

/**
 * The shard a sweep command runs, from `--shard` (`i/n` or `auto`) and `--shards N`; undefined for the
 * whole sweep. `--shards` must match n when both are given, and is required by `auto`.
 */
export function resolveShard(shard: string | undefined, shards: number | undefined, env: Environment = process.env): Shard | undefined {
  if (shard === 'auto') {
    if (shards === undefined) throw new ShardIndexError('Expected --shards N (the number of shards the sweep is split into) with --shard auto, but got none.');
    return shardFromEnvironment(shards, env);
  }
  if (shard === undefined) {
    if (shards !== undefined) throw new ConfigError(`Expected --shard auto or --emit with --shards ${shards}, but got neither.`);
    return undefined;
  }
  const parsed = parseShard(shard);
  if (shards !== undefined && shards !== parsed.count) {
    throw new ConfigError(`Expected --shards to equal the n of --shard i/n, but got --shards ${shards} with --shard ${shard}.`);
  }
  return parsed;
}

function checkCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 1) throw new ShardIndexError(`Expected --shards N with N a positive integer, but got ${count}.`);
}

function readIndex(name: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new ShardIndexError(`Expected ${name} to be a non-negative integer, but got ${JSON.stringify(text)}.`);
  return Number(text.trim());
}
