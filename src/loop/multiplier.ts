/**
 * The multiplier: how many times better a KPI is than a reference, in the direction that is better.
 * With higher-is-better KPIs (success rate) it is value / reference; with lower-is-better ones (latency)
 * it is reference / value, so 2x always means "twice as good" (half the latency). The improvement in
 * percent is the seeds' figure: success rate up (M - 1) * 100%, latency down (1 - 1/M) * 100%.
 *
 * A ratio is refused (UndefinedRatioError) when its denominator is not clearly positive: when the
 * denominator's confidence interval, from the same resamples, reaches 0 or below.
 */
import { UndefinedRatioError } from '../core/errors.js';
import { columnOf, type CurveSamples } from './curve-bootstrap.js';
import { estimateFrom, percentileInterval, type Estimate } from './intervals.js';

/** How many times better `value` is than `reference` (direction from `higherIsBetter`). */
export function timesBetter(value: number, reference: number, higherIsBetter: boolean): number {
  return higherIsBetter ? value / reference : reference / value;
}

/** The improvement in percent that a multiplier means: gain for higher-is-better, reduction otherwise. */
export function improvementPercent(multiplier: number, higherIsBetter: boolean): number {
  return higherIsBetter ? (multiplier - 1) * 100 : (1 - 1 / multiplier) * 100;
}

/**
 * The KPI in "goodness" units, proportional to the multiplier over any fixed reference: the KPI itself
 * when higher is better, 1/KPI when lower is better (then "2x" is half the latency either way).
 */
export function goodness(values: Float64Array, higherIsBetter: boolean): Float64Array {
  return higherIsBetter ? values : values.map((v) => 1 / v);
}

/** One arm's mean curve and its bootstrap draws. */
export interface CurveWithSamples {
  curve: Float64Array;
  samples: CurveSamples;
}

export interface RatioPoint {
  iteration: number;
  multiplier: Estimate;
  improvementPercent: Estimate;
}

export interface RatioSeriesOptions {
  /** What is compared ("scores") and what it is compared with ("iteration 0", "the frozen arm"). */
  valueName: string;
  referenceName: string;
  higherIsBetter: boolean;
  /** Lower tail probability of the intervals (see intervals.ts). */
  tail: number;
  confidence: number;
  /** Compare every iteration with this one iteration of the reference (0 for "over the start"); default: the same iteration. */
  referenceIteration?: number;
}

/**
 * The multiplier of `value` over `reference` at every iteration, with paired bootstrap intervals: both
 * sample sets must come from the same resamples (replicateBootstrap of both arms at once).
 */
export function ratioSeries(value: CurveWithSamples, reference: CurveWithSamples, options: RatioSeriesOptions): RatioPoint[] {
  const { higherIsBetter, tail, referenceIteration } = options;
  const iterations = value.curve.length;
  const refIndex = (k: number) => referenceIteration ?? k;
  checkDenominators(value, reference, options);
  const points: RatioPoint[] = [];
  for (let k = 0; k < iterations; k++) {
    const j = refIndex(k);
    const draws = new Float64Array(value.samples.resamples);
    const { resamples } = value.samples;
    for (let b = 0; b < resamples; b++) {
      draws[b] = timesBetter(value.samples.values[b * iterations + k], reference.samples.values[b * iterations + j], higherIsBetter);
    }
    const multiplier = estimateFrom(timesBetter(value.curve[k], reference.curve[j], higherIsBetter), draws, tail);
    const percent = (m: number) => improvementPercent(m, higherIsBetter);
    points.push({
      iteration: k,
      multiplier,
      improvementPercent: { estimate: percent(multiplier.estimate), low: percent(multiplier.low), high: percent(multiplier.high) },
    });
  }
  return points;
}

/** Throws UndefinedRatioError unless every denominator used is clearly positive. */
function checkDenominators(value: CurveWithSamples, reference: CurveWithSamples, options: RatioSeriesOptions): void {
  const { higherIsBetter, referenceIteration, tail, confidence } = options;
  const [denominator, name] = higherIsBetter ? [reference, options.referenceName] : [value, options.valueName];
  const iterations = value.curve.length;
  const checked = higherIsBetter && referenceIteration !== undefined ? [referenceIteration] : Array.from({ length: iterations }, (_, k) => k);
  for (const k of checked) {
    const { low, high } = percentileInterval(columnOf(denominator.samples, k), tail);
    const point = denominator.curve[k];
    if (!(point > 0 && low > 0)) {
      const ci = `${Math.round(confidence * 100)}% CI [${round(low)}, ${round(high)}]`;
      throw new UndefinedRatioError(
        `Expected ${name} at iteration ${k} (the denominator of the multiplier of ${options.valueName} over ${options.referenceName}) to be clearly positive, but its mean is ${round(point)} with ${ci}: the ratio is undefined.`,
      );
    }
  }
}

const round = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(4)) : x);
