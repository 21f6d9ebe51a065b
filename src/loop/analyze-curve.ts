/**
 * `analyzeLearningCurve`: everything loopgym can say about one KPI's history over loop iterations, with
 * intervals: per-iteration means, multipliers over the start and over the frozen arm, milestones, the
 * seeds' compound rate, a comparison of growth models and the verdict, projections (growth models and
 * Holt's smoothing, with a backtest of its intervals), anomalies, and, for worlds that change,
 * forgetting and forward transfer. The result is plain JSON (report.json of `loopgym curve analyze`).
 *
 * Every interval comes from one set of seeded resamples (curve-data.ts), so the same input and seed give
 * the same numbers, and paired quantities (iteration k vs 0, learner vs frozen arm) stay paired.
 */
import { DataError, UndefinedRatioError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { columnOf } from './curve-bootstrap.js';
import { rateFromMultiplier } from './compound-rate.js';
import { prepareCurve, type LearningCurveData, type PreparedCurve } from './curve-data.js';
import { parseCurveOptions, type CurveAnalysisOptions, type CurveAnalysisOptionsInput } from './curve-options.js';
import { detectAnomalies, type Anomaly, type AnomalyScan } from './anomalies.js';
import { fitHolt, holtBacktest, holtFilter, holtForecast, holtSigma, type HoltBacktest } from './holt.js';
import { expandedTail, percentileInterval, type Estimate } from './intervals.js';
import { beatsMilestone, ceilingMilestone, multiplierMilestones, type Milestone } from './milestones.js';
import { compareGrowthModels, type ModelFitSummary } from './model-comparison.js';
import { goodness, ratioSeries, type CurveWithSamples, type RatioPoint, type RatioSeriesOptions } from './multiplier.js';
import { differenceSeries, windowDifference, windowMean } from './paired-difference.js';
import { plasticityDiagnostics, type NetSnapshot, type PlasticityPoint } from './plasticity.js';
import { projectGrowthModels, type ModelProjection } from './projections.js';
import { decideVerdict, type VerdictResult } from './verdict.js';
import { forgetting, forwardTransfer, worldSegments, type Forgetting, type ForwardTransfer, type WorldSegment } from './world-changes.js';

export interface LearningCurveInput extends LearningCurveData, CurveAnalysisOptionsInput {
  /** Iterations at which a new world starts (iteration c is the first on the new world). */
  worldChanges?: readonly number[];
  /** Weights and activations of the learner's nets per iteration, for plasticity diagnostics. */
  plasticity?: readonly NetSnapshot[];
}

export const CURVE_ANALYSIS_FORMAT = 'loopgym.curve-analysis/1';

export interface IterationEstimate {
  iteration: number;
  mean: number;
  low: number;
  high: number;
}

/** A multiplier series, or why it was refused (its denominator's interval contains 0). */
export type RatioOutcome = { points: RatioPoint[]; final: RatioPoint } | { refused: string };

export interface LearningCurveAnalysis {
  format: typeof CURVE_ANALYSIS_FORMAT;
  settings: CurveAnalysisOptions & { replicates: number; iterations: number; resamplingUnit: 'replicate' | 'day'; resamplingUnits: number };
  /** Mean KPI of the learning arm per iteration, with its interval. */
  iterations: IterationEstimate[];
  /** The same for the other arms that were given. */
  arms: Partial<Record<'frozen' | 'scratch' | 'baseline' | 'ceiling', IterationEstimate[]>>;
  multiplier: { overInitial: RatioOutcome; overFrozen?: RatioOutcome };
  milestones: Milestone[];
  /** The improvement test: mean of the last `window` iterations minus the first `window`, in the better direction. */
  improvement: { window: number; early: Estimate; late: Estimate; change: Estimate };
  compoundRate: {
    /** The seeds' d = (final multiplier over iteration 0)^(1/(K-1)) - 1 per iteration; null when refused. */
    seeds: Estimate | null;
    /** e^g - 1 of the exponential model (better direction), with the interval of its refits. */
    fitted: Estimate;
  };
  /** Growth models, fitted to the KPI, or to 1/KPI (proportional to the multiplier) when lower is better. */
  models: { fittedTo: 'kpi' | '1/kpi'; holdout: number; fits: ModelFitSummary[] };
  verdict: VerdictResult;
  projections: { models: ModelProjection[]; holt: (IterationEstimate & { horizon: number })[] };
  holt: { alpha: number; beta: number; level: number; trend: number; sigma: number; backtest: HoltBacktest };
  anomalies: { iterations: AnomalyScan; days: (Anomaly & { replicate: number; iteration: number; day: number })[] };
  worldChanges?: { segments: WorldSegment[]; forgetting: Forgetting[]; forwardTransfer: ForwardTransfer[] };
  plasticity?: PlasticityPoint[];
}

export function analyzeLearningCurve(input: LearningCurveInput): LearningCurveAnalysis {
  const { scores, days, frozen, scratch, baseline, ceiling, evaluations, worldChanges, plasticity, ...rawOptions } = input;
  const options = parseCurveOptions(rawOptions);
  if (evaluations !== undefined && worldChanges === undefined) {
    throw new DataError('Expected worldChanges (the iterations where new worlds start) with evaluations on earlier worlds, but got none.');
  }
  const data = prepareCurve({ scores, days, frozen, scratch, baseline, ceiling, evaluations }, options.resamples, options.seed);
  const { iterations: K, learning } = data;
  const { higherIsBetter, confidence } = options;
  const tail = expandedTail(confidence, data.units);
  const rng = new Rng(options.seed);

  const perIteration = (arm: CurveWithSamples): IterationEstimate[] =>
    Array.from(arm.curve, (mean, k) => ({ iteration: k, mean, ...percentileInterval(columnOf(arm.samples, k), tail) }));
  const arms: LearningCurveAnalysis['arms'] = {};
  for (const name of ['frozen', 'scratch', 'baseline', 'ceiling'] as const) {
    const arm = data[name];
    if (arm !== undefined) arms[name] = perIteration(arm);
  }

  const ratioOptions = (valueName: string, referenceName: string, referenceIteration?: number): RatioSeriesOptions => ({
    valueName,
    referenceName,
    higherIsBetter,
    tail,
    confidence,
    referenceIteration,
  });
  const overInitial = ratioOutcome(() => ratioSeries(learning, learning, ratioOptions('the scores', 'iteration 0', 0)), options);
  const overFrozen = data.frozen && ratioOutcome(() => ratioSeries(learning, data.frozen as CurveWithSamples, ratioOptions('the scores', 'the frozen arm')), options);

  const improvement = improvementTest(data, options, tail);
  // Growth models describe the multiplier's shape: the KPI, or 1/KPI when lower is better (goodness).
  if (!higherIsBetter && learning.curve.some((v) => !(v > 0))) {
    throw new UndefinedRatioError(`Expected a positive mean KPI at every iteration when lower is better (models are fitted to 1/KPI), but got ${Array.from(learning.curve).find((v) => !(v > 0))}.`);
  }
  const fitted = goodness(learning.curve, higherIsBetter);
  const comparison = compareGrowthModels(fitted, options.holdoutFraction);
  const projection = projectGrowthModels({
    comparison,
    curve: fitted,
    samples: { ...learning.samples, values: goodness(learning.samples.values, higherIsBetter) },
    horizons: options.horizons,
    tail,
    higherIsBetter,
    ratios: 'points' in overInitial,
    rng: rng.fork('projections'),
  });

  const holtParameters = fitHolt(learning.curve);
  const holtRun = holtFilter(learning.curve, holtParameters);
  const sigma = holtSigma(holtRun);
  const anomalyOptions = { threshold: options.anomalyThreshold, robust: options.robust, higherIsBetter };

  return {
    format: CURVE_ANALYSIS_FORMAT,
    settings: { ...options, replicates: data.replicates, iterations: K, resamplingUnit: data.unit, resamplingUnits: data.units },
    iterations: perIteration(learning),
    arms,
    multiplier: overFrozen === undefined ? { overInitial } : { overInitial, overFrozen },
    milestones: milestones(data, options, overInitial, overFrozen, tail),
    improvement,
    compoundRate: { seeds: seedsRate(overInitial, K), fitted: projection.fittedRate },
    models: { fittedTo: higherIsBetter ? 'kpi' : '1/kpi', holdout: comparison.holdout, fits: comparison.summaries },
    verdict: decideVerdict(improvement.change, comparison.summaries, confidence),
    projections: {
      models: projection.projections,
      holt: holtForecast(holtRun, holtParameters, sigma, options.horizons, confidence).map((f) => ({ ...f, iteration: K - 1 + f.horizon })),
    },
    holt: {
      ...holtParameters,
      level: holtRun.level,
      trend: holtRun.trend,
      sigma,
      backtest: holtBacktest(learning.curve, confidence, options.backtestOrigins, options.backtestHorizon),
    },
    anomalies: { iterations: detectAnomalies(learning.curve, anomalyOptions), days: dayAnomalies(data, anomalyOptions) },
    ...(worldChanges === undefined ? {} : { worldChanges: worldChangeAnalysis(data, worldChanges, higherIsBetter, tail) }),
    ...(plasticity === undefined ? {} : { plasticity: plasticityDiagnostics(plasticity) }),
  };
}

function ratioOutcome(compute: () => RatioPoint[], options: CurveAnalysisOptions): RatioOutcome {
  try {
    const points = compute();
    return { points, final: points[points.length - 1] };
  } catch (error) {
    if (error instanceof UndefinedRatioError && options.onUndefinedRatio === 'report') return { refused: error.message };
    throw error;
  }
}

function seedsRate(overInitial: RatioOutcome, iterations: number): Estimate | null {
  return 'points' in overInitial ? rateFromMultiplier(overInitial.final.multiplier, iterations - 1) : null;
}

function improvementTest(data: PreparedCurve, options: CurveAnalysisOptions, tail: number): LearningCurveAnalysis['improvement'] {
  const K = data.iterations;
  const window = Math.max(1, Math.floor(options.improvementWindow * K));
  const early = Array.from({ length: window }, (_, i) => i);
  const late = Array.from({ length: window }, (_, i) => K - window + i);
  return {
    window,
    early: windowMean(data.learning, early, tail),
    late: windowMean(data.learning, late, tail),
    change: windowDifference(data.learning, late, data.learning, early, options.higherIsBetter, tail),
  };
}

function milestones(data: PreparedCurve, options: CurveAnalysisOptions, overInitial: RatioOutcome, overFrozen: RatioOutcome | undefined, tail: number): Milestone[] {
  const out: Milestone[] = [];
  if ('points' in overInitial) out.push(...multiplierMilestones(overInitial.points, options.targets, 'iteration 0'));
  if (overFrozen !== undefined && 'points' in overFrozen) out.push(...multiplierMilestones(overFrozen.points, options.targets, 'the frozen arm'));
  if (data.baseline !== undefined) out.push(beatsMilestone(differenceSeries(data.learning, data.baseline, options.higherIsBetter, tail), options.baselineName));
  if (data.ceiling !== undefined) {
    const overCeiling = ratioOutcome(
      () => ratioSeries(data.learning, data.ceiling as CurveWithSamples, { valueName: 'the scores', referenceName: options.ceilingName, higherIsBetter: options.higherIsBetter, tail, confidence: options.confidence }),
      { ...options, onUndefinedRatio: 'report' },
    );
    if ('points' in overCeiling) out.push(ceilingMilestone(overCeiling.points, options.ceilingFraction, options.ceilingName));
    else out.push({ name: `${Math.round(options.ceilingFraction * 100)}% of ${options.ceilingName}`, bar: options.ceilingFraction, iteration: null, refused: overCeiling.refused });
  }
  return out;
}

function dayAnomalies(data: PreparedCurve, options: Parameters<typeof detectAnomalies>[1]): LearningCurveAnalysis['anomalies']['days'] {
  const out: LearningCurveAnalysis['anomalies']['days'] = [];
  (data.dayHistories ?? []).forEach((history, replicate) => {
    for (const anomaly of detectAnomalies(history.values, options).anomalies) {
      out.push({ ...anomaly, replicate, iteration: history.iteration[anomaly.index], day: history.day[anomaly.index] });
    }
  });
  return out;
}

function worldChangeAnalysis(data: PreparedCurve, changes: readonly number[], higherIsBetter: boolean, tail: number): NonNullable<LearningCurveAnalysis['worldChanges']> {
  const segments = worldSegments(changes, data.iterations);
  const forgotten = data.evaluations.map((evaluation) => {
    const segment = segments[evaluation.world];
    if (segment === undefined) {
      throw new DataError(`Expected evaluations on worlds 0..${segments.length - 1} (${changes.length} world changes), but got world ${evaluation.world}.`);
    }
    return forgetting(segment, evaluation.arm, data.learning, higherIsBetter, tail, evaluation.complete);
  });
  const transfer = data.scratch === undefined ? [] : segments.map((segment) => forwardTransfer(segment, data.learning, data.scratch as CurveWithSamples, higherIsBetter, tail));
  return { segments, forgetting: forgotten, forwardTransfer: transfer };
}
