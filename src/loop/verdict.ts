/**
 * The verdict on a learning curve, in two steps.
 *
 * 1. Is there a change at all? The improvement test compares the mean of the last w iterations with the
 *    mean of the first w (w = max(1, floor(window * K))), in the better direction, with the paired
 *    bootstrap interval (expanded percentile, intervals.ts). The interval above 0: improving; below 0:
 *    "declining"; containing 0: "no-improvement" (a flat noisy curve lands here about 95% of the time).
 * 2. If improving, which shape? The models are fitted in goodness units (the KPI, or 1/KPI when lower is
 *    better, so the shape is that of the multiplier: latency halving at a constant rate compounds,
 *    latency levelling off at a floor saturates) and ranked by AICc (model-comparison.ts).
 *    "compounding" needs all of: the exponential model ranks first, its rate is positive, it beats the
 *    linear model by at least 2 AICc, and its held-out error is the lowest of all models (when there is a
 *    hold-out). Otherwise the best-ranked other model decides: linear -> "linear"; saturating ->
 *    "saturating"; power law -> "saturating" when its gains diminish (0 < b < 1), else "linear" (steady,
 *    not compounding). With too few iterations for any AICc, an improving curve is "linear": its shape
 *    cannot be told apart.
 */
import type { Estimate } from './intervals.js';
import type { ModelFitSummary } from './model-comparison.js';
import type { GrowthModelName } from './growth-models.js';

export const VERDICTS = ['compounding', 'saturating', 'linear', 'no-improvement', 'declining'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Support an exponential fit needs over the linear one before a curve counts as compounding. */
export const COMPOUNDING_MIN_DELTA_AICC = 2;

export interface VerdictResult {
  verdict: Verdict;
  /** The model the verdict rests on (null for no-improvement and declining). */
  model: GrowthModelName | null;
  reason: string;
}

export function decideVerdict(improvement: Estimate, models: readonly ModelFitSummary[], confidence: number): VerdictResult {
  const level = `${Math.round(confidence * 100)}%`;
  const change = `late-minus-early change ${fmt(improvement.estimate)} (${level} CI [${fmt(improvement.low)}, ${fmt(improvement.high)}], in the better direction)`;
  if (improvement.high < 0) return { verdict: 'declining', model: null, reason: `The KPI got worse: ${change}.` };
  if (!(improvement.low > 0)) return { verdict: 'no-improvement', model: null, reason: `No significant change: ${change} contains 0.` };
  const ranked = models.filter((m) => m.aicc !== null).sort((a, b) => (a.aicc as number) - (b.aicc as number));
  if (ranked.length === 0) {
    return { verdict: 'linear', model: null, reason: `Improving (${change}), but too few iterations to compare growth models (AICc needs at least 5).` };
  }
  const byName = new Map(models.map((m) => [m.model, m]));
  const exponential = byName.get('exponential') as ModelFitSummary;
  const failures = compoundingFailures(exponential, ranked, byName);
  if (failures.length === 0) {
    return {
      verdict: 'compounding',
      model: 'exponential',
      reason: `Improving (${change}) at a constant compound rate: the exponential model has the lowest AICc (${fmt(COMPOUNDING_MIN_DELTA_AICC)}+ below linear) and the lowest held-out error.`,
    };
  }
  const best = ranked.find((m) => m.model !== 'exponential');
  const notCompounding = ranked[0].model === 'exponential' ? ` The exponential model ranks first but ${failures.join(' and ')}.` : '';
  if (best === undefined) return { verdict: 'linear', model: null, reason: `Improving (${change}); no other model could be ranked.${notCompounding}` };
  const verdict = shapeOf(best);
  return { verdict, model: best.model, reason: `Improving (${change}); the ${best.model} model fits best (AICc).${notCompounding}` };
}

function compoundingFailures(exponential: ModelFitSummary, ranked: readonly ModelFitSummary[], byName: Map<GrowthModelName, ModelFitSummary>): string[] {
  if (ranked[0].model !== 'exponential') return ['it does not rank first'];
  const failures: string[] = [];
  const g = exponential.parameters.g;
  if (!(g > 0)) failures.push('its rate is not positive');
  const linear = byName.get('linear');
  if (linear?.aicc != null && (linear.aicc - (exponential.aicc as number)) < COMPOUNDING_MIN_DELTA_AICC) {
    failures.push(`it beats the linear model by less than ${COMPOUNDING_MIN_DELTA_AICC} AICc`);
  }
  const heldOut = [...byName.values()].map((m) => m.heldOutRmse);
  if (exponential.heldOutRmse !== null && heldOut.every((e) => e !== null)) {
    const others = [...byName.values()].filter((m) => m.model !== 'exponential').map((m) => m.heldOutRmse as number);
    if (exponential.heldOutRmse > Math.min(...others)) failures.push('another model predicts the held-out iterations better');
  }
  return failures;
}

function shapeOf(model: ModelFitSummary): Verdict {
  if (model.model === 'saturating') return 'saturating';
  if (model.model === 'power') return model.parameters.b > 0 && model.parameters.b < 1 ? 'saturating' : 'linear';
  return 'linear';
}

const fmt = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(3)).toString() : String(x));
