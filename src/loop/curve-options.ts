/**
 * The options of `analyzeLearningCurve`, declared once: defaults, validation, CLI help and docs all come
 * from this schema. The data (score matrices) are checked separately (score-matrix.ts).
 */
import { z } from 'zod';
import { resolveConfig } from '../core/config-schema.js';

const positiveInt = z.number().int().positive();

export const CurveAnalysisOptionsSchema = z.strictObject({
  higherIsBetter: z.boolean().describe('true for a KPI that should rise (success rate), false for one that should fall (latency)'),
  confidence: z.number().gt(0).lt(1).default(0.95).describe('Coverage of every confidence and prediction interval'),
  resamples: z.number().int().min(100).default(2000).describe('Bootstrap resamples'),
  seed: z.number().int().default(0).describe('Seed of the bootstrap and of the projection noise draws'),
  targets: z.array(z.number().gt(1)).default([1.5, 2, 5, 10]).describe('Multiplier milestones over iteration 0 (and over the frozen arm)'),
  baselineName: z.string().min(1).default('greedy').describe('Name of the baseline reference in milestones ("beats greedy")'),
  ceilingName: z.string().min(1).default('oracle').describe('Name of the ceiling reference in milestones ("90% of oracle")'),
  ceilingFraction: z.number().gt(0).max(1).default(0.9).describe('Milestone: the multiplier over the ceiling this high'),
  improvementWindow: z
    .number()
    .gt(0)
    .max(0.5)
    .default(0.2)
    .describe('Share of iterations in the early and the late window of the improvement test (at least 1 each)'),
  holdoutFraction: z.number().gt(0).lt(0.5).default(0.2).describe('Share of the last iterations held out to score the growth models (at least 2)'),
  horizons: z.array(positiveInt).min(1).default([10, 30, 90, 365]).describe('Projection horizons, in iterations after the last one'),
  anomalyThreshold: z.number().positive().default(2).describe('Flag a point this many standard deviations from its forecast'),
  robust: z.boolean().default(false).describe('Anomalies with a median/MAD scale and a smoother that clips outliers'),
  backtestOrigins: positiveInt.default(20).describe("Forecast origins in the backtest of Holt's intervals"),
  backtestHorizon: positiveInt.default(10).describe("Largest horizon checked in the backtest of Holt's intervals"),
  onUndefinedRatio: z
    .enum(['throw', 'report'])
    .default('throw')
    .describe('A multiplier whose denominator CI contains 0: throw UndefinedRatioError, or report the refusal in the result'),
});

export type CurveAnalysisOptions = z.output<typeof CurveAnalysisOptionsSchema>;
export type CurveAnalysisOptionsInput = z.input<typeof CurveAnalysisOptionsSchema>;

/** Validates options (src/core/config-schema.ts): errors name the field, what is allowed and what was given. */
export function parseCurveOptions(raw: unknown): CurveAnalysisOptions {
  return resolveConfig(CurveAnalysisOptionsSchema, raw, { label: 'learning-curve analysis', path: '' });
}

/** The `.describe()` text of an option, for CLI help. */
export function describeOption(name: keyof CurveAnalysisOptions): string {
  return CurveAnalysisOptionsSchema.shape[name].description ?? '';
}

/** The default of an option, for CLI help. */
export function defaultOption<K extends keyof CurveAnalysisOptions>(name: K): CurveAnalysisOptions[K] | undefined {
  const parsed = CurveAnalysisOptionsSchema.shape[name].safeParse(undefined);
  return parsed.success ? (parsed.data as CurveAnalysisOptions[K]) : undefined;
}
