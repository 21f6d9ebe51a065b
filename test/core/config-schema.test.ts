import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { ConfigError, configDefaults, crossFieldRules, describeConfig, fieldError, nearestName, renderDefault, renderValue, resolveConfig } from '../../src/core/index.js';

const Toy = crossFieldRules(
  z.strictObject({
    numSteps: z.number().int().min(1).default(8).describe('Steps per rollout'),
    learningRate: z.number().gt(0).default(3e-4).describe('Adam learning rate'),
    gamma: z.number().min(0).max(1).default(0.99).describe('Discount'),
    clip: z.number().gt(0).nullable().default(null).describe('Value clip; null disables it'),
    activation: z.enum(['tanh', 'relu']).default('tanh').describe('Hidden activation'),
    layers: z.array(z.number().int().min(1)).min(1).default([64, 64]).describe('Hidden layer sizes'),
    burst: z.tuple([z.number().int().min(1), z.number().int().min(1)]).default([4, 12]).describe('Burst length, ticks'),
    workers: z.union([z.array(z.enum(['react', 'reflection'])).min(1), z.number().int().min(1).max(64)]).default(['react']).describe('Workers'),
    mix: z.record(z.string(), z.number().gt(0)).default({ a: 1 }).describe('Shares'),
    weights: z.strictObject({ success: z.number().default(1).describe('Per success'), cost: z.number().default(0.04).describe('Per unit of cost') }).prefault({}),
    batchSize: z.number().int().min(1).default(4).describe('Minibatch size'),
    hook: z.custom<() => void>((v) => typeof v === 'function').optional().meta({ expected: 'a function' }).describe('Called after each step'),
  }),
  (c, blame) => {
    if (c.numSteps % c.batchSize !== 0) blame('batchSize', `to divide numSteps (${c.numSteps})`);
  },
);

const problem = (input: unknown, where: Parameters<typeof resolveConfig>[2] = 'toy') => {
  try {
    resolveConfig(Toy, input, where);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('resolveConfig', () => {
  it('applies every default, in the order the schema declares them, and nested defaults under partial objects', () => {
    const config = resolveConfig(Toy, { gamma: 0.9, weights: { cost: 1 } }, 'toy');
    expect(Object.keys(config)).toEqual(['numSteps', 'learningRate', 'gamma', 'clip', 'activation', 'layers', 'burst', 'workers', 'mix', 'weights', 'batchSize']);
    expect(config).toMatchObject({ numSteps: 8, gamma: 0.9, clip: null, layers: [64, 64], weights: { success: 1, cost: 1 } });
    expect(resolveConfig(Toy, undefined, 'toy')).toEqual(configDefaults(Toy));
  });

  it('names the field, what it accepts and what it got', () => {
    expect(problem({ learningRate: -1 })).toBe('Expected toy.learningRate to be a number > 0, but got -1.');
    expect(problem({ gamma: 1.5 })).toBe('Expected toy.gamma to be a number in [0, 1], but got 1.5.');
    expect(problem({ numSteps: 0.5 })).toBe('Expected toy.numSteps to be an integer >= 1, but got 0.5.');
    expect(problem({ clip: 0 })).toBe('Expected toy.clip to be a number > 0 or null, but got 0.');
    expect(problem({ activation: 'gelu' })).toBe('Expected toy.activation to be one of "tanh", "relu", but got "gelu".');
    expect(problem({ layers: [64, -1] })).toBe('Expected toy.layers[1] to be an integer >= 1, but got -1.');
    expect(problem({ layers: [] })).toBe('Expected toy.layers to be a list of integers >= 1 (at least 1), but got [].');
    expect(problem({ burst: [4] })).toMatch(/^Expected toy\.burst to be a list \[an integer >= 1, an integer >= 1\], but got \[4\]\.$/);
    expect(problem({ mix: { a: 1, b: -2 } })).toBe('Expected toy.mix.b to be a number > 0, but got -2.');
    expect(problem({ weights: { cost: Number.NaN } })).toBe('Expected toy.weights.cost to be a number, but got NaN.');
    expect(problem({ hook: 3 })).toBe('Expected toy.hook to be a function, but got 3.');
    expect(problem({ numSteps: 'many' })).toBe('Expected toy.numSteps to be an integer >= 1, but got "many".');
  });

  it('points into the branch of a union that matched the value shape', () => {
    expect(problem({ workers: ['react', 'gpt'] })).toBe('Expected toy.workers[1] to be one of "react", "reflection", but got "gpt".');
    expect(problem({ workers: 0 })).toMatch(/^Expected toy\.workers to be .* or an integer in \[1, 64\], but got 0\.$/);
    expect(problem({ workers: 'react' })).toMatch(/^Expected toy\.workers to be a list of values among "react", "reflection" \(at least 1\) or an integer in \[1, 64\], but got "react"\.$/);
  });

  it('refuses unknown keys with the nearest known key, at any depth, with the path where they sit', () => {
    expect(problem({ learningrate: 1e-3 })).toMatch(/^Expected one of the toy options, but got "learningrate" at toy\.learningrate\. Did you mean learningRate\? Options: numSteps, learningRate, gamma, /);
    expect(problem({ weights: { sucess: 2 } })).toMatch(/"sucess" at toy\.weights\.sucess\. Did you mean success\? Options: success, cost\.$/);
    expect(problem({ learningrate: 1e-3 }, { label: 'ppo', path: 'agent' })).toMatch(/^Expected one of the ppo options, but got "learningrate" at agent\.learningrate\. Did you mean learningRate\?/);
    expect(problem({ zzz: 1 })).not.toMatch(/Did you mean/);
  });

  it('reports every problem, one line each', () => {
    const lines = problem({ gamma: 2, activation: 'gelu', extra: 1 }).split('\n');
    expect(lines).toHaveLength(3);
  });

  it('runs cross-field rules only when every field is valid, in the same words', () => {
    expect(problem({ numSteps: 10, batchSize: 4 })).toBe('Expected toy.batchSize to divide numSteps (10), but got 4.');
    expect(problem({ numSteps: 10, batchSize: 4, gamma: 2 })).toBe('Expected toy.gamma to be a number in [0, 1], but got 2.');
    expect(fieldError('ppo.batchSize', 'to divide numSteps*numEnvs (256)', 100).message).toBe('Expected ppo.batchSize to divide numSteps*numEnvs (256), but got 100.');
  });
});

describe('describeConfig', () => {
  it('gives one documented row per field, nested objects flattened, defaults from the schema', () => {
    const rows = describeConfig(Toy);
    expect(rows.map((r) => r.field)).toEqual([
      'numSteps', 'learningRate', 'gamma', 'clip', 'activation', 'layers', 'burst', 'workers', 'mix', 'weights.success', 'weights.cost', 'batchSize', 'hook',
    ]);
    const gamma = rows.find((r) => r.field === 'gamma')!;
    expect(gamma).toEqual({ field: 'gamma', type: 'number in [0, 1]', default: 0.99, required: false, description: 'Discount' });
    expect(renderDefault(rows.find((r) => r.field === 'weights.cost')!)).toBe('0.04');
    expect(renderDefault(rows.find((r) => r.field === 'hook')!)).toBe('-');
    expect(rows.every((r) => r.description.length > 0)).toBe(true);
    const required = describeConfig(z.strictObject({ model: z.custom<object>().meta({ expected: 'a model' }).describe('The model') }));
    expect(required[0]).toMatchObject({ type: 'model', required: true });
    expect(renderDefault(required[0])).toBe('(required)');
  });
});

describe('helpers', () => {
  it('suggests a name only when it is a plausible typo', () => {
    expect(nearestName('learningrate', ['learningRate', 'gamma'])).toBe('learningRate');
    expect(nearestName('clipRnage', ['clipRange', 'clipRangeVf'])).toBe('clipRange');
    expect(nearestName('zzz', ['learningRate', 'gamma'])).toBeUndefined();
  });

  it('renders values as written', () => {
    expect([renderValue(-1), renderValue(1.5), renderValue('x'), renderValue(undefined), renderValue(null), renderValue([1, 2]), renderValue(() => 1)]).toEqual([
      '-1', '1.5', '"x"', 'nothing', 'null', '[1,2]', 'a function',
    ]);
    expect(renderValue({ long: 'x'.repeat(100) })).toHaveLength(60);
  });
});
