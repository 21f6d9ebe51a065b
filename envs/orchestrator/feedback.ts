/**
 * What the simulated users leave behind, as typed events, and the fixed-length feature vector of a
 * finished task that reward models learn from.
 *
 * Every finished task has a hidden true satisfaction in [0, 1] (how it is made: envs/orchestrator/env.ts).
 * A `feedbackRate` fraction of them get a `ScoreFeedback` (a CAT score and four ratings, all noisy); with
 * probability `preferenceRate` a finished task is also compared with a recent one in a
 * `PreferenceFeedback`, drawn by Bradley-Terry on the true satisfactions.
 *
 * Feature arrays are views into 4 KB blocks shared by neighbouring events (one block per ~26 arrays, events
 * and task records in separate blocks): keeping many events costs little, keeping one event keeps its block.
 */
import { TASK_FEATURE_DIM, TASK_FEATURE_LABELS } from '../../src/plugins/types.js';
import { customerSupportPlugin } from '../../src/plugins/customer-support.js';
import { salesResearchPlugin } from '../../src/plugins/sales-research.js';
import { benchmarkPlugin } from '../../src/plugins/benchmark.js';
import { ARCHITECTURE_NAMES } from './catalog.js';

/** A user's scores for one finished task. */
export interface ScoreFeedback {
  type: 'score';
  /** The env's task number (`TaskOutcome.taskId`). */
  taskId: number;
  /** Tick the feedback arrived (the task's finish tick). */
  tick: number;
  /** Consensual-assessment (CAT) score, an integer 1-10: round(1 + 9 * satisfaction + N(0, catNoise)), clipped. */
  cat: number;
  /** Integer ratings 1-5, each round(1 + 4 * driver + N(0, ratingNoise)), clipped; drivers documented in env.ts. */
  ratings: { creativity: number; usefulness: number; novelty: number; quality: number };
  /** `taskOutcomeFeatures` of the task. */
  features: Float32Array;
}

/** A user's choice between two finished tasks. */
export interface PreferenceFeedback {
  type: 'preference';
  tick: number;
  taskA: number;
  taskB: number;
  /** 0 when A was preferred, 1 when B was: P(A) = 1 / (1 + exp(-temperature * (satA - satB))). */
  preferred: 0 | 1;
  featuresA: Float32Array;
  featuresB: Float32Array;
}

export type FeedbackEvent = ScoreFeedback | PreferenceFeedback;

/** How a task left the system. */
export type OutcomeKind = 'succeeded' | 'failed' | 'stalled' | 'abandoned';

/** A finished task, as `info.finished` reports it. */
/**
 * An orchestrator decision that touched a task (`info.decisions`, built once a TraceRecorder asked for them):
 * `scanned` (its category, complexity and features revealed), `dispatched` / `coordinated` (work started on
 * `worker`, one or two units), `requeued` (monitor found the work on `worker` hung and put the task back at
 * the head of the queue). `tick` is the tick the decision was taken in.
 */
export interface TaskDecision {
  type: 'scanned' | 'dispatched' | 'coordinated' | 'requeued';
  taskId: number;
  tick: number;
  /** Worker slot; -1 for a scan. */
  worker: number;
}

/** A task not finished yet (waiting in the queue or in work): `OrchestratorEnv.openTasks()`. */
export interface OpenTask {
  taskId: number;
  plugin: string;
  category: string;
  complexity: number;
  priority: number;
  slaTicks: number;
  arrivalTick: number;
  retries: number;
  arrivedInBurst: boolean;
  /** Worker slot it is in work on, -1 while queued. */
  worker: number;
  architecture: string;
  coordinated: boolean;
  /** Worker cost charged to it so far (running work included). */
  cost: number;
  /** Its plugin features (TASK_FEATURE_DIM values). */
  features: Float32Array;
}

export interface TaskOutcome {
  taskId: number;
  plugin: string;
  category: string;
  /** Worker slot, -1 for an abandoned task that was never worked on successfully. */
  worker: number;
  /** Architecture of the worker, '' when abandoned. */
  architecture: string;
  kind: OutcomeKind;
  success: boolean;
  slaMet: boolean;
  /** Ticks from arrival to finish. */
  latency: number;
  slaTicks: number;
  complexity: number;
  priority: number;
  coordinated: boolean;
  retries: number;
  finishTick: number;
  /** The task arrived during an arrival burst. */
  arrivedInBurst: boolean;
  /** Worker cost it took: cost per unit per tick x units x ticks in work, over every attempt. */
  cost: number;
  /** `taskOutcomeFeatures` of this task. */
  features: Float32Array;
  /** The hidden true satisfaction. For evaluation only: a policy or reward model must not train on it. */
  trueSatisfaction: number;
  /** The gold satisfaction term this task added to the reward (weight x (satisfaction - 0.5)). */
  satisfactionTerm: number;
}

/** Categories of the built-in plugins, in the order of their one-hot block; anything else is `other`. */
export const BUILTIN_CATEGORIES: readonly string[] = [...customerSupportPlugin.categories, ...salesResearchPlugin.categories, ...benchmarkPlugin.categories];

/**
 * Labels of `taskOutcomeFeatures`, by index: 0 success, 1 sla_met, 2 latency_ratio (latency / SLA / 3,
 * clipped to 1), 3 complexity / 5, 4 priority / 3, 5 coordinated, 6 retried, 7-12 the task's plugin
 * features (TASK_FEATURE_LABELS, prefixed `task_`), then a one-hot of the worker architecture
 * (`arch:<name>`, all zero when abandoned) and a one-hot of the category (`category:<name>`,
 * `category:other` for plugin categories outside the built-ins). Everything lies in [0, 1].
 */
export const TASK_OUTCOME_FEATURE_LABELS: readonly string[] = [
  'success',
  'sla_met',
  'latency_ratio',
  'complexity',
  'priority',
  'coordinated',
  'retried',
  ...TASK_FEATURE_LABELS.map((label) => `task_${label}`),
  ...ARCHITECTURE_NAMES.map((name) => `arch:${name}`),
  ...BUILTIN_CATEGORIES.map((name) => `category:${name}`),
  'category:other',
];
export const TASK_OUTCOME_FEATURE_DIM = TASK_OUTCOME_FEATURE_LABELS.length;

const ARCH_OFFSET = 7 + TASK_FEATURE_DIM;
const CATEGORY_OFFSET = ARCH_OFFSET + ARCHITECTURE_NAMES.length;

/** The fields `taskOutcomeFeatures` reads; a `TaskOutcome` plus the task's plugin features has them all. */
export interface TaskOutcomeInput {
  success: boolean;
  slaMet: boolean;
  latency: number;
  slaTicks: number;
  complexity: number;
  priority: number;
  coordinated: boolean;
  retries: number;
  /** The task's plugin features (TASK_FEATURE_DIM values). */
  taskFeatures: ArrayLike<number>;
  /** Architecture name, or '' when no worker finished the task. */
  architecture: string;
  category: string;
}

/** The fixed-length (TASK_OUTCOME_FEATURE_DIM) feature vector of a finished task; see the labels. */
export function taskOutcomeFeatures(input: TaskOutcomeInput): Float32Array {
  const out = new Float32Array(TASK_OUTCOME_FEATURE_DIM);
  writeOutcomeFeatures(
    out,
    input.success,
    input.slaMet,
    input.latency,
    input.slaTicks,
    input.complexity,
    input.priority,
    input.coordinated,
    input.retries,
    input.taskFeatures,
    0,
    ARCHITECTURE_NAMES.indexOf(input.architecture),
    builtinCategoryIndex(input.category),
  );
  return out;
}

/** Zeroes the two one-hot entries a writeOutcomeFeatures call with these indices set (the rest it overwrites). */
export function clearOutcomeOneHots(out: Float32Array, architectureIndex: number, categoryIndex: number): void {
  if (architectureIndex >= 0) out[ARCH_OFFSET + architectureIndex] = 0;
  out[CATEGORY_OFFSET + categoryIndex] = 0;
}

/** Index of a category in the one-hot block (the last one, `other`, for unknown categories). */
export function builtinCategoryIndex(category: string): number {
  const i = BUILTIN_CATEGORIES.indexOf(category);
  return i < 0 ? BUILTIN_CATEGORIES.length : i;
}

/** The env's allocation-light path: scalar fields in, features written into `out` (zeroed by the caller). */
export function writeOutcomeFeatures(
  out: Float32Array,
  success: boolean,
  slaMet: boolean,
  latency: number,
  slaTicks: number,
  complexity: number,
  priority: number,
  coordinated: boolean,
  retries: number,
  taskFeatures: ArrayLike<number>,
  taskFeaturesOffset: number,
  architectureIndex: number,
  categoryIndex: number,
): void {
  out[0] = success ? 1 : 0;
  out[1] = slaMet ? 1 : 0;
  out[2] = Math.min(1, latency / slaTicks / 3);
  out[3] = complexity / 5;
  out[4] = priority / 3;
  out[5] = coordinated ? 1 : 0;
  out[6] = retries > 0 ? 1 : 0;
  for (let f = 0; f < TASK_FEATURE_DIM; f++) out[7 + f] = taskFeatures[taskFeaturesOffset + f];
  if (architectureIndex >= 0) out[ARCH_OFFSET + architectureIndex] = 1;
  out[CATEGORY_OFFSET + categoryIndex] = 1;
}
