/**
 * Learning-loop benchmarks, one JSON line each.
 *
 * `loop-analysis`: wall and CPU seconds of `analyzeLearningCurve` on a synthetic 10-replicate x
 * 100-iteration curve (a compounding learning arm, a frozen arm, greedy and oracle references) with 2,000
 * bootstrap resamples; the median of `--runs` calls after one warm-up call. Target: <= 2 s.
 *
 * `loop-quick`: wall seconds of `runLoop(experiments/loop-quick.json)` into a temporary folder (its own
 * `workers`), with the verdict it reached. Target: <= 180 s on 2 cores. Skip it with `--no-loop`.
 *
 *   npm run bench -- loop [--runs 5] [--iterations 100] [--replicates 10] [--resamples 2000]
 *     [--shape exponential|saturating|linear|flat] [--no-loop]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import '../envs/index.js';
import { Rng } from '../src/core/rng.js';
import { analyzeLearningCurve } from '../src/loop/analyze-curve.js';
import { loadLoopSpec } from '../src/loop/loop-spec.js';
import { runLoop } from '../src/loop/loop-runner.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const runs = Number(arg('runs', '5'));
const iterations = Number(arg('iterations', '100'));
const replicates = Number(arg('replicates', '10'));
const resamples = Number(arg('resamples', '2000'));
const shape = arg('shape', 'exponential');

const shapes: Record<string, (t: number) => number> = {
  exponential: (t) => 0.2 * Math.pow(1.015, t),
  saturating: (t) => 0.8 - 0.6 * Math.exp(-0.05 * t),
  linear: (t) => 0.2 + 0.004 * t,
  flat: () => 0.4,
};
const curve = shapes[shape];
if (curve === undefined) throw new Error(`Expected --shape among ${Object.keys(shapes).join(', ')}, but got ${shape}.`);

const rng = new Rng('bench-loop');
const noisy = (f: (t: number) => number) => Array.from({ length: replicates }, () => Array.from({ length: iterations }, (_, t) => f(t) * (1 + 0.05 * rng.normal())));
const input = {
  scores: noisy(curve),
  frozen: noisy(() => 0.2),
  baseline: 0.3,
  ceiling: 0.9,
  higherIsBetter: true,
  resamples,
  seed: 0,
};

const round = (x: number) => Math.round(x * 1000) / 1000;
analyzeLearningCurve(input);
const wall: number[] = [];
const cpu: number[] = [];
let verdict = '';
for (let i = 0; i < runs; i++) {
  const usage = process.cpuUsage();
  const start = performance.now();
  verdict = analyzeLearningCurve(input).verdict.verdict;
  wall.push((performance.now() - start) / 1000);
  const used = process.cpuUsage(usage);
  cpu.push((used.user + used.system) / 1e6);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  JSON.stringify({
    bench: 'loop-analysis',
    shape,
    iterations,
    replicates,
    resamples,
    verdict,
    medianSeconds: round(median(wall)),
    medianCpuSeconds: round(median(cpu)),
    seconds: wall.map(round),
    targetSeconds: 2,
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
  }),
);

if (!process.argv.includes('--no-loop')) {
  const out = mkdtempSync(join(tmpdir(), 'loopgym-bench-loop-'));
  try {
    const spec = loadLoopSpec('experiments/loop-quick.json');
    const start = performance.now();
    const result = await runLoop(spec, { out });
    console.log(
      JSON.stringify({
        bench: 'loop-quick',
        replicates: spec.replicates,
        iterations: spec.iterations,
        workers: spec.workers,
        verdict: result.report.analysis.verdict.verdict,
        seconds: round((performance.now() - start) / 1000),
        targetSeconds: 180,
        node: process.version,
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
      }),
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
