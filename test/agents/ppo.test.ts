import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../../src/nn/backend.js';
import { ConfigError, Discrete, Box } from '../../src/core/index.js';
import { PpoAgent } from '../../agents/ppo.js';
import { createAgent, listAgents } from '../../agents/index.js';
import { IdentityEnv } from '../helpers/identity-env.js';
import { identityLearning, determinism, tensorCounts, saveLoadRoundTrip } from '../helpers/agent-checks.js';

const SMALL = { numSteps: 64, batchSize: 32, numEpochs: 4, learningRate: 3e-3, piLayers: [32], vfLayers: [32] };
const spaces = { observationSpace: new Box(0, 1, [4]), actionSpace: new Discrete(4) };

beforeAll(async () => {
  await initBackend('wasm');
});

describe('PPO', () => {
  it('is registered', () => {
    expect(listAgents()).toEqual(expect.arrayContaining(['a2c', 'dqn', 'ppo', 'reinforce']));
    expect(createAgent('ppo', {}, spaces)).toBeInstanceOf(PpoAgent);
    expect(() => createAgent('ppo2', {}, spaces)).toThrow(/Expected a registered agent name \(one of .*ppo.*\), but got "ppo2"/);
  });

  it('learns the identity env well above the random baseline (0.25)', async () => {
    const { score } = await identityLearning('ppo', SMALL, 3000);
    expect(score).toBeGreaterThan(0.9);
  });

  it('never takes a masked action, in training or acting', async () => {
    const { score, env } = await identityLearning('ppo', SMALL, 1500, { masked: true });
    expect(env.invalidActions).toBe(0);
    expect(score).toBeGreaterThan(0.6);
  });

  it('is deterministic for a seed and backend (weights and logged numbers)', async () => {
    const result = await determinism('ppo', { numSteps: 32, batchSize: 64, numEpochs: 2 }, 512, 4);
    expect(result).toEqual({ same: true, rows: expect.any(Number), differentSeedDiffers: true });
    expect(result.rows).toBeGreaterThanOrEqual(4);
  });

  it('keeps tf.memory().numTensors flat across updates', async () => {
    const counts = await tensorCounts('ppo', { numSteps: 16, batchSize: 32, numEpochs: 3, targetKl: 0.5, clipRangeVf: 0.2, entCoef: 0.01 }, 640, 4);
    expect(counts.length).toBeGreaterThanOrEqual(9);
    expect(new Set(counts.slice(1)).size).toBe(1);
  });

  it('saves and loads: identical actions, identical continued training', async () => {
    const result = await saveLoadRoundTrip('ppo', { numSteps: 32, batchSize: 32, numEpochs: 2, normalizeObs: true, normalizeReward: true }, 256, 256, 2);
    expect(result.sameActions).toBe(true);
    expect(result.sameAfterContinuing).toBe(true);
    for (const file of ['agent.json', 'policy/model.json', 'policy/weights.bin', 'value/model.json', 'optimizer/weights.bin']) {
      expect(existsSync(path.join(result.dir, file))).toBe(true);
    }
  });

  it('CheckpointHook saves loadable checkpoints during training', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { CheckpointHook } = await import('../../agents/common/hooks.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'loopgym-ckpt-'));
    const env = new IdentityEnv();
    const agent = new PpoAgent({ ...SMALL, backend: 'wasm' }, spaces);
    const hook = new CheckpointHook({ dir, everySteps: 100 });
    await agent.learn({ env, totalSteps: 200, hooks: [hook] });
    expect(hook.saved.length).toBeGreaterThanOrEqual(2);
    const restored = new PpoAgent({}, spaces);
    await restored.load(hook.saved[hook.saved.length - 1]);
    expect(restored.weights()).toEqual(agent.weights());
  });

  it('validates its config with messages that say what to change', async () => {
    expect(() => new PpoAgent({ gamma: 1.5 }, spaces)).toThrow(/^Expected ppo\.gamma to be a number in \[0, 1\], but got 1\.5\.$/);
    expect(() => new PpoAgent({ numSteps: 0 }, spaces)).toThrow(ConfigError);
    expect(() => new PpoAgent({ lrSchedule: 'cosine' as never }, spaces)).toThrow(/Expected ppo\.lrSchedule to be one of "constant", "linear", but got "cosine"/);
    expect(() => new PpoAgent({ piLayers: [64, -1] }, spaces)).toThrow(/Expected ppo\.piLayers\[1\] to be an integer >= 1, but got -1\./);
    expect(() => new PpoAgent({ clipRnage: 0.1 } as never, spaces)).toThrow(/Expected one of the ppo options, but got "clipRnage" at ppo\.clipRnage\. Did you mean clipRange\?/);
    expect(() => new PpoAgent({}, { ...spaces, actionSpace: new Box(-1, 1, [2]) })).toThrow(/Expected a Discrete action space for ppo/);
    const agent = new PpoAgent({ numSteps: 50, batchSize: 100 }, spaces);
    await expect(agent.learn({ env: new IdentityEnv(), totalSteps: 100 })).rejects.toThrow('Expected ppo.batchSize to divide numSteps*numEnvs (50), but got 100.');
  });
});
