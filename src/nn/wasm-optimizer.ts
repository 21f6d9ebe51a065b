/**
 * One optimizer over the weights of several WasmMlp arenas (the policy and value nets of an actor-critic),
 * as FlatAdam / FlatRmsProp do over one ParamSet: torch's update rules, the global-norm clip computed over
 * all of them (sums of squares in float64, added in net order), the update itself in the SIMD kernels.
 * State (step count, moment slots) is saved as one flat array per slot, the nets' slots in net order.
 */
import { ConfigError } from '../core/errors.js';
import { clipFactor, type OptimizerSpec, type OptimizerState, type StatefulOptimizer } from './optim.js';
import type { WasmMlp } from './wasm-mlp.js';

/** Adam's betas (torch's defaults; no config asks for others). */
const BETA1 = 0.9;
const BETA2 = 0.999;

export class WasmOptimizer implements StatefulOptimizer {
  private t = 0;

  /** `nets()` returns the current arenas (a trainer may rebuild them larger). */
  constructor(private readonly nets: () => readonly WasmMlp[], readonly spec: OptimizerSpec) {
    if (spec.maxGradNorm !== null && !(spec.maxGradNorm > 0)) throw new ConfigError(`Expected maxGradNorm > 0 or null, but got ${spec.maxGradNorm}.`);
  }

  /** Number of moment slots per weight (Adam 2, RMSprop 1). */
  static slotsFor(spec: OptimizerSpec): number {
    return spec.kind === 'adam' ? 2 : 1;
  }

  get stepCount(): number {
    return this.t;
  }

  /** One update of every net from its current gradient. */
  step(lr: number): void {
    const nets = this.nets();
    let sq = 0;
    for (const net of nets) sq += net.gradientSumSquares();
    const scale = clipFactor(sq, this.spec.maxGradNorm);
    this.t++;
    for (const net of nets) {
      if (this.spec.kind === 'adam') net.adamStep(lr, BETA1, BETA2, this.spec.eps, this.t, scale);
      else net.rmspropStep(lr, this.spec.alpha ?? 0.99, this.spec.eps, scale);
    }
  }

  getState(): OptimizerState {
    const perNet = this.nets().map((net) => net.getSlots());
    const slots = Array.from({ length: WasmOptimizer.slotsFor(this.spec) }, (_, s) => concat(perNet.map((netSlots) => netSlots[s])));
    return { kind: this.spec.kind, t: this.t, slots };
  }

  setState(state: OptimizerState): void {
    const nets = this.nets();
    const total = nets.reduce((n, net) => n + net.size, 0);
    const count = WasmOptimizer.slotsFor(this.spec);
    if (state.kind !== this.spec.kind || state.slots.length !== count || state.slots.some((s) => s.length !== total)) {
      throw new ConfigError(
        `Expected ${this.spec.kind} optimizer state with ${count} slots of ${total} values (the wasm-simd engine's layout), but got ${state.kind} with ${state.slots.length} slots of ${state.slots.map((s) => s.length).join(', ')} values.`,
      );
    }
    let at = 0;
    for (const net of nets) {
      net.setSlots(state.slots.map((slot) => slot.subarray(at, at + net.size)));
      at += net.size;
    }
    this.t = state.t;
  }
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
