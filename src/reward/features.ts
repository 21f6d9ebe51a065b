/**
 * The reward model's input: one fixed-length vector per finished task. The orchestrator owns the vector
 * (`taskOutcomeFeatures`, documented label by label in envs/orchestrator/feedback.ts) because it builds it
 * on the hot path while the task is still in its buffers; this module re-exports it under the reward
 * layer's names and adds what reward learning needs on top (checks, a readable dump).
 *
 * The layout (TASK_OUTCOME_FEATURE_DIM entries, all in [0, 1]):
 *   0 success, 1 sla_met, 2 latency_ratio (latency / SLA / 3, clipped), 3 complexity / 5, 4 priority / 3,
 *   5 coordinated, 6 retried, 7-12 the task's plugin features (length, ambiguity, domain_depth, urgency,
 *   sentiment, creativity_need), then a one-hot of the worker architecture and a one-hot of the category
 *   (with a final `category:other`).
 */
import { DataError } from '../core/errors.js';
import {
  TASK_OUTCOME_FEATURE_DIM,
  TASK_OUTCOME_FEATURE_LABELS,
  taskOutcomeFeatures,
  type TaskOutcomeInput,
} from '../../envs/orchestrator/feedback.js';

export { taskOutcomeFeatures, type TaskOutcomeInput };

/** Labels of the reward model's input vector, by index. */
export const REWARD_FEATURE_LABELS: readonly string[] = TASK_OUTCOME_FEATURE_LABELS;
export const REWARD_FEATURE_DIM: number = TASK_OUTCOME_FEATURE_DIM;

/** Checks a feature vector's length and values; `where` names it in the error (e.g. "line 12"). */
export function checkFeatures(features: ArrayLike<number>, dim: number, where: string): void {
  if (features.length !== dim) throw new DataError(`Expected ${dim} features at ${where}, but got ${features.length}.`);
  for (let i = 0; i < features.length; i++) {
    if (!Number.isFinite(features[i])) throw new DataError(`Expected finite features at ${where}, but got ${features[i]} at index ${i}.`);
  }
}

/** `{label: value}` for the non-zero entries, for logs and debugging. */
export function describeFeatures(features: ArrayLike<number>, labels: readonly string[] = REWARD_FEATURE_LABELS): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < features.length; i++) if (features[i] !== 0) out[labels[i] ?? `f${i}`] = features[i];
  return out;
}
