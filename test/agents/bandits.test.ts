import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BaseEnv,
  Box,
  ConfigError,
  DataError,
  Discrete,
  InvalidActionError,
  listEnvs,
  make,
  makeVec,
  type Env,
  type ResetArgs,
  type ResetResult,
  type StepResult,
} from '../../src/core/index.js';
import '../../envs/index.js';
import { BanditAgent, type BanditCommonConfig, EpsilonGreedyAgent, LinUCBAgent, ThompsonAgent, UCB1Agent, banditAgents } from '../../agents/bandits/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'loopgym-bandits-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type AnyBandit = BanditAgent<BanditCommonConfig>;
const makers: Record<string, (seed: number, logInterval?: number) => AnyBandit> = {
  'epsilon-greedy': (seed, logInterval) => new EpsilonGreedyAgent({ seed, logInterval }),
  ucb1: (seed, logInterval) => new UCB1Agent({ seed, logInterval }),
  thompson: (seed, logInterval) => new ThompsonAgent({ seed, logInterval }),
  linucb: (seed, logInterval) => new LinUCBAgent({ seed, logInterval }),
};

/** Cumulative expected regret (from info.regret) at the middle and the end of a run on one fixed problem. */
async function regretHalves(agent: AnyBandit, problemSeed: number, steps: number): Promise<[number, number]> {
  const env = make<Float32Array, number>('Bandit-v0', { maxEpisodeSteps: null }); // one problem for the whole run
  env.reset({ seed: problemSeed });
  const marks: number[] = [];
  await agent.learn({ env, totalSteps: steps, hooks: [{ onStep: (state) => void marks.push(state.metrics['bandit/cumulative_regret']) }] });
  const [half, end] = [marks[0], marks[1]];
  return [half, end - half];
}

describe('bandit agents on Bandit-v0', () => {
  it('UCB1 and Thompson sampling have sublinear regret, far below epsilon-greedy and random', async () => {
    const steps = 5000;
    const totals: Record<string, { first: number; second: number }> = {};
    for (const name of ['epsilon-greedy', 'ucb1', 'thompson']) {
      totals[name] = { first: 0, second: 0 };
      for (let problem = 0; problem < 4; problem++) {
        const agent = makers[name](problem, steps / 2);
        const [first, second] = await regretHalves(agent, 100 + problem, steps);
        totals[name].first += first;
        totals[name].second += second;
      }
    }
    // A random policy pays the mean gap every step.
    let randomRegret = 0;
    for (let problem = 0; problem < 4; problem++) {
      const env = make<Float32Array, number>('Bandit-v0', { maxEpisodeSteps: null });
      const { info } = env.reset({ seed: 100 + problem });
      const q = info.trueValues as Float64Array;
      randomRegret += steps * (Math.max(...q) - q.reduce((a, b) => a + b, 0) / q.length);
    }
    for (const name of ['ucb1', 'thompson']) {
      const { first, second } = totals[name];
      expect(second, `${name}: second-half regret vs first half`).toBeLessThan(0.5 * first);
      expect(first + second, `${name}: total regret vs epsilon-greedy`).toBeLessThan(0.6 * (totals['epsilon-greedy'].first + totals['epsilon-greedy'].second));
      expect(first + second, `${name}: total regret vs random`).toBeLessThan(0.1 * randomRegret);
    }
    // Epsilon-greedy with a fixed epsilon keeps paying for exploration: its regret stays linear.
    const eps = totals['epsilon-greedy'];
    expect(eps.second).toBeGreaterThan(0.5 * eps.first);
  });

  it.each(Object.keys(makers))('%s: the same seed gives the same run', async (name) => {
    const run = async () => {
      const agent = makers[name](3);
      const env = make<Float32Array, number>('Bandit-v0');
      env.reset({ seed: 9 });
      await agent.learn({ env, totalSteps: 1500 });
      return Array.from({ length: 30 }, () => agent.act(new Float32Array(1)));
    };
    expect(await run()).toEqual(await run());
  });

  it.each(Object.keys(makers))('%s: save/load continues exactly (estimates, Rng, config)', async (name) => {
    const original = makers[name](4);
    const env = make<Float32Array, number>('Bandit-v0');
    env.reset({ seed: 5 });
    await original.learn({ env, totalSteps: 700 });
    const dir = join(scratch, `${name}-continue`);
    await original.save(dir);

    const restored = banditAgents[name as keyof typeof banditAgents]({ seed: 999 } as never) as AnyBandit;
    await restored.load(dir);
    expect(restored.resolvedConfig).toEqual(original.resolvedConfig);
    expect(restored.stepsLearned).toBe(700);

    const continueRun = async (agent: AnyBandit) => {
      const next = make<Float32Array, number>('Bandit-v0');
      next.reset({ seed: 6 });
      await agent.learn({ env: next, totalSteps: 500 });
      return [...Array.from({ length: 20 }, () => agent.act(new Float32Array(1))), ...Array.from({ length: 5 }, () => agent.act(new Float32Array(1), { deterministic: true }))];
    };
    expect(await continueRun(restored)).toEqual(await continueRun(original));
  });
});

describe('bandit agent acting', () => {
  it('respects action masks and rejects bad ones', async () => {
    for (const name of Object.keys(makers)) {
      const agent = makers[name](1);
      const env = make<Float32Array, number>('Bandit-v0');
      env.reset({ seed: 1 });
      await agent.learn({ env, totalSteps: 300 });
      const mask = Uint8Array.from([0, 0, 1, 0, 0, 0, 0, 1, 0, 0]);
      for (let i = 0; i < 50; i++) expect([2, 7]).toContain(agent.act(new Float32Array(1), { mask }));
      expect([2, 7]).toContain(agent.act(new Float32Array(1), { mask, deterministic: true }));
      expect(() => agent.act(new Float32Array(1), { mask: new Uint8Array(10) })).toThrow(InvalidActionError);
      expect(() => agent.act(new Float32Array(1), { mask: new Uint8Array(3) })).toThrow(/Expected a mask of length 10, but got length 3/);
    }
  });

  it('UCB1 plays every allowed arm once first; deterministic acting takes the best estimate', async () => {
    const agent = new UCB1Agent({ numArms: 4 });
    const env = make<Float32Array, number>('Bandit-v0', { kwargs: { arms: 4 } });
    env.reset({ seed: 2 });
    const first = [0, 1, 2, 3].map(() => {
      const arm = agent.act(new Float32Array(1));
      agent.update(new Float32Array(1), arm, arm === 2 ? 5 : 0);
      return arm;
    });
    expect(first).toEqual([0, 1, 2, 3]);
    expect(agent.act(new Float32Array(1), { deterministic: true })).toBe(2);
    expect(Array.from(agent.estimates)).toEqual([0, 0, 5, 0]);
  });

  it('epsilon-greedy with a constant step size tracks the latest rewards', () => {
    const agent = new EpsilonGreedyAgent({ numArms: 2, stepSize: 0.5, epsilon: 0 });
    for (const r of [4, 0, 0]) agent.update(new Float32Array(1), 1, r);
    expect(agent.estimates[1]).toBe(0.5); // 0 -> 2 -> 1 -> 0.5
    const average = new EpsilonGreedyAgent({ numArms: 2 });
    for (const r of [4, 0, 0]) average.update(new Float32Array(1), 1, r);
    expect(average.estimates[1]).toBeCloseTo(4 / 3, 12);
  });

  it('takes its sizes and seed from a registry context (createAgent)', () => {
    const env = make<Float32Array, number>('Bandit-v0', { kwargs: { arms: 5 } });
    const context = { observationSpace: env.observationSpace, actionSpace: env.actionSpace, seed: 3 };
    for (const name of Object.keys(banditAgents) as (keyof typeof banditAgents)[]) {
      const actions = (agent: AnyBandit) => Array.from({ length: 10 }, () => agent.act(new Float32Array(1)));
      const agent = banditAgents[name]({}, context);
      expect(agent.resolvedConfig.seed).toBe(3);
      const first = actions(agent);
      first.forEach((arm) => expect(arm).toBeLessThan(5));
      expect(actions(banditAgents[name]({}, context))).toEqual(first);
      expect(banditAgents[name]({ seed: 8 }, context).resolvedConfig.seed).toBe(8); // the config wins
    }
  });

  it('needs its sizes before acting', () => {
    expect(() => new UCB1Agent().act(new Float32Array(1))).toThrow(/Expected ucb1 to know its sizes/);
    expect(() => new LinUCBAgent({ numArms: 3 }).act(new Float32Array(2))).toThrow(ConfigError);
    expect(new LinUCBAgent({ numArms: 3, contextDim: 2 }).act(new Float32Array(2))).toBeLessThan(3);
    expect(() => new LinUCBAgent({ numArms: 3, contextDim: 2 }).act(new Float32Array(5))).toThrow(/observation of length 2/);
  });

  it('refuses an env whose sizes differ from what it learned on', async () => {
    const agent = new ThompsonAgent();
    const env = make<Float32Array, number>('Bandit-v0');
    env.reset({ seed: 0 });
    await agent.learn({ env, totalSteps: 10 });
    const other = make<Float32Array, number>('Bandit-v0', { kwargs: { arms: 3 } });
    await expect(agent.learn({ env: other, totalSteps: 10 })).rejects.toThrow(/Expected an env with 10 arms/);
    await expect(new UCB1Agent({ numArms: 5 }).learn({ env, totalSteps: 1 })).rejects.toThrow(/numArms 5 to match the env's Discrete\(10\)/);
  });
});

describe('bandit agent configs and files', () => {
  it.each([
    [() => new EpsilonGreedyAgent({ epsilon: 1.5 }), /Expected epsilon-greedy\.epsilon to be a number in \[0, 1\], but got 1\.5\./],
    [() => new EpsilonGreedyAgent({ stepSize: 0 }), /Expected epsilon-greedy\.stepSize to be "average" or a number in \(0, 1\], but got 0\./],
    [() => new UCB1Agent({ c: -1 }), /Expected ucb1\.c to be a number >= 0, but got -1\./],
    [() => new ThompsonAgent({ priorStd: 0 }), /Expected thompson\.priorStd to be a number > 0, but got 0\./],
    [() => new LinUCBAgent({ alpha: Number.NaN }), /Expected linucb\.alpha to be a number >= 0, but got NaN\./],
    [() => new LinUCBAgent({ fitIntercept: 'yes' as never }), /Expected linucb\.fitIntercept to be true or false, but got "yes"\./],
    [() => new UCB1Agent({ numArms: 1 }), /Expected ucb1\.numArms to be an integer >= 2, but got 1\./],
    [() => new UCB1Agent({ logInterval: 0 }), /Expected ucb1\.logInterval to be an integer >= 1, but got 0\./],
    [() => new UCB1Agent({ epsilon: 0.1 } as never), /Expected one of the ucb1 options, but got "epsilon" at ucb1\.epsilon\. Options: seed, logInterval, numArms, c\./],
  ])('rejects a bad config (%#)', (build, message) => {
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(message);
  });

  it('fills documented defaults', () => {
    expect(new EpsilonGreedyAgent().resolvedConfig).toEqual({ seed: 0, logInterval: 1000, epsilon: 0.1, stepSize: 'average', initialValue: 0 });
    expect(new UCB1Agent().resolvedConfig).toMatchObject({ c: 2 });
    expect(new ThompsonAgent().resolvedConfig).toMatchObject({ priorMean: 0, priorStd: 1, noiseStd: 1 });
    expect(new LinUCBAgent().resolvedConfig).toMatchObject({ alpha: 1, regularization: 1, fitIntercept: true });
  });

  it('load refuses missing, foreign and corrupt files', async () => {
    const dir = join(scratch, 'ucb-saved');
    await new UCB1Agent({ numArms: 3 }).save(dir);
    await expect(new ThompsonAgent().load(dir)).rejects.toThrow(/Expected a saved thompson agent/);
    await expect(new UCB1Agent().load(join(scratch, 'nowhere'))).rejects.toThrow(DataError);
    const corrupt = join(scratch, 'corrupt');
    await new UCB1Agent().save(corrupt);
    writeFileSync(join(corrupt, 'agent.json'), '{"format": "other"}');
    await expect(new UCB1Agent().load(corrupt)).rejects.toThrow(/loopgym-bandit-agent file of version 1/);
  });
});

describe('bandit agent learning loop', () => {
  it('calls hooks every logInterval steps and stops when one returns false', async () => {
    const agent = new EpsilonGreedyAgent({ logInterval: 100 });
    const env = make<Float32Array, number>('Bandit-v0', { maxEpisodeSteps: 150 });
    env.reset({ seed: 0 });
    const seen: number[] = [];
    let episodes = 0;
    let started = false;
    let ended = false;
    const result = await agent.learn({
      env,
      totalSteps: 1000,
      hooks: [
        {
          onStart: () => void (started = true),
          onStep: (state) => {
            seen.push(state.stepsDone);
            episodes += state.newEpisodes.length;
            expect(state.metrics['time/total_timesteps']).toBe(state.stepsDone);
            return state.stepsDone < 300;
          },
          onEnd: () => void (ended = true),
        },
      ],
    });
    expect(seen).toEqual([100, 200, 300]);
    expect(episodes).toBe(2); // 150-step episodes end at 150 and 300
    expect(result).toEqual({ stepsDone: 300, iterations: 300, stoppedEarly: true });
    expect([started, ended]).toEqual([true, true]);
  });

  it('learns over a vector env, skipping autoreset transitions', async () => {
    const agent = new ThompsonAgent({ logInterval: 64 });
    const vec = makeVec('CartPole-v1', { numEnvs: 8 });
    vec.reset({ seed: 0 });
    let episodes = 0;
    let lastMean = 0;
    const result = await agent.learn({
      env: vec,
      totalSteps: 4000,
      hooks: [{ onStep: (s) => void ((episodes += s.newEpisodes.length), (lastMean = s.metrics['rollout/ep_rew_mean'])) }],
    });
    expect(result.stepsDone).toBe(4000);
    expect(episodes).toBeGreaterThan(100);
    expect(lastMean).toBeGreaterThan(5);
    // Every non-autoreset transition is learned from; the autoreset ones (one per finished episode) are not.
    expect(agent.stepsLearned).toBeLessThan(4000);
    expect(agent.stepsLearned).toBeGreaterThanOrEqual(4000 - episodes - 8);
  });
});

/**
 * A linear contextual bandit: context x uniform in [-1, 1]^3, arm a pays theta_a . x + N(0, 0.1^2).
 * No single arm is best everywhere, so only a contextual learner can do well.
 */
class LinearContextualBandit extends BaseEnv<Float32Array, number> {
  readonly observationSpace = new Box(-1, 1, [3]);
  readonly actionSpace = new Discrete(4);
  private readonly theta = [
    [1, 0, 0],
    [-1, 0, 0],
    [0, 1, 0.5],
    [0, -1, -0.5],
  ];
  private context: Float32Array = new Float32Array(3);

  private draw(): Float32Array {
    this.context = this.observationSpace.sample(this.rng);
    return this.context;
  }

  private expected(arm: number): number {
    return this.theta[arm].reduce((sum, w, i) => sum + w * this.context[i], 0);
  }

  reset(args: ResetArgs = {}): ResetResult<Float32Array> {
    this.reseed(args.seed);
    return { obs: this.draw(), info: {} };
  }

  step(arm: number): StepResult<Float32Array> {
    const means = [0, 1, 2, 3].map((a) => this.expected(a));
    const reward = means[arm] + this.rng.normal(0, 0.1);
    return { obs: this.draw(), reward, terminated: false, truncated: false, info: { regret: Math.max(...means) - means[arm] } };
  }
}

async function contextualRegret(agent: AnyBandit, env: Env<Float32Array, number>, steps: number): Promise<number> {
  let regret = 0;
  await agent.learn({ env, totalSteps: steps, hooks: [{ onEnd: (s) => void (regret = s.metrics['bandit/cumulative_regret']) }] });
  return regret;
}

describe('LinUCB', () => {
  it('beats epsilon-greedy and Thompson sampling on a linear contextual bandit', async () => {
    const steps = 3000;
    const regrets: Record<string, number> = {};
    for (const [name, agent] of [
      ['linucb', new LinUCBAgent({ seed: 1 })],
      ['epsilon-greedy', new EpsilonGreedyAgent({ seed: 1 })],
      ['thompson', new ThompsonAgent({ seed: 1 })],
    ] as const) {
      const env = new LinearContextualBandit();
      env.reset({ seed: 21 });
      regrets[name] = await contextualRegret(agent, env, steps);
    }
    expect(regrets.linucb).toBeLessThan(0.25 * regrets['epsilon-greedy']);
    expect(regrets.linucb).toBeLessThan(0.25 * regrets.thompson);
  });

  it('recovers the arms coefficients (ridge regression)', async () => {
    const agent = new LinUCBAgent({ seed: 2, fitIntercept: false });
    const env = new LinearContextualBandit();
    env.reset({ seed: 3 });
    await agent.learn({ env, totalSteps: 3000 });
    // The arm LinUCB plays most (arm 0 or 1 wins half the context space) is estimated tightly.
    const coefficients = [0, 1].map((arm) => Array.from(agent.coefficients(arm)));
    expect(coefficients[0][0]).toBeCloseTo(1, 1);
    expect(coefficients[1][0]).toBeCloseTo(-1, 1);
  });

  it('keeps A^-1 by Sherman-Morrison close to an exact inverse (reinvertEvery)', async () => {
    const run = async (reinvertEvery: number) => {
      const agent = new LinUCBAgent({ seed: 4, reinvertEvery });
      const env = new LinearContextualBandit();
      env.reset({ seed: 4 });
      await agent.learn({ env, totalSteps: 2000 });
      return [0, 1, 2, 3].flatMap((arm) => Array.from(agent.coefficients(arm)));
    };
    const exact = await run(1);
    const incremental = await run(0);
    expect(incremental.length).toBe(16);
    incremental.forEach((c, i) => expect(Math.abs(c - exact[i])).toBeLessThan(1e-9));
    expect(() => new LinUCBAgent({ reinvertEvery: -1 })).toThrow(/Expected linucb\.reinvertEvery to be an integer >= 0, but got -1\./);
  });

  it.runIf(listEnvs().includes('ContextualRouting-v0'))('beats epsilon-greedy on ContextualRouting-v0 (3 seeds)', async () => {
    const steps = 4000;
    for (const seed of [0, 1, 2]) {
      const result: Record<string, { regret: number; meanReward: number }> = {};
      for (const [name, build] of [
        ['linucb', () => new LinUCBAgent({ seed, logInterval: steps })],
        ['epsilon-greedy', () => new EpsilonGreedyAgent({ seed, logInterval: steps })],
      ] as const) {
        const env = make<Float32Array, number>('ContextualRouting-v0');
        env.reset({ seed });
        await build().learn({
          env,
          totalSteps: steps,
          hooks: [{ onEnd: (s) => void (result[name] = { regret: s.metrics['bandit/cumulative_regret'], meanReward: s.metrics['bandit/mean_reward'] }) }],
        });
      }
      expect(result.linucb.meanReward, `seed ${seed}`).toBeGreaterThan(result['epsilon-greedy'].meanReward);
      expect(result.linucb.regret, `seed ${seed}`).toBeLessThan(0.5 * result['epsilon-greedy'].regret);
    }
  });
});
