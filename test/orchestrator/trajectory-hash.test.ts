/**
 * A long trajectory of Orchestrator-v0, hashed: observations, rewards, action masks, infos (reward
 * components, gold reward, finished tasks) and feedback, in three configurations of `make()` and for the
 * native vector env. The hashes were recorded on 2026-12-02 from env.ts as one ~1,260-line class,
 * before it is split by concern (issue 11): a refactor that keeps every random draw in the same order keeps
 * them. A deliberate change of dynamics updates them and says so in its commit. Info fields added later for
 * traces (`info.decisions`, `TaskOutcome.arrivedInBurst` and `.cost`) add no draws and are left out of the hash.
 */
import { createHash, type Hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import '../../envs/index.js';
import { make, makeVec } from '../../src/core/registry.js';
import { Rng } from '../../src/core/rng.js';

function feedNumbers(hash: Hash, values: ArrayLike<number>): void {
  hash.update(Buffer.from(Float64Array.from(values).buffer));
}

/** Stable JSON of an info object: typed arrays as arrays, keys sorted. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
    if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]));
    return v;
  });
}

function singleEnvHash(id: string, kwargs: Record<string, unknown>, steps: number): string {
  const env = make<Float32Array, number>(id, { kwargs });
  const rng = new Rng(`trajectory/${id}/${canonical(kwargs)}`);
  const hash = createHash('sha256');
  let { obs, info } = env.reset({ seed: 42 });
  for (let t = 0; t < steps; t++) {
    feedNumbers(hash, obs);
    const mask = info.actionMask as Uint8Array;
    feedNumbers(hash, mask);
    let action = rng.integer(0, mask.length);
    while (!mask[action]) action = (action + 1) % mask.length;
    const step = env.step(action);
    feedNumbers(hash, [step.reward, step.terminated ? 1 : 0, step.truncated ? 1 : 0]);
    const finished = (step.info.finished as Record<string, unknown>[]).map((task) => ({ ...task, arrivedInBurst: undefined, cost: undefined }));
    hash.update(canonical({ ...step.info, actionMask: undefined, decisions: undefined, finished }));
    obs = step.obs;
    info = step.info;
    if (step.terminated || step.truncated) ({ obs, info } = env.reset());
  }
  env.close();
  return hash.digest('hex');
}

function vectorHash(numEnvs: number, steps: number): string {
  const venv = makeVec('Orchestrator-v0', { numEnvs });
  const rng = new Rng('trajectory/vector');
  const hash = createHash('sha256');
  let { obs, actionMasks } = venv.reset({ seed: 7 });
  const actions = new Int32Array(numEnvs);
  const n = (actionMasks as Uint8Array).length / numEnvs;
  for (let t = 0; t < steps; t++) {
    feedNumbers(hash, obs);
    feedNumbers(hash, actionMasks as Uint8Array);
    for (let i = 0; i < numEnvs; i++) {
      let action = rng.integer(0, n);
      while (!(actionMasks as Uint8Array)[i * n + action]) action = (action + 1) % n;
      actions[i] = action;
    }
    const result = venv.step(actions);
    feedNumbers(hash, result.rewards);
    feedNumbers(hash, result.terminated);
    feedNumbers(hash, result.truncated);
    obs = result.obs;
    actionMasks = result.actionMasks;
  }
  venv.close();
  return hash.digest('hex');
}

describe('Orchestrator trajectories are unchanged (hashes recorded before the split)', () => {
  it.each([
    ['Orchestrator-v0', {}, 'DEFAULT'],
    ['Orchestrator-v0', { rewardMode: 'feedback', preset: 'hard', feedbackRate: 0.6 }, 'FEEDBACK_HARD'],
    ['Orchestrator-drift-v0', { worldSeed: 3 }, 'DRIFT_PINNED'],
  ])('%s %j', (id, kwargs, name) => {
    expect(singleEnvHash(id, kwargs, 2000)).toBe(HASHES[name as keyof typeof HASHES]);
  });

  it('the native vector env (4 members)', () => {
    expect(vectorHash(4, 1000)).toBe(HASHES.VECTOR);
  });
});

const HASHES = {
  DEFAULT: '1f12c62d0b5c4449ab5872b1ed2359d5f87e1cff7d438d34cfa4505e1cf89ec0',
  FEEDBACK_HARD: 'b197e196ea00a99d8fda8c74794c963f0fc4d4dc541bc05dcc0835bd932b0873',
  DRIFT_PINNED: '9fc026e8ed73eb7628997380abd457ed5f1897a99d16e235d8d95239b4b361e7',
  VECTOR: '829ffbb81a3926045f9a766cdfb904aa24cab168fead1e3d3349546615b46cfa',
};
