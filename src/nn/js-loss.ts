/**
 * A loss computed in JavaScript on a network's output, as ONE differentiable tfjs op.
 *
 * The heads of RL losses (log-softmax, ratios, clipping, min, Huber, entropy, their gradients) are
 * ~100 tiny tensor ops on a [batch, actions] output; on the wasm backend each op's dispatch costs more
 * than the arithmetic of the whole head. `jsLoss` reads the output back once, lets `compute` fill in
 * dLoss/dOutput in a plain loop (float64 arithmetic), and feeds that gradient back into tfjs's backward
 * pass through the network: one read-back and one upload instead of ~100 kernels.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * `compute(values, grad)` gets the output's values (row-major) and a zeroed array of the same length to
 * fill with dLoss/dOutput; it returns the loss.
 */
export function jsLoss(out: tf.Tensor, compute: (values: Float32Array, grad: Float32Array) => number): tf.Scalar {
  const op = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor;
    const values = x.dataSync() as Float32Array;
    const grad = new Float32Array(values.length);
    const loss = compute(values, grad);
    return {
      value: tf.scalar(loss),
      gradFunc: (dy: tf.Tensor) => tf.mul(tf.tensor(grad, x.shape), dy),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Scalar;
  return op(out);
}

/**
 * Log-softmax of one row of `n` logits (at `offset` in `values`), restricted to allowed actions when a mask
 * row is given (an all-zero mask row is ignored). Writes log-probabilities into `logp` (-Infinity where
 * masked) and returns nothing; probabilities are exp(logp).
 */
export function rowLogSoftmax(values: ArrayLike<number>, offset: number, n: number, logp: Float64Array, mask?: ArrayLike<number> | null, maskOffset = 0): void {
  let any = false;
  if (mask) for (let k = 0; k < n; k++) if (mask[maskOffset + k]) any = true;
  const allowed = (k: number) => !mask || !any || mask[maskOffset + k] !== 0;
  let max = -Infinity;
  for (let k = 0; k < n; k++) if (allowed(k) && values[offset + k] > max) max = values[offset + k];
  let sum = 0;
  for (let k = 0; k < n; k++) if (allowed(k)) sum += Math.exp(values[offset + k] - max);
  const lse = max + Math.log(sum);
  for (let k = 0; k < n; k++) logp[k] = allowed(k) ? values[offset + k] - lse : -Infinity;
}
