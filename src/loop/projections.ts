/**
 * Projections of the mean KPI h iterations after the last observed one, from every fitted growth model,
 * with prediction intervals. The models are fitted in goodness units (multiplier.ts: the KPI, or 1/KPI
 * when lower is better) and projections are turned back into KPI units:
 *
 *   draw_b(h) = f(T + h; theta_b) + sigma * z_b
 *
 * where theta_b is the model refitted (from the full-data fit) on the b-th resampled mean curve
 * (curve-bootstrap.ts), sigma the residual standard deviation of the full-data fit (sqrt(RSS / (K - p))),
 * z_b a standard normal draw from the seeded Rng. The interval is the percentile interval of the draws, so
 * it holds the uncertainty of the curve and the iteration-to-iteration noise of a new mean point. The
 * same refits give the interval of the exponential model's compound rate.
 */
import type { Rng } from '../core/rng.js';
import type { CurveSamples } from './curve-bootstrap.js';
import type { GrowthModelName } from './growth-models.js';
import { estimateFrom, type Estimate } from './intervals.js';
import { iterationAxis, type ModelComparison } from './model-comparison.js';

export interface ProjectionPoint {
  /** Iterations after the last observed one. */
  horizon: number;
  /** The projected iteration (K - 1 + horizon). */
  iteration: number;
  mean: number;
  low: number;
  high: number;
  /** Projected multiplier over the (resampled) mean at iteration 0; null when ratios are refused. */
  multiplier: Estimate | null;
}

export interface ModelProjection {
  model: GrowthModelName;
  /** Residual standard deviation of the full-data fit. */
  sigma: number;
  points: ProjectionPoint[];
}

export interface ProjectionInput {
  /** Models fitted to `curve` (goodness units). */
  comparison: ModelComparison;
  /** The mean curve and its resamples in goodness units. */
  curve: Float64Array;
  samples: CurveSamples;
  horizons: readonly number[];
  tail: number;
  higherIsBetter: boolean;
  /** Whether multipliers over iteration 0 are defined (its interval excludes 0). */
  ratios: boolean;
  rng: Rng;
}

export interface ProjectionResult {
  projections: ModelProjection[];
  /** The exponential model's compound rate per iteration (of goodness: the better direction), with its interval. */
  fittedRate: Estimate;
}

export function projectGrowthModels(input: ProjectionInput): ProjectionResult {
  const { comparison, curve, samples, horizons, tail, higherIsBetter, rng } = input;
  const n = curve.length;
  const last = n - 1;
  const t = iterationAxis(n);
  const { resamples } = samples;
  const projections: ModelProjection[] = [];
  let fittedRate: Estimate = { estimate: Number.NaN, low: Number.NaN, high: Number.NaN };
  for (const [name, { model, fit }] of comparison.fits) {
    const sigma = n > model.parameterCount ? Math.sqrt(fit.rss / (n - model.parameterCount)) : 0;
    const draws = horizons.map(() => new Float64Array(resamples));
    const ratioDraws = horizons.map(() => new Float64Array(resamples));
    const rateDraws = new Float64Array(resamples);
    for (let b = 0; b < resamples; b++) {
      const resampled = samples.values.subarray(b * n, (b + 1) * n);
      let refit = model.fit(t, resampled, fit);
      if (!Number.isFinite(refit.rss)) refit = model.fit(t, resampled);
      if (name === 'exponential') rateDraws[b] = Math.exp(refit.parameters[1]) - 1;
      for (let i = 0; i < horizons.length; i++) {
        const value = model.value(refit.parameters, last + horizons[i]) + sigma * rng.normal();
        draws[i][b] = toKpi(value, higherIsBetter);
        ratioDraws[i][b] = value / resampled[0];
      }
    }
    if (name === 'exponential') fittedRate = estimateFrom(Math.exp(fit.parameters[1]) - 1, rateDraws, tail);
    const points = horizons.map((horizon, i) => {
      const projected = model.value(fit.parameters, last + horizon);
      const mean = toKpi(projected, higherIsBetter);
      const { low, high } = estimateFrom(mean, draws[i], tail);
      const multiplier = input.ratios ? estimateFrom(projected / curve[0], ratioDraws[i], tail) : null;
      return { horizon, iteration: last + horizon, mean, low, high, multiplier };
    });
    projections.push({ model: name, sigma, points });
  }
  return { projections, fittedRate };
}

/** Goodness back to KPI units; a non-positive goodness of a lower-is-better KPI is an unbounded KPI. */
function toKpi(value: number, higherIsBetter: boolean): number {
  if (higherIsBetter) return value;
  return value > 0 ? 1 / value : Infinity;
}
