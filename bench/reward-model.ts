/**
 * Reward-model benchmark on Orchestrator-v0 feedback, printed as JSON lines.
 *
 * Default: for each model (the MLP ensemble on the wasm-simd engine and on tfjs, the same with the
 * Bradley-Terry loss, random forest), one
 * `{bench: 'reward-model', model, scores, preferences, fitSeconds, fitCpuSeconds, heldOut: {...}}` line for
 * a fit on `--samples` (default 10000) scored tasks plus the preferences that came with them, and one
 * `{bench: 'reward-model-predict', model, batch, rowsPerSec}` line per batch size (1 = the wrapper's path,
 * one task at a time; 1024 = offline evaluation). `heldOut` scores the fitted model on every finished task
 * of separate episodes against the true satisfaction.
 *
 * `--curve`: the learning curve instead, `{bench: 'reward-model-curve', model, scores, preferences,
 * spearman, r2, mae, preferenceAccuracy, spearmanExpected}` per feedback count up to the budget of
 * `--budget` env steps (default 500000; a 500k-step run at ~0.17 scores per step), plus a
 * `{bench: 'reward-model-ceiling'}` line. Both rest on the satisfaction without the user's mood
 * (`withoutMood`): `noiseFree` uses the company's hidden worker quality and creativity, `expected` the
 * catalog's, which is all the task features can tell a model (the company is hidden from it). The ceiling
 * line gives the Spearman of each against the true satisfaction: `expected` is about the best any reward
 * model on these features can reach; `spearmanExpected` says how close a model came to learning it.
 *
 * `--counts 1000,10000,all` picks the curve's feedback counts (default 100, 300, 1000, 3000, 10000, 30000,
 * all). `--models` keeps some models (names as printed, comma-separated). `--mood` and `--spread` set the
 * env's moodNoise and qualitySpread (defaults: the preset's).
 *
 *   node dist/bench/reward-model.js [--samples 10000] [--curve] [--budget 500000] [--counts ...] [--models ...]
 *     [--preset default] [--mood 0.05] [--spread 0.1]
 */
import { backendInfo, ensureBackend } from '../src/nn/backend.js';
import { collectFeedback, type CollectedFeedback } from '../src/reward/collect.js';
import { ForestRewardModel } from '../src/reward/forest-reward-model.js';
import { spearman } from '../src/reward/metrics.js';
import type { RewardDataset, RewardModel } from '../src/reward/reward-model.js';
import { TfjsRewardModel } from '../src/reward/tfjs-reward-model.js';
import { ARCHITECTURES, architectureIndex } from '../envs/orchestrator/catalog.js';
import type { OrchestratorHiddenView } from '../envs/orchestrator/env.js';
import { TASK_OUTCOME_FEATURE_LABELS, type TaskOutcome } from '../envs/orchestrator/feedback.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const samples = Number(arg('samples', '10000'));
const budget = Number(arg('budget', '500000'));
const preset = arg('preset', 'default');
const curve = process.argv.includes('--curve');
const userNoise: Record<string, number> = {};
if (process.argv.includes('--mood')) userNoise.moodNoise = Number(arg('mood', ''));
if (process.argv.includes('--spread')) userNoise.qualitySpread = Number(arg('spread', ''));

const allModels: Array<{ name: string; build: () => RewardModel }> = [
  { name: 'tfjs-mlp', build: () => new TfjsRewardModel({ seed: 1 }) },
  // The same model trained on the tfjs engine (the reference path), for the engines' speed and quality side by side.
  { name: 'tfjs-mlp@tfjs', build: () => new TfjsRewardModel({ seed: 1, engine: 'tfjs' }) },
  { name: 'tfjs-mlp+bt', build: () => new TfjsRewardModel({ seed: 1, preferenceWeight: 0.3 }) },
  { name: 'random-forest', build: () => new ForestRewardModel({ seed: 1 }) },
];
const keep = arg('models', '').split(',').filter((name) => name !== '');
const models = keep.length > 0 ? allModels.filter((m) => keep.includes(m.name)) : allModels;
if (models.length === 0) throw new Error(`Expected --models among ${allModels.map((m) => m.name).join(', ')}, but got ${keep.join(', ')}.`);

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

/** The first `scores` scored tasks of the stream, with the preferences among them (arrival order). */
function firstScores(collected: CollectedFeedback, scores: number): RewardDataset {
  let seen = 0;
  return collected.buffer.toDataset((r) => (r.type === 'score' ? ++seen : seen) <= scores);
}

function timedFit(model: RewardModel, data: RewardDataset): { fitSeconds: number; fitCpuSeconds: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  model.fit(data);
  const used = process.cpuUsage(cpu);
  return { fitSeconds: round((performance.now() - start) / 1000, 3), fitCpuSeconds: round((used.user + used.system) / 1e6, 3) };
}

const CREATIVITY_NEED = TASK_OUTCOME_FEATURE_LABELS.indexOf('task_creativity_need');

/**
 * A task's satisfaction without the user's mood, following envs/orchestrator/env.ts ("Simulated users"),
 * for a worker of the given quality and creativity. `checkWithoutMood` holds it to the env.
 */
function withoutMood(task: TaskOutcome, quality: number, creativity: number): number {
  const timeliness = task.latency <= task.slaTicks ? 1 : Math.max(0, 1 - (task.latency - task.slaTicks) / task.slaTicks);
  let s: number;
  if (task.kind === 'succeeded') s = 0.35 + 0.3 * quality + 0.2 * timeliness + 0.15 * creativity * task.features[CREATIVITY_NEED] + (task.coordinated ? 0.05 : 0);
  else if (task.kind === 'failed') s = 0.1 + 0.1 * timeliness;
  else s = 0.02;
  return Math.min(1, Math.max(0, s));
}

interface MoodFree {
  /** With the company's hidden quality and creativity of the worker. */
  noiseFree: Float32Array;
  /** With the catalog's quality and creativity of the worker's architecture. */
  expected: Float32Array;
}

/** Test-set collection that also records `withoutMood` for every finished task (same tasks as collectFeedback). */
function collectWithMoodFree(kwargs: Record<string, unknown>, steps: number, seed: number): CollectedFeedback & MoodFree {
  const noiseFree: number[] = [];
  const expected: number[] = [];
  const collected = collectFeedback({
    kwargs,
    steps,
    seed,
    onFinished: (finished, env) => {
      const { company } = (env.unwrapped as unknown as { hidden(): OrchestratorHiddenView }).hidden();
      for (const task of finished) {
        const arch = task.worker >= 0 ? ARCHITECTURES[architectureIndex(task.architecture)] : undefined;
        noiseFree.push(arch ? withoutMood(task, company.quality[task.worker], company.creativity[task.worker]) : withoutMood(task, 0, 0));
        expected.push(arch ? withoutMood(task, arch.quality, arch.creativity) : withoutMood(task, 0, 0));
      }
    },
  });
  return { ...collected, noiseFree: Float32Array.from(noiseFree), expected: Float32Array.from(expected) };
}

/** With no mood noise the formula must give the env's true satisfaction exactly (else env.ts changed). */
function checkWithoutMood(kwargs: Record<string, unknown>): void {
  const probe = collectWithMoodFree({ ...kwargs, moodNoise: 0 }, 5000, 3_000_000);
  const worst = probe.noiseFree.reduce((m, v, i) => Math.max(m, Math.abs(v - probe.tasks.truth![i])), 0);
  if (!(worst < 1e-5)) throw new Error(`Expected withoutMood to reproduce the env's satisfaction at moodNoise 0, but it is off by ${worst}: update it from envs/orchestrator/env.ts.`);
}

function heldOut(model: RewardModel, test: CollectedFeedback): Record<string, number> {
  const onTasks = model.evaluate(test.tasks);
  const onPairs = model.evaluate(test.buffer.toDataset());
  return { spearman: round(onTasks.spearman), r2: round(onTasks.r2), mae: round(onTasks.mae), preferenceAccuracy: round(onPairs.preferenceAccuracy) };
}

await ensureBackend('auto');
const { backend } = backendInfo();
const kwargs = { preset, ...userNoise };
const test = curve ? collectWithMoodFree(kwargs, 20_000, 1_000_000) : collectFeedback({ kwargs, steps: 20_000, seed: 1_000_000 });

if (!curve) {
  // Steps enough for `samples` scores at ~0.15 scores per step, with room to spare.
  const train = collectFeedback({ kwargs, steps: Math.ceil(samples / 0.1), seed: 1 });
  const data = firstScores(train, samples);
  for (const { name, build } of models) {
    const model = build();
    const timing = timedFit(model, data);
    console.log(JSON.stringify({ bench: 'reward-model', model: name, backend, scores: data.y.length, preferences: data.preferred.length, ...timing, heldOut: heldOut(model, test) }));
    for (const batch of [1, 1024]) {
      const rows = test.tasks.x.subarray(0, batch * model.dim);
      const minRows = batch === 1 ? 20_000 : 100_000;
      let done = 0;
      const start = performance.now();
      while (done < minRows) {
        model.predict(rows);
        done += batch;
      }
      const seconds = (performance.now() - start) / 1000;
      console.log(JSON.stringify({ bench: 'reward-model-predict', model: name, backend, batch, rowsPerSec: Math.round(done / seconds) }));
    }
    model.dispose();
  }
} else {
  const train = collectFeedback({ kwargs, steps: budget, seed: 1 });
  console.log(JSON.stringify({ bench: 'reward-model-budget', ...userNoise, envSteps: budget, scores: train.buffer.scoreCount, preferences: train.buffer.preferenceCount, testTasks: test.tasks.y.length }));
  checkWithoutMood(kwargs);
  const { noiseFree, expected } = test as CollectedFeedback & MoodFree;
  const truth = test.tasks.truth!;
  console.log(JSON.stringify({ bench: 'reward-model-ceiling', ...userNoise, noiseFree: round(spearman(noiseFree, truth)), expected: round(spearman(expected, truth)) }));
  const all = train.buffer.scoreCount;
  const counts = arg('counts', '100,300,1000,3000,10000,30000,all').split(',').map((c) => (c === 'all' ? all : Number(c)));
  for (const scores of counts.filter((c, i) => c <= all && counts.indexOf(c) === i)) {
    const data = firstScores(train, scores);
    for (const { name, build } of models) {
      const model = build();
      const timing = timedFit(model, data);
      const spearmanExpected = round(spearman(model.predict(test.tasks.x), (test as CollectedFeedback & MoodFree).expected));
      console.log(JSON.stringify({ bench: 'reward-model-curve', model: name, backend, scores: data.y.length, preferences: data.preferred.length, ...heldOut(model, test), spearmanExpected, ...timing }));
      model.dispose();
    }
  }
}
