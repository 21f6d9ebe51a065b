/** The shared learning machinery, for the package barrel and for algorithms written outside agents/. */
export { RolloutBuffer } from './rollout-buffer.js';
export { ReplayBuffer, type ReplayBatch } from './replay-buffer.js';
export { Logger, reproducibleRow, type LogFormat, type LoggerOptions, type LogRow } from './logger.js';
export { EvalHook, CheckpointHook, StopOnRewardThreshold, ProgressBarHook, runHooks, endHooks, type EvalHookOptions } from './hooks.js';
export { evaluate, type EvaluateOptions, type EvaluateResult } from './evaluate.js';
export { ActorCritic } from './actor-critic.js';
export { ENGINES, type ActorCriticOptions, type Engine, type LossHead, type PolicyValueNet } from './policy-value-net.js';
export { createPolicyValueNet } from './engines.js';
export { toVectorEnv, isVectorEnv } from './vec.js';
export { EpisodeStats } from './episodes.js';
export { Normalizer, type NormalizerState } from './normalize.js';
export { actorCriticLoss, minibatchInputs, explainedVariance, MinibatchStorage, RolloutCollector, type MinibatchInputs, type ActorCriticLossOptions } from './on-policy.js';
export { rootRng } from './context.js';
export { LearnerState, type LearnerProgress, type LearnerStateOptions, type Normalization } from './learner-state.js';
export { TrainingLoop, type TrainingLoopOptions } from './training-loop.js';
export { ActorCriticLearner, type ActorCriticLearnerConfig, type ActorCriticConfigSpec } from './actor-critic-learner.js';
export { readAgentFolder, writeAgentFolder, checkAgentFolder, agentFolderSchema, exportSectionSchema, AGENT_FORMAT, AGENT_FORMAT_VERSION, type AgentFolder, type ExportSection } from './agent-folder.js';
