import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/nn/backend.js';
import { ParamSet } from '../../src/nn/params.js';
import { Mlp } from '../../src/nn/mlp.js';
import { jsLoss } from '../../src/nn/js-loss.js';
import { leanForward, leanGradient } from '../../src/nn/lean-mlp.js';
import { Rng } from '../../src/core/rng.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function relu(hidden: number[], outputDim: number) {
  const params = new ParamSet();
  const mlp = new Mlp({ name: 'q', inputDim: 4, hiddenSizes: hidden, outputDim, activation: 'relu', init: 'torch', hiddenGain: 1, outputGain: 1 }, params, new Rng(3).fork('init'));
  params.build();
  return { params, mlp };
}

describe('lean relu MLP forward/backward', () => {
  it('matches Mlp.apply and ParamSet.gradient with jsLoss bit for bit, and leaks no tensors', () => {
    const { params, mlp } = relu([32, 16], 3);
    const rng = new Rng(4);
    const rows = 24;
    const x = Float32Array.from({ length: rows * 4 }, () => rng.normal());
    // Huber-like loss on one output per row, so some rows have zero gradient in some outputs.
    const compute = (out: Float32Array, grad: Float32Array): number => {
      let total = 0;
      for (let j = 0; j < rows; j++) {
        const at = j * 3 + (j % 3);
        const err = out[at] - 0.5;
        total += 0.5 * err * err;
        grad[at] = err / rows;
      }
      return total / rows;
    };
    const before = tf.memory().numTensors;
    const reference = params.gradient((...views: tf.Tensor[]) => jsLoss(mlp.apply(tf.tensor2d(x, [rows, 4]), params, views), compute)).slice(0, params.size);
    const lean = leanGradient(mlp, params, x, rows, compute);
    expect(Array.from(lean)).toEqual(Array.from(reference));
    expect(reference.some((g) => g !== 0)).toBe(true);

    const out = tf.tidy(() => mlp.apply(tf.tensor2d(x, [rows, 4]), params));
    const expected = out.dataSync().slice();
    out.dispose();
    expect(Array.from(leanForward(mlp, params, x, rows))).toEqual(Array.from(expected));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a tanh network', () => {
    const params = new ParamSet();
    const mlp = new Mlp({ name: 'pi', inputDim: 4, hiddenSizes: [8], outputDim: 2, activation: 'tanh', init: 'orthogonal', hiddenGain: 1, outputGain: 1 }, params, new Rng(0));
    params.build();
    expect(() => leanForward(mlp, params, new Float32Array(4), 1)).toThrow(/Expected a relu Mlp for the lean forward\/backward, but got tanh\./);
  });
});
