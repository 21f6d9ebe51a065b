/**
 * The reward-learning configs, one zod schema each (the one config style: src/core/config-schema.ts): the
 * model kinds (`tfjs-mlp`, `random-forest`, `ensemble`) and the RewardLearner behind LearnedRewardWrapper.
 * An experiment spec's `reward.model` is a model spec (`{kind, ...config}`) plus the learner's options;
 * `checkRewardModelSpec` validates one, with its path, before anything is built.
 */
import { z } from 'zod';
import { crossFieldRules, resolveConfig } from '../core/config-schema.js';
import { REWARD_FEATURE_DIM } from './features.js';
import type { FeedbackBuffer } from './feedback-buffer.js';
import type { RewardModel } from './reward-model.js';

/** `weightDecay: 'auto'` is this many rows' worth of prior: the L2 coefficient is it over the training rows. */
export const AUTO_WEIGHT_DECAY_ROWS = 10;

const featureDim = z.number().int().min(1).default(REWARD_FEATURE_DIM).describe("Input length (the orchestrator's task-outcome features)");

// Field order is the order saved configs (reward-model.json) list them in: keep it.
export const TfjsRewardModelConfigSchema = z.strictObject({
  hiddenSizes: z.array(z.number().int().min(1)).default([64, 64]).describe('Hidden layer widths'),
  activation: z.enum(['relu', 'tanh']).default('relu').describe('Hidden activation'),
  ensembleSize: z.number().int().min(1).default(5).describe('Ensemble members k; 1 gives a single model with zero uncertainty'),
  bootstrap: z.boolean().default(true).describe('Train each member on a bootstrap resample; false trains all on the full data'),
  learningRate: z.number().gt(0).default(3e-3).describe('Adam learning rate'),
  batchSize: z.number().int().min(1).default(256).describe('Scored rows per member per step'),
  epochs: z.number().int().min(0).default(20).describe('Passes over the data in fit'),
  updateEpochs: z.number().int().min(0).default(5).describe('Passes over the data in update'),
  // On Orchestrator-v0 feedback a fixed 1e-4 overfitted small datasets and a fixed 3e-3 underfitted the
  // scores of a long run; `auto` beat both (npm run bench -- reward-model --curve).
  weightDecay: z
    .union([z.literal('auto'), z.number().min(0)])
    .default('auto')
    .describe(`L2 penalty on the weight matrices, or "auto": ${AUTO_WEIGHT_DECAY_ROWS} / the rows a fit or update trains on (scores, plus pairs when used), a prior that fades as the data grows`),
  // On Orchestrator-v0's default feedback mix (3 scores per preference) a positive weight lowered held-out
  // accuracy (fewer pairs, which the MLP overfits); it pays when preferences are the main signal.
  preferenceWeight: z.number().min(0).default(0).describe('Weight of the Bradley-Terry loss on preferences; 0 ignores them'),
  initialBeta: z.number().gt(0).default(4).describe('Initial inverse temperature of the Bradley-Terry link (learned afterwards)'),
  seed: z.number().default(0).describe('Seeds initialization, bootstrap and minibatch order'),
  engine: z
    .enum(['wasm-simd', 'tfjs'])
    .default('wasm-simd')
    .describe('What trains the members: wasm-simd (WebAssembly SIMD kernels) or tfjs (TensorFlow.js, the reference); predictions are plain JS either way'),
  dim: featureDim,
});

export type TfjsRewardModelConfig = z.output<typeof TfjsRewardModelConfigSchema>;
export type TfjsRewardModelConfigInput = z.input<typeof TfjsRewardModelConfigSchema>;

export const ForestRewardModelConfigSchema = z.strictObject({
  nEstimators: z.number().int().min(1).default(30).describe('Trees'),
  maxFeatures: z.number().gt(0).max(1).default(0.7).describe("Fraction of features each tree sees (ml-random-forest's feature bagging)"),
  maxDepth: z.number().int().min(1).default(10).describe('Depth limit of a tree'),
  minNumSamples: z.number().int().min(1).default(5).describe('A node with this many rows or fewer becomes a leaf'),
  maxSamplesPerTree: z.number().int().min(1).default(1500).describe('Bootstrap rows per tree, at most'),
  featureLevels: z.number().int().min(1).default(16).describe('Levels continuous features are rounded to'),
  seed: z.number().default(0).describe('Seeds the bootstrap samples and the feature bagging'),
  dim: featureDim,
});

export type ForestRewardModelConfig = z.output<typeof ForestRewardModelConfigSchema>;
export type ForestRewardModelConfigInput = z.input<typeof ForestRewardModelConfigSchema>;

const ensembleFields = {
  members: z.array(z.looseObject({ kind: z.string() })).min(1).describe('Member model specs ({kind, ...config}), e.g. one tfjs-mlp and one random-forest'),
  weights: z.array(z.number().min(0)).optional().describe("Members' shares of the average (normalized); equal when omitted"),
};

function ensembleRules(spec: { members: unknown[]; weights?: number[] }, blame: (field: string, expectation: string) => void): void {
  if (spec.weights === undefined) return;
  if (spec.weights.length !== spec.members.length) blame('weights', `to hold one weight per member (${spec.members.length})`);
  else if (!(spec.weights.reduce((a, b) => a + b, 0) > 0)) blame('weights', 'to have a positive sum');
}

/** A reward model by kind and config, as an experiment spec writes it. */
export type RewardModelSpec =
  | ({ kind: 'tfjs-mlp' } & TfjsRewardModelConfigInput)
  | ({ kind: 'random-forest' } & ForestRewardModelConfigInput)
  | { kind: 'ensemble'; members: RewardModelSpec[]; weights?: number[] };

export const REWARD_MODEL_KINDS = ['tfjs-mlp', 'random-forest', 'ensemble'] as const;
export type RewardModelKind = (typeof REWARD_MODEL_KINDS)[number];

export type RewardPrior = 'neutral' | 'outcome' | ((features: Float32Array) => number);

/** The learner options an experiment spec's `reward.model` may hold beside the model's own. */
export const rewardLearnerSpecFields = {
  refitEvery: z
    .number()
    .int()
    .min(1)
    .default(10_000)
    .describe('Env steps between refits (all members together); a warm-started update of the default tfjs model costs about what PPO spends on a few thousand steps'),
  minFeedback: z.number().int().min(1).default(100).describe('Training records (scores + preferences) needed before the model replaces the prior'),
  prior: z
    .union([z.enum(['neutral', 'outcome']), z.custom<(features: Float32Array) => number>((v) => typeof v === 'function')])
    .default('neutral')
    .meta({
      expected: '"neutral", "outcome" or a function of the features',
      description: 'What predicts satisfaction before the model is ready: neutral (0.5: no satisfaction term), outcome (0.15 + 0.45 success + 0.2 sla_met), or a function of the feature vector',
    }),
  heldOutFraction: z.number().min(0).lt(1).default(0.1).describe('Share of feedback kept out of training for the held-out metrics; 0 turns them off'),
  updateEpochs: z.number().int().min(0).optional().describe("Epochs of each warm-started update; the model's own updateEpochs when omitted"),
  updateRecords: z
    .union([z.number().int().min(1), z.literal(Infinity)])
    .default(4096)
    .meta({
      expected: 'an integer >= 1 or Infinity',
      description: 'Records a warm-started update trains on, at most (a uniform sample of the buffer once it is larger, so a late refit costs what an early one does); Infinity uses the whole buffer. Models that cannot warm-start always refit on the whole buffer',
    }),
};

export const REWARD_LEARNER_SPEC_KEYS = Object.keys(rewardLearnerSpecFields) as (keyof typeof rewardLearnerSpecFields)[];

/** Everything a RewardLearner takes: the model, and how it learns. */
export const RewardLearnerConfigSchema = z.strictObject({
  model: z.custom<RewardModel>((v) => typeof (v as RewardModel | undefined)?.predict === 'function').meta({ expected: 'a RewardModel', description: 'The reward model that is fitted and predicts satisfaction' }),
  buffer: z.custom<FeedbackBuffer>((v) => typeof v === 'object' && v !== null).optional().meta({ expected: 'a FeedbackBuffer', description: "Training feedback; a new buffer of the model's input length when omitted" }),
  ...rewardLearnerSpecFields,
  onlineWindow: z.number().int().min(1).default(1000).describe('Finished tasks kept for reward_model/online_spearman'),
  episodeWindow: z.number().int().min(1).default(100).describe('Episodes averaged in the proxy/gold returns'),
  seed: z.number().default(0).describe('Seeds the held-out split and the update sample'),
  onLog: z.custom<(line: string) => void>((v) => typeof v === 'function').optional().meta({ expected: 'a function', description: 'Receives one line per notable event (prior in use, switch to the model, each refit)' }),
});

export type RewardLearnerConfig = z.output<typeof RewardLearnerConfigSchema>;
export type RewardLearnerConfigInput = z.input<typeof RewardLearnerConfigSchema>;

/** What `loopgym reward-models [kind]` documents: each model kind, and the learner's options beside it in a spec. */
export const REWARD_CONFIG_DOCS: Readonly<Record<RewardModelKind | 'learner', { description: string; schema: z.ZodType }>> = {
  'tfjs-mlp': { description: 'MLP ensemble (TensorFlow.js) on the normalized CAT score, optional Bradley-Terry loss on preferences', schema: TfjsRewardModelConfigSchema },
  'random-forest': { description: 'Random-forest regression of the normalized CAT score (ml-random-forest)', schema: ForestRewardModelConfigSchema },
  ensemble: { description: 'Weighted average of member models (each a {kind, ...config} spec)', schema: z.strictObject(ensembleFields) },
  learner: {
    description: "The RewardLearner's options, beside the model's in an experiment spec's reward.model",
    schema: z.strictObject(rewardLearnerSpecFields),
  },
};

const KindSchema = z.looseObject({ kind: z.enum(REWARD_MODEL_KINDS).describe('Reward model kind') });

/** The schema of one kind's spec (`kind` plus its config), with the learner's options when `withLearner`. */
function specSchema(kind: RewardModelKind, withLearner: boolean): z.ZodType {
  const learner = withLearner ? rewardLearnerSpecFields : {};
  if (kind === 'ensemble') return crossFieldRules(z.strictObject({ kind: z.literal('ensemble'), ...ensembleFields, ...learner }), ensembleRules);
  const model = kind === 'tfjs-mlp' ? TfjsRewardModelConfigSchema : ForestRewardModelConfigSchema;
  return z.strictObject({ kind: z.literal(kind), ...model.shape, ...learner });
}

/**
 * Validates a model spec (ensembles member by member) with messages at `path`, e.g. `reward.model`. An
 * experiment spec's section (`withLearner`) may also hold the learner's options, and its kind defaults to
 * tfjs-mlp.
 */
export function checkRewardModelSpec(spec: unknown, path: string, withLearner = false): void {
  const place = { label: 'reward model', path };
  const input = withLearner && typeof spec === 'object' && spec !== null && !('kind' in spec) ? { kind: 'tfjs-mlp', ...spec } : spec;
  const { kind } = resolveConfig(KindSchema, input, place);
  resolveConfig(specSchema(kind, withLearner), input, { label: kind, path });
  if (kind === 'ensemble') (input as { members: unknown[] }).members.forEach((member, i) => checkRewardModelSpec(member, `${path}.members[${i}]`));
}
