import { describe, it, expect, beforeAll } from 'vitest';
import { initBackend } from '../../src/nn/backend.js';
import { Discrete, Box } from '../../src/core/index.js';
import { ReinforceAgent } from '../../agents/reinforce.js';
import { identityLearning, determinism, tensorCounts, saveLoadRoundTrip } from '../helpers/agent-checks.js';

const SMALL = { episodesPerUpdate: 4, learningRate: 5e-3, piLayers: [32], vfLayers: [32] };
const spaces = { observationSpace: new Box(0, 1, [4]), actionSpace: new Discrete(4) };

beforeAll(async () => {
  await initBackend('wasm');
});

describe('REINFORCE with a learned baseline', () => {
  it('learns the identity env well above the random baseline (0.25)', async () => {
    const { score } = await identityLearning('reinforce', SMALL, 4000);
    expect(score).toBeGreaterThan(0.9);
  });

  it('never takes a masked action', async () => {
    const { env } = await identityLearning('reinforce', SMALL, 1000, { masked: true });
    expect(env.invalidActions).toBe(0);
  });

  it('is deterministic for a seed and backend (weights and logged numbers)', async () => {
    const result = await determinism('reinforce', { episodesPerUpdate: 4 }, 800, 4);
    expect(result.same).toBe(true);
    expect(result.differentSeedDiffers).toBe(true);
  });

  it('keeps tf.memory().numTensors flat across updates', async () => {
    const counts = await tensorCounts('reinforce', { episodesPerUpdate: 2 }, 1000, 2);
    expect(counts.length).toBeGreaterThanOrEqual(10);
    expect(new Set(counts.slice(1)).size).toBe(1);
  });

  it('saves and loads: identical actions, identical continued training', async () => {
    const result = await saveLoadRoundTrip('reinforce', { episodesPerUpdate: 2 }, 300, 300, 2);
    expect(result.sameActions).toBe(true);
    expect(result.sameAfterContinuing).toBe(true);
  });

  it('validates its config', () => {
    expect(() => new ReinforceAgent({ episodesPerUpdate: 0 }, spaces)).toThrow(/Expected reinforce\.episodesPerUpdate to be an integer >= 1, but got 0\./);
    expect(() => new ReinforceAgent({ maxGradNorm: null }, spaces)).not.toThrow();
  });
});
