/**
 * Resampled mean curves: the one source of every bootstrap interval in the learning-curve analysis.
 *
 * Replicate bootstrap (R >= 2 replicates): a resample redraws R replicate rows with replacement and
 * averages each arm over the SAME rows. Rows are whole curves, so iteration k stays paired with iteration 0
 * of the same replicate (the multiplier over the start) and with the same replicate of the frozen or
 * scratch arm (the counterfactual, run on the same worlds). Day bootstrap (one history, R = 1): each
 * iteration's day-level KPIs are redrawn with replacement within that iteration (stratified by iteration).
 *
 * Every statistic of a resample is then computed from these B x K curves, vectorized: no closure per
 * resample, one Float64Array per arm.
 */
import type { Rng } from '../core/rng.js';
import { ConfigError, DataError } from '../core/errors.js';
import type { Grid } from './score-matrix.js';

/** B resampled mean curves of one arm, row-major: `values[b * iterations + k]`. */
export interface CurveSamples {
  readonly resamples: number;
  readonly iterations: number;
  readonly values: Float64Array;
}

function checkResamples(resamples: number): void {
  if (!(Number.isInteger(resamples) && resamples >= 1)) throw new ConfigError(`Expected a positive integer number of resamples, but got ${resamples}.`);
}

/**
 * Paired replicate bootstrap of several arms of the same shape. NaN entries (evaluations not run) are
 * left out of that iteration's mean; an iteration with no value in a resample is NaN there.
 */
export function replicateBootstrap(arms: readonly Grid[], resamples: number, rng: Rng): CurveSamples[] {
  checkResamples(resamples);
  if (arms.length === 0) return [];
  const { replicates, iterations } = arms[0];
  for (const arm of arms) {
    if (arm.replicates !== replicates || arm.iterations !== iterations) {
      throw new DataError(`Expected paired arms of ${replicates} x ${iterations}, but got one of ${arm.replicates} x ${arm.iterations}.`);
    }
  }
  const out = arms.map(() => new Float64Array(resamples * iterations));
  const counts = new Int32Array(replicates);
  const sums = new Float64Array(iterations);
  const weights = new Float64Array(iterations);
  for (let b = 0; b < resamples; b++) {
    counts.fill(0);
    for (let i = 0; i < replicates; i++) counts[rng.integer(0, replicates)]++;
    for (let a = 0; a < arms.length; a++) {
      const { data } = arms[a];
      sums.fill(0);
      weights.fill(0);
      for (let r = 0; r < replicates; r++) {
        const c = counts[r];
        if (c === 0) continue;
        const base = r * iterations;
        for (let k = 0; k < iterations; k++) {
          const value = data[base + k];
          if (value === value) {
            sums[k] += c * value;
            weights[k] += c;
          }
        }
      }
      const target = out[a];
      const offset = b * iterations;
      for (let k = 0; k < iterations; k++) target[offset + k] = weights[k] > 0 ? sums[k] / weights[k] : Number.NaN;
    }
  }
  return out.map((values) => ({ resamples, iterations, values }));
}

/** Day bootstrap of one history: `days[k]` holds iteration k's day-level KPIs (at least one each). */
export function dayBootstrap(days: readonly ArrayLike<number>[], resamples: number, rng: Rng): CurveSamples {
  checkResamples(resamples);
  const iterations = days.length;
  const values = new Float64Array(resamples * iterations);
  for (let b = 0; b < resamples; b++) {
    for (let k = 0; k < iterations; k++) {
      const day = days[k];
      let sum = 0;
      for (let i = 0; i < day.length; i++) sum += day[rng.integer(0, day.length)];
      values[b * iterations + k] = sum / day.length;
    }
  }
  return { resamples, iterations, values };
}

/** A constant curve repeated in every resample (a reference known without error). */
export function fixedSamples(curve: ArrayLike<number>, resamples: number): CurveSamples {
  const iterations = curve.length;
  const values = new Float64Array(resamples * iterations);
  for (let b = 0; b < resamples; b++) for (let k = 0; k < iterations; k++) values[b * iterations + k] = curve[k];
  return { resamples, iterations, values };
}

/** The B draws of `f(curve_b)` for a statistic of a whole resampled curve (f gets a view, valid during the call). */
export function drawsOf(samples: CurveSamples, f: (curve: Float64Array, b: number) => number): Float64Array {
  const draws = new Float64Array(samples.resamples);
  for (let b = 0; b < samples.resamples; b++) draws[b] = f(samples.values.subarray(b * samples.iterations, (b + 1) * samples.iterations), b);
  return draws;
}

/** The B draws at iteration k. */
export function columnOf(samples: CurveSamples, k: number): Float64Array {
  const draws = new Float64Array(samples.resamples);
  for (let b = 0; b < samples.resamples; b++) draws[b] = samples.values[b * samples.iterations + k];
  return draws;
}
