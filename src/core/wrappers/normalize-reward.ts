import { ConfigError, describeValue } from '../errors.js';
import type { Env, StepResult } from '../env.js';
import { RunningStatisticsWrapper } from './running-statistics-wrapper.js';

export interface NormalizeRewardConfig {
  /** Discount of the return whose spread sets the scale. Default 0.99; match the learner's gamma. */
  gamma?: number;
  /** Added to the variance before the square root. Default 1e-8. */
  epsilon?: number;
  /** Scaled rewards are clipped to [-clip, clip]. Default Infinity (Gymnasium clips nothing; SB3's VecNormalize uses 10). */
  clip?: number;
}

/**
 * Scales rewards so the discounted return has roughly unit variance, as Gymnasium's NormalizeReward does:
 * a running discounted sum `G = gamma * G * (1 - terminated) + r` feeds a running variance, and each reward
 * is divided by `sqrt(var(G) + epsilon)` (never shifted by the mean, which would change the optimal
 * policy's incentives to end or prolong episodes).
 *
 * Like Gymnasium, `G` is cleared only on termination, not on truncation or `reset`. `freeze()` stops the
 * updates; `getStatistics()`/`setStatistics()` save and restore the variance of G.
 */
export class NormalizeReward<O = unknown, A = unknown> extends RunningStatisticsWrapper<O, A> {
  readonly gamma: number;
  private readonly sample = new Float64Array(1);
  private discountedReturn = 0;

  constructor(env: Env<O, A>, config: NormalizeRewardConfig = {}) {
    super(env, 1, config);
    this.gamma = config.gamma ?? 0.99;
    if (typeof this.gamma !== 'number' || !(this.gamma >= 0 && this.gamma <= 1)) {
      throw new ConfigError(`Expected gamma in [0, 1], but got ${describeValue(this.gamma)}.`);
    }
  }

  override step(action: A): StepResult<O> {
    const result = this.env.step(action);
    this.discountedReturn = this.discountedReturn * this.gamma * (result.terminated ? 0 : 1) + result.reward;
    if (this.updating) {
      this.sample[0] = this.discountedReturn;
      this.stats.update(this.sample);
    }
    const scaled = result.reward / Math.sqrt(this.stats.var[0] + this.epsilon);
    result.reward = scaled > this.clip ? this.clip : scaled < -this.clip ? -this.clip : scaled;
    return result;
  }
}
