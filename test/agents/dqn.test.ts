import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../../src/nn/backend.js';
import '../../envs/index.js';
import { Discrete, Box, Rng, make, makeVec } from '../../src/core/index.js';
import { DqnAgent } from '../../agents/dqn.js';
import { ReplayBuffer } from '../../agents/common/replay-buffer.js';
import { identityLearning, determinism, tensorCounts, saveLoadRoundTrip } from '../helpers/agent-checks.js';

const SMALL = { learningRate: 3e-3, learningStarts: 200, batchSize: 32, trainFreq: 4, gradientSteps: 1, targetUpdateInterval: 100, explorationFraction: 0.3, layers: [32], logInterval: 200 };
const spaces = { observationSpace: new Box(0, 1, [4]), actionSpace: new Discrete(4) };

beforeAll(async () => {
  await initBackend('wasm');
});

describe('ReplayBuffer', () => {
  it('is a ring: overwrites the oldest, samples stored transitions with the Rng', () => {
    const buffer = new ReplayBuffer(3, 2, 2);
    for (let k = 0; k < 5; k++) buffer.add([k, k], 0, k % 2, k, [k + 1, k + 1], 0, k === 4, Uint8Array.from([1, k % 2]), 0);
    expect([buffer.size, buffer.pos]).toEqual([3, 2]);
    expect(Array.from(buffer.rewards)).toEqual([3, 4, 2]);
    const batch = buffer.sample(50, new Rng(0));
    for (let j = 0; j < 50; j++) {
      const r = batch.rewards[j];
      expect([2, 3, 4]).toContain(r);
      expect(batch.obs[j * 2]).toBe(r);
      expect(batch.nextObs[j * 2]).toBe(r + 1);
      expect(batch.terminated[j]).toBe(r === 4 ? 1 : 0);
      expect(batch.nextMasks![j * 2 + 1]).toBe(r % 2);
    }
  });
});

describe('DQN', () => {
  it('learns the identity env well above the random baseline (0.25)', async () => {
    const { score } = await identityLearning('dqn', SMALL, 3000);
    expect(score).toBeGreaterThan(0.9);
  });

  it('never explores or picks a masked action', async () => {
    const { score, env } = await identityLearning('dqn', SMALL, 2000, { masked: true });
    expect(env.invalidActions).toBe(0);
    expect(score).toBeGreaterThan(0.6);
  });

  it('is deterministic for a seed and backend (weights and logged numbers)', async () => {
    const result = await determinism('dqn', { ...SMALL, doubleDqn: true }, 1200, 2);
    expect(result.same).toBe(true);
    expect(result.differentSeedDiffers).toBe(true);
    expect(result.rows).toBeGreaterThanOrEqual(5);
  });

  it('keeps tf.memory().numTensors flat across updates', async () => {
    const counts = await tensorCounts('dqn', { ...SMALL, logInterval: 100 }, 1500, 1);
    expect(counts.length).toBeGreaterThanOrEqual(10);
    expect(new Set(counts.slice(3)).size).toBe(1);
  });

  it('saves and loads (with the replay buffer): identical actions, identical continued training', async () => {
    const result = await saveLoadRoundTrip('dqn', { ...SMALL, bufferSize: 2000 }, 600, 400, 1);
    expect(result.sameActions).toBe(true);
    expect(result.sameAfterContinuing).toBe(true);
    for (const file of ['agent.json', 'q/model.json', 'target/weights.bin', 'optimizer/weights.bin', 'replay/buffer.bin']) {
      expect(existsSync(path.join(result.dir, file))).toBe(true);
    }
  });

  it('acts uniformly at random until learningStarts transitions are stored (SB3 warm-up), whatever the network', async () => {
    // Same seed, different networks: before learningStarts the network must not pick any action (SB3 samples
    // the action space there), so both agents store the same actions. Epsilon alone (< 1 after step 0) would not.
    const actionsOf = async (layers: number[]) => {
      const { venv, probe } = { venv: makeVec('CartPole-v1', { numEnvs: 1 }), probe: make<Float32Array, number>('CartPole-v1') };
      const agent = new DqnAgent({ ...SMALL, layers, learningStarts: 400, explorationFraction: 0.01, backend: 'wasm' }, { seed: 5, observationSpace: probe.observationSpace, actionSpace: probe.actionSpace });
      await agent.learn({ env: venv, totalSteps: 400 });
      const stored = (agent as unknown as { replay: ReplayBuffer }).replay;
      agent.dispose();
      return Array.from(stored.actions.subarray(0, stored.size));
    };
    const a = await actionsOf([8]);
    const b = await actionsOf([16, 16]);
    expect(a.length).toBe(400);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(2);
  });

  it('validates its config', () => {
    expect(() => new DqnAgent({ batchSize: 64, bufferSize: 32 }, spaces)).toThrow('Expected dqn.batchSize to be <= bufferSize (32), but got 64.');
    expect(() => new DqnAgent({ explorationFinalEps: 2 }, spaces)).toThrow(/Expected dqn\.explorationFinalEps to be a number in \[0, 1\], but got 2\./);
    expect(() => new DqnAgent({ trainFreq: 0.5 }, spaces)).toThrow(/Expected dqn\.trainFreq to be an integer >= 1, but got 0\.5\./);
    expect(() => new DqnAgent({ doubleDQN: true } as never, spaces)).toThrow(/Expected one of the dqn options, but got "doubleDQN" at dqn\.doubleDQN\. Did you mean doubleDqn\?/);
  });
});
