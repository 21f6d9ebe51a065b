/**
 * Weight initializers computed in JavaScript from an Rng, so the initial weights depend only on the seed,
 * never on the tfjs backend or on tfjs's own random state. Layout is [fanIn, fanOut], as tfjs dense kernels.
 */
import type { Rng } from '../core/rng.js';

/**
 * `orthogonal` (SB3's ortho_init for actor-critic nets), `glorot` (uniform), or `torch`: PyTorch's
 * nn.Linear default, kaiming-uniform with a = sqrt(5), i.e. U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weights
 * and biases alike (what SB3's DQN Q-network gets).
 */
export type InitName = 'orthogonal' | 'glorot' | 'torch';

/**
 * A (semi-)orthogonal [fanIn, fanOut] matrix scaled by `gain`, as torch.nn.init.orthogonal_ (which SB3
 * uses): QR of a standard-normal matrix with the signs of R's diagonal folded into Q.
 */
export function orthogonal(fanIn: number, fanOut: number, gain: number, rng: Rng): Float32Array {
  // Orthonormalize the columns of a tall (rows >= cols) matrix; transpose at the end if needed.
  const rows = Math.max(fanIn, fanOut);
  const cols = Math.min(fanIn, fanOut);
  const q = new Float64Array(rows * cols); // column-major: column j at [j*rows, (j+1)*rows)
  for (let i = 0; i < q.length; i++) q[i] = rng.normal();
  for (let j = 0; j < cols; j++) {
    const cj = j * rows;
    // Modified Gram-Schmidt: subtracting projections one at a time is numerically stable.
    for (let k = 0; k < j; k++) {
      const ck = k * rows;
      let dot = 0;
      for (let r = 0; r < rows; r++) dot += q[ck + r] * q[cj + r];
      for (let r = 0; r < rows; r++) q[cj + r] -= dot * q[ck + r];
    }
    let norm = 0;
    for (let r = 0; r < rows; r++) norm += q[cj + r] * q[cj + r];
    norm = Math.sqrt(norm) || 1;
    // Gram-Schmidt gives R a positive diagonal already, which is the sign convention torch applies.
    for (let r = 0; r < rows; r++) q[cj + r] /= norm;
  }
  const out = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < fanIn; i++) {
    for (let o = 0; o < fanOut; o++) {
      // Tall case (fanIn >= fanOut): entry (i, o) is q[row i, col o]; wide case: q[row o, col i].
      out[i * fanOut + o] = gain * (fanIn >= fanOut ? q[o * rows + i] : q[i * rows + o]);
    }
  }
  return out;
}

/** Glorot (Xavier) uniform in [-limit, limit], limit = gain * sqrt(6 / (fanIn + fanOut)). */
export function glorotUniform(fanIn: number, fanOut: number, gain: number, rng: Rng): Float32Array {
  const limit = gain * Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-limit, limit);
  return out;
}

/** U(-1/sqrt(fanIn), 1/sqrt(fanIn)) values, PyTorch's nn.Linear default for weights and biases. */
export function torchUniform(fanIn: number, count: number, rng: Rng): Float32Array {
  const bound = 1 / Math.sqrt(fanIn);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = rng.uniform(-bound, bound);
  return out;
}

export function initKernel(init: InitName, fanIn: number, fanOut: number, gain: number, rng: Rng): Float32Array {
  if (init === 'orthogonal') return orthogonal(fanIn, fanOut, gain, rng);
  if (init === 'torch') return torchUniform(fanIn, fanIn * fanOut, rng);
  return glorotUniform(fanIn, fanOut, gain, rng);
}

/** Initial biases: zeros, except PyTorch's uniform for `torch`. */
export function initBias(init: InitName, fanIn: number, fanOut: number, rng: Rng): Float32Array {
  return init === 'torch' ? torchUniform(fanIn, fanOut, rng) : new Float32Array(fanOut);
}
