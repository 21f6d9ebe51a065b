/** The shared learning machinery, for the package barrel and for algorithms written outside agents/. */
export { RolloutBuffer } from './rollout-buffer.js';
export { ReplayBuffer, type ReplayBatch } from './replay-buffer.js';
export { Logger, reproducibleRow, type LogFormat, type LoggerOptions, type LogRow } from './logger.js';
export { EvalHook, CheckpointHook, StopOnRewardThreshold, ProgressBarHook, runHooks, endHooks, type EvalHookOptions } from './hooks.js';
export { evaluate, type EvaluateOptions, type EvaluateResult } from './evaluate.js';
export { ActorCritic, type ActorCriticOptions } from './actor-critic.js';
export { toVectorEnv, isVectorEnv } from './vec.js';
export { EpisodeStats } from './episodes.js';
export { Normalizer, type NormalizerState } from './normalize.js';
export { actorCriticLoss, minibatchInputs, explainedVariance, RolloutCollector, type AgentContext, type MinibatchInputs, type ActorCriticLossOptions } from './on-policy.js';
