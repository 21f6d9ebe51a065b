/**
 * A declarative way to write a plugin: categories with their complexity and priority mixes, SLA budgets,
 * feature means and prompt templates whose `{slot}`s are filled from word lists. The three built-in
 * plugins are specs of this kind, and a user plugin can be one too (`defineTemplatePlugin`).
 */
import { ConfigError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { TASK_FEATURE_DIM, allocateTaskBatch, type PluginContext, type Task, type TaskBatch, type TaskPlugin } from './types.js';

export interface TemplateCategory {
  name: string;
  /** Relative frequency of the category in the plugin's stream. */
  weight: number;
  /** Relative frequencies of complexity 1..5. */
  complexity: readonly [number, number, number, number, number];
  /** Relative frequencies of priority 1..3. */
  priority: readonly [number, number, number];
  /** SLA in ticks of a complexity-1 task; each complexity level adds `slaPerComplexity`. */
  slaBase: number;
  slaPerComplexity: number;
  /** Mean of each task feature (TASK_FEATURE_LABELS order); draws spread +-0.2 around it. */
  featureMeans: readonly number[];
  /** Prompt templates with `{slot}` placeholders. */
  templates: readonly string[];
}

export interface TemplatePluginSpec {
  name: string;
  description: string;
  /** Word lists for the `{slot}` placeholders shared by all templates. */
  slots: Readonly<Record<string, readonly string[]>>;
  categories: readonly TemplateCategory[];
}

const SLOT = /\{(\w+)\}/g;
/** Slot k's word comes from frac(promptDraw x multiplier k): well spread for distinct large primes. */
const SLOT_MULTIPLIERS = [7919, 104729, 1299709, 15485863, 179424673];

export function defineTemplatePlugin(spec: TemplatePluginSpec): TaskPlugin {
  validateSpec(spec);
  const categoryTable = cumulative(spec.categories.map((c) => c.weight));
  const complexityTables = spec.categories.map((c) => cumulative(c.complexity));
  const priorityTables = spec.categories.map((c) => cumulative(c.priority));
  const categories = spec.categories.map((c) => c.name);

  /** The draws behind both generate paths; `promptDraws` receives the prompt's number (the draw happens either way). */
  function drawTasks(rng: Rng, count: number, out: TaskBatch, promptDraws: Float64Array | null): void {
    const features = out.features;
    for (let i = 0; i < count; i++) {
      // Three draws per task: one 32-bit word split into three 10-bit uniforms (category, complexity,
      // priority), one into six 5-bit feature offsets, and one double for the prompt.
      const shape = rng.uint32();
      const c = pick(categoryTable, ((shape & 1023) + 0.5) / 1024);
      const category = spec.categories[c];
      const complexity = 1 + pick(complexityTables[c], (((shape >>> 10) & 1023) + 0.5) / 1024);
      const priority = 1 + pick(priorityTables[c], (((shape >>> 20) & 1023) + 0.5) / 1024);
      out.category[i] = c;
      out.complexity[i] = complexity;
      out.priority[i] = priority;
      // Urgent customers get tighter deadlines: priority 3 has 70% of a priority-1 budget.
      out.slaTicks[i] = Math.max(4, Math.round((category.slaBase + category.slaPerComplexity * (complexity - 1)) * (1.15 - 0.15 * priority)));
      const noise = rng.uint32();
      const means = category.featureMeans;
      // Offsets in [-0.2, 0.2) in 32 steps; harder tasks read longer and deeper, urgent ones urgent.
      const f = i * TASK_FEATURE_DIM;
      features[f] = clamp01(means[0] + offset(noise, 0) + 0.08 * (complexity - 3));
      features[f + 1] = clamp01(means[1] + offset(noise, 1));
      features[f + 2] = clamp01(means[2] + offset(noise, 2) + 0.08 * (complexity - 3));
      features[f + 3] = clamp01(means[3] + offset(noise, 3) + 0.15 * (priority - 2));
      features[f + 4] = clamp01(means[4] + offset(noise, 4));
      features[f + 5] = clamp01(means[5] + offset(noise, 5));
      // One draw decides the whole prompt, so skipping the text leaves the rest of the stream unchanged.
      const promptDraw = rng.random();
      if (promptDraws !== null) promptDraws[i] = promptDraw;
    }
  }

  return {
    name: spec.name,
    description: spec.description,
    categories,
    generate(rng: Rng, count: number, context: PluginContext = {}): Task[] {
      if (!Number.isInteger(count) || count < 0) throw new ConfigError(`Expected count to be a non-negative integer, but got ${count}.`);
      const tick = context.tick ?? 0;
      const startId = context.startId ?? 0;
      const withPrompts = context.prompts ?? true;
      const batch = allocateTaskBatch(count);
      const promptDraws = new Float64Array(count);
      drawTasks(rng, count, batch, promptDraws);
      const tasks: Task[] = [];
      for (let i = 0; i < count; i++) {
        const category = spec.categories[batch.category[i]];
        const promptDraw = promptDraws[i];
        let prompt = '';
        if (withPrompts) {
          const template = category.templates[Math.floor(promptDraw * category.templates.length)];
          let k = 0;
          prompt = template.replace(SLOT, (_, slot: string) => {
            const words = spec.slots[slot];
            return words[Math.floor(fraction(promptDraw * SLOT_MULTIPLIERS[k++ % SLOT_MULTIPLIERS.length]) * words.length)];
          });
        }
        tasks.push({
          id: `${spec.name}-${startId + i}`,
          plugin: spec.name,
          category: category.name,
          complexity: batch.complexity[i],
          priority: batch.priority[i],
          slaTicks: batch.slaTicks[i],
          arrivalTick: tick,
          features: Array.from(batch.features.subarray(i * TASK_FEATURE_DIM, (i + 1) * TASK_FEATURE_DIM)),
          prompt,
        });
      }
      return tasks;
    },
    generateBatch(rng: Rng, count: number, out: TaskBatch): void {
      if (!Number.isInteger(count) || count < 0 || count > out.category.length) {
        throw new ConfigError(`Expected count to be an integer in [0, ${out.category.length}] (the batch's size), but got ${count}.`);
      }
      drawTasks(rng, count, out, null);
    },
  };

}

function cumulative(weights: readonly number[]): Float64Array {
  const table = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) table[i] = total += weights[i];
  for (let i = 0; i < weights.length; i++) table[i] /= total;
  return table;
}

/** Index i with table[i-1] <= u < table[i] (inverse-CDF draw from a cumulative table). */
function pick(table: Float64Array, u: number): number {
  let i = 0;
  while (i < table.length - 1 && u >= table[i]) i++;
  return i;
}

/** The k-th 5-bit field of `word` as an offset in [-0.2, 0.2). */
function offset(word: number, k: number): number {
  return (((word >>> (5 * k)) & 31) / 32) * 0.4 - 0.2;
}

function fraction(x: number): number {
  return x - Math.floor(x);
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : Math.round(x * 1000) / 1000;
}

function validateSpec(spec: TemplatePluginSpec): void {
  if (!spec.name || !/^[a-z][\w-]*$/.test(spec.name)) {
    throw new ConfigError(`Expected a plugin name of lowercase letters, digits, _ or -, but got ${JSON.stringify(spec.name)}.`);
  }
  if (spec.categories.length === 0) throw new ConfigError(`Expected plugin ${spec.name} to have at least one category, but got none.`);
  for (const category of spec.categories) {
    if (category.featureMeans.length !== TASK_FEATURE_DIM) {
      throw new ConfigError(`Expected ${TASK_FEATURE_DIM} feature means for category ${category.name}, but got ${category.featureMeans.length}.`);
    }
    if (category.templates.length === 0) throw new ConfigError(`Expected at least one template for category ${category.name}, but got none.`);
    for (const template of category.templates) {
      for (const match of template.matchAll(SLOT)) {
        if (!spec.slots[match[1]]?.length) {
          throw new ConfigError(`Expected slot {${match[1]}} of a ${category.name} template to have a word list, but plugin ${spec.name} has none.`);
        }
      }
    }
  }
}
