import { Wrapper, type Env, type StepResult } from '../env.js';

/**
 * Replaces each reward `r` with `fn(r)` (scaling, clipping, shaping), as Gymnasium's TransformReward does.
 * The step result is changed in place, so the wrapper adds no allocation of its own.
 */
export class TransformReward<O = unknown, A = unknown> extends Wrapper<O, A> {
  constructor(env: Env<O, A>, readonly fn: (reward: number) => number) {
    super(env);
  }

  override step(action: A): StepResult<O> {
    const result = this.env.step(action);
    result.reward = this.fn(result.reward);
    return result;
  }
}
