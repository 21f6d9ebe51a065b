/** src/reward: feedback data, features, reward models and the LearnedRewardWrapper. */
export {
  meanAbsoluteError,
  rSquared,
  averageRanks,
  spearman,
  preferenceAccuracy,
  rewardModelMetrics,
  ProxyGoldTracker,
  type RewardModelMetrics,
  type ProxyGoldSummary,
} from './metrics.js';
export { REWARD_FEATURE_LABELS, REWARD_FEATURE_DIM, taskOutcomeFeatures, checkFeatures, describeFeatures, type TaskOutcomeInput } from './features.js';
export {
  FeedbackBuffer,
  recordsToDataset,
  FEEDBACK_FORMAT,
  FEEDBACK_FORMAT_VERSION,
  type ScoreRecord,
  type PreferenceRecord,
  type FeedbackRecord,
  type FeedbackBufferConfig,
  type CorruptLine,
  type LoadFeedbackOptions,
} from './feedback-buffer.js';
export { normalizeCat, emptyDataset, type RewardDataset, type RewardModel, type Prediction, type UpdateOptions } from './reward-model.js';
export {
  TfjsRewardModelConfigSchema,
  ForestRewardModelConfigSchema,
  RewardLearnerConfigSchema,
  AUTO_WEIGHT_DECAY_ROWS,
  REWARD_MODEL_KINDS,
  REWARD_LEARNER_SPEC_KEYS,
  checkRewardModelSpec,
  type TfjsRewardModelConfig,
  type TfjsRewardModelConfigInput,
  type ForestRewardModelConfig,
  type ForestRewardModelConfigInput,
  type RewardModelSpec,
  type RewardModelKind,
  type RewardPrior,
  type RewardLearnerConfig,
  type RewardLearnerConfigInput,
} from './config.js';
export { TfjsRewardModel } from './tfjs-reward-model.js';
export { ForestRewardModel } from './forest-reward-model.js';
export { EnsembleRewardModel, createRewardModel, loadRewardModel } from './ensemble-reward-model.js';
export {
  LearnedRewardWrapper,
  RewardLearner,
  makeWithLearnedReward,
  makeLearnedRewardVecEnv,
  rewardMetricsHook,
  LearnedRewardWrapperConfigSchema,
  type LearnedRewardWrapperConfig,
} from './learned-reward-wrapper.js';
export { collectFeedback, type CollectFeedbackOptions, type CollectedFeedback } from './collect.js';
