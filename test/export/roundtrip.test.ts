/**
 * The evidence: train briefly, export, load; on 1,000 recorded observations the loaded runner picks
 * the in-process agent's actions, and the tfjs model and the ONNX graph (run by onnxruntime-node) agree
 * within 1e-5.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportAgent, exportRun } from '../../src/export/export-run.js';
import { loadPolicy, type PolicyRunner } from '../../src/export/policy-runner.js';
import type { PolicyManifest } from '../../src/export/bundle.js';
import { flatten, maxAbsDiff, recordObservations, trainPpo, writeRunDir, type Recorded, type Trained } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'loopgym-roundtrip-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function onnxOutputs(bundleDir: string, obs: Float32Array, batch: number, size: number): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(readFileSync(join(bundleDir, 'policy.onnx')));
  try {
    const result = await session.run({ obs: new ort.Tensor('float32', obs, [batch, size]) });
    return Object.fromEntries(Object.entries(result).map(([name, tensor]) => [name, tensor.data as Float32Array]));
  } finally {
    await session.release();
  }
}

describe.each([
  { envId: 'CartPole-v1', steps: 2048, via: 'exportRun' },
  { envId: 'Orchestrator-v0', steps: 1024, via: 'exportAgent' },
])('round trip on $envId (PPO, $steps steps, $via)', ({ envId, steps, via }) => {
  let trained: Trained;
  let bundleDir: string;
  let manifest: PolicyManifest;
  let runner: PolicyRunner;
  let recorded: Recorded;

  beforeAll(async () => {
    trained = await trainPpo(envId, steps);
    bundleDir = join(root, `${envId}-bundle`);
    if (via === 'exportRun') {
      const runDir = join(root, `${envId}-run`);
      await writeRunDir(runDir, trained.agent, envId, steps);
      manifest = (await exportRun(runDir, bundleDir)).manifest;
    } else {
      manifest = (await exportAgent(trained.agent, bundleDir, { env: { id: envId } })).manifest;
    }
    runner = await loadPolicy(bundleDir);
    recorded = recordObservations(trained.agent, trained.env, 1000);
  });
  afterAll(() => runner?.dispose());

  it('the loaded runner chooses the agent\'s deterministic action on 1,000 recorded observations', () => {
    let same = 0;
    recorded.obs.forEach((obs, i) => {
      const mask = recorded.masks[i];
      if (runner.decide(obs, mask).action === trained.agent.act(obs, { mask, deterministic: true })) same++;
    });
    expect(same).toBe(1000);
    // Equality means something only if the policy does not answer the same everywhere.
    const distinct = new Set(recorded.obs.map((obs, i) => runner.decide(obs, recorded.masks[i]).action));
    expect(distinct.size).toBeGreaterThan(1);
  });

  it('decideBatch gives the decisions of decide, and probs respect the mask', () => {
    const some = recorded.obs.slice(0, 64);
    const masks = recorded.masks.slice(0, 64);
    const batch = runner.decideBatch(some, masks);
    batch.forEach((decision, i) => {
      const single = runner.decide(some[i], masks[i]);
      expect(decision.action).toBe(single.action);
      expect(maxAbsDiff(decision.probs, single.probs)).toBeLessThan(1e-6);
      expect(decision.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect(decision.name).toBe(manifest.action.names[decision.action]);
      expect(typeof decision.value).toBe('number');
      masks[i]?.forEach((allowed, a) => {
        if (!allowed) expect(decision.probs[a]).toBe(0);
      });
    });
  });

  it('tfjs and ONNX outputs agree within 1e-5 (batch 1000 and batch 1)', async () => {
    const flat = flatten(recorded.obs);
    const size = manifest.observation.size;
    const [logits, value] = runner.outputs(flat, 1000);
    const onnx = await onnxOutputs(bundleDir, flat, 1000, size);
    expect(Object.keys(onnx).sort()).toEqual(['logits', 'value']);
    if (process.env.LOOPGYM_EXPORT_DEBUG) console.log(envId, 'max |tfjs - onnx|', maxAbsDiff(onnx.logits, logits), maxAbsDiff(onnx.value, value));
    expect(maxAbsDiff(onnx.logits, logits)).toBeLessThan(1e-5);
    expect(maxAbsDiff(onnx.value, value)).toBeLessThan(1e-5);
    const one = await onnxOutputs(bundleDir, recorded.obs[5], 1, size);
    expect(maxAbsDiff(one.logits, runner.outputs(recorded.obs[5], 1)[0])).toBeLessThan(1e-5);
  });

  it('the manifest describes the env, the observation layout, the actions and the training', () => {
    expect(manifest.env).toMatchObject({ id: envId, version: Number(envId.slice(-1)) });
    expect(manifest.observation.size).toBe(trained.env.observationSpace.flatDim);
    expect(manifest.observation.normalization).toMatchObject({ kind: 'running-mean-std', epsilon: 1e-8, clip: 10 });
    expect(manifest.observation.normalization!.mean).toHaveLength(manifest.observation.size);
    expect(manifest.algorithm.name).toBe('ppo');
    expect(manifest.algorithm.stepsTrained).toBeGreaterThanOrEqual(steps);
    expect(manifest.models.onnx).toMatchObject({ opset: 13, inputs: [{ name: 'obs', shape: ['batch', manifest.observation.size] }] });
    expect(Object.keys(manifest.files).sort()).toEqual(['model.json', 'policy.onnx', 'weights.bin']);
    const inner = trained.env.unwrapped as unknown as { actionNames?: string[]; observationLabels?: string[] };
    if (inner.actionNames) expect(manifest.action.names).toEqual(inner.actionNames);
    if (inner.observationLabels) expect(manifest.observation.labels).toEqual(inner.observationLabels);
    expect(manifest.action.mask.providedByEnv).toBe(recorded.masks[0] !== undefined);
    if (via === 'exportRun') {
      expect(manifest.training).toMatchObject({ experiment: 'export-test', runId: 'r1-s1', seed: 1, provenance: { gitCommit: 'abc123' } });
      expect(manifest.evaluation).toMatchObject({ meanReturn: 42.5, episodes: 5, baselines: { random: { meanReturn: 20 } } });
    }
  });

  it('exporting again gives byte-identical files', async () => {
    const again = join(root, `${envId}-again`);
    await exportAgent(trained.agent, again, { env: { id: envId } });
    const first = JSON.parse(readFileSync(join(bundleDir, 'manifest.json'), 'utf8')) as PolicyManifest;
    const second = JSON.parse(readFileSync(join(again, 'manifest.json'), 'utf8')) as PolicyManifest;
    expect(second.files).toEqual(first.files);
  });
});
