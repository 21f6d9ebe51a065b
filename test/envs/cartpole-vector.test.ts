import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidActionError, ResetNeededError, Rng, make, makeVec, type Env, type EpisodeRecord } from '../../src/core/index.js';
import '../../envs/index.js';
import { CartPoleVectorEnv } from '../../envs/cartpole.js';

/**
 * Steps `numEnvs` single CartPole-v1 envs (seeded seed + i) beside the vector env with the same actions,
 * emulating next-step autoreset by hand, and asserts every buffer matches on every step.
 */
function compareWithSingles(numEnvs: number, seed: number, steps: number, maxEpisodeSteps: number, actionRng: Rng) {
  const vec = makeVec('CartPole-v1', { numEnvs, maxEpisodeSteps });
  const singles: Env<Float32Array, number>[] = [];
  const ended: boolean[] = [];
  const returns: number[] = [];
  const lengths: number[] = [];
  const vecReset = vec.reset({ seed });
  for (let i = 0; i < numEnvs; i++) {
    const env = make<Float32Array, number>('CartPole-v1', { maxEpisodeSteps });
    const { obs } = env.reset({ seed: seed + i });
    expect(Array.from(vecReset.obs.subarray(i * 4, i * 4 + 4))).toEqual(Array.from(obs));
    singles.push(env);
    ended.push(false);
    returns.push(0);
    lengths.push(0);
  }
  let autoresets = 0;
  let truncations = 0;
  const episodes: EpisodeRecord[] = [];
  const actions = new Int32Array(numEnvs);
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < numEnvs; i++) actions[i] = actionRng.integer(0, 2);
    const result = vec.step(actions);
    episodes.push(...result.episodes);
    for (let i = 0; i < numEnvs; i++) {
      const view = Array.from(result.obs.subarray(i * 4, i * 4 + 4));
      if (ended[i]) {
        const { obs } = singles[i].reset();
        expect(view).toEqual(Array.from(obs));
        expect([result.autoreset[i], result.rewards[i], result.terminated[i], result.truncated[i]]).toEqual([1, 0, 0, 0]);
        ended[i] = false;
        autoresets++;
        continue;
      }
      const single = singles[i].step(actions[i]);
      expect(view).toEqual(Array.from(single.obs));
      expect(result.rewards[i]).toBe(single.reward);
      expect(result.terminated[i]).toBe(single.terminated ? 1 : 0);
      expect(result.truncated[i]).toBe(single.truncated ? 1 : 0);
      expect(result.autoreset[i]).toBe(0);
      returns[i] += single.reward;
      lengths[i]++;
      if (single.terminated || single.truncated) {
        if (single.truncated) truncations++;
        expect(result.episodes).toContainEqual({ envIndex: i, return: returns[i], length: lengths[i] });
        ended[i] = true;
        returns[i] = 0;
        lengths[i] = 0;
      }
    }
  }
  return { autoresets, truncations, episodes };
}

describe('CartPoleVectorEnv', () => {
  it('is what makeVec builds by default, with the CartPole-v1 spec', () => {
    const vec = makeVec('CartPole-v1', { numEnvs: 3 });
    expect(vec).toBeInstanceOf(CartPoleVectorEnv);
    expect(vec.spec).toMatchObject({ id: 'CartPole-v1', maxEpisodeSteps: 500 });
    expect((vec as CartPoleVectorEnv).maxEpisodeSteps).toBe(500);
    expect(vec.obsDim).toBe(4);
    expect(vec.singleObservationSpace.equals(make('CartPole-v1').observationSpace)).toBe(true);
  });

  it('member i equals a single CartPole-v1 seeded seed + i, across terminations, truncations and autoresets', () => {
    const { autoresets, truncations, episodes } = compareWithSingles(5, 100, 400, 40, new Rng('vector-actions'));
    expect(autoresets).toBeGreaterThan(20);
    expect(truncations).toBeGreaterThan(0); // random play rarely lasts 40 steps, but it does
    // Every ended episode autoresets on the next step, except those that end on the last step.
    expect(episodes.length).toBeGreaterThanOrEqual(autoresets);
    expect(episodes.length).toBeLessThanOrEqual(autoresets + 5);
  });

  it('member i equals its single env under a balancing policy that reaches the 500-step limit', () => {
    const numEnvs = 3;
    const vec = makeVec('CartPole-v1', { numEnvs });
    const singles = Array.from({ length: numEnvs }, () => make<Float32Array, number>('CartPole-v1'));
    let { obs } = vec.reset({ seed: 7 });
    singles.forEach((env, i) => expect(Array.from(env.reset({ seed: 7 + i }).obs)).toEqual(Array.from(obs.subarray(i * 4, i * 4 + 4))));
    const actions = new Int32Array(numEnvs);
    let truncatedAt = -1;
    for (let t = 1; t <= 502; t++) {
      for (let i = 0; i < numEnvs; i++) {
        const o = obs.subarray(i * 4, i * 4 + 4);
        actions[i] = o[2] + 0.5 * o[3] + 0.05 * o[0] + 0.1 * o[1] > 0 ? 1 : 0;
      }
      const result = vec.step(actions);
      obs = result.obs;
      if (t <= 500) {
        for (let i = 0; i < numEnvs; i++) {
          const single = singles[i].step(actions[i]);
          expect(Array.from(obs.subarray(i * 4, i * 4 + 4))).toEqual(Array.from(single.obs));
          expect(result.truncated[i]).toBe(single.truncated ? 1 : 0);
        }
      }
      if (result.truncated[0] && truncatedAt < 0) {
        truncatedAt = t;
        expect(result.episodes).toEqual([0, 1, 2].map((i) => ({ envIndex: i, return: 500, length: 500 })));
      }
      if (t === 501) {
        expect(Array.from(result.autoreset)).toEqual([1, 1, 1]);
        for (let i = 0; i < numEnvs; i++) expect(Array.from(obs.subarray(i * 4, i * 4 + 4))).toEqual(Array.from(singles[i].reset().obs));
      }
    }
    expect(truncatedAt).toBe(500);
  });

  it('reuses its buffers and result object (views valid until the next step)', () => {
    const vec = makeVec('CartPole-v1', { numEnvs: 4 });
    const reset = vec.reset({ seed: 1 });
    const actions = new Int32Array(4);
    const a = vec.step(actions);
    const b = vec.step(actions);
    expect(a).toBe(b);
    expect(a.obs).toBe(reset.obs);
    expect(a.rewards).toBeInstanceOf(Float32Array);
    expect(a.terminated).toBeInstanceOf(Uint8Array);
    expect(a.infos).toHaveLength(4);
    expect(a.episodes).toHaveLength(0);
    expect(() => (a.episodes as EpisodeRecord[]).push({ envIndex: 0, return: 0, length: 0 })).toThrow(TypeError);
  });

  it('seeds members seed + i; without a seed the first reset is seed 0', () => {
    const x = new CartPoleVectorEnv({ numEnvs: 3 });
    const y = new CartPoleVectorEnv({ numEnvs: 3 });
    expect(Array.from(x.reset().obs)).toEqual(Array.from(y.reset({ seed: 0 }).obs));
    const z = new CartPoleVectorEnv({ numEnvs: 1 });
    expect(Array.from(z.reset({ seed: 2 }).obs)).toEqual(Array.from(x.reset({ seed: 0 }).obs.subarray(8, 12)));
    expect(x.maxEpisodeSteps).toBeUndefined();
  });

  it('validates actions before stepping any member, and refuses step before reset', () => {
    const vec = new CartPoleVectorEnv({ numEnvs: 3 });
    expect(() => vec.step(new Int32Array(3))).toThrow(ResetNeededError);
    const { obs } = vec.reset({ seed: 3 });
    const before = Array.from(obs);
    expect(() => vec.step(Int32Array.from([0, 1, 2]))).toThrow(/member 2, but got 2/);
    expect(() => vec.step(Int32Array.from([0, 1, 2]))).toThrow(InvalidActionError);
    expect(Array.from(obs)).toEqual(before);
    expect(() => vec.step(new Int32Array(2))).toThrow(/Expected 3 actions \(one per member\), but got 2/);
  });

  it('ignores the action of a member being autoreset', () => {
    const vec = new CartPoleVectorEnv({ numEnvs: 1 });
    vec.reset({ seed: 0 });
    let result = vec.step(Int32Array.of(1));
    while (!result.terminated[0]) result = vec.step(Int32Array.of(1));
    expect(vec.step(Int32Array.of(-7)).autoreset[0]).toBe(1);
  });

  it('rejects bad configs', () => {
    expect(() => new CartPoleVectorEnv({ numEnvs: 0 })).toThrow(ConfigError);
    expect(() => new CartPoleVectorEnv({ numEnvs: 2, maxEpisodeSteps: 1.5 })).toThrow(/maxEpisodeSteps to be a positive integer/);
    expect(() => makeVec('CartPole-v1', { numEnvs: 2, kwargs: { tau: 0.01 } })).toThrow(ConfigError);
    expect(() => new CartPoleVectorEnv({ numEnvs: 2 }).reset({ options: { initialState: [0, 0, 0, 0] } })).toThrow(ConfigError);
  });
});
