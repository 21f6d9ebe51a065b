import { ConfigError } from '../errors.js';
import type { Env, ResetArgs, ResetResult, StepResult } from '../env.js';
import { RunningStatisticsWrapper } from './running-statistics-wrapper.js';
import { Box, type Space } from '../spaces.js';

export interface NormalizeObservationConfig {
  /** Added to the variance before the square root. Default 1e-8 (Gymnasium's). */
  epsilon?: number;
  /** Normalized values are clipped to [-clip, clip]. Default Infinity (Gymnasium clips nothing; SB3's VecNormalize uses 10). */
  clip?: number;
}

/**
 * Standardizes Box observations with a running mean and variance, `(obs - mean) / sqrt(var + epsilon)`,
 * as Gymnasium's NormalizeObservation does: the statistics are updated with every observation (reset and
 * step) before it is normalized. `freeze()` stops the updates (evaluation, deployment); `getStatistics()`
 * and `setStatistics()` carry them to and from a saved policy.
 *
 * Each observation is written to a new Float32Array: the env's array is left alone, and callers may keep
 * observations across steps.
 */
export class NormalizeObservation<A = unknown> extends RunningStatisticsWrapper<Float32Array, A> {
  private readonly unbounded: Box;

  constructor(env: Env<Float32Array, A>, config: NormalizeObservationConfig = {}) {
    super(env, boxOf(env).flatDim, config);
    this.unbounded = new Box(-Infinity, Infinity, boxOf(env).shape);
  }

  override get observationSpace(): Space<Float32Array> {
    return this.unbounded;
  }

  /** Normalizes one observation with the current statistics, without updating them. */
  normalize(obs: Float32Array): Float32Array {
    const out = new Float32Array(obs.length);
    this.stats.normalizeInto(obs, out, this.epsilon, this.clip);
    return out;
  }

  override reset(args?: ResetArgs): ResetResult<Float32Array> {
    const result = this.env.reset(args);
    result.obs = this.observe(result.obs);
    return result;
  }

  override step(action: A): StepResult<Float32Array> {
    const result = this.env.step(action);
    result.obs = this.observe(result.obs);
    return result;
  }

  private observe(obs: Float32Array): Float32Array {
    if (this.updating) this.stats.update(obs);
    return this.normalize(obs);
  }
}

/** The env's Box observation space; anything else is refused before statistics are sized for it. */
function boxOf(env: Env<Float32Array, unknown>): Box {
  if (!(env.observationSpace instanceof Box)) {
    throw new ConfigError(`Expected a Box observation space for NormalizeObservation (wrap with FlattenObservation first), but got ${env.observationSpace}.`);
  }
  return env.observationSpace;
}
