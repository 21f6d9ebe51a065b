/**
 * Orchestrator configuration: every knob of the world with its default, three presets, and validation of
 * kwargs (`{preset, ...overrides}`) with messages that name the field and what it accepts.
 */
import { ConfigError, describeValue } from '../../src/core/errors.js';
import { ARCHITECTURE_NAMES } from './catalog.js';

export const ORCHESTRATOR_VERBS = ['scan', 'dispatch', 'coordinate', 'monitor', 'optimize'] as const;
export type OrchestratorVerb = (typeof ORCHESTRATOR_VERBS)[number];

export type OrchestratorRewardMode = 'gold' | 'feedback' | 'none';
export type OrchestratorPreset = 'easy' | 'default' | 'hard';

export interface OrchestratorRewardWeights {
  /** Per successful task, times its priority (1-3). */
  success: number;
  /** Per task finished after its SLA deadline (or never), times its priority. */
  sla: number;
  /** Per unit of worker cost spent (cost per tick x capacity units x ticks). */
  cost: number;
  /** Per finished task, times (satisfaction - 0.5). */
  satisfaction: number;
}

export interface OrchestratorConfig {
  /** Worker architectures by catalog name (one slot each; repeats allowed), or how many to draw. */
  workers: string[] | number;
  /** Seeds the draw of architectures when `workers` is a number (the pool is fixed at construction). */
  poolSeed: number;
  /** When set, every episode uses this company; otherwise the company is drawn from the reset seed. */
  worldSeed: number | null;
  /** Plugin name -> relative share of arrivals. */
  pluginMix: Record<string, number>;
  /** Mean arrivals per tick before the time-of-day profile and bursts. */
  arrivalRate: number;
  /** Per-tick probability that a burst starts. */
  burstProbability: number;
  /** Arrival-rate multiplier during a burst. */
  burstMultiplier: number;
  /** Burst length in ticks, inclusive range. */
  burstLength: [number, number];
  /** Ticks in a day: the time-of-day feature and the arrival profile cycle with it. */
  dayLength: number;
  /** Waiting tasks beyond this are turned away (counted as abandoned). */
  queueCapacity: number;
  /** Tasks revealed by one scan. */
  scanDepth: number;
  /** Std of a worker's general success-logit offset in a company (how much better one worker is overall). */
  workerSpread: number;
  /** Std of a worker's per-domain (per-plugin) success-logit offset. */
  domainSpread: number;
  /** Std of the company's per-(worker, category) success logit around the architecture prior. */
  skillSpread: number;
  /** Weight of the architecture's category affinity in the success logit. */
  affinityWeight: number;
  /** Multiplier on every architecture's complexity slope (how fast success falls with complexity). */
  complexityPenalty: number;
  /** Multiplier on every work duration (nominal slowness x (1 + 1.4 x complexity) ticks). */
  durationScale: number;
  /** Fraction of a worker's failures a reviewing partner rescues at complexity 5 (scales with ((c-1)/4)^2). */
  reviewGain: number;
  /** Fraction of failures that are silent (the worker hangs) at zero degradation. */
  silentFailureRate: number;
  /** Degradation added per tick, on average (uniform in [0.5, 1.5] x rate). */
  degradationRate: number;
  /** Success probability lost at full degradation (multiplicative). */
  degradationFailure: number;
  /** Duration added at full degradation (multiplicative). */
  degradationLatency: number;
  /** Extra silent-failure fraction at full degradation. */
  degradationSilent: number;
  /** A queued task is abandoned after waiting this many SLAs. */
  abandonAfter: number;
  /** Per-tick probability that one worker's skills drift (the drift variant sets it above 0). */
  skillDriftRate: number;
  /** Std of one drift's change to each of the worker's category logits. */
  skillDriftScale: number;
  /** Decay of the observed success statistics per outcome (1 = plain counts). */
  statsDecay: number;
  /** Fraction of finished tasks whose user leaves a score (CAT + ratings). */
  feedbackRate: number;
  /** Per finished task, probability of a pairwise preference against a recent task. */
  preferenceRate: number;
  /**
   * Std of the user's mood: uniform noise added to each task's true satisfaction (no feature can predict it,
   * so it caps how well any reward model can rank true satisfaction: 0.05 caps held-out Spearman at 0.825).
   */
  moodNoise: number;
  /** Std of a company's worker quality and creativity around their architecture's catalog values. */
  qualitySpread: number;
  /** Std of the CAT score noise, in score points (1-10 scale). */
  catNoise: number;
  /** Std of the rating noise, in rating points (1-5 scale). */
  ratingNoise: number;
  /** Bradley-Terry inverse temperature on true satisfaction. */
  preferenceTemperature: number;
  rewardMode: OrchestratorRewardMode;
  rewardWeights: OrchestratorRewardWeights;
  /** Verbs whose actions are always masked (for ablations). */
  disabledVerbs: OrchestratorVerb[];
  /** Put a record of every finished task in `info.finished` (turn off for raw speed). */
  recordTasks: boolean;
}

export const ORCHESTRATOR_DEFAULTS: Readonly<OrchestratorConfig> = Object.freeze({
  workers: ['react', 'chain_of_thought', 'reflection', 'evaluator', 'tree_of_thought', 'retrieval_augmented'],
  poolSeed: 0,
  worldSeed: null,
  pluginMix: { customer_support: 1, sales_research: 1, benchmark: 1 },
  arrivalRate: 0.46,
  burstProbability: 0.02,
  burstMultiplier: 2.2,
  burstLength: [4, 12] as [number, number],
  dayLength: 200,
  queueCapacity: 48,
  scanDepth: 4,
  workerSpread: 0.8,
  domainSpread: 1.2,
  skillSpread: 0.7,
  affinityWeight: 0.9,
  complexityPenalty: 1.5,
  durationScale: 1,
  reviewGain: 0.8,
  silentFailureRate: 0.5,
  degradationRate: 0.006,
  degradationFailure: 0.45,
  degradationLatency: 1.0,
  degradationSilent: 0.3,
  abandonAfter: 2,
  skillDriftRate: 0,
  skillDriftScale: 0.8,
  statsDecay: 1,
  feedbackRate: 0.3,
  preferenceRate: 0.1,
  moodNoise: 0.02,
  qualitySpread: 0.1,
  catNoise: 1.0,
  ratingNoise: 0.6,
  preferenceTemperature: 8,
  rewardMode: 'gold' as OrchestratorRewardMode,
  rewardWeights: { success: 1, sla: 0.5, cost: 0.04, satisfaction: 1 },
  disabledVerbs: [] as OrchestratorVerb[],
  recordTasks: true,
});

export const ORCHESTRATOR_PRESETS: Readonly<Record<OrchestratorPreset, Partial<OrchestratorConfig>>> = {
  easy: { arrivalRate: 0.34, burstProbability: 0.01, domainSpread: 1.0, skillSpread: 0.5, complexityPenalty: 1.2, silentFailureRate: 0.3, degradationRate: 0.003 },
  default: {},
  hard: { arrivalRate: 0.54, burstProbability: 0.03, domainSpread: 1.4, skillSpread: 0.9, complexityPenalty: 1.8, silentFailureRate: 0.6, degradationRate: 0.008, degradationSilent: 0.4 },
};

/** The drifting variant's additions on top of its preset. */
export const ORCHESTRATOR_DRIFT_OVERRIDES: Readonly<Partial<OrchestratorConfig>> = { skillDriftRate: 0.03, statsDecay: 0.97 };

const NUMBER_RANGES: Partial<Record<keyof OrchestratorConfig, [number, number, 'int' | 'real']>> = {
  poolSeed: [-Infinity, Infinity, 'int'],
  arrivalRate: [0, 5, 'real'],
  burstProbability: [0, 1, 'real'],
  burstMultiplier: [1, 20, 'real'],
  dayLength: [1, 1e6, 'int'],
  queueCapacity: [1, 4096, 'int'],
  scanDepth: [1, 4096, 'int'],
  workerSpread: [0, 10, 'real'],
  domainSpread: [0, 10, 'real'],
  skillSpread: [0, 10, 'real'],
  affinityWeight: [0, 10, 'real'],
  complexityPenalty: [0, 10, 'real'],
  durationScale: [0.05, 100, 'real'],
  reviewGain: [0, 1, 'real'],
  silentFailureRate: [0, 1, 'real'],
  degradationRate: [0, 1, 'real'],
  degradationFailure: [0, 1, 'real'],
  degradationLatency: [0, 10, 'real'],
  degradationSilent: [0, 1, 'real'],
  abandonAfter: [0.1, 1000, 'real'],
  skillDriftRate: [0, 1, 'real'],
  skillDriftScale: [0, 10, 'real'],
  statsDecay: [0.5, 1, 'real'],
  feedbackRate: [0, 1, 'real'],
  preferenceRate: [0, 1, 'real'],
  moodNoise: [0, 1, 'real'],
  qualitySpread: [0, 1, 'real'],
  catNoise: [0, 20, 'real'],
  ratingNoise: [0, 20, 'real'],
  preferenceTemperature: [0, 1000, 'real'],
};

/** Resolves kwargs `{preset, ...overrides}` (plus optional extra defaults, e.g. the drift variant's) into a full config. */
export function resolveOrchestratorConfig(kwargs: Record<string, unknown> = {}, variant: Partial<OrchestratorConfig> = {}): OrchestratorConfig {
  const { preset = 'default', ...overrides } = kwargs;
  if (typeof preset !== 'string' || !(preset in ORCHESTRATOR_PRESETS)) {
    throw new ConfigError(`Expected preset to be one of easy, default, hard, but got ${describeValue(preset)}.`);
  }
  const allowed = new Set(Object.keys(ORCHESTRATOR_DEFAULTS));
  for (const key of Object.keys(overrides)) {
    if (!allowed.has(key)) throw new ConfigError(`Expected an Orchestrator option (${[...allowed].join(', ')}), but got ${JSON.stringify(key)}.`);
  }
  const merged = {
    ...structuredClone(ORCHESTRATOR_DEFAULTS as OrchestratorConfig),
    ...ORCHESTRATOR_PRESETS[preset as OrchestratorPreset],
    ...variant,
    ...overrides,
  } as OrchestratorConfig;
  if (overrides.rewardWeights !== undefined) {
    if (typeof overrides.rewardWeights !== 'object' || overrides.rewardWeights === null) {
      throw new ConfigError(`Expected rewardWeights to be an object {success, sla, cost, satisfaction}, but got ${describeValue(overrides.rewardWeights)}.`);
    }
    merged.rewardWeights = { ...ORCHESTRATOR_DEFAULTS.rewardWeights, ...(overrides.rewardWeights as Partial<OrchestratorRewardWeights>) };
  }
  validateConfig(merged);
  return merged;
}

function validateConfig(config: OrchestratorConfig): void {
  for (const [key, [low, high, kind]] of Object.entries(NUMBER_RANGES) as [keyof OrchestratorConfig, [number, number, string]][]) {
    const value = config[key] as unknown;
    if (typeof value !== 'number' || Number.isNaN(value) || value < low || value > high || (kind === 'int' && !Number.isInteger(value))) {
      throw new ConfigError(`Expected ${key} to be ${kind === 'int' ? 'an integer' : 'a number'} in [${low}, ${high}], but got ${describeValue(value)}.`);
    }
  }
  if (config.worldSeed !== null && !Number.isInteger(config.worldSeed)) {
    throw new ConfigError(`Expected worldSeed to be an integer or null, but got ${describeValue(config.worldSeed)}.`);
  }
  const workers = config.workers;
  if (typeof workers === 'number') {
    if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new ConfigError(`Expected workers to be an integer in [1, 64] or a list of architectures, but got ${describeValue(workers)}.`);
  } else if (Array.isArray(workers)) {
    if (workers.length === 0 || workers.length > 64) throw new ConfigError(`Expected 1 to 64 workers, but got ${workers.length}.`);
    for (const name of workers) {
      if (!ARCHITECTURE_NAMES.includes(name)) throw new ConfigError(`Expected a worker architecture (${ARCHITECTURE_NAMES.join(', ')}), but got ${describeValue(name)}.`);
    }
  } else {
    throw new ConfigError(`Expected workers to be a number or a list of architecture names, but got ${describeValue(workers)}.`);
  }
  const [minBurst, maxBurst] = config.burstLength ?? [];
  if (!Array.isArray(config.burstLength) || !Number.isInteger(minBurst) || !Number.isInteger(maxBurst) || minBurst < 1 || maxBurst < minBurst) {
    throw new ConfigError(`Expected burstLength to be [min, max] integers with 1 <= min <= max, but got ${JSON.stringify(config.burstLength)}.`);
  }
  if (typeof config.pluginMix !== 'object' || config.pluginMix === null || Object.keys(config.pluginMix).length === 0) {
    throw new ConfigError(`Expected pluginMix to map plugin names to positive shares, but got ${describeValue(config.pluginMix)}.`);
  }
  for (const [name, share] of Object.entries(config.pluginMix)) {
    if (typeof share !== 'number' || !(share > 0) || !Number.isFinite(share)) throw new ConfigError(`Expected pluginMix.${name} to be a positive number, but got ${describeValue(share)}.`);
  }
  if (!['gold', 'feedback', 'none'].includes(config.rewardMode)) {
    throw new ConfigError(`Expected rewardMode to be gold, feedback or none, but got ${describeValue(config.rewardMode)}.`);
  }
  for (const key of ['success', 'sla', 'cost', 'satisfaction'] as const) {
    const w = config.rewardWeights[key];
    if (typeof w !== 'number' || !Number.isFinite(w)) throw new ConfigError(`Expected rewardWeights.${key} to be a finite number, but got ${describeValue(w)}.`);
  }
  if (!Array.isArray(config.disabledVerbs)) throw new ConfigError(`Expected disabledVerbs to be a list of verbs, but got ${describeValue(config.disabledVerbs)}.`);
  for (const verb of config.disabledVerbs) {
    if (!ORCHESTRATOR_VERBS.includes(verb)) throw new ConfigError(`Expected disabledVerbs entries among ${ORCHESTRATOR_VERBS.join(', ')}, but got ${describeValue(verb)}.`);
  }
  if (config.disabledVerbs.includes('monitor') && config.disabledVerbs.includes('optimize')) {
    throw new ConfigError('Expected monitor or optimize to stay enabled (one always-valid action is needed), but disabledVerbs has both.');
  }
  if (typeof config.recordTasks !== 'boolean') throw new ConfigError(`Expected recordTasks to be a boolean, but got ${describeValue(config.recordTasks)}.`);
}
