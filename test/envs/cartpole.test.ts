import { afterEach, describe, expect, it, vi } from 'vitest';
import { Box, ConfigError, Discrete, InvalidActionError, ResetNeededError, checkEnv, make, type Env } from '../../src/core/index.js';
import '../../envs/index.js';
import { CartPoleEnv } from '../../envs/cartpole.js';

/** A linear controller that keeps the pole up for 500 steps from any default start. */
function balance(obs: Float32Array): number {
  return obs[2] + 0.5 * obs[3] + 0.05 * obs[0] + 0.1 * obs[1] > 0 ? 1 : 0;
}

const f32 = (values: number[]) => values.map((v) => Math.fround(v));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('CartPole-v1 spaces', () => {
  it('has Gymnasium spaces: Box(4) with high [4.8, f32 max, 24 degrees, f32 max] and Discrete(2)', () => {
    const env = new CartPoleEnv();
    expect(env.actionSpace).toBeInstanceOf(Discrete);
    expect(env.actionSpace.n).toBe(2);
    expect(env.observationSpace).toBeInstanceOf(Box);
    const high = Array.from(env.observationSpace.high);
    expect(high).toEqual(f32([4.8, 3.4028234663852886e38, 0.41887902047863906, 3.4028234663852886e38]));
    expect(high[2]).toBe(0.41887903213500977); // the float32 of 0.41887903
    expect(Array.from(env.observationSpace.low)).toEqual(high.map((h) => -h));
  });
});

describe('CartPole-v1 physics', () => {
  // Worked out from Gymnasium's step with state (0.01, -0.02, 0.03, 0.04) and action 1 (force +10):
  //   temp     = (10 + 0.05 * 0.04^2 * sin 0.03) / 1.1                           = 9.090911272400014
  //   thetaacc = (9.8 sin 0.03 - cos 0.03 * temp) / (0.5 (4/3 - 0.1 cos^2 0.03 / 1.1)) = -14.153435898000405
  //   xacc     = temp - 0.05 * thetaacc * cos 0.03 / 1.1                          = 9.733959787377762
  //   x' = 0.01 + 0.02 * -0.02, x_dot' = -0.02 + 0.02 * xacc, theta' = 0.03 + 0.02 * 0.04, theta_dot' = 0.04 + 0.02 * thetaacc
  it('follows the Euler update from a given state, to the float64 bit', () => {
    const env = new CartPoleEnv();
    env.reset({ options: { initialState: [0.01, -0.02, 0.03, 0.04] } });
    const first = env.step(1);
    expect(env.state).toEqual([0.009600000000000001, 0.17467919574755525, 0.030799999999999998, -0.2430687179600081]);
    expect(Array.from(first.obs)).toEqual([0.009600000455975533, 0.17467918992042542, 0.030799999833106995, -0.24306872487068176]);
    expect(first).toMatchObject({ reward: 1, terminated: false, truncated: false, info: {} });
  });

  it('matches a Gymnasium trajectory on every float32 observation', () => {
    const actions = [1, 1, 0, 1, 0, 0, 0, 1];
    const expected = [
      [0.009600000455975533, 0.17467918992042542, 0.030799999833106995, -0.24306872487068176],
      [0.013093584217131138, 0.3693479895591736, 0.025938626378774643, -0.5258796215057373],
      [0.02048054337501526, 0.17387081682682037, 0.015421032905578613, -0.22513741254806519],
      [0.023957960307598114, 0.3687690198421478, 0.010918284766376019, -0.5129163265228271],
      [0.03133333846926689, 0.17349499464035034, 0.0006599578191526234, -0.216812863945961],
      [0.03480324149131775, -0.021636387333273888, -0.0036762994714081287, 0.07607816159725189],
      [0.03437051177024841, -0.21670544147491455, -0.002154736313968897, 0.3675989508628845],
      [0.030036402866244316, -0.02155294083058834, 0.005197242368012667, 0.07423737645149231],
    ];
    const env = new CartPoleEnv();
    const { obs } = env.reset({ options: { initialState: [0.01, -0.02, 0.03, 0.04] } });
    expect(Array.from(obs)).toEqual(f32([0.01, -0.02, 0.03, 0.04]));
    actions.forEach((action, t) => {
      const result = env.step(action);
      expect(Array.from(result.obs)).toEqual(expected[t]);
      expect(result.obs).toBeInstanceOf(Float32Array);
    });
    expect(env.state[3]).toBe(0.07423737516925016);
  });

  // Gymnasium's step evaluated in CPython float64 (math.sin/cos from glibc), actions from a balancing
  // controller, observations cast to float32. V8's sin/cos (fdlibm) and glibc's differ in the last bit for
  // ~1.5% of angles, so a long replay matches only while no such angle is met; this one never meets one.
  it('replays a 500-step CPython trajectory with identical float32 observations', () => {
    const actions =
      '01011001100110100110011001100110011001100110011001101001100110011001100110011001101001011010011001100110100101101001100110011010010110100110011001101001011010011001100110100110011001100110011010010110100110011010011001100110011010010110100110100101101001101001011010011001100110100110011001101001100110011010011001100110100110011001101001100110011001101001100110011001101001100110011010011001100110100110011010011001100110011010010110101001100110011001100110100110100110011001100110100110100110011001';
    const checkpoints: Record<number, number[]> = {
      100: [-0.06402070075273514, -0.025099756196141243, -0.0021270259749144316, 0.013397601433098316],
      200: [-0.0986311212182045, -0.02526334673166275, 0.0017096726223826408, 0.017006516456604004],
      300: [-0.12585972249507904, -0.025332367047667503, 0.00317224208265543, 0.018529335036873817],
      400: [-0.14538614451885223, -0.02559143491089344, -0.004806836135685444, 0.02424473874270916],
      500: [-0.172943577170372, -0.025409530848264694, 0.003911152947694063, 0.02023214101791382],
    };
    const env = make<Float32Array, number>('CartPole-v1');
    env.reset({ options: { initialState: [-0.02215743878992267, -0.024513041234587543, -0.005492369411735344, 0.0004548258957953327] } });
    for (let t = 1; t <= 500; t++) {
      const result = env.step(Number(actions[t - 1]));
      if (checkpoints[t]) expect(Array.from(result.obs), `step ${t}`).toEqual(checkpoints[t]);
      expect(result.terminated).toBe(false);
      expect(result.truncated).toBe(t === 500);
    }
  });

  it('returns a fresh observation array and result object every step', () => {
    const env = new CartPoleEnv();
    const reset = env.reset({ seed: 1 });
    const a = env.step(0);
    const b = env.step(0);
    expect(a.obs).not.toBe(b.obs);
    expect(a).not.toBe(b);
    expect(a.info).not.toBe(b.info);
    expect(reset.obs).not.toBe(a.obs);
  });
});

describe('CartPole-v1 episode end', () => {
  const cases: [string, number[], number, boolean][] = [
    ['x beyond +2.4', [2.39, 1.0, 0, 0], 1, true], // x' = 2.41
    ['x inside +2.4', [2.3, 1.0, 0, 0], 1, false], // x' = 2.32
    ['x exactly 2.4 (strict inequality)', [2.4, 0, 0, 0], 1, false],
    ['x beyond -2.4', [-2.39, -1.0, 0, 0], 0, true],
    ['theta beyond +12 degrees', [0, 0, 0.2, 0.5], 1, true], // theta' = 0.21 > 0.2094
    ['theta inside +12 degrees', [0, 0, 0.2, 0.4], 1, false], // theta' = 0.208
    ['theta beyond -12 degrees', [0, 0, -0.2, -0.5], 0, true],
  ];
  it.each(cases)('%s', (_label, initialState, action, terminated) => {
    const env = new CartPoleEnv();
    env.reset({ options: { initialState } });
    const result = env.step(action);
    expect(result.terminated).toBe(terminated);
    expect(result.truncated).toBe(false);
    expect(result.reward).toBe(1); // the terminating step pays too
  });

  it('pays 0 after termination and warns once, as Gymnasium', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const env = new CartPoleEnv();
    env.reset({ options: { initialState: [2.39, 1.0, 0, 0] } });
    expect(env.step(1).reward).toBe(1);
    expect(warn).not.toHaveBeenCalled();
    const after = env.step(1);
    expect(after).toMatchObject({ reward: 0, terminated: true });
    env.step(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/after the episode terminated/);
    env.reset();
    env.step(1);
    expect(env.step(1).reward).toBe(1); // a reset clears the counter
  });

  it('is truncated at 500 steps by make (TimeLimit)', () => {
    const env = make<Float32Array, number>('CartPole-v1');
    expect(env.spec).toMatchObject({ id: 'CartPole-v1', maxEpisodeSteps: 500, rewardThreshold: 475 });
    let { obs } = env.reset({ seed: 3 });
    let total = 0;
    for (let t = 1; t <= 500; t++) {
      const result = env.step(balance(obs));
      obs = result.obs;
      total += result.reward;
      expect(result.terminated).toBe(false);
      expect(result.truncated).toBe(t === 500);
    }
    expect(total).toBe(500);
  });
});

describe('CartPole-v1 reset', () => {
  it('starts uniformly in [-0.05, 0.05) from the seed', () => {
    const env = new CartPoleEnv();
    for (let seed = 0; seed < 50; seed++) {
      const { obs, info } = env.reset({ seed });
      expect(info).toEqual({});
      for (const v of obs) expect(Math.abs(v)).toBeLessThanOrEqual(0.05);
    }
  });

  it('is deterministic per seed, differs across seeds, and continues the stream without a seed', () => {
    const run = (seed: number | undefined, env = new CartPoleEnv()) => {
      const starts: number[][] = [];
      starts.push(Array.from(env.reset(seed === undefined ? {} : { seed }).obs));
      for (let i = 0; i < 3; i++) starts.push(Array.from(env.reset().obs));
      return starts;
    };
    expect(run(42)).toEqual(run(42));
    expect(run(42)[0]).not.toEqual(run(43)[0]);
    const starts = run(42);
    expect(new Set(starts.map((s) => s.join())).size).toBe(4);
    expect(run(undefined)).toEqual(run(0)); // the first unseeded reset behaves as seed 0
  });

  it('starts from options.initialState exactly, without drawing', () => {
    const env = new CartPoleEnv();
    env.reset({ seed: 5 });
    const next = new CartPoleEnv();
    next.reset({ seed: 5 });
    next.reset({ options: { initialState: [0.1, 0.2, -0.1, 1e-9] } });
    expect(next.state).toEqual([0.1, 0.2, -0.1, 1e-9]);
    expect(Array.from(next.reset().obs)).toEqual(Array.from(env.reset().obs));
  });

  it.each([
    [[1, 2, 3]],
    [[0, 0, Number.NaN, 0]],
    [[0, 0, Infinity, 0]],
    ['0,0,0,0'],
    [[0, '1', 0, 0]],
  ])('rejects initialState %j with a ConfigError', (initialState) => {
    const env = new CartPoleEnv();
    expect(() => env.reset({ options: { initialState } })).toThrow(ConfigError);
    expect(() => env.reset({ options: { initialState } })).toThrow(/Expected options.initialState to be 4 finite numbers/);
  });

  it('takes Gymnasium-style low/high bounds', () => {
    const env = new CartPoleEnv();
    const { obs } = env.reset({ seed: 1, options: { low: 0.2, high: 0.3 } });
    for (const v of obs) expect(v >= 0.2 - 1e-7 && v <= 0.3).toBe(true);
    expect(() => env.reset({ options: { low: 1, high: 0 } })).toThrow(/Expected options.low <= options.high/);
    expect(() => env.reset({ options: { low: 0, initialState: [0, 0, 0, 0] } })).toThrow(ConfigError);
  });
});

describe('CartPole-v1 errors and API', () => {
  it.each([[2], [-1], [0.5], [Number.NaN]])('rejects action %s with InvalidActionError naming it', (action) => {
    const env = new CartPoleEnv();
    env.reset({ seed: 0 });
    expect(() => env.step(action)).toThrow(InvalidActionError);
    expect(() => env.step(action)).toThrow(new RegExp(`but got ${String(action).replace('.', '\\.')}`));
  });

  it('refuses step before reset, and after termination through make', () => {
    expect(() => new CartPoleEnv().step(0)).toThrow(ResetNeededError);
    const env = make('CartPole-v1');
    expect(() => env.step(0)).toThrow(ResetNeededError);
    env.reset({ options: { initialState: [2.39, 1.0, 0, 0] } });
    expect(env.step(1).terminated).toBe(true);
    expect(() => env.step(1)).toThrow(ResetNeededError);
  });

  it('rejects unknown kwargs', () => {
    expect(() => make('CartPole-v1', { kwargs: { gravity: 1 } })).toThrow(/Expected no CartPole-v1 options, but got "gravity" at CartPole-v1\.gravity\./);
  });

  it('passes checkEnv through make', () => {
    const env: Env<unknown, unknown> = make('CartPole-v1');
    expect(() => checkEnv(env, { steps: 300 })).not.toThrow();
  });

  it('renders one ansi line', () => {
    const env = new CartPoleEnv();
    expect(env.render()).toMatch(/not reset/);
    env.reset({ options: { initialState: [0, 0, 0.1, 0] } });
    const line = env.render();
    expect(line).not.toContain('\n');
    expect(line).toMatch(/^\[\.+\/\.+\] x=\+0\.000 .*theta=\+0\.100/);
    expect(make('CartPole-v1').metadata.renderModes).toContain('ansi');
  });
});
