/** Learning loops (src/loop): the loop runner (spec, world, gate, drift, report) and the learning-curve analysis, usable on any KPI history. */
export { analyzeLearningCurve, CURVE_ANALYSIS_FORMAT, type LearningCurveInput, type LearningCurveAnalysis, type IterationEstimate, type RatioOutcome } from './analyze-curve.js';
export { CurveAnalysisOptionsSchema, parseCurveOptions, type CurveAnalysisOptions, type CurveAnalysisOptionsInput } from './curve-options.js';
export { MIN_ITERATIONS, type LearningCurveData, type DayKpis, type WorldEvaluationInput } from './curve-data.js';
export type { ScoreMatrix, ReferenceInput } from './score-matrix.js';
export type { Estimate } from './intervals.js';
export { compoundRate, rateFromMultiplier } from './compound-rate.js';
export { timesBetter, improvementPercent, type RatioPoint } from './multiplier.js';
export type { Milestone } from './milestones.js';
export { GROWTH_MODELS, GROWTH_MODEL_NAMES, LINEAR, EXPONENTIAL, SATURATING, POWER, aicc, type GrowthModel, type GrowthModelName, type GrowthFit } from './growth-models.js';
export type { ModelFitSummary } from './model-comparison.js';
export { VERDICTS, COMPOUNDING_MIN_DELTA_AICC, type Verdict, type VerdictResult } from './verdict.js';
export { fitHolt, holtFilter, holtForecast, holtBacktest, holtSigma, holtVarianceFactor, type HoltParameters, type HoltRun, type HoltForecast, type HoltBacktest } from './holt.js';
export { detectAnomalies, type Anomaly, type AnomalyScan, type AnomalyOptions } from './anomalies.js';
export type { ModelProjection, ProjectionPoint } from './projections.js';
export type { WorldSegment, Forgetting, ForwardTransfer } from './world-changes.js';
export { plasticityDiagnostics, SRANK_DELTA, type NetSnapshot, type LayerSnapshot, type LayerDiagnostics, type PlasticityPoint, type ActivationKind } from './plasticity.js';
export { readCurveFile, parseCurveCsv, parseCurveJsonl, DEFAULT_ARM, LONG_COLUMNS, type CurveFile, type CurveArm } from './curve-file.js';
export { renderCurveText, renderCurveMarkdown, writeCurveReport, type CurveReportPaths } from './curve-report.js';
// The loop itself: spec, runner, world, gate and drift detection, report.
export { runLoop, LOOP_FORMAT, LoopReplicateError, type LoopOptions, type LoopResult } from './loop-runner.js';
export { LoopSpecSchema, parseLoopSpec, loadLoopSpec, LOOP_ARMS, LOOP_ENVS, LOOP_KPIS, type LoopSpec, type LoopSpecInput, type LoopArm, type ScheduleEvent, type Fault } from './loop-spec.js';
export { LoopWorld, worldHash, hashCompany, type IterationWorld, type DayPurpose } from './loop-world.js';
export { gateDecision, type GateDecision, type GateOptions } from './loop-gate.js';
export { newDetectorState, rebaseDetector, updateDetector, type DetectorKind, type DetectorOptions, type DetectorState } from './drift-detectors.js';
export { buildLoopReport, writeLoopReport, LOOP_REPORT_FORMAT, type LoopReport, type ArmComparison, type Claim, type Decision as LoopDecision } from './loop-report.js';
export { runReplicate, INITIAL_POLICY, type IterationRecord, type ArmIteration, type LoopState } from './loop-replicate.js';
