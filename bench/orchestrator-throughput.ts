/**
 * Orchestrator-v0 single-env throughput: steps per second of `make('Orchestrator-v0')` (OrderEnforcing and
 * the 200-step TimeLimit included, resets on episode end counted inside the timed loop), printed as one
 * JSON line `{bench: 'env-throughput', env, mode: 'single', steps, stepsPerSec, runs, policy, ...}`;
 * stepsPerSec is the median of `--runs` (default 5) timed runs after a warm-up run.
 *
 * Actions: validity depends on the state, so actions cannot be drawn before the run. Instead the uniform
 * numbers are pre-generated (a Float64Array from Rng) and each step picks among the actions allowed by
 * `info.actionMask` with the next number: a masked-uniform random policy with no draw or allocation in the
 * loop, whose cost (one pass over the 15-entry mask) is counted in the figure. `--policy round_robin` uses a
 * cheap fixed valid policy instead (dispatch round-robin, monitor when no dispatch is allowed), which keeps
 * queues short like a competent policy does. `cpuStepsPerSec` divides by
 * process CPU time instead of wall time, which other load on the machine disturbs less.
 *
 *   node dist/bench/orchestrator-throughput.js [--steps 1000000] [--runs 5] [--preset default] [--policy random|round_robin]
 *     [--kwargs '{"recordTasks":false}']
 */
import { make, type Env } from '../src/core/index.js';
import { Rng } from '../src/core/rng.js';
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
if (policy !== 'random' && policy !== 'round_robin') throw new Error(`Expected --policy random or round_robin, but got ${policy}.`);
const POOL = 1 << 16;
const uniforms = new Float64Array(POOL);
const rng = new Rng('bench/orchestrator');
for (let i = 0; i < POOL; i++) uniforms[i] = rng.random();

/** Wall milliseconds and CPU milliseconds (user + system) of `count` steps. */
function run(env: Env<Float32Array, number>, count: number): [number, number] {
  let info = env.reset({ seed: 0 }).info;
  const roundRobin = policy === 'round_robin';
  const inner = env.unwrapped as OrchestratorEnv;
  const workers = inner.numWorkers;
  let next = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const mask = info.actionMask as Uint8Array;
    let action = 0;
    if (roundRobin) {
      action = inner.monitorAction;
      for (let k = 0; k < workers; k++) {
        const w = (next + k) % workers;
        if (mask[inner.dispatchAction + w]) {
          action = inner.dispatchAction + w;
          next = (w + 1) % workers;
          break;
        }
      }
    } else {
      let allowed = 0;
      for (let a = 0; a < mask.length; a++) allowed += mask[a];
      let pick = Math.floor(uniforms[i & (POOL - 1)] * allowed);
      for (let a = 0; a < mask.length; a++) {
        if (mask[a] && pick-- === 0) {
          action = a;
          break;
        }
      }
    }
    const result = env.step(action);
    info = result.terminated || result.truncated ? env.reset().info : result.info;
  }
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return [wall, (cpu.user + cpu.system) / 1000];
}

const extra = JSON.parse(arg('kwargs', '{}')) as Record<string, unknown>;
const env = make<Float32Array, number>('Orchestrator-v0', { kwargs: { preset, ...extra } });
run(env, Math.min(steps, 200_000));
const rates: number[] = [];
const cpuRates: number[] = [];
for (let r = 0; r < runs; r++) {
  const [wall, cpu] = run(env, steps);
  rates.push((steps / wall) * 1000);
  cpuRates.push((steps / cpu) * 1000);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  JSON.stringify({
    bench: 'env-throughput',
    env: 'Orchestrator-v0',
    mode: 'single',
    steps,
    stepsPerSec: Math.round(median(rates)),
    // Steps per second of process CPU time (user + system, GC threads included): steadier on a shared machine.
    cpuStepsPerSec: Math.round(median(cpuRates)),
    runs,
    preset,
    kwargs: extra,
    policy: policy === 'random' ? 'masked-uniform from pre-generated numbers' : 'round-robin dispatch, monitor when none is allowed',
    node: process.version,
  }),
);
