/**
 * What loadPolicy refuses (another env version, missing files, checksum mismatches, a changed env layout),
 * what the runner refuses as input, atomic writes, and a DQN-style (Q-value) agent folder.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaseEnv, type ResetResult, type StepResult } from '../../src/core/env.js';
import { ConfigError, DataError } from '../../src/core/errors.js';
import { register, unregister } from '../../src/core/registry.js';
import { Rng } from '../../src/core/rng.js';
import { Box, Discrete } from '../../src/core/spaces.js';
import * as tf from '@tensorflow/tfjs';
import { folderHandler } from '../../src/nn/io.js';
import { DqnAgent } from '../../agents/dqn.js';
import { createAgent } from '../../agents/index.js';
import { exportAgent, exportAgentDir, exportRun } from '../../src/export/export-run.js';
import { loadPolicy, PolicyInputError, type PolicyRunner } from '../../src/export/policy-runner.js';
import type { PolicyManifest } from '../../src/export/bundle.js';
import { maxAbsDiff, trainPpo, type Trained } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'loopgym-bundle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let cartpole: Trained;
let good: string;
let counter = 0;

beforeAll(async () => {
  cartpole = await trainPpo('CartPole-v1', 0);
  good = join(root, 'good');
  await exportAgent(cartpole.agent, good, { env: { id: 'CartPole-v1' } });
});

/** A fresh copy of the good bundle to damage. */
function copyBundle(): string {
  const dir = join(root, `copy-${counter++}`);
  cpSync(good, dir, { recursive: true });
  return dir;
}

function editManifest(dir: string, edit: (m: PolicyManifest) => void): void {
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as PolicyManifest;
  edit(manifest);
  writeFileSync(path, JSON.stringify(manifest));
}

describe('loadPolicy refuses bundles it cannot trust', () => {
  it('loads the intact bundle', async () => {
    const runner = await loadPolicy(good, { envId: 'CartPole-v1' });
    expect(runner.decide([0, 0, 0, 0]).name).toMatch(/^action_[01]$/);
    runner.dispose();
  });

  it('refuses a bundle for another version of the env the caller names', async () => {
    await expect(loadPolicy(good, { envId: 'CartPole-v2' })).rejects.toThrow(/Expected a bundle for CartPole-v2 \(env version 2\), but got one for CartPole-v1 \(env version 1\)/);
    await expect(loadPolicy(good, { envId: 'Orchestrator-v0' })).rejects.toThrow(/Expected a bundle for Orchestrator-v0, but got one for CartPole-v1\./);
  });

  it('refuses a bundle for an env version that is no longer registered', async () => {
    const dir = copyBundle();
    editManifest(dir, (m) => {
      m.env.id = 'CartPole-v0';
      m.env.version = 0;
    });
    const error = await loadPolicy(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/Expected a bundle for a registered version of CartPole \(CartPole-v1\), but got one for CartPole-v0/);
  });

  it.each(['weights.bin', 'model.json', 'policy.onnx'])('refuses a bundle whose %s is missing', async (file) => {
    const dir = copyBundle();
    unlinkSync(join(dir, file));
    await expect(loadPolicy(dir)).rejects.toThrow(new RegExp(`Expected ${file.replace('.', '\\.')} \\(listed in manifest\\.json\\) in .*, but it is missing\\.`));
  });

  it('refuses a folder without manifest.json, and a folder that does not exist', async () => {
    const dir = copyBundle();
    unlinkSync(join(dir, 'manifest.json'));
    await expect(loadPolicy(dir)).rejects.toThrow(/Expected manifest\.json in .* \(a folder written by loopgym export\), but it is missing/);
    await expect(loadPolicy(join(root, 'nowhere'))).rejects.toThrow(/Expected a policy bundle folder at .*nowhere, but it does not exist/);
  });

  it.each(['weights.bin', 'model.json', 'policy.onnx'])('refuses a bundle whose %s was changed (checksum mismatch)', async (file) => {
    const dir = copyBundle();
    const data = readFileSync(join(dir, file));
    data[data.length >> 1] ^= 0x01;
    writeFileSync(join(dir, file), data);
    const error = await loadPolicy(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(new RegExp(`Expected ${file.replace('.', '\\.')} to have sha256 [0-9a-f]{64}, but got [0-9a-f]{64}: the file was modified or corrupted after export\\.`));
  });

  it('refuses a newer bundle format and a manifest that is not one', async () => {
    const newer = copyBundle();
    editManifest(newer, (m) => {
      m.formatVersion = 2;
    });
    await expect(loadPolicy(newer)).rejects.toThrow(/Expected bundle format version 1 or older, but got 2/);
    const broken = copyBundle();
    writeFileSync(join(broken, 'manifest.json'), '{"format": "loopgym-policy-bundle", ');
    await expect(loadPolicy(broken)).rejects.toThrow(/Expected .*manifest\.json to be valid JSON, but parsing failed/);
    const inconsistent = copyBundle();
    editManifest(inconsistent, (m) => {
      m.action.names = ['left'];
    });
    await expect(loadPolicy(inconsistent)).rejects.toThrow(/Expected action\.names to have 2 entries in .*, but it has 1\./);
  });

  it('refuses a bundle whose env changed its layout without a version bump', async () => {
    class Probe extends BaseEnv<Float32Array, number> {
      readonly observationSpace = new Box(-1, 1, [2]);
      readonly actionSpace = new Discrete(2);
      constructor(readonly observationLabels: string[]) {
        super();
      }
      reset(): ResetResult<Float32Array> {
        return { obs: new Float32Array(2), info: {} };
      }
      step(): StepResult<Float32Array> {
        return { obs: new Float32Array(2), reward: 0, terminated: true, truncated: false, info: {} };
      }
    }
    register({ id: 'ExportProbe-v0', entryPoint: () => new Probe(['speed', 'load']) });
    try {
      const { agent } = await trainPpoOn(new Probe(['speed', 'load']));
      const dir = join(root, 'probe');
      const { manifest } = await exportAgent(agent, dir, { env: { id: 'ExportProbe-v0' } });
      expect(manifest.observation.labels).toEqual(['speed', 'load']);
      (await loadPolicy(dir)).dispose();
      unregister('ExportProbe-v0');
      register({ id: 'ExportProbe-v0', entryPoint: () => new Probe(['speed', 'queue']) });
      await expect(loadPolicy(dir)).rejects.toThrow(/Expected observation label 1 of ExportProbe-v0 to be "load" \(as exported\), but the env now says "queue"/);
      (await loadPolicy(dir, { verifyEnv: 'never' })).dispose();
    } finally {
      unregister('ExportProbe-v0');
    }
  });
});

async function trainPpoOn(env: BaseEnv<Float32Array, number>) {
  const { PpoAgent } = await import('../../agents/ppo.js');
  return { agent: new PpoAgent({ piLayers: [8], vfLayers: [8] }, { seed: 3, observationSpace: env.observationSpace, actionSpace: env.actionSpace }) };
}

describe('writing bundles', () => {
  it('refuses to replace an existing folder unless asked, and leaves no temporary folder behind', async () => {
    const parent = join(root, 'atomic');
    const dir = join(parent, 'bundle');
    await exportAgent(cartpole.agent, dir, { env: { id: 'CartPole-v1' } });
    const error = await exportAgent(cartpole.agent, dir, { env: { id: 'CartPole-v1' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/Expected the output folder .*bundle not to exist \(pass overwrite \/ --force to replace it\), but it exists\./);
    await exportAgent(cartpole.agent, dir, { env: { id: 'CartPole-v1' } }, { overwrite: true });
    expect(readdirSync(parent)).toEqual(['bundle']);
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'model.json', 'policy.onnx', 'weights.bin']);
  });

  it('a failed export leaves nothing at the destination', async () => {
    const parent = join(root, 'failed');
    // The agent was trained on CartPole (4 observations); Orchestrator-v0 observes more.
    await expect(exportAgent(cartpole.agent, join(parent, 'bundle'), { env: { id: 'Orchestrator-v0' } })).rejects.toThrow(/Expected Orchestrator-v0 to produce the 4-value observations the agent was trained on, but it produces \d+\./);
    expect(existsSync(join(parent, 'bundle'))).toBe(false);
  });

  it('takes the statistics of a NormalizeObservation wrapper the agent was trained behind', async () => {
    const { NormalizeObservation } = await import('../../src/core/wrappers/normalize-observation.js');
    const { make } = await import('../../src/core/registry.js');
    const wrapped = new NormalizeObservation(make<Float32Array, number>('CartPole-v1'), { clip: 5 });
    wrapped.reset({ seed: 1 });
    for (let t = 0; t < 20; t++) wrapped.step(t % 2);
    const { agent } = await trainPpo('CartPole-v1', 0, { normalizeObs: false });
    const dir = join(root, 'wrapper-norm');
    const norm = { ...wrapped.getStatistics(), epsilon: wrapped.epsilon, clip: wrapped.clip };
    const { manifest } = await exportAgent(agent, dir, { env: { id: 'CartPole-v1' }, observationNormalization: norm });
    expect(manifest.observation.normalization).toMatchObject({ mean: norm.mean, var: norm.var, clip: 5 });
    const runner = await loadPolicy(dir);
    const raw = Float32Array.from([0.1, -0.3, 0.05, 0.2]);
    const [logits] = runner.outputs(raw, 1);
    expect(runner.decide(raw).action).toBe(agent.act(wrapped.normalize(raw), { deterministic: true }));
    expect(logits).toHaveLength(2);
    runner.dispose();
    await expect(exportAgent(cartpole.agent, join(root, 'both-norm'), { env: { id: 'CartPole-v1' }, observationNormalization: norm })).rejects.toThrow(/Expected observation normalization from the agent or from ExportInfo\.observationNormalization, but got both\./);
  });

  it('exportRun refuses an unfinished run folder', async () => {
    const run = join(root, 'unfinished-run');
    await cartpole.agent.save(join(run, 'policy'));
    writeFileSync(join(run, 'config.json'), '{}');
    await expect(exportRun(run, join(root, 'unfinished-bundle'))).rejects.toThrow(/Expected a finished run in .*unfinished-run, but it is incomplete: summary\.json is missing/);
    await expect(exportRun(join(root, 'no-run'), join(root, 'x'))).rejects.toThrow(/Expected a run folder \(results\/<experiment>\/<run-id>, holding config\.json, summary\.json and policy\/\), but .*no-run does not exist\./);
  });
});

describe('the runner refuses observations and masks that do not fit', () => {
  let runner: PolicyRunner;
  beforeAll(async () => {
    runner = await loadPolicy(good);
  });
  afterAll(() => runner.dispose());

  it.each([
    [[0, 0, 0], undefined, /Expected obs of length 4 \(the CartPole-v1 observation\), but got length 3\./],
    [[0, NaN, 0, 0], undefined, /Expected obs\[1\] \(obs_1\) to be a finite number, but got NaN/],
    [[0, 0, Infinity, 0], undefined, /Expected obs\[2\] \(obs_2\) to be a finite number, but got Infinity/],
    [[0, 0, 0, null], undefined, /Expected obs\[3\] \(obs_3\) to be a finite number, but got null\./],
    [[0, 0, 0, '1'], undefined, /Expected obs\[3\] \(obs_3\) to be a finite number, but got "1"\./],
    [[0, 0, 0, 0], [1], /Expected mask of length 2 \(one per action\), but got length 1\./],
    [[0, 0, 0, 0], [1, 2], /Expected mask\[1\] to be 0 or 1, but got 2\./],
    [[0, 0, 0, 0], [0, 0], /Expected mask to allow at least one action, but got all zeros\./],
  ])('decide(%j, %j)', (obs, mask, message) => {
    const error = (() => {
      try {
        runner.decide(obs as number[], mask as number[] | undefined);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PolicyInputError);
    expect((error as Error).message).toMatch(message);
  });

  it('leaks no tensors across decisions (including refused ones)', () => {
    runner.decide([0, 0, 0, 0]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) {
      runner.decide([i / 50, 0, 0, 0], [1, 1]);
      runner.decideBatch([[0, 0, 0, 0], [1, 1, 1, 1]]);
      expect(() => runner.decide([NaN, 0, 0, 0])).toThrow(PolicyInputError);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the batch row in batch errors, and accepts boolean masks', () => {
    expect(() => runner.decideBatch([[0, 0, 0, 0], [0, 0]])).toThrow(/Expected obs\[1\] of length 4/);
    const decision = runner.decide([0, 0, 0, 0], [false, true]);
    expect(decision).toMatchObject({ action: 1, name: 'action_1', probs: [0, 1] });
  });
});

describe('Q-value agents (DQN: agent.json + q/ holding the online Q-network)', () => {
  it('exports a DqnAgent as q_values, picks its greedy actions, and matches ONNX', async () => {
    const { env } = cartpole;
    const dqn = new DqnAgent({ layers: [32, 32] }, { seed: 4, observationSpace: env.observationSpace, actionSpace: env.actionSpace });
    const dir = join(root, 'dqn-bundle');
    const { manifest } = await exportAgent(dqn, dir, { env: { id: 'CartPole-v1' } });
    expect(manifest.policy.kind).toBe('q-values');
    expect(manifest.models.onnx?.outputs.map((o) => o.name)).toEqual(['q_values']);
    expect(manifest.algorithm.name).toBe('dqn');

    const runner = await loadPolicy(dir);
    const rng = new Rng(9);
    const observations = Array.from({ length: 200 }, () => Float32Array.from({ length: 4 }, () => rng.normal(0, 0.5)));
    const flat = new Float32Array(200 * 4);
    observations.forEach((obs, i) => {
      flat.set(obs, i * 4);
      const decision = runner.decide(obs);
      expect(decision.action).toBe(dqn.act(obs, { deterministic: true }));
      expect(decision.action).toBe(decision.qValues!.indexOf(Math.max(...decision.qValues!)));
      expect(decision.probs[decision.action]).toBe(1);
      expect(decision.value).toBeUndefined();
    });
    const session = await ort.InferenceSession.create(readFileSync(join(dir, 'policy.onnx')));
    const out = await session.run({ obs: new ort.Tensor('float32', flat, [200, 4]) });
    expect(maxAbsDiff(out.q_values.data as Float32Array, runner.outputs(flat, 200)[0])).toBeLessThan(1e-5);
    await session.release();
    runner.dispose();
  });

  it('a hand-made folder for an unregistered env: generic names, masks respected, layout declared in agent.json', async () => {
    const agentDir = join(root, 'custom-agent');
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 16, activation: 'relu', inputShape: [4], name: 'h' }), tf.layers.dense({ units: 3, name: 'out' })] });
    await model.save(folderHandler(join(agentDir, 'net')));
    model.dispose();
    writeFileSync(join(agentDir, 'agent.json'), JSON.stringify({
      algo: 'my-q-learner',
      config: { gamma: 0.99 },
      observationSpace: new Box(-10, 10, [4]).toJSON(),
      actionSpace: new Discrete(3).toJSON(),
      stepsDone: 123,
      export: { actionHead: { dir: 'net', output: 'q_values' }, obsNormalization: { mean: [0, 0, 0, 1], var: [1, 1, 4, 4], count: 10, epsilon: 1e-8, clip: 5 } },
    }));
    const dir = join(root, 'custom-bundle');
    const { manifest } = await exportAgentDir(agentDir, dir, { env: { id: 'Unregistered-v3' } });
    expect(manifest.policy.kind).toBe('q-values');
    expect(manifest.action.names).toEqual(['action_0', 'action_1', 'action_2']);
    expect(manifest.observation.labels).toEqual(['obs_0', 'obs_1', 'obs_2', 'obs_3']);
    expect(manifest.action.mask.providedByEnv).toBeNull();
    expect(manifest.observation.normalization).toMatchObject({ clip: 5, var: [1, 1, 4, 4] });
    expect(manifest.algorithm).toMatchObject({ name: 'my-q-learner', stepsTrained: 123 });

    const runner = await loadPolicy(dir);
    const obs = [0.3, -1.2, 2, 0.7];
    const decision = runner.decide(obs);
    const forbidden = [0, 1, 2].map((a) => (a === decision.action ? 0 : 1));
    const masked = runner.decide(obs, forbidden);
    expect(masked.action).not.toBe(decision.action);
    expect(masked.probs[decision.action]).toBe(0);
    const session = await ort.InferenceSession.create(readFileSync(join(dir, 'policy.onnx')));
    const out = await session.run({ obs: new ort.Tensor('float32', Float32Array.from(obs), [1, 4]) });
    expect(maxAbsDiff(out.q_values.data as Float32Array, decision.qValues!)).toBeLessThan(1e-5);
    await session.release();
    runner.dispose();
  });
});

describe.each(['ppo', 'a2c', 'reinforce', 'dqn'])('every MLP agent exports: %s', (name) => {
  it('the runner picks the agent\'s deterministic actions on Orchestrator-v0 with masks, and ONNX agrees', async () => {
    const env = (await import('../../src/core/registry.js')).make<Float32Array, number>('Orchestrator-v0');
    const agent = createAgent(name, {}, { seed: 2, observationSpace: env.observationSpace, actionSpace: env.actionSpace });
    const dir = join(root, `all-${name}`);
    const { manifest } = await exportAgent(agent, dir, { env: { id: 'Orchestrator-v0' } });
    expect(manifest.algorithm.name).toBe(name);
    const runner = await loadPolicy(dir, { envId: 'Orchestrator-v0' });
    const rng = new Rng(5);
    let { obs, info } = env.reset({ seed: 5 });
    const rows: Float32Array[] = [];
    for (let t = 0; t < 150; t++) {
      const mask = info.actionMask as Uint8Array;
      expect(runner.decide(obs, mask).action).toBe(agent.act(obs, { mask, deterministic: true }));
      rows.push(obs.slice());
      const step = env.step(env.actionSpace.sample(rng, mask) as number);
      ({ obs, info } = step.terminated || step.truncated ? env.reset({ seed: t }) : step);
    }
    const flat = new Float32Array(rows.length * runner.obsSize);
    rows.forEach((row, i) => flat.set(row, i * runner.obsSize));
    const session = await ort.InferenceSession.create(readFileSync(join(dir, 'policy.onnx')));
    const out = await session.run({ obs: new ort.Tensor('float32', flat, [rows.length, runner.obsSize]) });
    const tfjs = runner.outputs(flat, rows.length);
    manifest.models.tfjs.outputs.forEach((head, k) => expect(maxAbsDiff(out[head].data as Float32Array, tfjs[k])).toBeLessThan(1e-5));
    await session.release();
    runner.dispose();
    env.close();
  });
});
