/**
 * Trace benchmarks, one JSON line each:
 *
 * - `patterns`: wall milliseconds of `analyzeTraces` on 1,000 task records (from greedy workdays of
 *   Orchestrator-v0), the median of `--runs` calls after one warm-up. The designs' requirement: < 100 ms.
 * - `pattern-router-decision`: microseconds per `pattern_router` decision (target < 50 us).
 * - `trace-recorder`: env steps per second of `make('Orchestrator-v0')` played by a fixed action sequence,
 *   with and without the TraceRecorder wrapper (the cost of recording), medians over `--runs` interleaved runs.
 *
 *   npm run bench -- patterns [--runs 7]
 */
import { cpus } from 'node:os';
import '../envs/index.js';
import { make } from '../src/core/registry.js';
import type { Env } from '../src/core/env.js';
import { Rng } from '../src/core/rng.js';
import { createBaseline } from '../envs/orchestrator/baselines.js';
import { analyzeTraces } from '../src/traces/analyze-traces.js';
import { TraceRecorder } from '../src/traces/trace-recorder.js';
import { PatternRouter } from '../src/traces/pattern-router.js';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const machine = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length };

// 1,000 task records from greedy workdays.
const recorder = new TraceRecorder(make<Float32Array, number>('Orchestrator-v0'));
const greedy = createBaseline('greedy', recorder);
for (let e = 0; recorder.traces.length < 1000; e++) {
  let { obs, info } = recorder.reset({ seed: e });
  for (;;) {
    const step = recorder.step(greedy.act(obs, { mask: info.actionMask as Uint8Array }));
    obs = step.obs;
    info = step.info;
    if (step.terminated || step.truncated) break;
  }
}
const records = recorder.traces.slice(0, 1000);
analyzeTraces(records);
const analysisMs: number[] = [];
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  analyzeTraces(records);
  analysisMs.push(performance.now() - start);
}
console.log(JSON.stringify({ bench: 'patterns', records: records.length, medianMs: Math.round(median(analysisMs) * 100) / 100, ms: analysisMs.map((x) => Math.round(x * 100) / 100), targetMs: 100, ...machine }));

// Recording cost: the same actions, with and without the wrapper, interleaved.
const rng = new Rng('bench-patterns');
const steps = 20_000;
function stepsPerSecond(env: Env<Float32Array, number>): number {
  let { info } = env.reset({ seed: 1 });
  const start = performance.now();
  for (let i = 0; i < steps; i++) {
    const mask = info.actionMask as Uint8Array;
    let action = rng.integer(0, mask.length);
    while (!mask[action]) action = (action + 1) % mask.length;
    const step = env.step(action);
    info = step.info;
    if (step.terminated || step.truncated) info = env.reset().info;
  }
  return steps / ((performance.now() - start) / 1000);
}
const plain: number[] = [];
const traced: number[] = [];
for (let i = 0; i < runs; i++) {
  plain.push(stepsPerSecond(make<Float32Array, number>('Orchestrator-v0')));
  traced.push(stepsPerSecond(new TraceRecorder(make<Float32Array, number>('Orchestrator-v0'))));
}
console.log(JSON.stringify({ bench: 'trace-recorder', steps, plainStepsPerSec: Math.round(median(plain)), tracedStepsPerSec: Math.round(median(traced)), ratio: Math.round((median(traced) / median(plain)) * 1000) / 1000, ...machine }));

// One pattern_router decision: a table lookup and a pass over the workers (observations from greedy play).
const router = new PatternRouter(make('Orchestrator-v0'));
await router.learn({ env: make('Orchestrator-v0'), totalSteps: 20_000 });
const play = make<Float32Array, number>('Orchestrator-v0');
const greedyPlayer = createBaseline('greedy', play);
const observations: Float32Array[] = [];
const masks: Uint8Array[] = [];
{
  let { obs, info } = play.reset({ seed: 5 });
  for (let i = 0; i < 2000; i++) {
    observations.push(obs);
    masks.push(info.actionMask as Uint8Array);
    const step = play.step(greedyPlayer.act(obs, { mask: info.actionMask as Uint8Array }));
    ({ obs, info } = step.terminated || step.truncated ? play.reset() : step);
  }
}
const decisionUs: number[] = [];
let sink = 0;
for (let r = 0; r < runs; r++) {
  const start = performance.now();
  for (let k = 0; k < 50; k++) for (let i = 0; i < observations.length; i++) sink += router.act(observations[i], { mask: masks[i] });
  decisionUs.push(((performance.now() - start) * 1000) / (50 * observations.length));
}
console.log(JSON.stringify({ bench: 'pattern-router-decision', decisions: 50 * observations.length, medianMicroseconds: Math.round(median(decisionUs) * 1000) / 1000, targetMicroseconds: 50, checksum: sink % 7, ...machine }));
