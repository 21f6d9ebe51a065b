/**
 * Forward pass and hand-chained backward pass of a ReLU `Mlp` without tfjs's gradient tape, for
 * learners that take many small gradient steps (DQN: 128 per round on 64-row batches).
 *
 * `Mlp.apply` under `tf.valueAndGrads` runs ~45 kernels per step (reshapes around each fused matMul,
 * the tape's bookkeeping, a reshape per gradient and a concat); here the activations stay
 * [1, rows, n] from the input upload on, so the chain is one fused matMul per layer forward and,
 * backward, the same kernels Mlp's denseLayer gradient uses (relu mask, x^T dz, ones dz, dz W^T),
 * ~16 kernels in all; each gradient is read back on its own (no reshape + concat).
 * Measured gain is modest: for DQN's [4, 256, 256, 2] net on 64 rows, 1.79 -> 1.69 ms per gradient
 * step (wasm, 1 thread): the matMuls themselves dominate, not the launches.
 * The values are bit-identical to `Mlp.apply` and `ParamSet.gradient` with `jsLoss` (same kernels on
 * the same operands; a test checks it).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors.js';
import type { Mlp } from './mlp.js';
import type { ParamSet } from './params.js';

function checkRelu(mlp: Mlp): void {
  if (mlp.options.activation !== 'relu') throw new ConfigError(`Expected a relu Mlp for the lean forward/backward, but got ${mlp.options.activation}.`);
}

/** The fused matMul kernel on [1, rows, in] activations: [1, rows, out]. */
function fused(x: tf.Tensor, w3d: tf.Tensor, bias: tf.Tensor, activation: 'relu' | 'linear'): tf.Tensor {
  return tf.engine().runKernel('_FusedMatMul', { a: x, b: w3d, bias }, { transposeA: false, transposeB: false, activation }) as tf.Tensor;
}

/** Activations of every layer (input first, output last), all [1, rows, n]. Call inside tf.tidy. */
function forwardAll(mlp: Mlp, params: ParamSet, x: Float32Array, rows: number): tf.Tensor[] {
  const inDim = mlp.options.inputDim;
  const acts: tf.Tensor[] = [tf.tensor3d(x.subarray(0, rows * inDim), [1, rows, inDim])];
  const last = mlp.layers.length - 1;
  mlp.layers.forEach((layer, i) => {
    acts.push(fused(acts[i], params.derived(layer.kernel, 'batched'), params.views[layer.bias], i < last ? 'relu' : 'linear'));
  });
  return acts;
}

/** Outputs ([rows, outputDim], row-major) of `rows` inputs (row-major in `x`) under `params`, read back once. */
export function leanForward(mlp: Mlp, params: ParamSet, x: Float32Array, rows: number): Float32Array {
  checkRelu(mlp);
  let out: Float32Array | null = null;
  tf.tidy(() => {
    const acts = forwardAll(mlp, params, x, rows);
    out = acts[acts.length - 1].dataSync() as Float32Array;
  });
  return out!;
}

/**
 * dLoss/dParams (entry order, as ParamSet.readGradient) for a loss computed in JavaScript on the output:
 * `compute(values, grad)` gets the [rows, outputDim] outputs and a zeroed array to fill with dLoss/dOutput,
 * and returns the loss (as jsLoss). Writes the gradient into `into` (length >= params.size) and returns it.
 */
export function leanGradient(
  mlp: Mlp,
  params: ParamSet,
  x: Float32Array,
  rows: number,
  compute: (values: Float32Array, grad: Float32Array) => number,
  into: Float32Array = new Float32Array(params.size),
): Float32Array {
  checkRelu(mlp);
  if (into.length < params.size) throw new ConfigError(`Expected a gradient array of length >= ${params.size}, but got ${into.length}.`);
  tf.tidy(() => {
    const acts = forwardAll(mlp, params, x, rows);
    const out = acts[acts.length - 1];
    const values = out.dataSync() as Float32Array;
    const dOut = new Float32Array(values.length);
    compute(values, dOut);
    const ones = tf.ones([1, 1, rows]);
    let dy: tf.Tensor = tf.tensor3d(dOut, out.shape as [number, number, number]);
    for (let i = mlp.layers.length - 1; i >= 0; i--) {
      const layer = mlp.layers[i];
      const y = acts[i + 1];
      const x = acts[i];
      // Hidden layers are relu: dz = dy * step(y) (step(0) = 0, as relu's gradient in tfjs and torch).
      const dz = i < mlp.layers.length - 1 ? tf.mul(dy, tf.step(y)) : dy;
      const dW = tf.matMul(tf.transpose(x, [0, 2, 1]), dz);
      const db = tf.matMul(ones, dz);
      into.set(dW.dataSync() as Float32Array, params.entries[layer.kernel].offset);
      into.set(db.dataSync() as Float32Array, params.entries[layer.bias].offset);
      if (i > 0) dy = tf.matMul(dz, params.derived(layer.kernel, 'transpose'));
    }
  });
  return into;
}
