/**
 * The `tfjs` engine of PolicyValueNet (policy-value-net.ts): the policy/value network pair of the
 * actor-critic learners as tfjs ops, SB3's separate `pi` and `vf` MLPs trained by one optimizer (a JS loop
 * over the flat weights, src/nn/optim.ts).
 *
 * When both nets have the same depth they run FUSED, as one MLP with block-diagonal weights: layer k maps
 * [pi_k | vf_k] to [pi_k+1 | vf_k+1] with the off-diagonal blocks held at exactly zero (ParamSet.trainable),
 * the first layer reads the shared observation, the last emits [logits | value]. The function computed,
 * the initial weights and every gradient are those of the two separate nets; the number of tensor ops
 * per forward/backward pass is halved, and op dispatch, not arithmetic, is what costs on these sizes.
 *
 * `forward` is the rollout path: ONE batched pass for all env members and ONE read-back of
 * [logits | value] per step. `gradient` is the training path: the loss head runs in JavaScript (jsLoss), so
 * a minibatch costs one read-back of the output and one upload of its gradient.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../src/core/rng.js';
import { DataError } from '../../src/core/errors.js';
import { ParamSet } from '../../src/nn/params.js';
import { denseLayer, prepareDense } from '../../src/nn/mlp.js';
import { policyLayersModel, readPolicyValue, savePolicyValue } from './policy-value-files.js';
import { jsLoss } from '../../src/nn/js-loss.js';
import { createFlatOptimizer, type FlatOptimizer, type OptimizerSpec } from '../../src/nn/optim.js';
import { initialWeights } from './initial-weights.js';
import type { ActorCriticOptions, LossHead, PolicyValueNet } from './policy-value-net.js';

/** Where one sub-net's block sits inside a layer: rows [r0, r0+rows), cols [c0, c0+cols). */
interface Block {
  r0: number;
  c0: number;
  rows: number;
  cols: number;
}

interface Layer {
  kernel: number;
  bias: number;
  inDim: number;
  outDim: number;
  /** The pi and vf blocks of this layer (in separate mode, each sub-net's layer is its own whole matrix). */
  pi: Block | null;
  vf: Block | null;
}

export class ActorCritic implements PolicyValueNet {
  readonly engine = 'tfjs' as const;
  readonly params = new ParamSet();
  readonly optimizer: FlatOptimizer;
  /** The last gradient() result, for step(). */
  private grad: Float32Array | null = null;
  /** True when pi and vf run as one block-diagonal MLP. */
  readonly fused: boolean;
  /** Fused: one chain. Separate: the pi chain then the vf chain. */
  private readonly chains: Layer[][] = [];

  constructor(readonly options: ActorCriticOptions, optimizer: OptimizerSpec, rng: Rng) {
    const { obsDim, numActions: nA, piHidden, vfHidden } = options;
    const piSizes = [obsDim, ...piHidden, nA];
    const vfSizes = [obsDim, ...vfHidden, 1];
    const { pi, vf } = initialWeights(options, rng);
    const [piKernels, piBiases, vfKernels, vfBiases] = [pi.map((l) => l.kernel), pi.map((l) => l.bias), vf.map((l) => l.kernel), vf.map((l) => l.bias)];
    this.fused = piHidden.length === vfHidden.length;

    if (this.fused) {
      const chain: Layer[] = [];
      const trainableParts: Array<{ size: number; mask: Uint8Array | null }> = [];
      for (let i = 0; i < piKernels.length; i++) {
        const inDim = i === 0 ? obsDim : piSizes[i] + vfSizes[i];
        const outDim = piSizes[i + 1] + vfSizes[i + 1];
        const pi: Block = { r0: 0, c0: 0, rows: piSizes[i], cols: piSizes[i + 1] };
        // Layer 0 reads the whole observation for both nets; deeper vf blocks read the vf half.
        const vf: Block = { r0: i === 0 ? 0 : piSizes[i], c0: piSizes[i + 1], rows: vfSizes[i], cols: vfSizes[i + 1] };
        const kernel = new Float32Array(inDim * outDim);
        const mask = new Uint8Array(inDim * outDim);
        writeBlock(kernel, outDim, pi, piKernels[i], mask);
        writeBlock(kernel, outDim, vf, vfKernels[i], mask);
        const bias = new Float32Array(outDim);
        bias.set(piBiases[i], pi.c0);
        bias.set(vfBiases[i], vf.c0);
        chain.push({ kernel: this.params.add(`ac_${i}/kernel`, [inDim, outDim], kernel), bias: this.params.add(`ac_${i}/bias`, [outDim], bias), inDim, outDim, pi, vf });
        trainableParts.push({ size: kernel.length, mask }, { size: outDim, mask: null });
      }
      this.chains.push(chain);
      chain.forEach((layer, i) => prepareDense(this.params, layer.kernel, layer.bias, this.activationOf(chain, i)));
      this.params.build();
      this.params.trainable = new Uint8Array(this.params.size).fill(1);
      let at = 0;
      for (const part of trainableParts) {
        if (part.mask) this.params.trainable.set(part.mask, at);
        at += part.size;
      }
    } else {
      for (const [name, sizes, kernels, biases] of [['pi', piSizes, piKernels, piBiases], ['vf', vfSizes, vfKernels, vfBiases]] as const) {
        this.chains.push(
          kernels.map((k, i) => {
            const whole: Block = { r0: 0, c0: 0, rows: sizes[i], cols: sizes[i + 1] };
            const kernel = this.params.add(`${name}_${i}/kernel`, [sizes[i], sizes[i + 1]], k);
            const bias = this.params.add(`${name}_${i}/bias`, [sizes[i + 1]], biases[i]);
            return { kernel, bias, inDim: sizes[i], outDim: sizes[i + 1], pi: name === 'pi' ? whole : null, vf: name === 'vf' ? whole : null };
          }),
        );
      }
      for (const chain of this.chains) chain.forEach((layer, i) => prepareDense(this.params, layer.kernel, layer.bias, this.activationOf(chain, i)));
      this.params.build();
    }
    this.optimizer = createFlatOptimizer(this.params, optimizer);
  }

  private activationOf(chain: Layer[], i: number): 'tanh' | 'relu' | 'linear' {
    return i < chain.length - 1 ? this.options.activation : 'linear';
  }

  private run(chain: Layer[], x: tf.Tensor2D, views: readonly tf.Tensor[]): tf.Tensor2D {
    let h = x;
    chain.forEach((layer, i) => {
      h = denseLayer(h, views[layer.kernel] as tf.Tensor2D, views[layer.bias] as tf.Tensor1D, this.params, layer.kernel, layer.bias, this.activationOf(chain, i), i > 0);
    });
    return h;
  }

  /** [logits | value] for a batch, as one [B, numActions + 1] tensor (the training path's output). */
  output(x: tf.Tensor2D, views: readonly tf.Tensor[]): tf.Tensor2D {
    if (this.fused) return this.run(this.chains[0], x, views);
    return tf.concat([this.run(this.chains[0], x, views), this.run(this.chains[1], x, views)], 1);
  }

  private input(obs: Float32Array, rows: number): tf.Tensor2D {
    return tf.tensor2d(obs.subarray(0, rows * this.options.obsDim), [rows, this.options.obsDim]);
  }

  /** Logits (rows * numActions) and values (rows) for `rows` observations, read back once. */
  forward(obs: Float32Array, rows: number, logits: Float32Array, values: Float32Array): void {
    const n = this.options.numActions;
    const out = tf.tidy(() => this.output(this.input(obs, rows), this.params.views));
    const data = out.dataSync() as Float32Array;
    out.dispose();
    for (let r = 0; r < rows; r++) {
      for (let a = 0; a < n; a++) logits[r * n + a] = data[r * (n + 1) + a];
      values[r] = data[r * (n + 1) + n];
    }
  }

  /** Values only (for bootstrapping after a rollout). */
  values(obs: Float32Array, rows: number, out: Float32Array): void {
    const logits = new Float32Array(rows * this.options.numActions);
    this.forward(obs, rows, logits, out);
  }

  /** Logits only (for act()). */
  logits(obs: Float32Array, rows: number): Float32Array {
    const logits = new Float32Array(rows * this.options.numActions);
    this.forward(obs, rows, logits, new Float32Array(rows));
    return logits;
  }

  gradient(obs: Float32Array, rows: number, lossHead: LossHead): void {
    this.grad = this.params.gradient((...views: tf.Tensor[]) => jsLoss(this.output(this.input(obs, rows), views), lossHead));
  }

  step(lr: number): void {
    if (!this.grad) throw new DataError('Expected gradient() before step(), but no gradient has been computed.');
    this.optimizer.step(this.grad, lr);
    this.grad = null;
  }

  getWeights(): Float32Array {
    return this.params.read();
  }

  setWeights(weights: Float32Array): void {
    this.params.assign(weights);
  }

  /** One sub-net's layers as plain arrays ([inDim, outDim] kernels), whatever the layout (fused or not). */
  subnet(which: 'pi' | 'vf'): Array<{ kernel: Float32Array; bias: Float32Array; outDim: number }> {
    const chain = this.fused ? this.chains[0] : this.chains[which === 'pi' ? 0 : 1];
    const flat = this.params.flat;
    return chain.map((layer) => {
      const block = layer[which]!;
      const k = this.params.entries[layer.kernel];
      const b = this.params.entries[layer.bias];
      const kernel = new Float32Array(block.rows * block.cols);
      for (let r = 0; r < block.rows; r++) {
        const from = k.offset + (block.r0 + r) * layer.outDim + block.c0;
        kernel.set(flat.subarray(from, from + block.cols), r * block.cols);
      }
      return { kernel, bias: flat.slice(b.offset + block.c0, b.offset + block.c0 + block.cols), outDim: block.cols };
    });
  }

  policyModel(): tf.Sequential {
    return policyLayersModel(this);
  }

  async save(dir: string): Promise<void> {
    await savePolicyValue(dir, this);
  }

  async load(dir: string): Promise<void> {
    const saved = await readPolicyValue(dir, this.options);
    const flat = this.params.read();
    for (const which of ['pi', 'vf'] as const) {
      const chain = this.fused ? this.chains[0] : this.chains[which === 'pi' ? 0 : 1];
      chain.forEach((layer, i) => {
        const block = layer[which]!;
        const { kernel, bias } = saved[which][i];
        const k = this.params.entries[layer.kernel];
        for (let r = 0; r < block.rows; r++) flat.set(kernel.subarray(r * block.cols, (r + 1) * block.cols), k.offset + (block.r0 + r) * layer.outDim + block.c0);
        flat.set(bias, this.params.entries[layer.bias].offset + block.c0);
      });
    }
    this.params.assign(flat);
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** Copies a [rows, cols] kernel into its block of a [*, stride] matrix and marks it trainable. */
function writeBlock(target: Float32Array, stride: number, block: Block, values: Float32Array, mask: Uint8Array): void {
  for (let r = 0; r < block.rows; r++) {
    for (let c = 0; c < block.cols; c++) {
      const at = (block.r0 + r) * stride + block.c0 + c;
      target[at] = values[r * block.cols + c];
      mask[at] = 1;
    }
  }
}
