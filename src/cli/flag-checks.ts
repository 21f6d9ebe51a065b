/**
 * Numeric and path flags are checked before any command runs, with the usual message (what was expected,
 * what was given): `--workers 0`, `--seed abc`, `--steps` without a value (NaN), `--episodes 0`,
 * `--count 1000000000` or `--out ""` are refused instead of being used.
 */
import { ConfigError } from '../core/errors.js';

interface IntegerRule {
  min: number;
  max: number;
  what: string;
}

const INTEGER_FLAGS: Record<string, IntegerRule> = {
  workers: { min: 1, max: 1024, what: 'a positive integer (worker processes)' },
  episodes: { min: 1, max: 10_000_000, what: 'a positive integer (episodes)' },
  steps: { min: 1, max: Number.MAX_SAFE_INTEGER, what: 'a positive integer (env steps)' },
  seed: { min: 0, max: 2 ** 31 - 1, what: 'an integer seed in 0..2147483647' },
  count: { min: 1, max: 1_000_000, what: 'a number of tasks in 1..1000000 (generate in batches beyond that)' },
  shards: { min: 1, max: 100_000, what: 'a positive integer (shards)' },
  numEnvs: { min: 1, max: 4096, what: 'a number of vector env copies in 1..4096' },
  port: { min: 0, max: 65535, what: 'a port in 0..65535 (0 picks a free one)' },
  maxBatch: { min: 1, max: 1_000_000, what: 'a positive integer (batch size)' },
  maxBodyBytes: { min: 1, max: 2 ** 31 - 1, what: 'a positive number of bytes' },
  parallelism: { min: 1, max: 100_000, what: 'a positive integer (concurrent tasks)' },
  cpus: { min: 1, max: 4096, what: 'a positive integer (CPUs per task)' },
  drainSeconds: { min: 0, max: 3600, what: 'a number of seconds in 0..3600' },
};

/** Flags that take a value: given last, or followed by another flag, they have none. */
const VALUE_FLAGS = ['workers', 'episodes', 'steps', 'seed', 'count', 'shards', 'num-envs', 'port', 'out', 'set', 'shard', 'env', 'agent', 'policy', 'host'];

/** Throws a ConfigError for a value flag given without its value (`--steps` at the end, `--seed --quiet`). */
export function checkFlagValues(tokens: readonly string[]): void {
  tokens.forEach((token, i) => {
    const name = token.startsWith('--') ? token.slice(2) : null;
    if (name === null || !VALUE_FLAGS.includes(name)) return;
    const next = tokens[i + 1];
    if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new ConfigError(`--${name}: Expected a value after --${name}, but got none.`);
  });
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** yargs middleware: throws a ConfigError for the first flag whose value is out of its rule. */
export function checkFlags(argv: Record<string, unknown>): void {
  for (const [name, rule] of Object.entries(INTEGER_FLAGS)) {
    if (!(name in argv) || argv[name] === undefined) continue;
    const value = argv[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < rule.min || value > rule.max) {
      const given = typeof value === 'number' && Number.isNaN(value) ? 'no number (a missing value or not a number)' : JSON.stringify(value);
      throw new ConfigError(`--${kebab(name)}: Expected ${rule.what}, but got ${given}.`);
    }
  }
  if (typeof argv.out === 'string' && argv.out.trim() === '') {
    throw new ConfigError('--out: Expected a folder path, but got an empty string (it would write into the current folder).');
  }
}
