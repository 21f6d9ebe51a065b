/**
 * The layout of Orchestrator-v0's observation, declared once: named offsets of the queue and head-task
 * block, the per-worker block and the tail, their scales, and the labels (`env.observationLabels`). The env
 * writes the observation with these names (env.ts) and the baselines read it with them (baselines.ts), so no
 * code holds a bare index like `obs[4]`. The table in env.ts's header documents the same layout.
 */

/** Queue and head-task block, from index 0. Categories (one-hot) start at HEAD.category, then the task features. */
export const HEAD = {
  queuePriority1: 0,
  queuePriority2: 1,
  queuePriority3: 2,
  unscannedFraction: 3,
  present: 4,
  scanned: 5,
  priority: 6,
  complexity: 7,
  slack: 8,
  retried: 9,
  category: 10,
} as const;

/** Fields of worker w's block, at `workerObsOffset + WORKER.size * w`. */
export const WORKER_FIELDS = ['load', 'capacity', 'success_rate', 'head_success_rate', 'mean_duration', 'cost'] as const;
export const WORKER = { load: 0, capacity: 1, successRate: 2, headSuccessRate: 3, meanDuration: 4, cost: 5, size: WORKER_FIELDS.length } as const;

/** Fields of the tail, at `tailObsOffset`. */
export const TAIL_FIELDS = ['inflight_fraction', 'overdue_fraction', 'degradation_signal', 'sla_pressure', 'time_of_day', 'since_monitor', 'since_optimize', 'arrival_rate'] as const;
export const TAIL = { inflightFraction: 0, overdueFraction: 1, degradationSignal: 2, slaPressure: 3, timeOfDay: 4, sinceMonitor: 5, sinceOptimize: 6, arrivalRate: 7 } as const;

/** Divisors that bring each count into [0, 1] (a value is count / scale). */
export const SCALE = { queueCount: 8, priority: 3, complexity: 5, sinceMonitor: 50, sinceOptimize: 100, arrivalRate: 2, capacity: 3 } as const;

/** The labels of the observation, in order (categories and task features as the env's plugin mix gives them). */
export function observationLabels(categories: readonly string[], featureLabels: readonly string[], numWorkers: number): { labels: string[]; workerObsOffset: number; tailObsOffset: number } {
  const labels: string[] = ['queue_priority_1', 'queue_priority_2', 'queue_priority_3', 'queue_unscanned_fraction'];
  labels.push('head_present', 'head_scanned', 'head_priority', 'head_complexity', 'head_slack', 'head_retried');
  for (const category of categories) labels.push(`head_category:${category}`);
  for (const feature of featureLabels) labels.push(`head_feature:${feature}`);
  const workerObsOffset = labels.length;
  for (let w = 0; w < numWorkers; w++) for (const field of WORKER_FIELDS) labels.push(`worker${w}:${field}`);
  const tailObsOffset = labels.length;
  labels.push(...TAIL_FIELDS);
  return { labels, workerObsOffset, tailObsOffset };
}

/** Readers of an observation, for policies that use the layout (the baselines). */
export const read = {
  headPresent: (obs: ArrayLike<number>) => obs[HEAD.present] === 1,
  headScanned: (obs: ArrayLike<number>) => obs[HEAD.scanned] === 1,
  headPriority: (obs: ArrayLike<number>) => Math.round(obs[HEAD.priority] * SCALE.priority),
  headComplexity: (obs: ArrayLike<number>) => Math.round(obs[HEAD.complexity] * SCALE.complexity),
  queuedTasks: (obs: ArrayLike<number>) => Math.round(SCALE.queueCount * (obs[HEAD.queuePriority1] + obs[HEAD.queuePriority2] + obs[HEAD.queuePriority3])),
  ticksSinceMonitor: (obs: ArrayLike<number>, tailObsOffset: number) => obs[tailObsOffset + TAIL.sinceMonitor] * SCALE.sinceMonitor,
};
