/**
 * The `wasm-simd` engine of QNet (q-net.ts): one WasmMlp arena (src/nn/wasm-mlp.ts) holding two weight
 * sets, the online net (0) and the target net (1), with Adam on the online one (src/nn/wasm-optimizer.ts).
 * The arena is sized for 256 rows and rebuilt larger when a minibatch has more; forward passes over more
 * rows (a training round's target pass) run in chunks.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../src/core/rng.js';
import { DataError } from '../../src/core/errors.js';
import { initBias, initKernel } from '../../src/nn/init.js';
import { denseLayersModel } from '../../src/nn/mlp.js';
import { WasmMlp } from '../../src/nn/wasm-mlp.js';
import { WasmOptimizer } from '../../src/nn/wasm-optimizer.js';
import type { LossHead } from './policy-value-net.js';
import type { QNet, QNetOptions, QNetRole } from './q-net.js';

const INITIAL_ROWS = 256;
const SET: Record<QNetRole, number> = { online: 0, target: 1 };

export class WasmQNet implements QNet {
  readonly engine = 'wasm-simd' as const;
  readonly optimizer: WasmOptimizer;
  private net: WasmMlp;
  private pending = false;

  /** Both nets start from the draws of `rng.fork('init')`, layer by layer (kernel, then bias), as the tfjs engine's. */
  constructor(readonly options: QNetOptions, rng: Rng) {
    this.net = this.build(INITIAL_ROWS);
    const draws = rng.fork('init');
    const sizes = [options.obsDim, ...options.hidden, options.numActions];
    const flat = new Float32Array(this.net.size);
    this.net.layers.forEach((layer, i) => {
      const gain = i === sizes.length - 2 ? 1 : options.init === 'orthogonal' ? Math.SQRT2 : 1;
      flat.set(initKernel(options.init, layer.inDim, layer.outDim, gain, draws), layer.kernel);
      flat.set(initBias(options.init, layer.inDim, layer.outDim, draws), layer.bias);
    });
    this.net.setWeights(flat, SET.online);
    this.net.setWeights(flat, SET.target);
    this.optimizer = new WasmOptimizer(() => [this.net], { kind: 'adam', eps: 1e-8, maxGradNorm: options.maxGradNorm });
  }

  private build(maxRows: number): WasmMlp {
    const o = this.options;
    return new WasmMlp({ inputDim: o.obsDim, hiddenSizes: o.hidden, outputDim: o.numActions, activation: o.activation, maxRows, weightSets: 2, optimizerSlots: 2 });
  }

  /** Rebuilds the arena for at least `rows` rows, keeping both weight sets and the optimizer slots. */
  private ensureRows(rows: number): void {
    if (rows <= this.net.maxRows) return;
    const old = this.net;
    const grown = this.build(Math.max(rows, 2 * old.maxRows));
    for (const set of [SET.online, SET.target]) grown.setWeights(old.getWeights(set), set);
    grown.setSlots(old.getSlots());
    old.dispose();
    this.net = grown;
  }

  qValues(role: QNetRole, obs: Float32Array, rows: number): Float32Array {
    const D = this.options.obsDim;
    const nA = this.options.numActions;
    const out = new Float32Array(rows * nA);
    const chunk = this.net.maxRows;
    for (let start = 0; start < rows; start += chunk) {
      const m = Math.min(chunk, rows - start);
      this.net.input(m).set(obs.subarray(start * D, (start + m) * D));
      out.set(this.net.forward(m, SET[role]), start * nA);
    }
    return out;
  }

  gradient(obs: Float32Array, rows: number, lossHead: LossHead): void {
    this.ensureRows(rows);
    this.net.input(rows).set(obs.subarray(0, rows * this.options.obsDim));
    const q = this.net.forward(rows, SET.online);
    const dq = this.net.outputGradient(rows);
    dq.fill(0);
    lossHead(q, dq);
    this.net.backward(rows);
    this.pending = true;
  }

  step(lr: number): void {
    if (!this.pending) throw new DataError('Expected gradient() before step(), but no gradient is pending.');
    this.optimizer.step(lr);
    this.pending = false;
  }

  syncTarget(): void {
    this.net.copyWeights(SET.online, SET.target);
  }

  getWeights(role: QNetRole): Float32Array {
    return this.net.getWeights(SET[role]);
  }

  setWeights(role: QNetRole, weights: Float32Array): void {
    if (weights.length !== this.net.size) throw new DataError(`Expected ${this.net.size} weights for the ${role} Q net, but got ${weights.length}.`);
    this.net.setWeights(weights, SET[role]);
  }

  layersModel(role: QNetRole): tf.Sequential {
    const flat = this.net.getWeights(SET[role]);
    const layers = this.net.layers.map((l) => ({ kernel: flat.slice(l.kernel, l.kernel + l.inDim * l.outDim), bias: flat.slice(l.bias, l.bias + l.outDim), outDim: l.outDim }));
    return denseLayersModel('q', this.options.obsDim, layers, this.options.activation);
  }

  dispose(): void {
    this.net.dispose();
  }
}
