/** The shared learning machinery the on-policy algorithms stand on: GAE, logger, hooks, evaluate, vector adapter. */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RolloutBuffer } from '../../agents/common/rollout-buffer.js';
import { Logger, reproducibleRow } from '../../agents/common/logger.js';
import { StopOnRewardThreshold, EvalHook, ProgressBarHook, runHooks } from '../../agents/common/hooks.js';
import { evaluate } from '../../agents/common/evaluate.js';
import { toVectorEnv } from '../../agents/common/vec.js';
import { scheduled } from '../../agents/common/config.js';
import { resolveConfig } from '../../src/core/config-schema.js';
import { PpoConfigSchema } from '../../agents/ppo.js';
import type { Agent, TrainingState } from '../../src/core/agent.js';
import { IdentityEnv } from '../helpers/identity-env.js';

describe('RolloutBuffer.computeGae', () => {
  // Three members, three steps, gamma 0.9, lambda 0.8. Values 0.5, 0.4, 0.3 down the rows, rewards 1.
  // Member 0 terminates at t=1 (t=2 is its autoreset row), member 1 is truncated at t=1 (t=2 holds the
  // final observation's value 0.3), member 2 is truncated at the last row (bootstraps from lastValues).
  function filled(): RolloutBuffer {
    const b = new RolloutBuffer(3, 3, 1);
    const values = [0.5, 0.4, 0.3];
    for (let t = 0; t < 3; t++) {
      for (let i = 0; i < 3; i++) {
        const row = t * 3 + i;
        b.values[row] = values[t];
        b.rewards[row] = t === 2 && i < 2 ? 0 : 1;
        b.valid[row] = t === 2 && i < 2 ? 0 : 1;
      }
      b.pos++;
    }
    b.terminated[1 * 3 + 0] = 1;
    b.truncated[1 * 3 + 1] = 1;
    b.truncated[2 * 3 + 2] = 1;
    return b;
  }

  it('cuts bootstrapping at termination and bootstraps from the final observation on truncation', () => {
    const b = filled();
    b.computeGae([0.2, 0.2, 0.2], 0.9, 0.8);
    const adv = (t: number, i: number) => b.advantages[t * 3 + i];
    // Member 0: terminated at t=1.
    expect(adv(1, 0)).toBeCloseTo(1 - 0.4, 6);
    expect(adv(0, 0)).toBeCloseTo(1 + 0.9 * 0.4 - 0.5 + 0.9 * 0.8 * 0.6, 6);
    expect(adv(2, 0)).toBe(0);
    // Member 1: truncated at t=1, final-observation value 0.3 on the autoreset row.
    expect(adv(1, 1)).toBeCloseTo(1 + 0.9 * 0.3 - 0.4, 6);
    expect(adv(0, 1)).toBeCloseTo(0.86 + 0.72 * 0.87, 6);
    // Member 2: truncated on the last row: bootstraps from lastValues.
    expect(adv(2, 2)).toBeCloseTo(1 + 0.9 * 0.2 - 0.3, 6);
    expect(adv(1, 2)).toBeCloseTo(0.87 + 0.72 * 0.88, 6);
    expect(adv(0, 2)).toBeCloseTo(0.86 + 0.72 * (0.87 + 0.72 * 0.88), 6);
    for (let r = 0; r < 9; r++) if (b.valid[r]) expect(b.returns[r]).toBeCloseTo(b.advantages[r] + b.values[r], 6);
    expect(Array.from(b.validIndices())).toEqual([0, 1, 2, 3, 4, 5, 8]);
  });

  it('with lambda 1 and no ends gives discounted returns bootstrapped from lastValues', () => {
    const b = new RolloutBuffer(2, 1, 1);
    b.valid.fill(1);
    b.rewards.set([1, 2]);
    b.values.set([0, 0]);
    b.pos = 2;
    b.computeGae([10], 0.5, 1);
    expect(b.returns[1]).toBeCloseTo(2 + 0.5 * 10, 6);
    expect(b.returns[0]).toBeCloseTo(1 + 0.5 * 7, 6);
  });
});

describe('Logger', () => {
  it('writes JSONL and CSV (widening the header for new keys) and keeps history', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'loopgym-log-'));
    const logger = new Logger({ dir, formats: ['jsonl', 'csv'] });
    logger.record('rollout/ep_rew_mean', 10);
    logger.record('time/fps', 123);
    logger.dump(100);
    logger.record('rollout/ep_rew_mean', 20);
    logger.record('train/approx_kl', 0.01);
    logger.dump(200);
    const jsonl = readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(jsonl).toEqual([
      { 'time/total_timesteps': 100, 'rollout/ep_rew_mean': 10, 'time/fps': 123 },
      { 'time/total_timesteps': 200, 'rollout/ep_rew_mean': 20, 'train/approx_kl': 0.01 },
    ]);
    const csv = readFileSync(path.join(dir, 'progress.csv'), 'utf8').trim().split('\n');
    expect(csv).toEqual(['time/total_timesteps,rollout/ep_rew_mean,time/fps,train/approx_kl', '100,10,123,', '200,20,,0.01']);
    expect(logger.latest['time/fps']).toBe(123);
    expect(reproducibleRow(logger.history[0])).toEqual({ 'time/total_timesteps': 100, 'rollout/ep_rew_mean': 10 });
  });
});

describe('hooks and evaluate', () => {
  const oracle: Agent = {
    name: 'oracle',
    learn: async () => ({ stepsDone: 0, iterations: 0, stoppedEarly: false }),
    act: (obs) => obs.indexOf(1),
    save: async () => {},
    load: async () => {},
  };
  const state = (over: Partial<TrainingState>): TrainingState => ({ stepsDone: 0, totalSteps: 100, iteration: 0, newEpisodes: [], metrics: {}, agent: oracle, ...over });

  it('evaluate averages episode returns', () => {
    const result = evaluate(oracle, new IdentityEnv({ n: 3, length: 5 }), 4, { seed: 1 });
    expect(result).toMatchObject({ meanReward: 5, stdReward: 0, episodeRewards: [5, 5, 5, 5], episodeLengths: [5, 5, 5, 5] });
    expect(() => evaluate(oracle, new IdentityEnv(), 0)).toThrow(/Expected episodes to be a positive integer, but got 0/);
  });

  it('StopOnRewardThreshold stops once the window mean reaches the threshold', async () => {
    const hook = new StopOnRewardThreshold(10, 2);
    expect(hook.onStep(state({ newEpisodes: [{ envIndex: 0, return: 12, length: 1 }] }))).toBe(true);
    expect(await runHooks([hook], 'onStep', state({ stepsDone: 50, newEpisodes: [{ envIndex: 0, return: 9, length: 1 }] }))).toBe(false);
    expect(hook.reachedAt).toEqual({ step: 50, mean: 10.5 });
  });

  it('EvalHook evaluates every N steps; ProgressBarHook prints plain lines off a TTY', () => {
    const hook = new EvalHook({ env: new IdentityEnv({ length: 3 }), everySteps: 10, episodes: 2 });
    hook.onStep(state({ stepsDone: 5 }));
    hook.onStep(state({ stepsDone: 25 }));
    hook.onStep(state({ stepsDone: 29 }));
    expect(hook.results.map((r) => [r.step, r.meanReward])).toEqual([[25, 3]]);
    const lines: string[] = [];
    const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const bar = new ProgressBarHook(stream);
    bar.onStart(state({}));
    bar.onStep(state({ stepsDone: 55, metrics: { 'rollout/ep_rew_mean': 3.5 } }));
    bar.onEnd();
    expect(lines).toEqual(['55% 55/100 steps, ep_rew_mean 3.5\n']);
  });
});

describe('single env adapter and config helpers', () => {
  it('gives a single Env next-step autoreset semantics', () => {
    const venv = toVectorEnv(new IdentityEnv({ n: 2, length: 2, masked: true }));
    const first = venv.reset({ seed: 0 });
    expect(first.actionMasks).toHaveLength(2);
    const a = venv.step(Int32Array.from([0]));
    expect([a.autoreset[0], a.terminated[0]]).toEqual([0, 0]);
    const b = venv.step(Int32Array.from([0]));
    expect([b.autoreset[0], b.terminated[0], b.episodes.length]).toEqual([0, 1, 1]);
    const c = venv.step(Int32Array.from([0]));
    expect([c.autoreset[0], c.terminated[0], c.rewards[0]]).toEqual([1, 0, 0]);
  });

  it('rejects unknown keys and schedules linearly', () => {
    expect(() => resolveConfig(PpoConfigSchema, { learningrate: 2 }, 'ppo')).toThrow(/Expected one of the ppo options, but got "learningrate" at ppo\.learningrate\. Did you mean learningRate\? Options: numSteps, /);
    expect(scheduled(1e-3, 'linear', 0.25)).toBeCloseTo(7.5e-4, 12);
    expect(scheduled(1e-3, 'constant', 0.25)).toBe(1e-3);
  });
});

describe('actorCriticLoss (the JavaScript loss head) against tfjs autograd', () => {
  it('matches loss and gradient for PPO (clipping, value clipping, entropy, masks), A2C and REINFORCE modes', async () => {
    const tf = await import('@tensorflow/tfjs');
    const { actorCriticLoss } = await import('../../agents/common/on-policy.js');
    const { Rng } = await import('../../src/core/rng.js');
    const rng = new Rng(11);
    const B = 12;
    const nA = 3;
    const out = Float32Array.from({ length: B * (nA + 1) }, () => rng.normal(0, 1));
    const masks = Uint8Array.from({ length: B * nA }, (_, i) => (i % 7 === 2 ? 0 : 1));
    const actions = Int32Array.from({ length: B }, (_, j) => (masks[j * nA] ? 0 : 1));
    const mb = {
      obs: new Float32Array(0),
      actions,
      masks,
      logProbs: Float32Array.from({ length: B }, () => Math.log(rng.uniform(0.2, 0.6))),
      advantages: Float32Array.from({ length: B }, () => rng.normal()),
      returns: Float32Array.from({ length: B }, () => rng.normal()),
      values: Float32Array.from({ length: B }, () => rng.normal()),
    };
    const reference = (x: import('@tensorflow/tfjs').Tensor2D, o: { clip: number | null; clipVf: number | null; vfCoef: number; entCoef: number; adv: Float32Array | null }) => {
      const logits = tf.slice(x, [0, 0], [B, nA]);
      const v = tf.reshape(tf.slice(x, [0, nA], [B, 1]), [B]);
      const bias = tf.tensor2d(Array.from(masks, (m) => (m ? 0 : -1e9)), [B, nA]);
      const logp = tf.logSoftmax(tf.add(logits, bias));
      const taken = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(actions, 'int32'), nA)), 1);
      const adv = tf.tensor1d(o.adv!);
      let pg: import('@tensorflow/tfjs').Tensor;
      if (o.clip === null) pg = tf.neg(tf.mean(tf.mul(adv, taken)));
      else {
        const r = tf.exp(tf.sub(taken, tf.tensor1d(mb.logProbs)));
        pg = tf.neg(tf.mean(tf.minimum(tf.mul(adv, r), tf.mul(adv, tf.clipByValue(r, 1 - o.clip, 1 + o.clip)))));
      }
      const old = tf.tensor1d(mb.values);
      const vPred = o.clipVf === null ? v : tf.add(old, tf.clipByValue(tf.sub(v, old), -o.clipVf, o.clipVf));
      const vLoss = tf.mean(tf.squaredDifference(tf.tensor1d(mb.returns), vPred));
      const ent = tf.mean(tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1)));
      return tf.sub(tf.add(pg, tf.mul(vLoss, o.vfCoef)), tf.mul(ent, o.entCoef)) as import('@tensorflow/tfjs').Scalar;
    };
    const cases = [
      { clip: 0.2, clipVf: 0.3, vfCoef: 0.5, entCoef: 0.01, adv: mb.advantages, normalize: false },
      { clip: null, clipVf: null, vfCoef: 0.25, entCoef: 0.1, adv: mb.advantages, normalize: false },
      { clip: null, clipVf: null, vfCoef: 0.5, entCoef: 0, adv: null, normalize: false },
    ];
    for (const o of cases) {
      const stats = { pgLoss: 0, vLoss: 0, entropy: 0, approxKl: 0, clipFraction: 0 };
      const grad = new Float32Array(out.length);
      const loss = actorCriticLoss(out, grad, { ...mb, advantages: o.adv }, { numActions: nA, clipRange: o.clip, clipRangeVf: o.clipVf, vfCoef: o.vfCoef, entCoef: o.entCoef, normalizeAdvantage: o.normalize }, stats);
      // REINFORCE mode: advantages are returns - V(s) treated as constants.
      const adv = o.adv ?? Float32Array.from({ length: B }, (_, j) => mb.returns[j] - out[j * (nA + 1) + nA]);
      const x = tf.tensor2d(out, [B, nA + 1]);
      const { value, grads } = tf.valueAndGrads((t: import('@tensorflow/tfjs').Tensor) => reference(t as never, { ...o, adv }))([x]);
      expect(loss).toBeCloseTo(value.dataSync()[0], 5);
      const g = grads[0].dataSync();
      grad.forEach((v, i) => expect(v).toBeCloseTo(g[i], 5));
      tf.dispose([x, value, ...grads]);
    }
  });
});

describe('RolloutCollector on a real vector env (next-step autoreset)', () => {
  it('marks autoreset rows invalid and bootstraps truncated episodes from the final observation', async () => {
    await import('../../envs/index.js');
    const { makeVec } = await import('../../src/core/index.js');
    const { Rng } = await import('../../src/core/rng.js');
    const { ActorCritic } = await import('../../agents/common/actor-critic.js');
    const { RolloutCollector } = await import('../../agents/common/on-policy.js');
    const { Normalizer } = await import('../../agents/common/normalize.js');
    const { EpisodeStats } = await import('../../agents/common/episodes.js');
    const venv = makeVec('CartPole-v1', { numEnvs: 2, maxEpisodeSteps: 5 });
    const net = new ActorCritic({ obsDim: 4, numActions: 2, piHidden: [8], vfHidden: [8], activation: 'tanh', init: 'orthogonal' }, { kind: 'adam', eps: 1e-5, maxGradNorm: 0.5 }, new Rng(0));
    const collector = new RolloutCollector(venv, 2, new Normalizer(4, false, false, 0.99), 0);
    const buffer = new RolloutBuffer(12, 2, 4, 1, 2);
    const episodes = new EpisodeStats();
    const collected = collector.collect(buffer, net, new Rng(1), episodes);
    // Each member: steps 0-4 (truncated at 4), 5 autoreset, 6-10 (truncated at 10), 11 autoreset.
    for (let i = 0; i < 2; i++) {
      expect(Array.from({ length: 12 }, (_, t) => buffer.valid[t * 2 + i])).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0]);
      expect(buffer.truncated[4 * 2 + i]).toBe(1);
    }
    expect(collected).toBe(20);
    expect(episodes.total).toBe(4);
    buffer.computeGae(collector.lastValues, 0.9, 0.95);
    // The truncated row bootstraps from the value stored on the autoreset row: V(final observation).
    const row = 4 * 2;
    expect(buffer.advantages[row]).toBeCloseTo(buffer.rewards[row] + 0.9 * buffer.values[row + 2] - buffer.values[row], 5);
    const check = new Float32Array(2);
    net.values(buffer.obs.subarray((row + 2) * 4, (row + 2) * 4 + 4), 1, check);
    expect(check[0]).toBeCloseTo(buffer.values[row + 2], 5);
    net.dispose();
  });
});
