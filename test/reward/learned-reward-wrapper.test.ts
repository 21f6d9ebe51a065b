import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { make } from '../../src/core/registry.js';
import { Rng } from '../../src/core/rng.js';
import type { Env } from '../../src/core/env.js';
import { ensureBackend } from '../../src/nn/backend.js';
import type { TaskOutcome } from '../../envs/orchestrator/feedback.js';
import '../../envs/orchestrator/register.js';
import { LearnedRewardWrapper, makeLearnedRewardVecEnv, RewardLearner, rewardMetricsHook, type RewardLearnerConfigInput } from '../../src/reward/learned-reward-wrapper.js';
import { TfjsRewardModel } from '../../src/reward/tfjs-reward-model.js';

const ID = 'Orchestrator-v0';
const tinyModel = () => new TfjsRewardModel({ hiddenSizes: [16], ensembleSize: 2, epochs: 5, updateEpochs: 1, seed: 3 });

/** Picks uniformly among allowed actions with its own Rng, so two runs given the same seed act alike. */
function masked(rng: Rng, mask: Uint8Array): number {
  const allowed: number[] = [];
  for (let a = 0; a < mask.length; a++) if (mask[a]) allowed.push(a);
  return rng.choice(allowed);
}

interface Trace {
  rewards: number[];
  gold: number[];
  prior: boolean[];
  satisfaction: number[];
  finished: TaskOutcome[][];
}

function run(env: Env<Float32Array, number>, steps: number, seed: number): Trace {
  const rng = new Rng(seed).fork('actions');
  const trace: Trace = { rewards: [], gold: [], prior: [], satisfaction: [], finished: [] };
  let { info } = env.reset({ seed });
  let episode = 0;
  for (let t = 0; t < steps; t++) {
    const r = env.step(masked(rng, info.actionMask as Uint8Array));
    trace.rewards.push(r.reward);
    trace.gold.push(r.info.goldReward as number);
    trace.prior.push(r.info.usingRewardPrior as boolean);
    trace.satisfaction.push((r.info.rewardComponents as { satisfaction: number }).satisfaction);
    trace.finished.push([...(r.info.finished as TaskOutcome[])]);
    info = r.info;
    if (r.terminated || r.truncated) info = env.reset({ seed: seed + ++episode }).info;
  }
  return trace;
}

beforeAll(async () => {
  await ensureBackend('wasm');
});

describe('LearnedRewardWrapper', () => {
  it('swaps only the satisfaction term and leaves info.goldReward untouched', () => {
    const raw = run(make(ID), 600, 5);
    const neutral = run(new LearnedRewardWrapper(make(ID), { model: tinyModel(), minFeedback: 1_000_000 }), 600, 5);
    expect(neutral.gold).toEqual(raw.gold);
    expect(neutral.prior.every(Boolean)).toBe(true);
    // The neutral prior predicts 0.5 for every task: no satisfaction term at all.
    neutral.rewards.forEach((r, t) => expect(r).toBeCloseTo(raw.rewards[t] - raw.satisfaction[t], 10));
    expect(raw.satisfaction.some((s) => s !== 0)).toBe(true);

    const outcome = run(new LearnedRewardWrapper(make(ID), { model: tinyModel(), minFeedback: 1_000_000, prior: 'outcome' }), 600, 5);
    expect(outcome.gold).toEqual(raw.gold);
    outcome.rewards.forEach((r, t) => {
      const prior = raw.finished[t].reduce((sum, task) => sum + (0.15 + 0.45 * task.features[0] + 0.2 * task.features[1] - 0.5), 0);
      expect(r).toBeCloseTo(raw.rewards[t] - raw.satisfaction[t] + prior, 5);
    });
  });

  it('uses the prior until enough feedback, then refits every K steps with warm starts', () => {
    const model = tinyModel();
    const calls = { fit: 0, update: 0 };
    const fit = model.fit.bind(model);
    const update = model.update.bind(model);
    model.fit = (d) => (calls.fit++, fit(d));
    model.update = (d, o) => (calls.update++, update(d, o));
    const log: string[] = [];
    const learner = new RewardLearner({ model, refitEvery: 400, minFeedback: 80, onLog: (line) => log.push(line) });
    const trace = run(new LearnedRewardWrapper(make(ID), { learner }), 2000, 9);
    // ~0.17 feedback events per step: too few at step 400, enough from step 800.
    expect(log[0]).toMatch(/using the neutral prior until 80 feedback records arrive/);
    expect(log.some((l) => /step 400: \d+ of 80 feedback records, still using the neutral prior/.test(l))).toBe(true);
    expect(log.some((l) => /step 800: fitted tfjs-mlp on \d+ scores/.test(l))).toBe(true);
    expect(log.some((l) => /step 800: switched from the neutral prior to the learned model/.test(l))).toBe(true);
    expect(log.filter((l) => /warm-started tfjs-mlp/.test(l))).toHaveLength(3);
    expect(calls).toEqual({ fit: 1, update: 3 });
    expect(learner.fits).toBe(4);
    expect(trace.prior.slice(0, 800).every(Boolean)).toBe(true);
    expect(trace.prior.slice(800).some(Boolean)).toBe(false);
    const metrics = learner.metrics();
    expect(metrics['reward_model/using_prior']).toBe(0);
    expect(metrics['reward_model/fits']).toBe(4);
    expect(metrics['reward_model/feedback']).toBeGreaterThan(200);
    expect(metrics['reward_model/held_out']).toBeGreaterThan(10);
    expect(Number.isFinite(metrics['reward_model/heldout_spearman'])).toBe(true);
    expect(Number.isFinite(metrics['reward_model/online_spearman'])).toBe(true);
    expect(metrics['rollout/gold_return'] - metrics['rollout/proxy_return']).toBeCloseTo(-metrics['rollout/proxy_gold_gap'], 8);
    const recorded: Record<string, number> = {};
    const hook = rewardMetricsHook(learner, (k, v) => (recorded[k] = v));
    hook.onStep!({ stepsDone: 2000 } as never);
    expect(hook.history[0]).toMatchObject({ step: 2000, 'reward_model/fits': 4 });
    expect(recorded['reward_model/heldout_spearman']).toBe(metrics['reward_model/heldout_spearman']);
    model.dispose();
  });

  it('is deterministic end to end', () => {
    const once = () => {
      const model = tinyModel();
      const trace = run(new LearnedRewardWrapper(make(ID), { model, refitEvery: 300, minFeedback: 40 }), 900, 2);
      model.dispose();
      return trace.rewards;
    };
    expect(once()).toEqual(once());
  });

  it('shares one learner across the members of a vector env', () => {
    const model = tinyModel();
    const log: string[] = [];
    const learner = new RewardLearner({ model, refitEvery: 300, minFeedback: 40, updateRecords: 50, onLog: (line) => log.push(line) });
    const vec = makeLearnedRewardVecEnv(ID, { numEnvs: 2, learner });
    const rng = new Rng(4);
    let { actionMasks } = vec.reset({ seed: 4 });
    const actions = new Int32Array(2);
    const n = (actionMasks?.length ?? 0) / 2;
    let golds = 0;
    for (let t = 0; t < 450; t++) {
      for (let i = 0; i < 2; i++) actions[i] = masked(rng, actionMasks!.subarray(i * n, (i + 1) * n));
      const result = vec.step(actions);
      for (const info of result.infos) if (typeof info.goldReward === 'number') golds++;
      actionMasks = result.actionMasks;
    }
    // Each member's two autoreset steps (after ticks 200 and 400) reset it instead of stepping it.
    expect(learner.steps).toBe(2 * (450 - 2));
    expect(learner.fits).toBe(2);
    // The warm-started update trains on a sample once the buffer outgrows updateRecords.
    expect(log.some((l) => /warm-started tfjs-mlp on \d+ scores and \d+ preferences \(a sample of 50 records\)/.test(l))).toBe(true);
    expect(golds).toBeGreaterThan(800);
    expect(learner.buffer.size + learner.heldOut.size).toBeGreaterThan(100);
    vec.close();
    model.dispose();
  });

  it('validates its config', () => {
    expect(() => new LearnedRewardWrapper(make(ID), {})).toThrow(/Expected config.learner or config.model/);
    expect(() => new RewardLearner({ model: tinyModel(), refitEvery: 0 } as RewardLearnerConfigInput)).toThrow(/Expected RewardLearner\.refitEvery to be an integer >= 1, but got 0\./);
    expect(() => new RewardLearner({ model: tinyModel(), prior: 'optimistic' as never })).toThrow(ConfigError);
    expect(() => new LearnedRewardWrapper(make(ID, { kwargs: { recordTasks: false } }), { model: tinyModel() })).toThrow(/recordTasks: true/);
  });
});
