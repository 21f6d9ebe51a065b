import { describe, it, expect } from 'vitest';
import {
  BaseEnv,
  Box,
  ClipAction,
  ConfigError,
  DataError,
  Dict,
  Discrete,
  FlattenObservation,
  NormalizeObservation,
  NormalizeReward,
  RecordEpisodeStatistics,
  RunningMeanStd,
  TimeLimit,
  TransformReward,
  OrderEnforcing,
  Tuple,
  type EpisodeStatistics,
  type ResetArgs,
  type ResetResult,
  type StepResult,
} from '../../src/core/index.js';

/** Observation = a random 3-vector around (10, -5, 0); reward = step number; ends after `length` steps. */
class NoisyEnv extends BaseEnv<Float32Array, number> {
  readonly observationSpace = new Box(-100, 100, [3]);
  readonly actionSpace = new Discrete(2);
  private t = 0;

  constructor(private readonly length = 5) {
    super();
  }

  reset(args: ResetArgs = {}): ResetResult<Float32Array> {
    this.reseed(args.seed);
    this.t = 0;
    return { obs: this.observe(), info: {} };
  }

  step(): StepResult<Float32Array> {
    this.t++;
    return { obs: this.observe(), reward: this.t, terminated: this.t >= this.length, truncated: false, info: {} };
  }

  private observe(): Float32Array {
    return Float32Array.of(10 + 2 * this.rng.normal(), -5 + 0.5 * this.rng.normal(), this.rng.normal());
  }
}

/** A continuous-action env that reports the action it received as its observation. */
class EchoEnv extends BaseEnv<Float32Array, Float32Array> {
  readonly observationSpace = new Box(-1, 1, [2]);
  readonly actionSpace = new Box([-1, 0], [1, 0.5]);
  reset(args: ResetArgs = {}): ResetResult<Float32Array> {
    this.reseed(args.seed);
    return { obs: new Float32Array(2), info: {} };
  }
  step(action: Float32Array): StepResult<Float32Array> {
    if (!this.actionSpace.contains(action)) throw new Error(`action out of bounds: ${action}`);
    return { obs: action.slice(), reward: 0, terminated: false, truncated: false, info: {} };
  }
}

/** A Dict-observation env for FlattenObservation. */
class DictEnv extends BaseEnv<{ pos: Float32Array; mode: number }, number> {
  readonly observationSpace = new Dict({ pos: new Box(-2, 2, [2]), mode: new Discrete(3) });
  readonly actionSpace = new Discrete(3);
  reset(): ResetResult<{ pos: Float32Array; mode: number }> {
    return { obs: { pos: Float32Array.of(0.5, -1), mode: 0 }, info: {} };
  }
  step(action: number): StepResult<{ pos: Float32Array; mode: number }> {
    return { obs: { pos: Float32Array.of(1, 1), mode: action }, reward: 1, terminated: false, truncated: false, info: {} };
  }
}

describe('RecordEpisodeStatistics', () => {
  it('puts {r, l} in info at episode end only, and keeps bounded queues', () => {
    const env = new RecordEpisodeStatistics(new NoisyEnv(3), { bufferLength: 2 });
    for (let episode = 0; episode < 3; episode++) {
      env.reset({ seed: episode });
      for (let t = 1; t <= 3; t++) {
        const { info, terminated } = env.step(0);
        if (t < 3) expect(info.episode).toBeUndefined();
        else {
          expect(terminated).toBe(true);
          expect(info.episode as EpisodeStatistics).toEqual({ r: 6, l: 3 });
        }
      }
    }
    expect(env.returnQueue).toEqual([6, 6]);
    expect(env.lengthQueue).toEqual([3, 3]);
    expect(env.episodeCount).toBe(3);
  });

  it('records truncated episodes and restarts counting on reset', () => {
    const env = new RecordEpisodeStatistics(new TimeLimit(new NoisyEnv(100), 4));
    env.reset();
    env.step(0);
    env.reset(); // abandon the first episode
    let last: StepResult<Float32Array> | undefined;
    for (let t = 0; t < 4; t++) last = env.step(0);
    expect(last!.truncated).toBe(true);
    expect(last!.info.episode).toEqual({ r: 10, l: 4 });
    expect(env.returnQueue).toEqual([10]);
  });

  it('validates bufferLength', () => {
    expect(() => new RecordEpisodeStatistics(new NoisyEnv(), { bufferLength: 0 })).toThrow(/Expected bufferLength to be a positive integer, but got 0/);
  });
});

describe('RunningMeanStd', () => {
  it('matches the batch mean and population variance (plus the tiny initial count)', () => {
    const data = [1, 2, 4, 8, 3, 3, -5, 0.5];
    const one = new RunningMeanStd(1);
    for (const x of data) one.update([x]);
    const batched = new RunningMeanStd(1);
    batched.updateBatch(data.slice(0, 3), 3);
    batched.updateBatch(data.slice(3), 5);
    const mean = data.reduce((a, b) => a + b, 0) / data.length;
    const variance = data.reduce((a, b) => a + (b - mean) ** 2, 0) / data.length;
    for (const stats of [one, batched]) {
      expect(stats.mean[0]).toBeCloseTo(mean, 3);
      expect(stats.var[0]).toBeCloseTo(variance, 3);
      expect(stats.count).toBeCloseTo(data.length + 1e-4, 9);
    }
    const merged = new RunningMeanStd(1);
    merged.updateFromMoments([mean], [variance], data.length);
    expect(merged.mean[0]).toBeCloseTo((mean * data.length) / (data.length + 1e-4), 12);
    expect(merged.count).toBe(data.length + 1e-4);
  });

  it('round-trips through JSON and rejects malformed statistics', () => {
    const stats = new RunningMeanStd(2);
    stats.updateBatch([1, 2, 3, 5], 2);
    const copy = RunningMeanStd.fromJSON(JSON.parse(JSON.stringify(stats)));
    expect(copy.toJSON()).toEqual(stats.toJSON());
    expect(() => stats.load({ mean: [0], var: [1, 1], count: 1 })).toThrow(/Expected statistics mean to be an array of 2 numbers, but got array of length 1/);
    expect(() => stats.load({ mean: [0, 0], var: [1, -1], count: 1 })).toThrow(DataError);
    expect(() => stats.load({ mean: [0, 0], var: [1, 1], count: 0 })).toThrow(/Expected statistics count to be a positive finite number, but got 0/);
  });
});

describe('NormalizeObservation', () => {
  function run(env: NormalizeObservation<number>, steps: number, seed = 1): Float32Array[] {
    const out = [env.reset({ seed }).obs];
    for (let t = 0; t < steps; t++) {
      const r = env.step(0);
      out.push(r.obs);
      if (r.terminated) out.push(env.reset().obs);
    }
    return out;
  }

  it('drives observations toward zero mean and unit variance', () => {
    const env = new NormalizeObservation(new NoisyEnv(1000));
    expect(env.observationSpace).toEqual(new Box(-Infinity, Infinity, [3]));
    const obs = run(env, 3000);
    const tail = obs.slice(1000);
    for (let d = 0; d < 3; d++) {
      const xs = tail.map((o) => o[d]);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
      expect(Math.abs(mean)).toBeLessThan(0.15);
      expect(Math.abs(sd - 1)).toBeLessThan(0.15);
    }
    const stats = env.getStatistics();
    expect(stats.mean[0]).toBeCloseTo(10, 0);
    expect(stats.var[0]).toBeCloseTo(4, 0);
  });

  it('returns new arrays and leaves the env observation alone', () => {
    const inner = new NoisyEnv();
    const env = new NormalizeObservation(inner);
    const a = env.reset({ seed: 0 }).obs;
    const b = env.step(0).obs;
    expect(a).not.toBe(b);
    const raw = new NoisyEnv();
    expect(raw.reset({ seed: 0 }).obs[0]).toBeGreaterThan(3); // the unnormalized obs is near 10
  });

  it('stops updating when frozen, and save/load reproduces the normalization exactly', () => {
    const trained = new NormalizeObservation(new NoisyEnv(50), { clip: 5 });
    run(trained, 200);
    const saved = JSON.parse(JSON.stringify(trained.getStatistics()));
    trained.freeze();
    expect(trained.updatingStatistics).toBe(false);
    run(trained, 20);
    expect(trained.getStatistics()).toEqual(saved);

    const loaded = new NormalizeObservation(new NoisyEnv(50), { clip: 5 });
    loaded.setStatistics(saved);
    loaded.freeze();
    expect(run(loaded, 30, 9)).toEqual(run(trained, 30, 9));

    trained.unfreeze();
    run(trained, 5);
    expect(trained.getStatistics().count).toBeGreaterThan(saved.count);
  });

  it('clips normalized values', () => {
    const env = new NormalizeObservation(new NoisyEnv(), { clip: 0.1 });
    const obs = run(env, 20);
    for (const o of obs) for (const v of o) expect(Math.abs(v)).toBeLessThanOrEqual(0.1 + 1e-7);
  });

  it('refuses non-Box observations, bad options and mismatched statistics', () => {
    expect(() => new NormalizeObservation(new DictEnv() as never)).toThrow(/Expected a Box observation space for NormalizeObservation \(wrap with FlattenObservation first\)/);
    expect(() => new NormalizeObservation(new NoisyEnv(), { epsilon: -1 })).toThrow(ConfigError);
    const env = new NormalizeObservation(new NoisyEnv());
    expect(() => env.setStatistics({ mean: [0, 0], var: [1, 1], count: 1 })).toThrow(/array of 3 numbers/);
  });
});

describe('NormalizeReward', () => {
  it('divides rewards by the running std of the discounted return, as Gymnasium does', () => {
    const gamma = 0.9;
    const env = new NormalizeReward(new NoisyEnv(4), { gamma });
    // Reference: Gymnasium's recurrence, written out by hand.
    const ref = new RunningMeanStd(1);
    let G = 0;
    env.reset({ seed: 0 });
    for (let t = 0; t < 40; t++) {
      const r = env.step(0);
      const raw = (t % 4) + 1;
      G = G * gamma * (r.terminated ? 0 : 1) + raw;
      ref.update([G]);
      expect(r.reward).toBe(raw / Math.sqrt(ref.var[0] + 1e-8));
      if (r.terminated) env.reset();
    }
    expect(env.getStatistics()).toEqual(ref.toJSON());
  });

  it('freezes, clips, and restores statistics', () => {
    const env = new NormalizeReward(new NoisyEnv(3), { clip: 0.5 });
    env.reset({ seed: 1 });
    for (let t = 0; t < 30; t++) {
      const r = env.step(0);
      expect(Math.abs(r.reward)).toBeLessThanOrEqual(0.5);
      if (r.terminated) env.reset();
    }
    const saved = env.getStatistics();
    env.freeze();
    env.step(0);
    expect(env.getStatistics()).toEqual(saved);
    const other = new NormalizeReward(new NoisyEnv(3), { clip: 0.5 });
    other.setStatistics(saved);
    other.freeze();
    other.reset({ seed: 1 });
    expect(other.step(0).reward).toBe(Math.min(0.5, 1 / Math.sqrt(saved.var[0] + 1e-8)));
    expect(() => new NormalizeReward(new NoisyEnv(), { gamma: 1.5 })).toThrow(/Expected gamma in \[0, 1\], but got 1.5/);
  });
});

describe('FlattenObservation', () => {
  it('flattens a Dict observation to a Box with Gymnasium bounds', () => {
    const env = new FlattenObservation(new DictEnv());
    expect(env.observationSpace).toEqual(new Box([-2, -2, 0, 0, 0], [2, 2, 1, 1, 1]));
    expect(Array.from(env.reset().obs)).toEqual([0.5, -1, 1, 0, 0]);
    expect(Array.from(env.step(2).obs)).toEqual([1, 1, 0, 0, 1]);
  });

  it('passes a Box observation through and flattens Discrete and Tuple', () => {
    const inner = new NoisyEnv();
    const env = new FlattenObservation(inner);
    expect(env.observationSpace).toBe(inner.observationSpace);
    const tuple = new FlattenObservation({
      ...new DictEnv(),
      observationSpace: new Tuple([new Discrete(2), new Box(0, 3, [1])]),
      actionSpace: new Discrete(1),
      metadata: { renderModes: [] },
      reset: () => ({ obs: [1, Float32Array.of(2)], info: {} }),
      step: () => ({ obs: [0, Float32Array.of(3)], reward: 0, terminated: false, truncated: false, info: {} }),
      close: () => {},
      get unwrapped() {
        return this;
      },
    } as never);
    expect(tuple.observationSpace).toEqual(new Box([0, 0, 0], [1, 1, 3]));
    expect(Array.from(tuple.reset().obs)).toEqual([0, 1, 2]);
  });
});

describe('TransformReward', () => {
  it('applies the function to every reward and mutates the step result in place', () => {
    const env = new TransformReward(new NoisyEnv(), (r) => -2 * r);
    env.reset();
    expect(env.step(0).reward).toBe(-2);
    expect(env.step(0).reward).toBe(-4);
  });
});

describe('ClipAction', () => {
  it('clips to the bounds, exposes an unbounded action space and leaves the caller array alone', () => {
    const env = new ClipAction(new EchoEnv());
    expect(env.actionSpace).toEqual(new Box(-Infinity, Infinity, [2]));
    env.reset();
    const action = Float32Array.of(3, -7);
    expect(Array.from(env.step(action).obs)).toEqual([1, 0]);
    expect(Array.from(action)).toEqual([3, -7]);
    expect(Array.from(env.step(Float32Array.of(-0.25, 0.25)).obs)).toEqual([-0.25, 0.25]);
  });

  it('refuses a non-Box action space', () => {
    expect(() => new ClipAction(new NoisyEnv() as never)).toThrow(/Expected a Box action space for ClipAction, but got \{"type":"Discrete"/);
  });
});

describe('wrapper chains', () => {
  it('findWrapper reaches statistics through other wrappers', () => {
    const env = new TimeLimit(new OrderEnforcing(new NormalizeObservation(new RecordEpisodeStatistics(new NoisyEnv()))), 10);
    expect(env.findWrapper(NormalizeObservation)).toBeInstanceOf(NormalizeObservation);
    expect(env.findWrapper(RecordEpisodeStatistics)?.returnQueue).toEqual([]);
    expect(env.findWrapper(ClipAction)).toBeUndefined();
    expect(env.unwrapped).toBeInstanceOf(NoisyEnv);
  });
});

describe('documented env attributes through wrappers', () => {
  it('make(id).observationLabels and .actionNames reach the env through TimeLimit and other wrappers', async () => {
    await import('../../envs/index.js');
    const { make } = await import('../../src/core/registry.js');
    const env = make<Float32Array, number>('Orchestrator-v0');
    const inner = env.unwrapped;
    expect(env.observationLabels).toHaveLength(73);
    expect(env.observationLabels).toBe(inner.observationLabels);
    expect(env.actionNames).toHaveLength(15);
    const wrapped = new NormalizeObservation(new RecordEpisodeStatistics(env));
    expect(wrapped.observationLabels?.[4]).toBe('head_present');
    expect(wrapped.actionNames?.[0]).toBe('scan');
    expect(make('CartPole-v1').observationLabels).toBeUndefined();
  });
});
