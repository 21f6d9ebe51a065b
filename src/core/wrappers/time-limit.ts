import { ConfigError } from '../errors.js';
import { Wrapper, type Env, type ResetArgs, type ResetResult, type StepResult } from '../env.js';

/**
 * Truncates an episode after `maxEpisodeSteps` steps (`truncated = true`, `terminated` untouched), as
 * Gymnasium's TimeLimit does. `make` adds it from the registered spec.
 */
export class TimeLimit<O, A> extends Wrapper<O, A> {
  private elapsedSteps = 0;

  constructor(env: Env<O, A>, readonly maxEpisodeSteps: number) {
    super(env);
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0) {
      throw new ConfigError(`Expected maxEpisodeSteps to be a positive integer, but got ${maxEpisodeSteps}.`);
    }
  }

  get elapsed(): number {
    return this.elapsedSteps;
  }

  override reset(args?: ResetArgs): ResetResult<O> {
    this.elapsedSteps = 0;
    return this.env.reset(args);
  }

  override step(action: A): StepResult<O> {
    const result = this.env.step(action);
    if (++this.elapsedSteps >= this.maxEpisodeSteps) result.truncated = true;
    return result;
  }
}
