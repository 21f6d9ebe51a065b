/**
 * Bandit-v0: the k-armed Gaussian testbed of Sutton & Barto (Reinforcement Learning, 2nd ed., section 2.3).
 * At every reset the true action values q*(a) are drawn from N(0, 1) with the env's Rng; pulling arm a pays
 * a reward drawn from N(q*(a), 1). There is no state: the observation is a constant zero, present only
 * because the `Env` contract requires one.
 *
 * ## Actions: Discrete(arms)
 * | Action | Meaning        |
 * |--------|----------------|
 * | a      | pull arm a     |
 *
 * ## Observation: Box([1]) = [0], float32
 * | Index | Meaning                            |
 * |-------|------------------------------------|
 * | 0     | always 0 (the bandit has no state) |
 * Every reset gives the same observation, so `checkEnv` needs `{skipSeedVariation: true}`.
 *
 * ## Reward
 * N(q*(a), 1). `info` on every step carries `optimalArm` (argmax q*), `optimalValue` (max q*) and `regret`
 * (the expected regret of this pull, max q* - q*(a), >= 0); `info` on reset carries `optimalArm`,
 * `optimalValue` and `trueValues` (a copy of q*).
 *
 * ## Episode end
 * Never terminated: a bandit has no terminal state, so the end of a run is a time limit. As Gymnasium
 * expects, the TimeLimit wrapper ends it (`truncated`): `make('Bandit-v0')` truncates after 1000 steps,
 * the testbed's run length; `make('Bandit-v0', {maxEpisodeSteps: n})` sets another length. A new episode
 * draws new true values (a new testbed problem).
 *
 * ## Arguments (kwargs)
 * BanditKwargsSchema below (`loopgym envs Bandit-v0` prints it): `arms`.
 *
 * ## Version history
 * - v0: initial version.
 */
import { BaseEnv, type EnvMetadata, type ResetArgs, type ResetResult, type StepResult } from '../src/core/env.js';
import { z } from 'zod';
import { resolveConfig } from '../src/core/config-schema.js';
import { ConfigError, InvalidActionError, ResetNeededError, describeValue } from '../src/core/errors.js';
import { Box, Discrete } from '../src/core/spaces.js';

export const BanditKwargsSchema = z.strictObject({
  arms: z.number().int().min(2).default(10).describe('Number of arms'),
});

export type BanditConfig = z.output<typeof BanditKwargsSchema>;
export type BanditConfigInput = z.input<typeof BanditKwargsSchema>;

export class BanditEnv extends BaseEnv<Float32Array, number> {
  readonly observationSpace = new Box(0, 0, [1]);
  readonly actionSpace: Discrete;
  override readonly metadata: EnvMetadata = { renderModes: ['ansi'] };
  readonly arms: number;

  private readonly values: Float64Array;
  private optimalArm = -1;
  private optimalValue = 0;
  private lastArm = -1;
  private lastReward = 0;

  constructor(kwargs: BanditConfigInput & Record<string, unknown> = {}) {
    super();
    if ('episodeLength' in kwargs) {
      throw new ConfigError(
        `Expected no episodeLength kwarg (the TimeLimit wrapper ends Bandit-v0 episodes: use make('Bandit-v0', {maxEpisodeSteps: ${describeValue(kwargs.episodeLength)}})), but got episodeLength.`,
      );
    }
    const { arms } = resolveConfig(BanditKwargsSchema, kwargs, 'Bandit-v0');
    this.arms = arms;
    this.actionSpace = new Discrete(arms);
    this.values = new Float64Array(arms);
  }

  /** q*(a) of the current episode (a copy). */
  get trueValues(): Float64Array {
    return this.values.slice();
  }

  reset(args: ResetArgs = {}): ResetResult<Float32Array> {
    this.reseed(args.seed);
    let best = 0;
    for (let a = 0; a < this.arms; a++) {
      this.values[a] = this.rng.normal();
      if (this.values[a] > this.values[best]) best = a;
    }
    this.optimalArm = best;
    this.optimalValue = this.values[best];
    this.lastArm = -1;
    return {
      obs: new Float32Array(1),
      info: { optimalArm: this.optimalArm, optimalValue: this.optimalValue, trueValues: this.values.slice() },
    };
  }

  step(action: number): StepResult<Float32Array> {
    if (!this.actionSpace.contains(action)) {
      throw new InvalidActionError(`Expected an arm in Discrete(${this.arms}) (0 to ${this.arms - 1}), but got ${describeValue(action)}.`);
    }
    if (this.optimalArm < 0) throw new ResetNeededError('Expected reset() before the first step(), but step() was called first.');
    const mean = this.values[action];
    const reward = this.rng.normal(mean, 1);
    this.lastArm = action;
    this.lastReward = reward;
    return {
      obs: new Float32Array(1),
      reward,
      terminated: false,
      truncated: false,
      info: { optimalArm: this.optimalArm, optimalValue: this.optimalValue, regret: this.optimalValue - mean },
    };
  }

  render(): string {
    if (this.optimalArm < 0) return 'Bandit-v0 (not reset)';
    const last = this.lastArm < 0 ? 'no pull yet' : `pulled ${this.lastArm} (q*=${this.values[this.lastArm].toFixed(3)}) reward ${this.lastReward.toFixed(3)}`;
    return `Bandit-v0 ${this.arms} arms, best ${this.optimalArm} (q*=${this.optimalValue.toFixed(3)}), ${last}`;
  }
}
