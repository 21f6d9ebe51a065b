/**
 * Optimizers over a ParamSet's flat master array, with PyTorch's update rules (so SB3 hyperparameters
 * carry over) and optional global-norm gradient clipping (torch.nn.utils.clip_grad_norm_). The update is
 * a float64 loop in JavaScript over the read-back gradient (see ParamSet for why), so it is identical on
 * every backend. State (moments, step count) is serializable so a loaded agent continues exactly.
 */
import { ConfigError } from '../core/errors.js';
import type { ParamSet } from './params.js';

export interface OptimizerState {
  kind: 'adam' | 'rmsprop';
  t: number;
  /** Moments, one array per slot (adam: m, v; rmsprop: v). */
  slots: Float32Array[];
}

/** An optimizer whose state can be saved and restored exactly, whatever engine runs it. */
export interface StatefulOptimizer {
  /** Updates applied so far. */
  readonly stepCount: number;
  getState(): OptimizerState;
  setState(state: OptimizerState): void;
}

export interface FlatOptimizer extends StatefulOptimizer {
  /**
   * Applies one update from a flat gradient (ParamSet.readGradient; zeroed in place where the params are
   * not trainable) and refreshes the params' views.
   */
  step(grad: Float32Array, learningRate: number): void;
}

/** An optimizer as data, so whichever engine owns the weights can build it (FlatAdam / FlatRmsProp here). */
export interface OptimizerSpec {
  kind: 'adam' | 'rmsprop';
  /** Added to the denominator (torch's eps). */
  eps: number;
  /** RMSprop's smoothing constant (torch's alpha); unused by Adam. */
  alpha?: number;
  /** Global-norm gradient clip; null = none. */
  maxGradNorm: number | null;
}

/** The global L2 norm of `grad` and the factor that brings it to at most maxNorm (1 when maxNorm is null). */
export function clipCoefficient(grad: Float32Array, maxNorm: number | null, length = grad.length): number {
  if (maxNorm === null) return 1;
  let sq = 0;
  for (let i = 0; i < length; i++) sq += grad[i] * grad[i];
  return clipFactor(sq, maxNorm);
}

/** torch's clip_grad_norm_ factor from the gradient's sum of squares: maxNorm / (norm + 1e-6), at most 1. */
export function clipFactor(sumSquares: number, maxNorm: number | null): number {
  if (maxNorm === null) return 1;
  const coef = maxNorm / (Math.sqrt(sumSquares) + 1e-6);
  return coef < 1 ? coef : 1;
}

abstract class FlatBase implements FlatOptimizer {
  protected t = 0;
  protected slots: Float32Array[];
  protected abstract readonly kind: 'adam' | 'rmsprop';

  constructor(protected readonly params: ParamSet, slotCount: number, protected readonly maxGradNorm: number | null) {
    if (maxGradNorm !== null && !(maxGradNorm > 0)) throw new ConfigError(`Expected maxGradNorm > 0 or null, but got ${maxGradNorm}.`);
    this.slots = Array.from({ length: slotCount }, () => new Float32Array(params.size));
  }

  get stepCount(): number {
    return this.t;
  }

  step(grad: Float32Array, learningRate: number): void {
    if (grad.length < this.params.size) throw new ConfigError(`Expected a gradient of length ${this.params.size}, but got ${grad.length}.`);
    this.t++;
    const trainable = this.params.trainable;
    if (trainable) for (let i = 0; i < trainable.length; i++) if (!trainable[i]) grad[i] = 0;
    this.update(grad, clipCoefficient(grad, this.maxGradNorm, this.params.size), learningRate);
    this.params.refresh();
  }

  protected abstract update(grad: Float32Array, scale: number, learningRate: number): void;

  getState(): OptimizerState {
    return { kind: this.kind, t: this.t, slots: this.slots.map((s) => s.slice()) };
  }

  setState(state: OptimizerState): void {
    if (state.kind !== this.kind || state.slots.length !== this.slots.length) {
      throw new ConfigError(`Expected ${this.kind} optimizer state with ${this.slots.length} slots, but got ${state.kind} with ${state.slots.length}.`);
    }
    state.slots.forEach((values, i) => {
      if (values.length !== this.params.size) throw new ConfigError(`Expected optimizer slots of length ${this.params.size}, but got ${values.length}.`);
      this.slots[i].set(values);
    });
    this.t = state.t;
  }
}

/** torch.optim.Adam (no weight decay, no amsgrad). */
export class FlatAdam extends FlatBase {
  protected readonly kind = 'adam' as const;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;

  constructor(params: ParamSet, opts: { beta1?: number; beta2?: number; eps?: number; maxGradNorm?: number | null } = {}) {
    super(params, 2, opts.maxGradNorm ?? null);
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
  }

  protected update(grad: Float32Array, scale: number, lr: number): void {
    const { beta1: b1, beta2: b2, eps } = this;
    const [m, v] = this.slots;
    const p = this.params.flat;
    const stepSize = lr / (1 - b1 ** this.t);
    const bc2Sqrt = Math.sqrt(1 - b2 ** this.t);
    for (let i = 0; i < p.length; i++) {
      const g = grad[i] * scale;
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      p[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / bc2Sqrt + eps);
    }
  }
}

/** torch.optim.RMSprop (no momentum, not centred): SB3's A2C optimizer with alpha 0.99, eps 1e-5. */
export class FlatRmsProp extends FlatBase {
  protected readonly kind = 'rmsprop' as const;
  private readonly alpha: number;
  private readonly eps: number;

  constructor(params: ParamSet, opts: { alpha?: number; eps?: number; maxGradNorm?: number | null } = {}) {
    super(params, 1, opts.maxGradNorm ?? null);
    this.alpha = opts.alpha ?? 0.99;
    this.eps = opts.eps ?? 1e-8;
  }

  protected update(grad: Float32Array, scale: number, lr: number): void {
    const { alpha, eps } = this;
    const [v] = this.slots;
    const p = this.params.flat;
    for (let i = 0; i < p.length; i++) {
      const g = grad[i] * scale;
      v[i] = alpha * v[i] + (1 - alpha) * g * g;
      p[i] -= (lr * g) / (Math.sqrt(v[i]) + eps);
    }
  }
}

/** The FlatOptimizer a spec describes, over `params`. */
export function createFlatOptimizer(params: ParamSet, spec: OptimizerSpec): FlatAdam | FlatRmsProp {
  return spec.kind === 'adam'
    ? new FlatAdam(params, { eps: spec.eps, maxGradNorm: spec.maxGradNorm })
    : new FlatRmsProp(params, { alpha: spec.alpha ?? 0.99, eps: spec.eps, maxGradNorm: spec.maxGradNorm });
}
