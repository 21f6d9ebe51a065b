/**
 * Action distributions. Sampling happens in JavaScript from logits read back once per batch, with the
 * caller's Rng (never tf.multinomial: its stream depends on the backend). Log-probabilities and entropies
 * for the loss are tensor ops.
 *
 * Masks are Uint8Array with 1 = allowed. A masked logit is replaced by MASKED_LOGIT rather than -Infinity
 * so that entropy terms (p * log p) stay 0 instead of NaN.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng.js';

export const MASKED_LOGIT = -1e9;

/** Categorical over `n` actions with an optional mask: JS-side sampling and tensor-side log-prob/entropy. */
export const MaskedCategorical = {
  /**
   * Samples one action from row `row` of a [batch, n] logits array. Returns the action and its
   * log-probability (float64 log-softmax). An all-zero mask falls back to unmasked, as Discrete.sample does
   * with `start`: better a valid draw than NaN.
   */
  sample(logits: ArrayLike<number>, row: number, n: number, rng: Rng, mask?: ArrayLike<number>, deterministic = false): { action: number; logProb: number } {
    const base = row * n;
    const masked = mask !== undefined && hasAllowed(mask, base, n);
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      if (masked && !mask[base + i]) continue;
      if (logits[base + i] > max) max = logits[base + i];
    }
    let sum = 0;
    for (let i = 0; i < n; i++) if (!(masked && !mask[base + i])) sum += Math.exp(logits[base + i] - max);
    const logSum = max + Math.log(sum);
    let action = -1;
    if (deterministic) {
      for (let i = 0; i < n; i++) {
        if (masked && !mask[base + i]) continue;
        if (action < 0 || logits[base + i] > logits[base + action]) action = i;
      }
    } else {
      let u = rng.random() * sum;
      for (let i = 0; i < n; i++) {
        if (masked && !mask[base + i]) continue;
        action = i;
        u -= Math.exp(logits[base + i] - max);
        if (u < 0) break;
      }
    }
    return { action, logProb: logits[base + action] - logSum };
  },

  /** Entropy of one row's (masked) distribution, in nats. */
  entropyOf(logits: ArrayLike<number>, row: number, n: number, mask?: ArrayLike<number>): number {
    const p = MaskedCategorical.probs(logits, row, n, mask);
    let h = 0;
    for (let i = 0; i < n; i++) if (p[i] > 0) h -= p[i] * Math.log(p[i]);
    return h;
  },

  /** Probabilities of one row (masked entries 0). */
  probs(logits: ArrayLike<number>, row: number, n: number, mask?: ArrayLike<number>): Float64Array {
    const base = row * n;
    const masked = mask !== undefined && hasAllowed(mask, base, n);
    const out = new Float64Array(n);
    let max = -Infinity;
    for (let i = 0; i < n; i++) if (!(masked && !mask[base + i]) && logits[base + i] > max) max = logits[base + i];
    let sum = 0;
    for (let i = 0; i < n; i++) {
      out[i] = masked && !mask[base + i] ? 0 : Math.exp(logits[base + i] - max);
      sum += out[i];
    }
    for (let i = 0; i < n; i++) out[i] /= sum;
    return out;
  },

  /**
   * Masked log-softmax of [batch, n] logits. `maskBias` is 0 where allowed and MASKED_LOGIT where not
   * (see maskBias()); omit it when nothing is masked.
   */
  logProbs(logits: tf.Tensor2D, maskBias?: tf.Tensor2D): tf.Tensor2D {
    return tf.logSoftmax(maskBias ? tf.add(logits, maskBias) : logits) as tf.Tensor2D;
  },

  /** Log-probability of the taken actions, given their one-hot encoding. */
  logProb(logProbs: tf.Tensor2D, actionsOneHot: tf.Tensor2D): tf.Tensor1D {
    return tf.sum(tf.mul(logProbs, actionsOneHot), 1);
  },

  /** Entropy per row: -sum p log p. */
  entropy(logProbs: tf.Tensor2D): tf.Tensor1D {
    return tf.neg(tf.sum(tf.mul(tf.exp(logProbs), logProbs), 1)) as tf.Tensor1D;
  },

  /** Builds the additive mask bias for `rows` rows of `n` actions (all-zero mask rows stay unmasked). */
  maskBias(masks: ArrayLike<number>, rows: number, n: number): Float32Array {
    const out = new Float32Array(rows * n);
    for (let r = 0; r < rows; r++) {
      if (!hasAllowed(masks, r * n, n)) continue;
      for (let i = 0; i < n; i++) if (!masks[r * n + i]) out[r * n + i] = MASKED_LOGIT;
    }
    return out;
  },
};

function hasAllowed(mask: ArrayLike<number>, base: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (mask[base + i]) return true;
  return false;
}

const LOG_2PI = Math.log(2 * Math.PI);

/** Diagonal Gaussian for Box actions: mean from the network, a state-independent log std parameter. */
export const DiagGaussian = {
  /** Samples row `row` of [batch, dim] means into `out` (mean + std * N(0,1) from the Rng); returns the log-prob. */
  sample(mean: ArrayLike<number>, logStd: ArrayLike<number>, row: number, dim: number, rng: Rng, out: Float32Array, outOffset = 0, deterministic = false): number {
    let logProb = 0;
    for (let i = 0; i < dim; i++) {
      const z = deterministic ? 0 : rng.normal();
      out[outOffset + i] = mean[row * dim + i] + Math.exp(logStd[i]) * z;
      logProb += -0.5 * z * z - logStd[i] - 0.5 * LOG_2PI;
    }
    return logProb;
  },

  /** Summed log-density of [batch, dim] actions. */
  logProb(mean: tf.Tensor2D, logStd: tf.Tensor1D, actions: tf.Tensor2D): tf.Tensor1D {
    const z = tf.div(tf.sub(actions, mean), tf.exp(logStd));
    const perDim = tf.sub(tf.mul(tf.square(z), -0.5), tf.add(logStd, 0.5 * LOG_2PI));
    return tf.sum(perDim, 1);
  },

  /** Entropy (the same for every row): sum(logStd) + dim * (0.5 + 0.5 log 2 pi). */
  entropy(logStd: tf.Tensor1D): tf.Scalar {
    return tf.add(tf.sum(logStd), logStd.shape[0] * (0.5 + 0.5 * LOG_2PI));
  },
};
