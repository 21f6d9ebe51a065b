/**
 * Holt's linear exponential smoothing, the seeds' forecaster (component form, as in Hyndman &
 * Athanasopoulos, "Forecasting: Principles and Practice", 3rd ed., sections 8.2 and 8.7):
 *
 *   forecast  f_t = l_{t-1} + b_{t-1}
 *   level     l_t = alpha y_t + (1 - alpha) f_t
 *   trend     b_t = beta (l_t - l_{t-1}) + (1 - beta) b_{t-1}
 *
 * started at l_0 = y_0, b_0 = y_1 - y_0 (so the forecast of y_1 is exact and is left out of the errors).
 * alpha and beta minimize the sum of squared one-step errors over a grid (0.05 steps, then 0.005 steps
 * around the best). The h-step forecast is l_T + h b_T; its prediction interval is that of the
 * equivalent state-space model ETS(A,A,N): var_h = s^2 [1 + (h-1)(a^2 + a B h + B^2 h (2h-1) / 6)] with
 * B = alpha * beta (FPP3 table 8.8), s^2 the one-step error variance.
 *
 * `clip` gives the robust variant (Gelper, Fried & Croux, 2010): the error that updates the level and
 * trend is clipped to +-clip, so one outlier does not drag the forecasts after it.
 */
import { normalQuantile } from './intervals.js';

export interface HoltParameters {
  alpha: number;
  /** The trend's smoothing parameter in the component form (beta*, in [0, 1]). */
  beta: number;
}

export interface HoltRun {
  /** One-step forecast of y_t made at t - 1 (NaN at t = 0). */
  forecasts: Float64Array;
  /** y_t - forecast; NaN at t = 0 and t = 1 (the start makes t = 1 exact). */
  errors: Float64Array;
  level: number;
  trend: number;
  /** Sum of squared one-step errors over t >= 2, and how many there are. */
  sse: number;
  count: number;
}

/** Runs the recursion over `y` (at least 2 values). */
export function holtFilter(y: ArrayLike<number>, { alpha, beta }: HoltParameters, clip = Infinity): HoltRun {
  const n = y.length;
  const forecasts = new Float64Array(n).fill(Number.NaN);
  const errors = new Float64Array(n).fill(Number.NaN);
  let level = y[0];
  let trend = y[1] - y[0];
  let sse = 0;
  for (let t = 1; t < n; t++) {
    const forecast = level + trend;
    forecasts[t] = forecast;
    const error = y[t] - forecast;
    if (t >= 2) {
      errors[t] = error;
      sse += error * error;
    }
    const used = forecast + Math.max(-clip, Math.min(clip, error));
    const previousLevel = level;
    level = alpha * used + (1 - alpha) * forecast;
    trend = beta * (level - previousLevel) + (1 - beta) * trend;
  }
  return { forecasts, errors, level, trend, sse, count: Math.max(0, n - 2) };
}

/** The sum of squared one-step errors of holtFilter, without keeping the series (the grid search's inner loop). */
function holtSse(y: ArrayLike<number>, alpha: number, beta: number): number {
  let level = y[0];
  let trend = y[1] - y[0];
  let sse = 0;
  for (let t = 1; t < y.length; t++) {
    const forecast = level + trend;
    const error = y[t] - forecast;
    if (t >= 2) sse += error * error;
    const previousLevel = level;
    level = alpha * y[t] + (1 - alpha) * forecast;
    trend = beta * (level - previousLevel) + (1 - beta) * trend;
  }
  return sse;
}

/** alpha and beta minimizing the one-step squared errors (coarse grid, then a fine one around the best). */
export function fitHolt(y: ArrayLike<number>): HoltParameters {
  let best: HoltParameters = { alpha: 0.5, beta: 0.1 };
  let bestSse = Infinity;
  const search = (alphas: number[], betas: number[]) => {
    for (const alpha of alphas) {
      for (const beta of betas) {
        const sse = holtSse(y, alpha, beta);
        // Ties keep the earlier (smaller) parameters, so the choice does not hinge on rounding.
        if (sse < (Number.isFinite(bestSse) ? bestSse * (1 - 1e-12) : Infinity)) {
          bestSse = sse;
          best = { alpha, beta };
        }
      }
    }
  };
  const grid = (from: number, to: number, step: number) => {
    const values: number[] = [];
    for (let i = 0; from + i * step <= to + 1e-9; i++) values.push(Number((from + i * step).toFixed(4)));
    return values;
  };
  search(grid(0.05, 1, 0.05), grid(0, 1, 0.05));
  const { alpha, beta } = best;
  search(grid(Math.max(0.005, alpha - 0.045), Math.min(1, alpha + 0.045), 0.005), grid(Math.max(0, beta - 0.045), Math.min(1, beta + 0.045), 0.005));
  return best;
}

/** The one-step error standard deviation (2 smoothing parameters estimated). */
export function holtSigma(run: HoltRun): number {
  if (run.count === 0) return Number.NaN;
  return Math.sqrt(run.sse / Math.max(1, run.count - 2));
}

/** Variance multiplier of the h-step forecast error over the one-step one (ETS(A,A,N)). */
export function holtVarianceFactor(h: number, { alpha, beta }: HoltParameters): number {
  const b = alpha * beta;
  return 1 + (h - 1) * (alpha * alpha + alpha * b * h + (b * b * h * (2 * h - 1)) / 6);
}

export interface HoltForecast {
  horizon: number;
  mean: number;
  low: number;
  high: number;
}

/** Forecasts h steps after the last observation, with `confidence` prediction intervals. */
export function holtForecast(run: HoltRun, parameters: HoltParameters, sigma: number, horizons: readonly number[], confidence: number): HoltForecast[] {
  const z = normalQuantile((1 + confidence) / 2);
  return horizons.map((h) => {
    const mean = run.level + h * run.trend;
    const half = z * sigma * Math.sqrt(holtVarianceFactor(h, parameters));
    return { horizon: h, mean, low: mean - half, high: mean + half };
  });
}

export interface HoltBacktest {
  /** Forecast origins used (the last observation each forecast saw). */
  origins: number[];
  /** Largest horizon checked. */
  maxHorizon: number;
  /** Forecasts checked, and the share whose prediction interval held the actual value. */
  forecasts: number;
  coverage: number;
  /** The same for one-step forecasts only. */
  oneStepForecasts: number;
  oneStepCoverage: number;
  nominal: number;
}

/**
 * Rolling-origin backtest of the intervals: at each origin, alpha and beta are refitted on the data up to
 * it (no look-ahead), and forecasts 1..maxHorizon steps ahead are checked against what came next.
 */
export function holtBacktest(y: ArrayLike<number>, confidence: number, maxOrigins = 20, maxHorizon = 10): HoltBacktest {
  const n = y.length;
  const firstOrigin = Math.max(4, Math.floor(n / 2));
  const origins: number[] = [];
  for (let origin = n - 2; origin >= firstOrigin && origins.length < maxOrigins; origin--) origins.unshift(origin);
  let forecasts = 0;
  let covered = 0;
  let oneStep = 0;
  let oneStepCovered = 0;
  for (const origin of origins) {
    const history = Array.prototype.slice.call(y, 0, origin + 1) as number[];
    const parameters = fitHolt(history);
    const run = holtFilter(history, parameters);
    const horizons = Array.from({ length: Math.min(maxHorizon, n - 1 - origin) }, (_, i) => i + 1);
    for (const f of holtForecast(run, parameters, holtSigma(run), horizons, confidence)) {
      const actual = y[origin + f.horizon];
      const inside = actual >= f.low && actual <= f.high;
      forecasts++;
      if (inside) covered++;
      if (f.horizon === 1) {
        oneStep++;
        if (inside) oneStepCovered++;
      }
    }
  }
  return {
    origins,
    maxHorizon,
    forecasts,
    coverage: forecasts > 0 ? covered / forecasts : Number.NaN,
    oneStepForecasts: oneStep,
    oneStepCoverage: oneStep > 0 ? oneStepCovered / oneStep : Number.NaN,
    nominal: confidence,
  };
}
