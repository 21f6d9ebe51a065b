/**
 * Fits every growth model (growth-models.ts) to a mean learning curve and compares them two ways:
 * - AICc on all iterations (lower is better; differences of 2 or more are "substantial" support);
 * - held-out error: each model is fitted on the first K - h iterations and predicts the last h
 *   (h = max(2, round(holdoutFraction * K))); the root-mean-square error of those predictions.
 * A model whose AICc is undefined (too few iterations for its parameters) is left out of the ranking.
 */
import { GROWTH_MODELS, aicc, type GrowthFit, type GrowthModel, type GrowthModelName } from './growth-models.js';

export interface ModelFitSummary {
  model: GrowthModelName;
  formula: string;
  parameters: Record<string, number>;
  rss: number;
  /** Null when there are too few iterations for this model's AICc. */
  aicc: number | null;
  /** AICc minus the best model's AICc (0 for the best). */
  deltaAicc: number | null;
  /** Root-mean-square error on the held-out last iterations; null when too few iterations remain to fit. */
  heldOutRmse: number | null;
}

export interface ModelComparison {
  /** Iterations held out at the end. */
  holdout: number;
  summaries: ModelFitSummary[];
  /** The full-data fits (the parameters as fitted, for projections). */
  fits: Map<GrowthModelName, { model: GrowthModel; fit: GrowthFit }>;
}

export function iterationAxis(iterations: number): Float64Array {
  return Float64Array.from({ length: iterations }, (_, k) => k);
}

export function compareGrowthModels(curve: Float64Array, holdoutFraction: number): ModelComparison {
  const n = curve.length;
  const t = iterationAxis(n);
  let scale = 0;
  for (let i = 0; i < n; i++) scale += Math.abs(curve[i]) / n;
  const floor = n * (1e-10 * Math.max(scale, 1e-300)) ** 2;
  const holdout = Math.max(2, Math.round(holdoutFraction * n));
  const train = n - holdout;
  const fits = new Map<GrowthModelName, { model: GrowthModel; fit: GrowthFit }>();
  const summaries: ModelFitSummary[] = GROWTH_MODELS.map((model) => {
    const fit = model.fit(t, curve);
    fits.set(model.name, { model, fit });
    let heldOutRmse: number | null = null;
    if (train >= model.parameterCount + 2) {
      const early = model.fit(t.subarray(0, train), curve.subarray(0, train));
      let sum = 0;
      for (let k = train; k < n; k++) sum += (curve[k] - model.value(early.parameters, k)) ** 2;
      heldOutRmse = Number.isFinite(sum) ? Math.sqrt(sum / holdout) : null;
    }
    return {
      model: model.name,
      formula: model.formula,
      parameters: model.describe(fit.parameters),
      rss: fit.rss,
      aicc: aicc(fit.rss, n, model.parameterCount, floor),
      deltaAicc: null,
      heldOutRmse,
    };
  });
  const best = Math.min(...summaries.map((s) => s.aicc ?? Infinity));
  for (const s of summaries) s.deltaAicc = s.aicc === null || !Number.isFinite(best) ? null : s.aicc - best;
  return { holdout, summaries, fits };
}
