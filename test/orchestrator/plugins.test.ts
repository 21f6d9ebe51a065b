import { describe, expect, it } from 'vitest';
import { ConfigError, RegistrationError, Rng } from '../../src/core/index.js';
import {
  TASK_FEATURE_DIM,
  defineTemplatePlugin,
  getPlugin,
  listPlugins,
  allocateTaskBatch,
  registerPlugin,
  unregisterPlugin,
  type TaskPlugin,
} from '../../src/plugins/index.js';
import { OrchestratorEnv } from '../../envs/orchestrator/env.js';
import type { TaskOutcome } from '../../envs/orchestrator/feedback.js';

const BUILTIN_CATEGORIES: Record<string, string[]> = {
  customer_support: ['product_question', 'troubleshooting', 'refund_request', 'feature_inquiry'],
  sales_research: ['market_research', 'competitor_analysis', 'lead_qualification', 'product_comparison'],
  benchmark: ['classification', 'reasoning', 'logic_puzzle', 'math', 'pattern_recognition'],
};

describe('task plugins', () => {
  it('lists the three built-ins with their categories', () => {
    const names = listPlugins().map((p) => p.name);
    for (const [name, categories] of Object.entries(BUILTIN_CATEGORIES)) {
      expect(names).toContain(name);
      expect([...getPlugin(name).categories]).toEqual(categories);
    }
  });

  it('generates well-formed tasks with templated prompts', () => {
    for (const plugin of listPlugins().filter((p) => p.name in BUILTIN_CATEGORIES)) {
      const tasks = plugin.generate(new Rng(1), 200, { tick: 7, startId: 100 });
      expect(tasks).toHaveLength(200);
      expect(tasks[0].id).toBe(`${plugin.name}-100`);
      const seen = new Set<string>();
      for (const task of tasks) {
        expect(plugin.categories).toContain(task.category);
        seen.add(task.category);
        expect(task.plugin).toBe(plugin.name);
        expect(Number.isInteger(task.complexity) && task.complexity >= 1 && task.complexity <= 5).toBe(true);
        expect(Number.isInteger(task.priority) && task.priority >= 1 && task.priority <= 3).toBe(true);
        expect(Number.isInteger(task.slaTicks) && task.slaTicks >= 4).toBe(true);
        expect(task.arrivalTick).toBe(7);
        expect(task.features).toHaveLength(TASK_FEATURE_DIM);
        for (const f of task.features) expect(f >= 0 && f <= 1).toBe(true);
        expect(task.prompt.length).toBeGreaterThan(10);
        expect(task.prompt).not.toMatch(/[{}]/);
      }
      expect(seen.size).toBe(plugin.categories.length);
    }
  });

  it('is seeded and deterministic, and prompts: false leaves the rest of the stream unchanged', () => {
    const plugin = getPlugin('customer_support');
    const a = plugin.generate(new Rng(5), 50);
    const b = plugin.generate(new Rng(5), 50);
    expect(b).toEqual(a);
    const c = plugin.generate(new Rng(6), 50);
    expect(c.map((t) => t.features)).not.toEqual(a.map((t) => t.features));
    const bare = plugin.generate(new Rng(5), 50, { prompts: false });
    expect(bare.map(({ prompt: _, ...rest }) => rest)).toEqual(a.map(({ prompt: _, ...rest }) => rest));
    expect(bare.every((t) => t.prompt === '')).toBe(true);
  });

  it('refuses duplicate names, bad plugins and unknown names', () => {
    expect(() => registerPlugin(getPlugin('benchmark'))).toThrow(RegistrationError);
    expect(() => registerPlugin({ name: 'Bad Name', description: '', categories: ['x'], generate: () => [] })).toThrow(/plugin name/);
    expect(() => registerPlugin({ name: 'empty', description: '', categories: [], generate: () => [] })).toThrow(/at least one category/);
    expect(() => getPlugin('nope')).toThrow(ConfigError);
    expect(() => getPlugin('nope')).toThrow(/customer_support/);
  });

  it('puts a user-registered plugin into the env task stream', () => {
    const legal: TaskPlugin = defineTemplatePlugin({
      name: 'legal_review',
      description: 'Contract questions.',
      slots: { clause: ['the indemnity clause', 'the termination clause'] },
      categories: [
        {
          name: 'contract_review',
          weight: 1,
          complexity: [0, 1, 2, 2, 1],
          priority: [1, 2, 2],
          slaBase: 20,
          slaPerComplexity: 6,
          featureMeans: [0.6, 0.5, 0.8, 0.5, 0.4, 0.2],
          templates: ['Is {clause} enforceable?'],
        },
      ],
    });
    registerPlugin(legal);
    try {
      const env = new OrchestratorEnv({ pluginMix: { legal_review: 2, benchmark: 1 } });
      expect(env.categories).toContain('contract_review');
      expect(env.observationLabels).toContain('head_category:contract_review');
      let { info } = env.reset({ seed: 3 });
      const plugins = new Set<string>();
      let scannedLegal = false;
      const rng = new Rng('t');
      for (let t = 0; t < 400; t++) {
        const action = env.actionSpace.sample(rng, info.actionMask as Uint8Array);
        const step = env.step(action);
        info = step.info;
        for (const record of info.finished as TaskOutcome[]) {
          plugins.add(record.plugin);
          if (record.plugin === 'legal_review') expect(record.category).toBe('contract_review');
        }
        if (step.obs[env.observationLabels.indexOf('head_category:contract_review')] === 1) scannedLegal = true;
      }
      expect(plugins.has('legal_review')).toBe(true);
      expect(plugins.has('benchmark')).toBe(true);
      expect(scannedLegal).toBe(true);
      expect(() => new OrchestratorEnv({ pluginMix: { not_registered: 1 } })).toThrow(ConfigError);
    } finally {
      unregisterPlugin('legal_review');
    }
  });

  it('rejects a plugin that breaks the task contract when the env draws from it', () => {
    registerPlugin({
      name: 'broken',
      description: '',
      categories: ['a'],
      generate: (rng, count) => Array.from({ length: count }, (_, i) => ({ id: `b-${i}`, plugin: 'broken', category: 'a', complexity: 9, priority: 1, slaTicks: 10, arrivalTick: 0, features: [0, 0, 0, 0, 0, rng.random()], prompt: '' })),
    });
    try {
      const env = new OrchestratorEnv({ pluginMix: { broken: 1 }, arrivalRate: 2 });
      expect(() => env.reset({ seed: 0 })).toThrow(/complexity 1-5/);
    } finally {
      unregisterPlugin('broken');
    }
  });

  it('writes the same numbers into batch columns as generate() returns', () => {
    for (const plugin of listPlugins().filter((p) => p.name in BUILTIN_CATEGORIES)) {
      const tasks = plugin.generate(new Rng(9), 64);
      const batch = allocateTaskBatch(64);
      const rng = new Rng(9);
      plugin.generateBatch!(rng, 64, batch);
      tasks.forEach((task, i) => {
        expect(plugin.categories[batch.category[i]]).toBe(task.category);
        expect([batch.complexity[i], batch.priority[i], batch.slaTicks[i]]).toEqual([task.complexity, task.priority, task.slaTicks]);
        expect(Array.from(batch.features.subarray(i * TASK_FEATURE_DIM, (i + 1) * TASK_FEATURE_DIM))).toEqual(task.features);
      });
      // Both paths leave the Rng at the same place.
      const after = new Rng(9);
      plugin.generate(after, 64, { prompts: false });
      expect(rng.random()).toBe(after.random());
      expect(() => plugin.generateBatch!(new Rng(1), 65, batch)).toThrow(/batch's size/);
    }
  });

  it('runs a generate-only plugin exactly like the same plugin with its batch fast path', () => {
    const builtin = getPlugin('sales_research');
    // The env forks each plugin's Rng by name, so both versions are registered as "twin", one after the other.
    const objectsOnly: TaskPlugin = { name: 'twin', description: '', categories: builtin.categories, generate: (rng, count, context) => builtin.generate(rng, count, context) };
    const withBatch: TaskPlugin = { ...objectsOnly, generateBatch: (rng, count, out) => builtin.generateBatch!(rng, count, out) };
    const envWith = (plugin: TaskPlugin) => {
      registerPlugin(plugin);
      try {
        return new OrchestratorEnv({ pluginMix: { twin: 1 }, arrivalRate: 1.2 });
      } finally {
        unregisterPlugin('twin');
      }
    };
    const fast = envWith(withBatch);
    const slow = envWith(objectsOnly);
    let { obs: fastObs, info } = fast.reset({ seed: 8 });
    let slowObs = slow.reset({ seed: 8 }).obs;
    const rng = new Rng('paths');
    for (let t = 0; t < 300; t++) {
      expect(Array.from(slowObs)).toEqual(Array.from(fastObs));
      const action = fast.actionSpace.sample(rng, info.actionMask as Uint8Array);
      const a = fast.step(action);
      const b = slow.step(action);
      expect(b.reward).toBe(a.reward);
      expect(b.info.finished).toEqual(a.info.finished);
      ({ obs: fastObs, info } = a);
      slowObs = b.obs;
    }
  });

  it('rejects a batch fast path that writes values outside the task contract', () => {
    const builtin = getPlugin('benchmark');
    registerPlugin({
      name: 'bad_batch',
      description: '',
      categories: builtin.categories,
      generate: builtin.generate,
      generateBatch: (rng, count, out) => {
        builtin.generateBatch!(rng, count, out);
        out.features[3] = 1.5;
      },
    });
    try {
      expect(() => new OrchestratorEnv({ pluginMix: { bad_batch: 1 }, arrivalRate: 2 }).reset({ seed: 0 })).toThrow(/plugin bad_batch .*features in \[0, 1\], but got 1.5/);
    } finally {
      unregisterPlugin('bad_batch');
    }
  });
});
