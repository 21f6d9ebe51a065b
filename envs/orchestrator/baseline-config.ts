/**
 * The options of the baselines that read the Orchestrator env, one zod schema each (the one config style:
 * src/core/config-schema.ts): `loopgym agents greedy` prints them, and a typo fails with the nearest option.
 * Each takes a `seed` like the random baseline (agents/random.ts), so one options bag (evaluateBaselines,
 * collectFeedback) builds any baseline; only random draws.
 */
import { z } from 'zod';

const seed = z.number().default(0).describe('Accepted like the random baseline\'s seed (one options bag builds every baseline); this baseline draws nothing');
const optimizeAbove = (description: string) => z.number().min(0).max(1).default(0.1).describe(description);

export const RoundRobinBaselineConfigSchema = z.strictObject({ seed });

export const GreedyBaselineConfigSchema = z.strictObject({
  seed,
  coordinateFrom: z.number().int().min(1).max(6).default(4).describe('Coordinate scanned tasks of at least this complexity (1-5; 6 = never)'),
  optimizeAbove: optimizeAbove('Optimize in idle ticks when the degradation gauge exceeds this, and at once above twice this'),
  scanFrom: z
    .number()
    .int()
    .min(0)
    .nullable()
    .default(null)
    .describe('Scan before dispatching when at least this many tasks are queued; null = scan only in ticks where no worker is free'),
  monitorEvery: z.number().int().min(1).default(4).describe('Ticks between idle-time monitors while work looks overdue'),
});

export const OracleBaselineConfigSchema = z.strictObject({
  seed,
  coordinateFrom: z.number().int().min(1).max(6).default(1).describe('Consider coordinating tasks of at least this complexity (when it values it more than a dispatch)'),
  optimizeAbove: optimizeAbove('Optimize when the true degradation exceeds this'),
  capacityCharge: z.number().min(0).default(0.01).describe('Value charged per capacity unit per tick of expected work'),
  monitorFrom: z.number().int().min(1).default(1).describe('Monitor as soon as this many tasks hang'),
});

export type RoundRobinBaselineConfig = z.output<typeof RoundRobinBaselineConfigSchema>;
export type GreedyBaselineConfig = z.output<typeof GreedyBaselineConfigSchema>;
export type OracleBaselineConfig = z.output<typeof OracleBaselineConfigSchema>;

/** Options any baseline accepts (each takes its own; the others are refused with a did-you-mean). */
export type BaselineOptions = z.input<typeof GreedyBaselineConfigSchema> & z.input<typeof OracleBaselineConfigSchema>;

export const BASELINE_CONFIG_SCHEMAS = {
  round_robin: RoundRobinBaselineConfigSchema,
  greedy: GreedyBaselineConfigSchema,
  oracle: OracleBaselineConfigSchema,
} as const;
