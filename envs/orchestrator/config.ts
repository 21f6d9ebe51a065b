/**
 * Orchestrator configuration: every knob of the world as one zod schema (defaults, ranges with units,
 * descriptions: `loopgym envs Orchestrator-v0` prints it), three presets as partial overrides, and the
 * resolution of kwargs (`{preset, ...overrides}`) with messages that name the field, what it accepts and
 * what it got (src/core/config-schema.ts).
 */
import { z } from 'zod';
import { configDefaults, crossFieldRules, resolveConfig, type ConfigPlace } from '../../src/core/config-schema.js';
import { ARCHITECTURE_NAMES } from './catalog.js';

export const ORCHESTRATOR_VERBS = ['scan', 'dispatch', 'coordinate', 'monitor', 'optimize'] as const;
export type OrchestratorVerb = (typeof ORCHESTRATOR_VERBS)[number];

export const ORCHESTRATOR_PRESET_NAMES = ['easy', 'default', 'hard'] as const;
export type OrchestratorPreset = (typeof ORCHESTRATOR_PRESET_NAMES)[number];

const probability = (fallback: number, description: string) => z.number().min(0).max(1).default(fallback).describe(description);
const scale = (fallback: number, description: string) => z.number().min(0).max(10).default(fallback).describe(description);

/** The fields of the world, in the order a resolved config lists them. */
export const orchestratorFields = {
  workers: z
    .union([z.array(z.enum(ARCHITECTURE_NAMES as [string, ...string[]])).min(1).max(64), z.number().int().min(1).max(64)])
    .default(['react', 'chain_of_thought', 'reflection', 'evaluator', 'tree_of_thought', 'retrieval_augmented'])
    .describe('Worker architectures by catalog name, one slot each (repeats allowed), or how many to draw'),
  poolSeed: z.number().int().default(0).describe('Seeds the draw of architectures when workers is a number (the pool is fixed at construction)'),
  worldSeed: z.number().int().nullable().default(null).describe('When set, every episode uses this company; otherwise the company is drawn from the reset seed'),
  pluginMix: z
    .record(z.string(), z.number().gt(0))
    .default({ customer_support: 1, sales_research: 1, benchmark: 1 })
    .describe('Plugin name -> relative share of arrivals'),
  arrivalRate: z.number().min(0).max(5).default(0.46).describe('Mean arrivals per tick (tasks/tick) before the time-of-day profile and bursts'),
  burstProbability: probability(0.02, 'Probability per tick that a burst starts'),
  burstMultiplier: z.number().min(1).max(20).default(2.2).describe('Arrival-rate multiplier during a burst'),
  burstLength: z
    .tuple([z.number().int().min(1), z.number().int().min(1)])
    .default([4, 12])
    .describe('Burst length in ticks, [min, max] inclusive'),
  dayLength: z.number().int().min(1).max(1e6).default(200).describe('Ticks in a day: the time-of-day feature and the arrival profile cycle with it'),
  queueCapacity: z.number().int().min(1).max(4096).default(48).describe('Waiting tasks beyond this are turned away (counted as abandoned)'),
  scanDepth: z.number().int().min(1).max(4096).default(4).describe('Tasks revealed by one scan'),
  workerSpread: scale(0.8, "Std of a worker's general success-logit offset in a company, in logits (how much better one worker is overall)"),
  domainSpread: scale(1.2, "Std of a worker's per-domain (per-plugin) success-logit offset, in logits"),
  skillSpread: scale(0.7, "Std of the company's per-(worker, category) success logit around the architecture prior, in logits"),
  affinityWeight: scale(0.9, "Weight of the architecture's category affinity in the success logit"),
  complexityPenalty: scale(1.5, "Multiplier on every architecture's complexity slope (how fast success falls with complexity)"),
  durationScale: z.number().min(0.05).max(100).default(1).describe('Multiplier on every work duration (nominal slowness x (1 + 1.4 x complexity) ticks)'),
  reviewGain: probability(0.8, "Fraction of a worker's failures a reviewing partner rescues at complexity 5 (scales with ((c-1)/4)^2)"),
  silentFailureRate: probability(0.5, 'Fraction of failures that are silent (the worker hangs) at zero degradation'),
  degradationRate: probability(0.006, 'Degradation added per tick, on average (uniform in [0.5, 1.5] x rate; degradation runs 0 to 1)'),
  degradationFailure: probability(0.45, 'Success probability lost at full degradation (multiplicative)'),
  degradationLatency: scale(1.0, 'Duration added at full degradation (multiplicative: 1 doubles it)'),
  degradationSilent: probability(0.3, 'Extra silent-failure fraction at full degradation'),
  abandonAfter: z.number().min(0.1).max(1000).default(2).describe('A queued task is abandoned after waiting this many SLAs (multiples of its SLA budget)'),
  skillDriftRate: probability(0, "Probability per tick that one worker's skills drift (the drift variant sets it above 0)"),
  skillDriftScale: scale(0.8, "Std of one drift's change to each of the worker's category logits, in logits"),
  statsDecay: z.number().min(0.5).max(1).default(1).describe('Decay of the observed success statistics per outcome (1 = plain counts)'),
  feedbackRate: probability(0.3, 'Fraction of finished tasks whose user leaves a score (CAT + ratings)'),
  preferenceRate: probability(0.1, 'Per finished task, probability of a pairwise preference against a recent task'),
  moodNoise: probability(
    0.02,
    "Std of the user's mood: uniform noise added to each task's true satisfaction (0-1 scale); no feature can predict it, so it caps how well any reward model can rank true satisfaction",
  ),
  qualitySpread: probability(0.1, "Std of a company's worker quality and creativity around their architecture's catalog values (0-1 scale)"),
  catNoise: z.number().min(0).max(20).default(1.0).describe('Std of the CAT score noise, in score points (1-10 scale)'),
  ratingNoise: z.number().min(0).max(20).default(0.6).describe('Std of the rating noise, in rating points (1-5 scale)'),
  preferenceTemperature: z.number().min(0).max(1000).default(8).describe('Bradley-Terry inverse temperature on true satisfaction (preferences)'),
  rewardMode: z
    .enum(['gold', 'feedback', 'none'])
    .default('gold')
    .describe("Satisfaction term of the reward: gold (true satisfaction), feedback (observed scores only) or none (in specs, set reward.mode instead)"),
  rewardWeights: z
    .strictObject({
      success: z.number().default(1).describe('Reward per successful task, times its priority (1-3)'),
      sla: z.number().default(0.5).describe('Penalty per task finished after its SLA deadline (or never), times its priority'),
      cost: z.number().default(0.04).describe('Penalty per unit of worker cost spent (cost per tick x capacity units x ticks)'),
      satisfaction: z.number().default(1).describe('Reward per finished task, times (satisfaction - 0.5)'),
    })
    .prefault({}),
  disabledVerbs: z.array(z.enum(ORCHESTRATOR_VERBS)).default([]).describe('Verbs whose actions are always masked (for ablations)'),
  recordTasks: z.boolean().default(true).describe('Put a record of every finished task in info.finished (turn off for raw speed)'),
};

function orchestratorRules(c: { burstLength: [number, number]; pluginMix: Record<string, number>; disabledVerbs: readonly string[] }, blame: (field: string, expectation: string) => void): void {
  if (c.burstLength[1] < c.burstLength[0]) blame('burstLength', 'to be [min, max] with min <= max');
  if (Object.keys(c.pluginMix).length === 0) blame('pluginMix', 'to name at least one plugin');
  if (c.disabledVerbs.includes('monitor') && c.disabledVerbs.includes('optimize')) {
    blame('disabledVerbs', 'to leave monitor or optimize enabled (one action must always be allowed)');
  }
}

export const OrchestratorConfigSchema = crossFieldRules(z.strictObject(orchestratorFields), orchestratorRules);

export const ORCHESTRATOR_PRESETS: Readonly<Record<OrchestratorPreset, Partial<OrchestratorConfig>>> = {
  easy: { arrivalRate: 0.34, burstProbability: 0.01, domainSpread: 1.0, skillSpread: 0.5, complexityPenalty: 1.2, silentFailureRate: 0.3, degradationRate: 0.003 },
  default: {},
  hard: { arrivalRate: 0.54, burstProbability: 0.03, domainSpread: 1.4, skillSpread: 0.9, complexityPenalty: 1.8, silentFailureRate: 0.6, degradationRate: 0.008, degradationSilent: 0.4 },
};

/** The `preset` kwarg: which partial overrides the user's own overrides go on top of (described from the table above). */
export const orchestratorPresetField = z
  .enum(ORCHESTRATOR_PRESET_NAMES)
  .default('default')
  .describe(
    `World preset, partial overrides under the user's own (the defaults shown are the default preset's): ${ORCHESTRATOR_PRESET_NAMES.map((name) => {
      const changes = Object.entries(ORCHESTRATOR_PRESETS[name]).map(([key, value]) => `${key} ${JSON.stringify(value)}`);
      return `${name}${changes.length > 0 ? ` (${changes.join(', ')})` : ''}`;
    }).join('; ')}`,
  );

/** The drifting variant's additions on top of its preset. */
export const ORCHESTRATOR_DRIFT_OVERRIDES: Readonly<Partial<OrchestratorConfig>> = { skillDriftRate: 0.03, statsDecay: 0.97 };

/** The kwargs schema of a variant: a preset plus any field, with the variant's defaults in place of the base ones. */
function kwargsSchemaOf(variant: Partial<OrchestratorConfig>) {
  const fields: Record<string, z.ZodType> = { ...orchestratorFields };
  for (const [key, value] of Object.entries(variant)) {
    const field = orchestratorFields[key as keyof typeof orchestratorFields] as z.ZodDefault<z.ZodType>;
    fields[key] = field.unwrap().default(value).describe(field.description ?? '');
  }
  return crossFieldRules(z.strictObject({ preset: orchestratorPresetField, ...(fields as typeof orchestratorFields) }), orchestratorRules);
}

/** What `make('Orchestrator-v0', {kwargs})` accepts: a preset plus any field (the defaults are the default preset's). */
export const OrchestratorKwargsSchema = kwargsSchemaOf({});
/** Orchestrator-drift-v0's kwargs: as Orchestrator-v0's, with the drift defaults. */
export const OrchestratorDriftKwargsSchema = kwargsSchemaOf(ORCHESTRATOR_DRIFT_OVERRIDES);

export type OrchestratorConfig = z.output<typeof OrchestratorConfigSchema>;
export type OrchestratorConfigInput = z.input<typeof OrchestratorConfigSchema>;
export type OrchestratorRewardMode = OrchestratorConfig['rewardMode'];
export type OrchestratorRewardWeights = OrchestratorConfig['rewardWeights'];

export const ORCHESTRATOR_DEFAULTS: Readonly<OrchestratorConfig> = Object.freeze(configDefaults(OrchestratorConfigSchema));

/**
 * Resolves kwargs `{preset, ...overrides}` into a full config: the defaults, then the preset, then the
 * variant's extra defaults (the drift variant's), then the overrides. `where` names the kwargs in messages
 * (by default the id of the variant: Orchestrator-drift-v0 for ORCHESTRATOR_DRIFT_OVERRIDES).
 */
export function resolveOrchestratorConfig(
  kwargs: Record<string, unknown> = {},
  variant: OrchestratorConfigInput = {},
  where: string | ConfigPlace = variant === ORCHESTRATOR_DRIFT_OVERRIDES ? 'Orchestrator-drift-v0' : 'Orchestrator-v0',
): OrchestratorConfig {
  // The user's kwargs are checked on their own first, so a message names only what the user wrote.
  const { preset } = resolveConfig(OrchestratorKwargsSchema, kwargs, where);
  const { preset: _, ...overrides } = kwargs;
  return resolveConfig(OrchestratorConfigSchema, { ...ORCHESTRATOR_PRESETS[preset], ...variant, ...overrides }, where);
}
