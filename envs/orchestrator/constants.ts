/** Constants the Orchestrator env's modules share (env.ts and the files it is split into). */
import type { FeedbackEvent, OutcomeKind, TaskDecision, TaskOutcome } from './feedback.js';

/** Recent finished tasks kept for pairwise preferences. */
export const RING = 16;
/** Tasks a plugin generates per refill. */
export const CHUNK = 32;
/** Duration prior (ticks) of a worker's observed mean before any observation. */
export const PRIOR_DURATION = 12;
export const EMPTY_FINISHED: readonly TaskOutcome[] = Object.freeze([]) as readonly TaskOutcome[];
export const EMPTY_FEEDBACK: readonly FeedbackEvent[] = Object.freeze([]) as readonly FeedbackEvent[];
export const EMPTY_DECISIONS: readonly TaskDecision[] = Object.freeze([]) as readonly TaskDecision[];

// How a piece of work ends (drawn at dispatch), and a task that never got worked.
export const OUTCOME_SUCCEEDED = 0;
export const OUTCOME_FAILED = 1;
export const OUTCOME_HUNG = 2;
export const KIND_ABANDONED = 3;
export const KIND_NAMES: readonly OutcomeKind[] = ['succeeded', 'failed', 'stalled', 'abandoned'];
