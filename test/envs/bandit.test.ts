import { describe, expect, it } from 'vitest';
import { Box, ConfigError, Discrete, InvalidActionError, ResetNeededError, checkEnv, make } from '../../src/core/index.js';
import '../../envs/index.js';
import { BanditEnv } from '../../envs/bandit.js';

describe('Bandit-v0', () => {
  it('has a constant zero Box([1]) observation and Discrete(arms) actions', () => {
    const env = make<Float32Array, number>('Bandit-v0');
    expect(env.observationSpace).toBeInstanceOf(Box);
    expect(env.observationSpace.shape).toEqual([1]);
    expect((env.actionSpace as Discrete).n).toBe(10);
    expect(Array.from(env.reset({ seed: 1 }).obs)).toEqual([0]);
    expect(Array.from(env.step(3).obs)).toEqual([0]);
    expect((make('Bandit-v0', { kwargs: { arms: 4 } }).actionSpace as Discrete).n).toBe(4);
  });

  it('passes checkEnv (its observation never varies, so seed variation is skipped)', () => {
    expect(() => checkEnv(make('Bandit-v0'), { skipSeedVariation: true, steps: 200 })).not.toThrow();
  });

  it('draws q* ~ N(0, 1) at each reset and reports the optimal arm, value and per-step regret', () => {
    const env = new BanditEnv();
    const { info } = env.reset({ seed: 11 });
    const q = env.trueValues;
    expect(info.trueValues).toEqual(q);
    const best = q.indexOf(Math.max(...q));
    expect(info).toMatchObject({ optimalArm: best, optimalValue: q[best] });
    for (let a = 0; a < 10; a++) {
      const step = env.step(a);
      expect(step.info).toEqual({ optimalArm: best, optimalValue: q[best], regret: q[best] - q[a] });
      expect(step.terminated).toBe(false);
      expect(step.truncated).toBe(false);
    }
    expect(env.step(best).info.regret).toBe(0);
    env.reset();
    expect(env.trueValues).not.toEqual(q); // a new problem every episode
  });

  it('pays N(q*(a), 1)', () => {
    const env = new BanditEnv({ arms: 3 });
    env.reset({ seed: 2 });
    const q = env.trueValues;
    for (let a = 0; a < 3; a++) {
      const n = 4000;
      let sum = 0;
      let sumSq = 0;
      for (let i = 0; i < n; i++) {
        const r = env.step(a).reward;
        sum += r;
        sumSq += r * r;
      }
      const mean = sum / n;
      expect(Math.abs(mean - q[a])).toBeLessThan(0.1); // 6 standard errors
      expect(Math.abs(sumSq / n - mean * mean - 1)).toBeLessThan(0.15);
    }
  });

  it('q* across many problems has mean 0 and variance 1', () => {
    const env = new BanditEnv();
    env.reset({ seed: 3 });
    const values: number[] = [];
    for (let i = 0; i < 500; i++) values.push(...env.reset().info.trueValues as Float64Array);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.06);
  });

  it('is truncated by make after 1000 steps (or maxEpisodeSteps), never terminated', () => {
    const env = make<Float32Array, number>('Bandit-v0');
    expect(env.spec).toMatchObject({ id: 'Bandit-v0', maxEpisodeSteps: 1000 });
    env.reset({ seed: 0 });
    for (let t = 1; t <= 1000; t++) {
      const step = env.step(t % 10);
      expect(step.terminated).toBe(false);
      expect(step.truncated).toBe(t === 1000);
    }
    const short = make<Float32Array, number>('Bandit-v0', { maxEpisodeSteps: 5 });
    short.reset({ seed: 0 });
    const ends = [0, 1, 2, 3, 4].map((a) => short.step(a).truncated);
    expect(ends).toEqual([false, false, false, false, true]);
  });

  it('is deterministic per seed', () => {
    const rewards = (seed: number) => {
      const env = new BanditEnv();
      env.reset({ seed });
      return Array.from({ length: 20 }, (_, t) => env.step(t % 10).reward);
    };
    expect(rewards(5)).toEqual(rewards(5));
    expect(rewards(5)).not.toEqual(rewards(6));
  });

  it('validates kwargs and actions', () => {
    expect(() => new BanditEnv({ arms: 1 })).toThrow(/Expected Bandit-v0\.arms to be an integer >= 2, but got 1\./);
    expect(() => new BanditEnv({ arms: 2.5 })).toThrow(ConfigError);
    expect(() => make('Bandit-v0', { kwargs: { episodeLength: 200 } })).toThrow(/maxEpisodeSteps: 200/);
    expect(() => make('Bandit-v0', { kwargs: { armz: 3 } })).toThrow(/but got "armz"/);
    const env = new BanditEnv();
    expect(() => env.step(0)).toThrow(ResetNeededError);
    env.reset({ seed: 0 });
    expect(() => env.step(10)).toThrow(InvalidActionError);
    expect(() => env.step(10)).toThrow(/Expected an arm in Discrete\(10\) \(0 to 9\), but got 10/);
    expect(() => env.step(-1)).toThrow(InvalidActionError);
  });

  it('renders one ansi line', () => {
    const env = new BanditEnv();
    env.reset({ seed: 0 });
    env.step(2);
    expect(env.render()).toMatch(/^Bandit-v0 10 arms, best \d .*pulled 2/);
  });
});
