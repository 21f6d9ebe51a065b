/**
 * The statistics of rliable (Agarwal et al., 2021, "Deep Reinforcement Learning at the Edge of the
 * Statistical Precipice") that stats.ts does not have, defined as rliable computes them so numbers match
 * its tables:
 * - IQM: scipy's `trim_mean(x, 0.25)` over all runs: sort, drop floor(0.25 n) values at each end, average.
 * - Task mean: the mean over tasks of the per-task means (`aggregate_mean`).
 * - Stratified bootstrap: each resample redraws runs with replacement within each task, so every task
 *   keeps its number of runs; the CI takes percentiles of the resampled statistic (numpy's linear rule).
 * - Probability of improvement P(X > Y): per task the Mann-Whitney U / (n_x n_y) (ties count one half),
 *   averaged over tasks.
 * Randomness comes only from the `Rng` passed in, so intervals reproduce to the bit.
 */
import { DataError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';

export interface Interval {
  low: number;
  high: number;
}

/** scipy's `trim_mean`: drops floor(proportion * n) values at each end of the sorted sample. */
export function trimmedMean(values: readonly number[], proportion: number): number {
  if (values.length === 0) throw new DataError('Expected at least one value for trimmedMean(), but got none.');
  if (!(proportion >= 0 && proportion < 0.5)) throw new DataError(`Expected a proportion in [0, 0.5), but got ${proportion}.`);
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.floor(proportion * sorted.length);
  let sum = 0;
  for (let i = cut; i < sorted.length - cut; i++) sum += sorted[i];
  return sum / (sorted.length - 2 * cut);
}

/** Interquartile mean: the 25% trimmed mean (rliable's `aggregate_iqm`). */
export function iqm(values: readonly number[]): number {
  return trimmedMean(values, 0.25);
}

/** The mean over tasks of the per-task means (rliable's `aggregate_mean`). */
export function taskMean(strata: readonly (readonly number[])[]): number {
  if (strata.length === 0) throw new DataError('Expected at least one task for taskMean(), but got none.');
  // Plain loops: this runs once per bootstrap resample.
  let total = 0;
  for (const values of strata) {
    if (values.length === 0) throw new DataError('Expected runs in every task for taskMean(), but got an empty one.');
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[i];
    total += sum / values.length;
  }
  return total / strata.length;
}

/** Quantile of a sorted sample with linear interpolation between order statistics (numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new DataError('Expected at least one value for quantileSorted(), but got none.');
  const position = p * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

/** P(X > Y) + P(X = Y) / 2 over all pairs of one task's runs: Mann-Whitney U / (n_x n_y). */
export function pairwiseImprovement(x: readonly number[], y: readonly number[]): number {
  if (x.length === 0 || y.length === 0) throw new DataError(`Expected runs on both sides, but got ${x.length} and ${y.length}.`);
  let wins = 0;
  for (const a of x) for (const b of y) wins += a > b ? 1 : a === b ? 0.5 : 0;
  return wins / (x.length * y.length);
}

/** rliable's probability of improvement: per-task P(X > Y), averaged over tasks (x[i] and y[i] are task i). */
export function probabilityOfImprovement(x: readonly (readonly number[])[], y: readonly (readonly number[])[]): number {
  if (x.length !== y.length || x.length === 0) throw new DataError(`Expected the same non-zero number of tasks on both sides, but got ${x.length} and ${y.length}.`);
  let total = 0;
  for (let task = 0; task < x.length; task++) total += pairwiseImprovement(x[task], y[task]);
  return total / x.length;
}

export interface BootstrapOptions {
  /** Resamples drawn (rliable uses 50,000 in papers; 2,000 keeps reports fast). */
  resamples: number;
  /** Coverage of the percentile interval, e.g. 0.95. */
  confidence: number;
  rng: Rng;
}

/** One stratified resample into `into` (same shape as `strata`): each task's runs redrawn with replacement. */
function resample(strata: readonly (readonly number[])[], rng: Rng, into: number[][]): number[][] {
  for (let task = 0; task < strata.length; task++) {
    const values = strata[task];
    const target = into[task];
    for (let i = 0; i < values.length; i++) target[i] = values[rng.integer(0, values.length)];
  }
  return into;
}

const shapeOf = (strata: readonly (readonly number[])[]) => strata.map((values) => new Array<number>(values.length));

function percentileInterval(samples: Float64Array, confidence: number): Interval {
  samples.sort();
  const tail = (1 - confidence) / 2;
  return { low: quantileSorted(samples, tail), high: quantileSorted(samples, 1 - tail) };
}

export function checkBootstrap(options: Pick<BootstrapOptions, 'resamples' | 'confidence'>): void {
  if (!(Number.isInteger(options.resamples) && options.resamples >= 1)) throw new DataError(`Expected a positive integer number of resamples, but got ${options.resamples}.`);
  if (!(options.confidence > 0 && options.confidence < 1)) throw new DataError(`Expected a confidence level in (0, 1), but got ${options.confidence}.`);
}

/**
 * Percentile CIs of several statistics of one stratified sample; the statistics share the resamples
 * (as when rliable bootstraps a function returning [mean, IQM]). The resample buffer is reused, so a
 * statistic must not keep the arrays it is given.
 */
export function stratifiedBootstrap(
  strata: readonly (readonly number[])[],
  statistics: readonly ((strata: number[][]) => number)[],
  options: BootstrapOptions,
): Interval[] {
  checkBootstrap(options);
  const samples = statistics.map(() => new Float64Array(options.resamples));
  const buffer = shapeOf(strata);
  for (let r = 0; r < options.resamples; r++) {
    const drawn = resample(strata, options.rng, buffer);
    for (let s = 0; s < statistics.length; s++) samples[s][r] = statistics[s](drawn);
  }
  return samples.map((sample) => percentileInterval(sample, options.confidence));
}

/** The CI of the probability of improvement, resampling both sides independently within each task. */
export function probabilityOfImprovementCI(x: readonly (readonly number[])[], y: readonly (readonly number[])[], options: BootstrapOptions): Interval {
  checkBootstrap(options);
  const samples = new Float64Array(options.resamples);
  const bufferX = shapeOf(x);
  const bufferY = shapeOf(y);
  for (let r = 0; r < options.resamples; r++) samples[r] = probabilityOfImprovement(resample(x, options.rng, bufferX), resample(y, options.rng, bufferY));
  return percentileInterval(samples, options.confidence);
}
