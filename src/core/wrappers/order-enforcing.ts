import { ResetNeededError } from '../errors.js';
import { Wrapper, type ResetArgs, type ResetResult, type StepResult } from '../env.js';

/**
 * Refuses `step` before the first `reset` and after an episode has ended without a new `reset`
 * (ResetNeededError), so a learner loop that forgets to reset fails loudly instead of stepping a finished
 * episode. `make` adds it unless the spec sets `orderEnforce: false`.
 */
export class OrderEnforcing<O, A> extends Wrapper<O, A> {
  private needsReset = true;
  private everReset = false;

  override reset(args?: ResetArgs): ResetResult<O> {
    const result = this.env.reset(args);
    this.needsReset = false;
    this.everReset = true;
    return result;
  }

  override step(action: A): StepResult<O> {
    if (this.needsReset) {
      throw new ResetNeededError(
        this.everReset
          ? 'Expected reset() after the episode ended (terminated or truncated), but step() was called.'
          : 'Expected reset() before the first step(), but step() was called first.',
      );
    }
    const result = this.env.step(action);
    if (result.terminated || result.truncated) this.needsReset = true;
    return result;
  }

  get hasReset(): boolean {
    return this.everReset;
  }
}
