/**
 * Env throughput: env steps per second with pre-generated valid actions, one JSON object per case on
 * stdout: `{bench, env, mode, numEnvs, steps, stepsPerSec, runs, backend, node, cpu}`, where stepsPerSec
 * is the median over `runs` timed runs (after one shorter warm-up run).
 *
 *   npm run bench -- env-throughput [--runs 5] [--only <substring of "env/mode/numEnvs">] [--scale 1]
 *
 * Single-env cases step `make(id)` (with its TimeLimit and OrderEnforcing wrappers) and count the
 * resets on episode end inside the timed loop. Vector cases step `makeVec(id, ...)` in the given mode;
 * they count `numEnvs` env steps per vector step.
 *
 * To add a case, append to `cases` (e.g. `singleEnvCase('Orchestrator-v0', 20_000)`).
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ConfigError, Discrete, Rng, SyncVectorEnv, make, makeVec, type VectorEnv, type VectorizationMode } from '../src/core/index.js';
import '../envs/index.js';

interface ThroughputCase {
  env: string;
  mode: 'single' | VectorizationMode;
  numEnvs: number;
  /** Env steps per timed run (before --scale). */
  steps: number;
  /** Builds the env and actions once; the returned function runs `steps` env steps and returns the count. */
  prepare(): (steps: number) => number;
}

const ACTION_POOL = 1 << 16;

/** Valid actions drawn from the space, cycled through by index (no draw inside the timed loop). */
function actionPool<A>(sample: (rng: Rng) => A, size: number): A[] {
  const rng = new Rng('bench/actions');
  return Array.from({ length: size }, () => sample(rng));
}

function singleEnvCase(id: string, steps: number): ThroughputCase {
  return {
    env: id,
    mode: 'single',
    numEnvs: 1,
    steps,
    prepare() {
      const env = make<unknown, unknown>(id);
      const actions = actionPool((rng) => env.actionSpace.sample(rng), ACTION_POOL);
      return (count) => {
        env.reset({ seed: 0 });
        for (let i = 0; i < count; i++) {
          const result = env.step(actions[i & (ACTION_POOL - 1)]);
          if (result.terminated || result.truncated) env.reset();
        }
        return count;
      };
    },
  };
}

/** A vector env by `makeVec`; sync mode falls back to building SyncVectorEnv directly until makeVec knows it. */
function buildVector(id: string, numEnvs: number, mode: VectorizationMode): VectorEnv {
  try {
    return makeVec(id, { numEnvs, vectorizationMode: mode });
  } catch (error) {
    if (mode !== 'sync' || !(error instanceof ConfigError)) throw error;
    return new SyncVectorEnv(Array.from({ length: numEnvs }, () => () => make(id)));
  }
}

function vectorEnvCase(id: string, mode: VectorizationMode, numEnvs: number, steps: number): ThroughputCase {
  return {
    env: id,
    mode,
    numEnvs,
    steps,
    prepare() {
      const vec = buildVector(id, numEnvs, mode);
      const space = vec.singleActionSpace;
      if (!(space instanceof Discrete)) throw new ConfigError(`Expected a Discrete action space for ${id} in env-throughput, but got ${space.toString()}.`);
      const batches = actionPool((rng) => Int32Array.from({ length: numEnvs }, () => space.sample(rng)), 64);
      return (count) => {
        const vectorSteps = Math.ceil(count / numEnvs);
        vec.reset({ seed: 0 });
        for (let t = 0; t < vectorSteps; t++) vec.step(batches[t & 63]);
        return vectorSteps * numEnvs;
      };
    },
  };
}

const cases: ThroughputCase[] = [
  singleEnvCase('CartPole-v1', 5_000_000),
  vectorEnvCase('CartPole-v1', 'native', 256, 20_000_000),
  vectorEnvCase('CartPole-v1', 'native', 1024, 20_000_000),
  vectorEnvCase('CartPole-v1', 'sync', 256, 2_000_000),
];

function parseArgs(argv: string[]): { runs: number; only: string | undefined; scale: number } {
  const options = { runs: 5, only: undefined as string | undefined, scale: 1 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--runs' && Number.isInteger(Number(value)) && Number(value) > 0) options.runs = Number(value);
    else if (flag === '--scale' && Number(value) > 0) options.scale = Number(value);
    else if (flag === '--only' && value !== undefined) options.only = value;
    else throw new ConfigError(`Expected --runs <positive integer>, --scale <positive number> or --only <text>, but got ${JSON.stringify(flag)}${value === undefined ? '' : ` ${JSON.stringify(value)}`}.`);
    i++;
  }
  return options;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function main(): void {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  const { runs, only, scale } = parsed;
  const cpu = cpus()[0]?.model ?? 'unknown';
  for (const c of cases) {
    const label = `${c.env}/${c.mode}/${c.numEnvs}`;
    if (only !== undefined && !label.includes(only)) continue;
    const steps = Math.max(1, Math.round(c.steps * scale));
    const run = c.prepare();
    run(Math.max(1, Math.round(steps / 5))); // warm-up: lets the JIT optimize the loop before timing
    const rates: number[] = [];
    let counted = steps;
    for (let r = 0; r < runs; r++) {
      const start = performance.now();
      counted = run(steps);
      rates.push(counted / ((performance.now() - start) / 1000));
    }
    const line = { bench: 'env-throughput', env: c.env, mode: c.mode, numEnvs: c.numEnvs, steps: counted, stepsPerSec: Math.round(median(rates)), runs, backend: null, node: process.version, cpu };
    console.log(JSON.stringify(line));
  }
  // Orchestrator-v0 needs a valid action for its current mask at every step, so its loop lives in
  // orchestrator-throughput.ts; run it here so this bench reports every env.
  if (only === undefined || 'Orchestrator-v0/single/1'.includes(only)) {
    const script = fileURLToPath(new URL('./orchestrator-throughput.js', import.meta.url));
    const child = spawnSync(process.execPath, [script, '--runs', String(runs), '--steps', String(Math.max(1, Math.round(1_000_000 * scale)))], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`Expected the Orchestrator-v0 bench to succeed, but it exited with ${child.status}: ${child.stderr}`);
    process.stdout.write(child.stdout);
  }
}

main();
