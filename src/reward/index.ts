/** src/reward: feedback data, features, reward models and the LearnedRewardWrapper. */
export {
  meanAbsoluteError,
  rSquared,
  pearson,
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
export { TfjsRewardModel, type TfjsRewardModelConfig } from './tfjs-reward-model.js';
export { ForestRewardModel, type ForestRewardModelConfig } from './forest-reward-model.js';
export { EnsembleRewardModel, createRewardModel, loadRewardModel, type RewardModelSpec } from './ensemble-reward-model.js';
export {
  LearnedRewardWrapper,
  RewardLearner,
  makeWithLearnedReward,
  makeLearnedRewardVecEnv,
  rewardMetricsHook,
  type RewardPrior,
  type RewardLearnerConfig,
  type LearnedRewardWrapperConfig,
} from './learned-reward-wrapper.js';
export { collectFeedback, type CollectFeedbackOptions, type CollectedFeedback } from './collect.js';
