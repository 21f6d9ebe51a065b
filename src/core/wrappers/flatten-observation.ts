import { Wrapper, type Env, type ResetArgs, type ResetResult, type StepResult } from '../env.js';
import { Box, Dict, Discrete, MultiBinary, MultiDiscrete, Tuple, type Space } from '../spaces.js';

/**
 * The Box that holds `space.flatten(x)` for every x in `space`, with Gymnasium's bounds: a Box keeps its
 * bounds, one-hot encodings (Discrete, MultiDiscrete) and bits (MultiBinary) lie in [0, 1], Dict and Tuple
 * concatenate their parts in flattening order.
 */
export function flattenSpace(space: Space<unknown>): Box {
  if (space instanceof Box) return space.shape.length === 1 ? space : new Box(space.low, space.high, [space.flatDim]);
  const low = new Float32Array(space.flatDim);
  const high = new Float32Array(space.flatDim);
  writeBounds(space, low, high, 0);
  return new Box(low, high, [space.flatDim]);
}

function writeBounds(space: Space<unknown>, low: Float32Array, high: Float32Array, offset: number): void {
  if (space instanceof Box) {
    low.set(space.low, offset);
    high.set(space.high, offset);
  } else if (space instanceof Discrete || space instanceof MultiDiscrete || space instanceof MultiBinary) {
    high.fill(1, offset, offset + space.flatDim);
  } else if (space instanceof Dict || space instanceof Tuple) {
    let at = offset;
    for (const sub of Object.values(space.spaces) as Space<unknown>[]) {
      writeBounds(sub, low, high, at);
      at += sub.flatDim;
    }
  } else {
    // An unknown Space subclass: its flat encoding has no known bounds.
    low.fill(-Infinity, offset, offset + space.flatDim);
    high.fill(Infinity, offset, offset + space.flatDim);
  }
}

/**
 * Turns any observation into its flat Float32Array encoding (`observationSpace.flatten`), so MLP policies
 * can read Dict, Tuple and Discrete observations. A Box observation is already flat and passes through
 * untouched; other spaces get a new array per step, since callers keep observations across steps.
 */
export class FlattenObservation<A = unknown> extends Wrapper<Float32Array, A, unknown, A> {
  private readonly flatSpace: Box;
  private readonly inner: Space<unknown>;

  constructor(env: Env<unknown, A>) {
    super(env);
    this.inner = env.observationSpace;
    this.flatSpace = flattenSpace(this.inner);
  }

  override get observationSpace(): Space<Float32Array> {
    return this.flatSpace;
  }

  override reset(args?: ResetArgs): ResetResult<Float32Array> {
    const result = this.env.reset(args) as ResetResult<unknown>;
    result.obs = this.flatten(result.obs);
    return result as ResetResult<Float32Array>;
  }

  override step(action: A): StepResult<Float32Array> {
    const result = this.env.step(action) as StepResult<unknown>;
    result.obs = this.flatten(result.obs);
    return result as StepResult<Float32Array>;
  }

  private flatten(obs: unknown): Float32Array {
    return this.inner instanceof Box ? (obs as Float32Array) : this.inner.flatten(obs);
  }
}
