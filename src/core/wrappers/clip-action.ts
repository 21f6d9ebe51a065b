import { ConfigError } from '../errors.js';
import { Wrapper, type Env } from '../env.js';
import { Box, type Space } from '../spaces.js';

/**
 * Clips continuous actions to the wrapped env's Box bounds before they reach it, as Gymnasium's ClipAction
 * does. The wrapper's own action space is the unbounded Box of the same shape, so a Gaussian policy's raw
 * samples are valid actions here.
 *
 * The clipped copy lives in a buffer the wrapper owns and reuses every step (the caller's array is never
 * modified); an env that needs the action after `step` returns must copy it.
 */
export class ClipAction<O = unknown> extends Wrapper<O, Float32Array> {
  private readonly unbounded: Box;
  private readonly bounds: Box;
  private readonly clipped: Float32Array;

  constructor(env: Env<O, Float32Array>) {
    super(env);
    if (!(env.actionSpace instanceof Box)) {
      throw new ConfigError(`Expected a Box action space for ClipAction, but got ${env.actionSpace}.`);
    }
    this.bounds = env.actionSpace;
    this.unbounded = new Box(-Infinity, Infinity, this.bounds.shape);
    this.clipped = new Float32Array(this.bounds.flatDim);
  }

  override get actionSpace(): Space<Float32Array> {
    return this.unbounded;
  }

  override step(action: Float32Array) {
    const { low, high } = this.bounds;
    if (action.length !== this.clipped.length) {
      // Let the env report the malformed action in its own words.
      return this.env.step(action);
    }
    for (let i = 0; i < this.clipped.length; i++) {
      const a = action[i];
      this.clipped[i] = a < low[i] ? low[i] : a > high[i] ? high[i] : a;
    }
    return this.env.step(this.clipped);
  }
}
