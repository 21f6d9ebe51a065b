import { describe, it, expect, beforeAll } from 'vitest';
import { initBackend } from '../../src/nn/backend.js';
import { Discrete, Box } from '../../src/core/index.js';
import { A2cAgent } from '../../agents/a2c.js';
import { identityLearning, determinism, tensorCounts, saveLoadRoundTrip } from '../helpers/agent-checks.js';

const SMALL = { numSteps: 8, learningRate: 3e-3, piLayers: [32], vfLayers: [32], logInterval: 20 };
const spaces = { observationSpace: new Box(0, 1, [4]), actionSpace: new Discrete(4) };

beforeAll(async () => {
  await initBackend('wasm');
});

describe('A2C', () => {
  it('learns the identity env well above the random baseline (0.25)', async () => {
    const { score } = await identityLearning('a2c', SMALL, 3000);
    expect(score).toBeGreaterThan(0.9);
  });

  it('never takes a masked action', async () => {
    const { env } = await identityLearning('a2c', SMALL, 1000, { masked: true });
    expect(env.invalidActions).toBe(0);
  });

  it('is deterministic for a seed and backend (weights and logged numbers)', async () => {
    const result = await determinism('a2c', { numSteps: 5, logInterval: 10, optimizer: 'adam' }, 800, 4);
    expect(result.same).toBe(true);
    expect(result.differentSeedDiffers).toBe(true);
  });

  it('keeps tf.memory().numTensors flat across updates', async () => {
    const counts = await tensorCounts('a2c', { numSteps: 5, logInterval: 5, entCoef: 0.01 }, 1200, 4);
    expect(counts.length).toBeGreaterThanOrEqual(10);
    expect(new Set(counts.slice(1)).size).toBe(1);
  });

  it('saves and loads: identical actions, identical continued training', async () => {
    const result = await saveLoadRoundTrip('a2c', { numSteps: 5, logInterval: 5, normalizeObs: true }, 300, 300, 2);
    expect(result.sameActions).toBe(true);
    expect(result.sameAfterContinuing).toBe(true);
  });

  it('validates its config', () => {
    expect(() => new A2cAgent({ optimizer: 'sgd' as never }, spaces)).toThrow(/Expected a2c\.optimizer to be one of "rmsprop", "adam", but got "sgd"/);
    expect(() => new A2cAgent({ maxGradNorm: 0 }, spaces)).toThrow(/Expected a2c\.maxGradNorm to be a number > 0, but got 0\./);
  });
});
