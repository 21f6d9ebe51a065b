/**
 * Reward-model benchmark on Orchestrator-v0 feedback, printed as JSON lines.
 *
 * Default: for each model (tfjs MLP ensemble, the same with the Bradley-Terry loss, random forest), one
 * `{bench: 'reward-model', model, scores, preferences, fitSeconds, fitCpuSeconds, heldOut: {...}}` line for
 * a fit on `--samples` (default 10000) scored tasks plus the preferences that came with them, and one
 * `{bench: 'reward-model-predict', model, batch, rowsPerSec}` line per batch size (1 = the wrapper's path,
 * one task at a time; 1024 = offline evaluation). `heldOut` scores the fitted model on every finished task
 * of separate episodes against the true satisfaction.
 *
 * `--curve`: the learning curve instead, `{bench: 'reward-model-curve', model, scores, preferences,
 * spearman, r2, mae, preferenceAccuracy}` per feedback count up to the budget of `--budget` env steps
 * (default 500000), plus a `{bench: 'reward-model-ceiling'}` line: a forest fitted on the true satisfaction
 * of every finished task, the best rank agreement these features allow.
 *
 *   node dist/bench/reward-model.js [--samples 10000] [--curve] [--budget 500000] [--preset default]
 */
import { backendInfo, ensureBackend } from '../src/nn/backend.js';
import { collectFeedback, type CollectedFeedback } from '../src/reward/collect.js';
import { ForestRewardModel } from '../src/reward/forest-reward-model.js';
import type { RewardDataset, RewardModel } from '../src/reward/reward-model.js';
import { TfjsRewardModel } from '../src/reward/tfjs-reward-model.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const samples = Number(arg('samples', '10000'));
const budget = Number(arg('budget', '500000'));
const preset = arg('preset', 'default');
const curve = process.argv.includes('--curve');

const models: Array<{ name: string; build: () => RewardModel }> = [
  { name: 'tfjs-mlp', build: () => new TfjsRewardModel({ seed: 1 }) },
  { name: 'tfjs-mlp+bt', build: () => new TfjsRewardModel({ seed: 1, preferenceWeight: 0.3 }) },
  { name: 'random-forest', build: () => new ForestRewardModel({ seed: 1 }) },
];

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

function heldOut(model: RewardModel, test: CollectedFeedback): Record<string, number> {
  const onTasks = model.evaluate(test.tasks);
  const onPairs = model.evaluate(test.buffer.toDataset());
  return { spearman: round(onTasks.spearman), r2: round(onTasks.r2), mae: round(onTasks.mae), preferenceAccuracy: round(onPairs.preferenceAccuracy) };
}

await ensureBackend('auto');
const { backend } = backendInfo();
const kwargs = { preset };
const test = collectFeedback({ kwargs, steps: 20_000, seed: 1_000_000 });

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
  console.log(JSON.stringify({ bench: 'reward-model-budget', envSteps: budget, scores: train.buffer.scoreCount, preferences: train.buffer.preferenceCount, testTasks: test.tasks.y.length }));
  const ceiling = new ForestRewardModel({ seed: 1, nEstimators: 10, maxSamplesPerTree: 3000 });
  const truthData = { ...test.tasks, y: test.tasks.truth! };
  const ceilingTrain = collectFeedback({ kwargs, steps: 20_000, seed: 2_000_000 }).tasks;
  ceiling.fit({ ...ceilingTrain, y: ceilingTrain.truth! });
  console.log(JSON.stringify({ bench: 'reward-model-ceiling', model: 'random-forest on true satisfaction', trainTasks: ceilingTrain.y.length, spearman: round(ceiling.evaluate(truthData).spearman), r2: round(ceiling.evaluate(truthData).r2) }));
  const counts = [100, 300, 1000, 3000, 10_000, 30_000, train.buffer.scoreCount];
  for (const scores of counts.filter((c, i) => c <= train.buffer.scoreCount && counts.indexOf(c) === i)) {
    const data = firstScores(train, scores);
    for (const { name, build } of models) {
      const model = build();
      const timing = timedFit(model, data);
      console.log(JSON.stringify({ bench: 'reward-model-curve', model: name, backend, scores: data.y.length, preferences: data.preferred.length, ...heldOut(model, test), ...timing }));
      model.dispose();
    }
  }
}
