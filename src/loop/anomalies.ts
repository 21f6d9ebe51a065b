/**
 * Anomalies: points whose KPI departs from the one-step Holt forecast (holt.ts) by more than `threshold`
 * standard deviations of the one-step errors (the seeds' rule, threshold 2.0).
 *
 * - sd (default): z = (e - mean(e)) / sd(e) over all one-step errors.
 * - robust: the scale is 1.4826 * MAD of the errors around their median (a few outliers do not inflate
 *   it), and the smoother (same alpha and beta) is rerun with errors clipped at threshold * scale when
 *   it updates, so an outlier does not drag the forecasts after it and mark its neighbours too.
 *
 * The first two points have no honest forecast (the smoother starts from them) and are never flagged.
 */
import { mean, std } from '../core/stats.js';
import { median, medianAbsoluteDeviation } from 'simple-statistics';
import { fitHolt, holtFilter, type HoltRun } from './holt.js';
import { betterBy } from './paired-difference.js';

export interface AnomalyOptions {
  threshold: number;
  robust: boolean;
  higherIsBetter: boolean;
}

export interface Anomaly {
  /** Index in the series (an iteration, or a day counted from the start of the history). */
  index: number;
  value: number;
  forecast: number;
  /** Standardized departure from the forecast. */
  z: number;
  direction: 'better' | 'worse';
}

export interface AnomalyScan {
  method: 'sd' | 'mad';
  threshold: number;
  /** Centre and scale the errors were standardized with. */
  center: number;
  scale: number;
  anomalies: Anomaly[];
}

/** Scans one series (at least 4 points, so there are 2 errors); shorter series give no anomalies. */
export function detectAnomalies(series: ArrayLike<number>, options: AnomalyOptions): AnomalyScan {
  const method = options.robust ? 'mad' : 'sd';
  const empty: AnomalyScan = { method, threshold: options.threshold, center: Number.NaN, scale: Number.NaN, anomalies: [] };
  if (series.length < 4) return empty;
  const parameters = fitHolt(series);
  let run: HoltRun = holtFilter(series, parameters);
  let errors = finiteErrors(run);
  let center: number;
  let scale: number;
  if (options.robust) {
    center = median(errors);
    scale = 1.4826 * medianAbsoluteDeviation(errors);
    if (scale > 0) {
      const clip = options.threshold * scale;
      run = holtFilter(series, parameters, clip);
      errors = finiteErrors(run);
      center = median(errors);
      scale = 1.4826 * medianAbsoluteDeviation(errors);
    }
  } else {
    center = mean(errors);
    scale = std(errors);
  }
  if (!(scale > 0)) return { ...empty, center, scale };
  const anomalies: Anomaly[] = [];
  for (let t = 2; t < series.length; t++) {
    const z = (run.errors[t] - center) / scale;
    if (Math.abs(z) > options.threshold) {
      const direction = betterBy(series[t], run.forecasts[t], options.higherIsBetter) > 0 ? 'better' : 'worse';
      anomalies.push({ index: t, value: series[t], forecast: run.forecasts[t], z, direction });
    }
  }
  return { method, threshold: options.threshold, center, scale, anomalies };
}

function finiteErrors(run: HoltRun): number[] {
  return Array.from(run.errors).filter((e) => !Number.isNaN(e));
}
