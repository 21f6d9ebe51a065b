/**
 * Arrivals: a time-changed unit-rate Poisson process over the day profile (x `burstMultiplier` during a burst;
 * bursts start with a per-tick probability and last `burstLength` ticks), from the arrival stream. Each
 * arrival draws its plugin by the mix weights and takes the plugin's next task from a chunk the plugin
 * generated from its own stream (checked against the Task contract); a task arriving at a full queue is
 * turned away.
 */
import type { OrchestratorState } from './state.js';
import { ConfigError, describeValue } from '../../src/core/errors.js';
import { TASK_FEATURE_DIM, allocateTaskBatch, type Task, type TaskBatch, type TaskPlugin } from '../../src/plugins/types.js';
import { CHUNK, KIND_ABANDONED } from './constants.js';
import { finish } from './finish.js';

/** Ticks until the next burst: geometric with the per-tick start probability (one draw per burst). */
export function drawTicksToBurst(env: OrchestratorState): number {
  const p = env.config.burstProbability;
  if (p <= 0) return Infinity;
  if (p >= 1) return 1;
  return 1 + Math.floor(Math.log(1 - env.arrivalRng.random()) / Math.log(1 - p));
}

export function arrive(env: OrchestratorState): void {
  const p = env.mixWeights.length === 1 ? 0 : env.arrivalRng.weightedIndex(env.mixWeights);
  if (env.pluginCursor[p] >= env.pluginBatchSize[p]) refill(env, p);
  const i = env.pluginCursor[p]++;
  const batch = env.pluginBatches[p];
  // The pool keeps one spare slot, so a task turned away at a full queue can be scored like any other.
  const slot = env.freeSlots[--env.freeCount];
  const priority = batch.priority[i];
  env.tId[slot] = env.nextTaskId++;
  env.tCategory[slot] = env.pluginCategories[p][batch.category[i]];
  env.tPlugin[slot] = p;
  env.tComplexity[slot] = batch.complexity[i];
  env.tPriority[slot] = priority;
  env.tSla[slot] = batch.slaTicks[i];
  env.tArrival[slot] = env.tick;
  env.tScanned[slot] = 0;
  env.tRetries[slot] = 0;
  env.tBurst[slot] = env.burstLeft > 0 ? 1 : 0;
  env.tCost[slot] = 0;
  const base = slot * TASK_FEATURE_DIM;
  const from = i * TASK_FEATURE_DIM;
  for (let f = 0; f < TASK_FEATURE_DIM; f++) env.tFeatures[base + f] = batch.features[from + f];
  if (env.queueLength >= env.config.queueCapacity) {
    finish(env, slot, KIND_ABANDONED, -1, false);
    return;
  }
  env.queue[(env.queueHead + env.queueLength) & env.queueMask] = slot;
  env.queueLength++;
  env.queueByPriority[priority]++;
  env.queueUnscanned++;
}

/** The plugin's next CHUNK tasks, through its allocation-free generateBatch when it has one; checked either way. */
export function refill(env: OrchestratorState, p: number): void {
  const plugin = env.plugins[p];
  let count = CHUNK;
  if (plugin.generateBatch) {
    plugin.generateBatch(env.pluginRngs[p], CHUNK, env.pluginBatches[p]);
  } else {
    const tasks = plugin.generate(env.pluginRngs[p], CHUNK, { tick: env.tick, startId: env.pluginGenerated[p], prompts: false });
    if (!Array.isArray(tasks) || tasks.length === 0) throw new ConfigError(`Expected plugin ${plugin.name} to generate ${CHUNK} tasks, but got ${describeValue(tasks)}.`);
    count = tasks.length;
    if (count > env.pluginBatches[p].category.length) env.pluginBatches[p] = allocateTaskBatch(count);
    tasksToBatch(plugin, tasks, env.pluginBatches[p]);
  }
  validateBatch(plugin, env.pluginBatches[p], count);
  env.pluginGenerated[p] += count;
  env.pluginBatchSize[p] = count;
  env.pluginCursor[p] = 0;
}

/** Copies generated tasks into batch columns, checking what only the objects show (category name, feature count). */
function tasksToBatch(plugin: TaskPlugin, tasks: readonly Task[], out: TaskBatch): void {
  const where = `plugin ${plugin.name}`;
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i];
    const category = task ? plugin.categories.indexOf(task.category) : -1;
    if (category < 0) throw new ConfigError(`Expected ${where} to generate tasks of its categories (${plugin.categories.join(', ')}), but got ${describeValue(task?.category)}.`);
    if (!Array.isArray(task.features) || task.features.length !== TASK_FEATURE_DIM) {
      throw new ConfigError(`Expected ${where} to give ${TASK_FEATURE_DIM} features in [0, 1], but got ${describeValue(task.features)}.`);
    }
    out.category[i] = category;
    // Int32 columns would silently truncate a bad value, so non-integers are stored as -1 and refused below.
    out.complexity[i] = Number.isInteger(task.complexity) ? task.complexity : -1;
    out.priority[i] = Number.isInteger(task.priority) ? task.priority : -1;
    out.slaTicks[i] = Number.isInteger(task.slaTicks) ? task.slaTicks : -1;
    for (let f = 0; f < TASK_FEATURE_DIM; f++) out.features[i * TASK_FEATURE_DIM + f] = task.features[f];
  }
}

/** Refuses a batch whose task `i < count` breaks the Task contract, naming the plugin and the value. */
function validateBatch(plugin: TaskPlugin, batch: TaskBatch, count: number): void {
  const where = `plugin ${plugin.name}`;
  for (let i = 0; i < count; i++) {
    const category = batch.category[i];
    if (category < 0 || category >= plugin.categories.length) {
      throw new ConfigError(`Expected ${where} to give category indices in [0, ${plugin.categories.length - 1}], but got ${category}.`);
    }
    const complexity = batch.complexity[i];
    if (complexity < 1 || complexity > 5) throw new ConfigError(`Expected ${where} to give complexity 1-5, but got ${describeValue(complexity)}.`);
    const priority = batch.priority[i];
    if (priority < 1 || priority > 3) throw new ConfigError(`Expected ${where} to give priority 1-3, but got ${describeValue(priority)}.`);
    const sla = batch.slaTicks[i];
    if (sla < 1) throw new ConfigError(`Expected ${where} to give slaTicks as a positive integer, but got ${describeValue(sla)}.`);
    for (let f = i * TASK_FEATURE_DIM; f < (i + 1) * TASK_FEATURE_DIM; f++) {
      const value = batch.features[f];
      if (!(value >= 0 && value <= 1)) throw new ConfigError(`Expected ${where} to give ${TASK_FEATURE_DIM} features in [0, 1], but got ${describeValue(value)}.`);
    }
  }
}
