/**
 * The task-data plugin contract. A plugin is a named source of synthetic tasks: it declares its categories
 * and, given a seeded Rng, generates tasks with a readable prompt. The Orchestrator env draws its task
 * stream from the plugins in its mix; users add their own with `registerPlugin`.
 */
import type { Rng } from '../core/rng.js';

/**
 * Labels of `Task.features`, every entry in [0, 1]. Plugins fill them; the env and the reward model read
 * them. What each one does inside the Orchestrator world is documented in envs/orchestrator/env.ts.
 */
export const TASK_FEATURE_LABELS = ['length', 'ambiguity', 'domain_depth', 'urgency', 'sentiment', 'creativity_need'] as const;
export const TASK_FEATURE_DIM = TASK_FEATURE_LABELS.length;

export interface Task {
  /** `<plugin>-<n>`, unique within one `generate` call sequence (`context.startId` sets n's start). */
  id: string;
  plugin: string;
  /** One of the plugin's `categories`. */
  category: string;
  /** Integer 1 (trivial) .. 5 (very hard). */
  complexity: number;
  /** Integer 1 (low) .. 3 (high); the reward weights a task by it. */
  priority: number;
  /** Ticks from arrival until the service-level deadline. */
  slaTicks: number;
  /** Tick the task arrives. `generate` stamps `context.tick`; the env re-stamps the real arrival tick. */
  arrivalTick: number;
  /** `TASK_FEATURE_DIM` numbers in [0, 1], labelled by `TASK_FEATURE_LABELS`. */
  features: number[];
  /** A readable request, filled from the plugin's templates. */
  prompt: string;
}

export interface PluginContext {
  /** Arrival tick stamped on the generated tasks (default 0). */
  tick?: number;
  /** First number used in task ids (default 0). */
  startId?: number;
  /**
   * Whether to build the prompt text (default true). The env passes false on its hot path; a plugin must
   * draw the same numbers either way, so the rest of the task stream does not depend on it.
   */
  prompts?: boolean;
}

/**
 * The numeric part of `count` tasks as columns, task i at index i (features at i * TASK_FEATURE_DIM):
 * what the env needs of a task, without building objects, ids or prompts.
 */
export interface TaskBatch {
  /** Index into the plugin's `categories`. */
  category: Int32Array;
  complexity: Int32Array;
  priority: Int32Array;
  slaTicks: Int32Array;
  features: Float64Array;
}

export function allocateTaskBatch(count: number): TaskBatch {
  return {
    category: new Int32Array(count),
    complexity: new Int32Array(count),
    priority: new Int32Array(count),
    slaTicks: new Int32Array(count),
    features: new Float64Array(count * TASK_FEATURE_DIM),
  };
}

export interface TaskPlugin {
  readonly name: string;
  readonly description: string;
  readonly categories: readonly string[];
  /**
   * `count` tasks drawn only from `rng`: the same Rng state gives the same tasks. Must not keep state
   * between calls (the env calls it in chunks, and a fork per plugin keeps streams independent).
   */
  generate(rng: Rng, count: number, context?: PluginContext): Task[];
  /**
   * Optional fast path the env uses when present: the same `count` tasks as `generate` (same draws, same
   * numbers) written into `out`'s columns, with nothing allocated. The env still checks the values.
   */
  generateBatch?(rng: Rng, count: number, out: TaskBatch): void;
}
