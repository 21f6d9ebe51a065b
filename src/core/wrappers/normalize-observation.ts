import { ConfigError, describeValue } from '../errors.js';
import { Wrapper, type Env, type ResetArgs, type ResetResult, type StepResult } from '../env.js';
import { RunningMeanStd, type RunningStatsJSON } from '../running-stats.js';
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
export class NormalizeObservation<A = unknown> extends Wrapper<Float32Array, A> {
  readonly epsilon: number;
  readonly clip: number;
  private readonly stats: RunningMeanStd;
  private readonly unbounded: Box;
  private updating = true;

  constructor(env: Env<Float32Array, A>, config: NormalizeObservationConfig = {}) {
    super(env);
    if (!(env.observationSpace instanceof Box)) {
      throw new ConfigError(`Expected a Box observation space for NormalizeObservation (wrap with FlattenObservation first), but got ${env.observationSpace}.`);
    }
    this.epsilon = checkPositive(config.epsilon ?? 1e-8, 'epsilon');
    this.clip = checkPositive(config.clip ?? Infinity, 'clip');
    this.stats = new RunningMeanStd(env.observationSpace.flatDim);
    this.unbounded = new Box(-Infinity, Infinity, env.observationSpace.shape);
  }

  override get observationSpace(): Space<Float32Array> {
    return this.unbounded;
  }

  /** True while the statistics are updated with each observation. */
  get updatingStatistics(): boolean {
    return this.updating;
  }

  /** Stops updating the statistics; observations are still normalized with the current ones. */
  freeze(): void {
    this.updating = false;
  }

  unfreeze(): void {
    this.updating = true;
  }

  getStatistics(): RunningStatsJSON {
    return this.stats.toJSON();
  }

  setStatistics(json: RunningStatsJSON): void {
    this.stats.load(json);
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

function checkPositive(value: number, name: string): number {
  if (typeof value !== 'number' || !(value > 0)) throw new ConfigError(`Expected ${name} to be a positive number, but got ${describeValue(value)}.`);
  return value;
}
