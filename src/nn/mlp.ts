/**
 * A seeded multilayer perceptron whose weights live in a ParamSet, built from `denseLayer`, a dense op
 * with a hand-written gradient tuned for the wasm backend (see there).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng.js';
import { ConfigError } from '../core/errors.js';
import { initKernel, initBias, type InitName } from './init.js';
import type { ParamSet } from './params.js';

export type Activation = 'tanh' | 'relu';

export interface MlpOptions {
  /** Layer names prefix; weights are named `${name}_${i}/kernel` and `${name}_${i}/bias`. */
  name: string;
  inputDim: number;
  hiddenSizes: readonly number[];
  outputDim: number;
  activation: Activation;
  init: InitName;
  /** Gain of hidden-layer kernels (SB3: sqrt(2) for orthogonal init). */
  hiddenGain: number;
  /** Gain of the output kernel (SB3: 0.01 for the policy head, 1 for the value head). */
  outputGain: number;
}

export type LayerActivation = Activation | 'linear';

/** Which dense implementation to use; `builtin` is tfjs's own ops and gradients (kept for tests and benchmarks). */
let denseImpl: 'custom' | 'builtin' = 'custom';
export function setDenseImpl(impl: 'custom' | 'builtin'): void {
  denseImpl = impl;
}

/**
 * Requests the constants denseLayer needs for a [kernel, bias] pair: W^T always, and 2W, 2b for tanh.
 */
export function prepareDense(params: ParamSet, kernel: number, bias: number, activation: LayerActivation): void {
  params.derive(kernel, 'transpose');
  if (activation === 'tanh') {
    params.derive(kernel, 'double');
    params.derive(bias, 'double');
  } else {
    params.derive(kernel, 'batched');
  }
}

/**
 * The fused matMul KERNEL, called directly: tf.fused.matMul declines to fuse activations whenever a
 * gradient is being recorded, even inside a customGrad forward pass where nothing is taped.
 */
function fusedMatMul(x: tf.Tensor2D, w3d: tf.Tensor, bias: tf.Tensor, activation: 'linear' | 'relu' | 'sigmoid'): tf.Tensor2D {
  const [rows] = x.shape;
  const out = tf.engine().runKernel('_FusedMatMul', { a: tf.reshape(x, [1, rows, x.shape[1]]), b: w3d, bias }, { transposeA: false, transposeB: false, activation }) as tf.Tensor;
  return tf.reshape(out, [rows, w3d.shape[2]!]);
}

/**
 * activation(x @ W + b) as ONE differentiable op with a hand-written gradient, tuned for op count on the
 * wasm backend, where each kernel launch costs far more than the arithmetic of these small layers:
 *  - tanh(z) is computed as 2 * sigmoid(2z) - 1 with sigmoid fused into the matMul (XNNPACK has a
 *    vectorized sigmoid; tanh is a scalar loop), from the doubled weights ParamSet keeps uploaded;
 *  - the gradient uses W^T uploaded with the weights and an explicit transpose of x, because tfjs's own
 *    matMul gradient uses transposed operands, which the wasm backend runs several times slower;
 *  - the bias gradient is ones @ dz (a sum over axis 0 is a transpose plus a reduction there);
 *  - `inputGrad: false` (the first layer) skips dL/dx altogether.
 * `w` and `b` must be the ParamSet's views (or the tensors being differentiated in their place).
 */
export function denseLayer(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  b: tf.Tensor1D,
  params: ParamSet,
  kernel: number,
  bias: number,
  activation: LayerActivation,
  inputGrad: boolean,
): tf.Tensor2D {
  if (denseImpl === 'builtin') {
    const z = tf.add(tf.matMul(x, w), b) as tf.Tensor2D;
    return activation === 'tanh' ? tf.tanh(z) : activation === 'relu' ? tf.relu(z) : z;
  }
  const forward = (): tf.Tensor2D => {
    if (activation === 'tanh') {
      const s = fusedMatMul(x, params.derived(kernel, 'double'), params.derived(bias, 'double'), 'sigmoid');
      return tf.sub(tf.mul(s, 2), 1) as tf.Tensor2D;
    }
    return fusedMatMul(x, params.derived(kernel, 'batched'), b, activation);
  };
  const wT = params.derived(kernel, 'transpose') as tf.Tensor2D;
  const backward = (dy: tf.Tensor2D, y: tf.Tensor2D, sx: tf.Tensor2D): tf.Tensor[] => {
    const dz = activation === 'tanh' ? tf.mul(dy, tf.sub(1, tf.square(y))) : activation === 'relu' ? tf.mul(dy, tf.step(y)) : dy;
    const dW = tf.matMul(tf.transpose(sx), dz);
    const db = tf.reshape(tf.matMul(tf.ones([1, sx.shape[0]]), dz), [-1]);
    return inputGrad ? [tf.matMul(dz, wT), dW, db] : [dW, db];
  };
  // x is saved (not closed over): tfjs disposes the forward pass's intermediates before the backward pass.
  type Saved = [tf.Tensor2D, tf.Tensor2D];
  if (inputGrad) {
    const op = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const save = args[3] as tf.GradSaveFunc;
      const y = forward();
      save([y, x]);
      return { value: y, gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => backward(dy, ...(saved as Saved)) };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...t: tf.Tensor[]) => tf.Tensor2D;
    return op(x, w, b);
  }
  const op = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[2] as tf.GradSaveFunc;
    const y = forward();
    save([y, x]);
    return { value: y, gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => backward(dy, ...(saved as Saved)) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...t: tf.Tensor[]) => tf.Tensor2D;
  return op(w, b);
}

export class Mlp {
  /** Indices of [kernel, bias] pairs in the ParamSet, layer by layer. */
  readonly layers: Array<{ kernel: number; bias: number; inDim: number; outDim: number }> = [];

  constructor(readonly options: MlpOptions, private readonly params: ParamSet, rng: Rng) {
    const { inputDim, hiddenSizes, outputDim } = options;
    for (const [what, v] of [['inputDim', inputDim], ['outputDim', outputDim], ...hiddenSizes.map((h) => ['hiddenSizes entry', h] as const)] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new ConfigError(`Expected ${what} to be a positive integer, but got ${v}.`);
    }
    const sizes = [inputDim, ...hiddenSizes, outputDim];
    for (let i = 0; i < sizes.length - 1; i++) {
      const gain = i === sizes.length - 2 ? options.outputGain : options.hiddenGain;
      const layerName = `${options.name}_${i}`;
      const kernel = params.add(`${layerName}/kernel`, [sizes[i], sizes[i + 1]], initKernel(options.init, sizes[i], sizes[i + 1], gain, rng));
      const bias = params.add(`${layerName}/bias`, [sizes[i + 1]], initBias(options.init, sizes[i], sizes[i + 1], rng));
      this.layers.push({ kernel, bias, inDim: sizes[i], outDim: sizes[i + 1] });
      prepareDense(params, kernel, bias, i === sizes.length - 2 ? 'linear' : options.activation);
    }
  }

  /**
   * Forward pass with the weights of `params` (this net's ParamSet, or another built with the same
   * layout, e.g. a target network). `views` default to params.views; pass the tensors being
   * differentiated in their place inside a gradient. The first layer computes no input gradient.
   */
  apply(x: tf.Tensor2D, params: ParamSet = this.params, views: readonly tf.Tensor[] = params.views): tf.Tensor2D {
    let h = x;
    const last = this.layers.length - 1;
    this.layers.forEach((layer, i) => {
      const activation = i < last ? this.options.activation : 'linear';
      h = denseLayer(h, views[layer.kernel] as tf.Tensor2D, views[layer.bias] as tf.Tensor1D, params, layer.kernel, layer.bias, activation, i > 0);
    });
    return h;
  }

  /** An equivalent tfjs LayersModel holding a copy of the current weights (for saving and export). */
  toLayersModel(params: ParamSet): tf.Sequential {
    const flat = params.flat;
    const slice = (index: number) => flat.slice(params.entries[index].offset, params.entries[index].offset + params.entries[index].size);
    return denseLayersModel(
      this.options.name,
      this.options.inputDim,
      this.layers.map((l) => ({ kernel: slice(l.kernel), bias: slice(l.bias), outDim: l.outDim })),
      this.options.activation,
    );
  }
}

/**
 * A tf.Sequential of dense layers named `${name}_${i}` with the given weights ([inDim, outDim] kernels,
 * row-major) and `activation` on every layer but the last: the standard tfjs form for saving and export.
 */
export function denseLayersModel(
  name: string,
  inputDim: number,
  layers: ReadonlyArray<{ kernel: Float32Array; bias: Float32Array; outDim: number }>,
  activation: Activation,
): tf.Sequential {
  const model = tf.sequential();
  let inDim = inputDim;
  const weights: tf.Tensor[] = [];
  layers.forEach((layer, i) => {
    model.add(
      tf.layers.dense({
        name: `${name}_${i}`,
        units: layer.outDim,
        inputShape: i === 0 ? [inputDim] : undefined,
        activation: i < layers.length - 1 ? activation : 'linear',
        // The weights are set just below; zeros skip tfjs's own (unseeded) random initialization.
        kernelInitializer: 'zeros',
      }),
    );
    weights.push(tf.tensor2d(layer.kernel, [inDim, layer.outDim]), tf.tensor1d(layer.bias));
    inDim = layer.outDim;
  });
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}
