/**
 * Orchestrator-v0 throughput, single-threaded, printed as JSON lines
 * `{bench: 'env-throughput', env, mode, numEnvs, steps, stepsPerSec, cpuStepsPerSec, runs, policy, ...}`:
 * - mode `single`: `make('Orchestrator-v0')` (OrderEnforcing and the 200-step TimeLimit included, resets
 *   on episode end counted inside the timed loop), the Gymnasium API with a fresh observation and info
 *   per step;
 * - mode `native`: `makeVec('Orchestrator-v0', {numEnvs})`, the allocation-free OrchestratorVectorEnv
 *   (what training uses), stepped in this thread; a step of N members counts as N steps.
 * stepsPerSec is the median of `--runs` (default 5) timed runs after a warm-up run.
 *
 * Actions: validity depends on the state, so actions cannot be drawn before the run. Instead the uniform
 * numbers are pre-generated (a Float64Array from Rng) and each step picks among the actions allowed by
 * the current mask with the next number: a masked-uniform random policy with no draw or allocation in the
 * loop, whose cost (one pass over the 15-entry mask) is counted in the figure. `--policy round_robin` uses a
 * cheap fixed valid policy instead (dispatch round-robin, monitor when no dispatch is allowed), which keeps
 * queues short like a competent policy does. `cpuStepsPerSec` divides by process CPU time instead of wall
 * time, which other load on the machine disturbs less.
 *
 *   node dist/bench/orchestrator-throughput.js [--mode single|native|both] [--num-envs 16] [--steps 1000000]
 *     [--runs 5] [--preset default] [--policy random|round_robin] [--kwargs '{"recordTasks":false}']
 */
import { make, makeVec, type Env } from '../src/core/index.js';
import { Rng } from '../src/core/rng.js';
import type { VectorEnv } from '../src/core/vector.js';
import type { OrchestratorEnv } from '../envs/orchestrator/env.js';
import { registerOrchestratorEnvs } from '../envs/orchestrator/register.js';

registerOrchestratorEnvs();

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const steps = Number(arg('steps', '1000000'));
const runs = Number(arg('runs', '5'));
const preset = arg('preset', 'default');
const policy = arg('policy', 'random');
const mode = arg('mode', 'both');
const numEnvs = Number(arg('num-envs', '16'));
if (mode !== 'single' && mode !== 'native' && mode !== 'both') throw new Error(`Expected --mode single, native or both, but got ${mode}.`);
if (policy !== 'random' && policy !== 'round_robin') throw new Error(`Expected --policy random or round_robin, but got ${policy}.`);
const POOL = 1 << 16;
const uniforms = new Float64Array(POOL);
const rng = new Rng('bench/orchestrator');
for (let i = 0; i < POOL; i++) uniforms[i] = rng.random();

const roundRobin = policy === 'round_robin';

/**
 * The policy: an allowed action from `mask[offset, offset + numActions)`, masked-uniform with the pre-drawn
 * number `u`, or round-robin over dispatches from `state[member]` (monitor when none is allowed).
 */
function choose(mask: Uint8Array, offset: number, numActions: number, u: number, inner: OrchestratorEnv, state: Int32Array, member: number): number {
  if (roundRobin) {
    const workers = inner.numWorkers;
    for (let k = 0; k < workers; k++) {
      const w = (state[member] + k) % workers;
      if (mask[offset + inner.dispatchAction + w]) {
        state[member] = (w + 1) % workers;
        return inner.dispatchAction + w;
      }
    }
    return inner.monitorAction;
  }
  let allowed = 0;
  for (let a = 0; a < numActions; a++) allowed += mask[offset + a];
  let pick = Math.floor(u * allowed);
  for (let a = 0; a < numActions; a++) {
    if (mask[offset + a] && pick-- === 0) return a;
  }
  throw new Error('Expected at least one allowed action (monitor and optimize always are).');
}

/** Wall milliseconds and CPU milliseconds (user + system) of `count` single-env steps. */
function runSingle(env: Env<Float32Array, number>, count: number): [number, number] {
  let info = env.reset({ seed: 0 }).info;
  const inner = env.unwrapped as OrchestratorEnv;
  const numActions = inner.actionNames.length;
  const state = new Int32Array(1);
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const action = choose(info.actionMask as Uint8Array, 0, numActions, uniforms[i & (POOL - 1)], inner, state, 0);
    const result = env.step(action);
    info = result.terminated || result.truncated ? env.reset().info : result.info;
  }
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return [wall, (cpu.user + cpu.system) / 1000];
}

/** The same for the native vector env: `count` member steps in count / numEnvs vector steps. */
function runNative(venv: VectorEnv, count: number): [number, number] {
  let masks = venv.reset({ seed: 0 }).actionMasks!;
  const n = venv.numEnvs;
  const inner = (venv as unknown as { envs: OrchestratorEnv[] }).envs[0];
  const numActions = inner.actionNames.length;
  const actions = new Int32Array(n);
  const state = new Int32Array(n);
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let drawn = 0;
  for (let s = 0; s < count / n; s++) {
    for (let i = 0; i < n; i++) actions[i] = choose(masks, i * numActions, numActions, uniforms[drawn++ & (POOL - 1)], inner, state, i);
    masks = venv.step(actions).actionMasks!;
  }
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return [wall, (cpu.user + cpu.system) / 1000];
}

const extra = JSON.parse(arg('kwargs', '{}')) as Record<string, unknown>;
const kwargs = { preset, ...extra };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(label: 'single' | 'native', members: number, run: (count: number) => [number, number]): void {
  run(Math.min(steps, 200_000));
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const [wall, cpu] = run(steps);
    rates.push((steps / wall) * 1000);
    cpuRates.push((steps / cpu) * 1000);
  }
  console.log(
    JSON.stringify({
      bench: 'env-throughput',
      env: 'Orchestrator-v0',
      mode: label,
      numEnvs: members,
      steps,
      stepsPerSec: Math.round(median(rates)),
      // Steps per second of process CPU time (user + system, GC threads included): steadier on a shared machine.
      cpuStepsPerSec: Math.round(median(cpuRates)),
      runs,
      preset,
      kwargs: extra,
      policy: roundRobin ? 'round-robin dispatch, monitor when none is allowed' : 'masked-uniform from pre-generated numbers',
      node: process.version,
    }),
  );
}

if (mode !== 'native') {
  const env = make<Float32Array, number>('Orchestrator-v0', { kwargs });
  measure('single', 1, (count) => runSingle(env, count));
}
if (mode !== 'single') {
  const venv = makeVec('Orchestrator-v0', { numEnvs, kwargs });
  measure('native', numEnvs, (count) => runNative(venv, count));
}
