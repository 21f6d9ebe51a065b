/**
 * The `wasm-simd` engine of PolicyValueNet (policy-value-net.ts): the policy and value MLPs as two
 * WasmMlp arenas (src/nn/wasm-mlp.ts), one optimizer over both (src/nn/wasm-optimizer.ts).
 *
 * The nets run separately, not fused block-diagonally as on tfjs: in the kernels a zero block costs its
 * full arithmetic, while the tfjs engine fuses to halve kernel launches. The loss head sees the same
 * [logits | value] rows either way: the two outputs are interleaved into one array before it runs and its
 * gradient is split back. Arenas are sized for 256 rows and rebuilt larger (weights and optimizer state
 * kept) when a minibatch has more rows; forward passes over more rows than that run in chunks.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../src/core/rng.js';
import { DataError } from '../../src/core/errors.js';
import type { OptimizerSpec } from '../../src/nn/optim.js';
import { WasmMlp } from '../../src/nn/wasm-mlp.js';
import { WasmOptimizer } from '../../src/nn/wasm-optimizer.js';
import { initialWeights, type InitialLayer } from './initial-weights.js';
import { policyLayersModel, readPolicyValue, savePolicyValue, type LayerWeights } from './policy-value-files.js';
import type { ActorCriticOptions, LossHead, PolicyValueNet } from './policy-value-net.js';

const INITIAL_ROWS = 256;

export class WasmActorCritic implements PolicyValueNet {
  readonly engine = 'wasm-simd' as const;
  readonly optimizer: WasmOptimizer;
  private pi: WasmMlp;
  private vf: WasmMlp;
  /** [logits | value] rows and their gradient, for the loss head (grown with the minibatch). */
  private joined = new Float32Array(0);
  private joinedGrad = new Float32Array(0);
  private pending = false;

  constructor(readonly options: ActorCriticOptions, optimizer: OptimizerSpec, rng: Rng) {
    const { pi, vf } = initialWeights(options, rng);
    const slots = WasmOptimizer.slotsFor(optimizer);
    this.pi = this.build('pi', INITIAL_ROWS, slots);
    this.vf = this.build('vf', INITIAL_ROWS, slots);
    this.pi.setWeights(flatten(pi));
    this.vf.setWeights(flatten(vf));
    this.optimizer = new WasmOptimizer(() => [this.pi, this.vf], optimizer);
  }

  private build(which: 'pi' | 'vf', maxRows: number, slots: number): WasmMlp {
    const o = this.options;
    return new WasmMlp({
      inputDim: o.obsDim,
      hiddenSizes: which === 'pi' ? o.piHidden : o.vfHidden,
      outputDim: which === 'pi' ? o.numActions : 1,
      activation: o.activation,
      maxRows,
      optimizerSlots: slots,
    });
  }

  /** Rebuilds both arenas for at least `rows` rows, keeping weights and optimizer slots. */
  private ensureRows(rows: number): void {
    if (rows <= this.pi.maxRows) return;
    const maxRows = Math.max(rows, 2 * this.pi.maxRows);
    const slots = WasmOptimizer.slotsFor(this.optimizer.spec);
    for (const which of ['pi', 'vf'] as const) {
      const old = this[which];
      const grown = this.build(which, maxRows, slots);
      grown.setWeights(old.getWeights());
      grown.setSlots(old.getSlots());
      old.dispose();
      this[which] = grown;
    }
  }

  forward(obs: Float32Array, rows: number, logits: Float32Array, values: Float32Array): void {
    const D = this.options.obsDim;
    const nA = this.options.numActions;
    const chunk = this.pi.maxRows;
    for (let start = 0; start < rows; start += chunk) {
      const m = Math.min(chunk, rows - start);
      const x = obs.subarray(start * D, (start + m) * D);
      this.pi.input(m).set(x);
      logits.set(this.pi.forward(m), start * nA);
      this.vf.input(m).set(x);
      values.set(this.vf.forward(m), start);
    }
  }

  values(obs: Float32Array, rows: number, out: Float32Array): void {
    this.forward(obs, rows, new Float32Array(rows * this.options.numActions), out);
  }

  logits(obs: Float32Array, rows: number): Float32Array {
    const logits = new Float32Array(rows * this.options.numActions);
    this.forward(obs, rows, logits, new Float32Array(rows));
    return logits;
  }

  gradient(obs: Float32Array, rows: number, lossHead: LossHead): void {
    this.ensureRows(rows);
    const D = this.options.obsDim;
    const nA = this.options.numActions;
    const width = nA + 1;
    if (this.joined.length < rows * width) {
      this.joined = new Float32Array(rows * width);
      this.joinedGrad = new Float32Array(rows * width);
    }
    const x = obs.subarray(0, rows * D);
    this.pi.input(rows).set(x);
    this.vf.input(rows).set(x);
    const logits = this.pi.forward(rows);
    const values = this.vf.forward(rows);
    const joined = this.joined.subarray(0, rows * width);
    const grad = this.joinedGrad.subarray(0, rows * width);
    for (let r = 0; r < rows; r++) {
      for (let a = 0; a < nA; a++) joined[r * width + a] = logits[r * nA + a];
      joined[r * width + nA] = values[r];
    }
    grad.fill(0);
    lossHead(joined, grad);
    const dLogits = this.pi.outputGradient(rows);
    const dValues = this.vf.outputGradient(rows);
    for (let r = 0; r < rows; r++) {
      for (let a = 0; a < nA; a++) dLogits[r * nA + a] = grad[r * width + a];
      dValues[r] = grad[r * width + nA];
    }
    this.pi.backward(rows);
    this.vf.backward(rows);
    this.pending = true;
  }

  step(lr: number): void {
    if (!this.pending) throw new DataError('Expected gradient() before step(), but no gradient is pending.');
    this.optimizer.step(lr);
    this.pending = false;
  }

  /** Policy weights then value weights, each in the canonical layout. */
  getWeights(): Float32Array {
    const out = new Float32Array(this.pi.size + this.vf.size);
    out.set(this.pi.getWeights());
    out.set(this.vf.getWeights(), this.pi.size);
    return out;
  }

  setWeights(weights: Float32Array): void {
    if (weights.length !== this.pi.size + this.vf.size) throw new DataError(`Expected ${this.pi.size + this.vf.size} weights, but got ${weights.length}.`);
    this.pi.setWeights(weights.subarray(0, this.pi.size));
    this.vf.setWeights(weights.subarray(this.pi.size));
  }

  subnet(which: 'pi' | 'vf'): Array<{ kernel: Float32Array; bias: Float32Array; outDim: number }> {
    const net = this[which];
    const flat = net.getWeights();
    return net.layers.map((layer) => ({
      kernel: flat.slice(layer.kernel, layer.kernel + layer.inDim * layer.outDim),
      bias: flat.slice(layer.bias, layer.bias + layer.outDim),
      outDim: layer.outDim,
    }));
  }

  policyModel(): tf.Sequential {
    return policyLayersModel(this);
  }

  async save(dir: string): Promise<void> {
    await savePolicyValue(dir, this);
  }

  async load(dir: string): Promise<void> {
    const saved = await readPolicyValue(dir, this.options);
    this.pi.setWeights(flatten(saved.pi));
    this.vf.setWeights(flatten(saved.vf));
  }

  dispose(): void {
    this.pi.dispose();
    this.vf.dispose();
  }
}

/** Layers (kernel then bias, layer by layer) as one canonical flat array. */
function flatten(layers: ReadonlyArray<InitialLayer | LayerWeights>): Float32Array {
  const out = new Float32Array(layers.reduce((n, l) => n + l.kernel.length + l.bias.length, 0));
  let at = 0;
  for (const l of layers) {
    out.set(l.kernel, at);
    at += l.kernel.length;
    out.set(l.bias, at);
    at += l.bias.length;
  }
  return out;
}
