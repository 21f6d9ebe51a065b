/**
 * The paired difference of two arms in the better direction: value - reference when higher is better,
 * reference - value otherwise, so a positive difference always means "value is better". Intervals come
 * from the shared resamples of both arms (replicateBootstrap), so replicate r of one arm is compared with
 * replicate r of the other (the same worlds).
 */
import { estimateFrom, type Estimate } from './intervals.js';
import type { CurveWithSamples } from './multiplier.js';

/** How much better `value` is than `reference`, in KPI units (positive = better). */
export function betterBy(value: number, reference: number, higherIsBetter: boolean): number {
  return higherIsBetter ? value - reference : reference - value;
}

/** The oriented difference at every iteration, with paired bootstrap intervals. */
export function differenceSeries(value: CurveWithSamples, reference: CurveWithSamples, higherIsBetter: boolean, tail: number): Estimate[] {
  const iterations = value.curve.length;
  const { resamples } = value.samples;
  const out: Estimate[] = [];
  for (let k = 0; k < iterations; k++) {
    const draws = new Float64Array(resamples);
    for (let b = 0; b < resamples; b++) {
      const i = b * iterations + k;
      draws[b] = betterBy(value.samples.values[i], reference.samples.values[i], higherIsBetter);
    }
    out.push(estimateFrom(betterBy(value.curve[k], reference.curve[k], higherIsBetter), draws, tail));
  }
  return out;
}

function meanAt(values: ArrayLike<number>, offset: number, ks: readonly number[]): number {
  let sum = 0;
  for (const k of ks) sum += values[offset + k];
  return sum / ks.length;
}

/** One arm's mean over a set of iterations, with its bootstrap interval. */
export function windowMean(arm: CurveWithSamples, ks: readonly number[], tail: number): Estimate {
  const iterations = arm.curve.length;
  const draws = new Float64Array(arm.samples.resamples);
  for (let b = 0; b < draws.length; b++) draws[b] = meanAt(arm.samples.values, b * iterations, ks);
  return estimateFrom(meanAt(arm.curve, 0, ks), draws, tail);
}

/**
 * The oriented difference of the means over a set of iterations (e.g. a late window minus an early one,
 * or one world segment of two arms), with its paired bootstrap interval.
 */
export function windowDifference(
  value: CurveWithSamples,
  valueIterations: readonly number[],
  reference: CurveWithSamples,
  referenceIterations: readonly number[],
  higherIsBetter: boolean,
  tail: number,
): Estimate {
  const iterations = value.curve.length;
  const { resamples } = value.samples;
  const draws = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    const offset = b * iterations;
    draws[b] = betterBy(meanAt(value.samples.values, offset, valueIterations), meanAt(reference.samples.values, offset, referenceIterations), higherIsBetter);
  }
  const point = betterBy(meanAt(value.curve, 0, valueIterations), meanAt(reference.curve, 0, referenceIterations), higherIsBetter);
  return estimateFrom(point, draws, tail);
}
