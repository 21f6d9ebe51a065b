/** `exportRun` on a run folder written by the experiment runner itself (not a hand-made copy of its layout). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import '../../envs/index.js';
import { parseSpec } from '../../src/experiments/spec.js';
import { runExperiment } from '../../src/experiments/runner.js';
import { exportRun } from '../../src/export/export-run.js';
import { loadPolicy } from '../../src/export/policy-runner.js';

const root = mkdtempSync(join(tmpdir(), 'loopgym-run-export-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('exports a run written by runExperiment, with its provenance and evaluation', async () => {
  const spec = parseSpec({
    name: 'export-integration',
    env: { id: 'CartPole-v1' },
    agent: { name: 'ppo', numSteps: 128, batchSize: 64, numEpochs: 2, normalizeObs: true, piLayers: [16], vfLayers: [16] },
    totalSteps: 256,
    seeds: [3],
    evaluation: { episodes: 2 },
    backend: 'wasm',
  });
  const { runs } = await runExperiment(spec, { outDir: root });
  const { manifest } = await exportRun(runs[0].dir, join(root, 'bundle'));
  expect(manifest.env).toMatchObject({ id: 'CartPole-v1', maxEpisodeSteps: 500 });
  expect(manifest.training).toMatchObject({ experiment: 'export-integration', seed: 3, totalSteps: 256, provenance: { tfjsBackend: 'wasm' } });
  expect(manifest.evaluation).toMatchObject({ episodes: 2, meanReturn: runs[0].summary.eval.meanReturn });
  expect(manifest.algorithm.hyperparameters).toMatchObject({ numSteps: 128, normalizeObs: true });
  expect(manifest.observation.normalization).not.toBeNull();
  const runner = await loadPolicy(join(root, 'bundle'), { envId: 'CartPole-v1' });
  expect(runner.decide([0.01, 0, 0.02, 0]).action).toBeGreaterThanOrEqual(0);
  runner.dispose();
});

it('exports a run trained on the learned reward: the bundle env is the plain env, the reward mode is training provenance', async () => {
  const spec = parseSpec({
    name: 'export-learned',
    env: { id: 'Orchestrator-v0', numEnvs: 2 },
    agent: { name: 'ppo', numSteps: 64, batchSize: 64, numEpochs: 1, piLayers: [16], vfLayers: [16] },
    reward: { mode: 'learned', model: { kind: 'random-forest', refitEvery: 200, minFeedback: 20 } },
    totalSteps: 256,
    seeds: [0],
    evaluation: { episodes: 1 },
    backend: 'wasm',
  });
  const { runs } = await runExperiment(spec, { outDir: root });
  const { manifest } = await exportRun(runs[0].dir, join(root, 'bundle-learned'));
  expect(manifest.env.id).toBe('Orchestrator-v0');
  expect(manifest.env.kwargs).not.toHaveProperty('rewardMode', 'learned');
  expect(manifest.training).toMatchObject({ rewardMode: 'learned' });
  const runner = await loadPolicy(join(root, 'bundle-learned'), { envId: 'Orchestrator-v0' });
  expect(runner.decide(new Float32Array(manifest.observation.size)).name).toMatch(/^(scan|dispatch|coordinate|monitor|optimize)/);
  runner.dispose();
});
