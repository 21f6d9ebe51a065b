/**
 * Behaviour cloning (issue 15 item 4): BC trained on an expert's episodes plays like the expert, far above
 * random (CartPole with a known balancing rule; Orchestrator-v0 with masks, cloning greedy); early stopping
 * keeps the best validation epoch; same seed = same weights; save/load acts the same; a spec runs bc on a
 * dataset folder; bad input (no dataset, wrong shapes, bc without a dataset in a spec, a dataset for ppo) is
 * refused by name.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../envs/index.js';
import '../../src/experiments/builtin-agents.js';
import { make } from '../../src/core/registry.js';
import type { Agent, OfflineDataset } from '../../src/core/agent.js';
import { ConfigError, DataError } from '../../src/core/errors.js';
import { createAgent } from '../../agents/index.js';
import type { BcAgent } from '../../agents/bc.js';
import { createBaseline } from '../../envs/orchestrator/baselines.js';
import { episodesToDataset } from '../../src/datasets/dataset-reader.js';
import { playRecorded, recordDataset } from '../../src/datasets/minari-export.js';
import { evaluateEpisodes } from '../../src/experiments/evaluate.js';
import { runExperiment } from '../../src/experiments/runner.js';
import { parseSpec } from '../../src/experiments/spec.js';

/** Balances the pole: push toward the side it falls to (500 on every seed we tried). */
const balancer: Agent = {
  name: 'balancer',
  act: (obs: Float32Array) => (obs[2] + 0.5 * obs[3] > 0 ? 1 : 0),
  learn: async () => ({ stepsDone: 0, iterations: 0, stoppedEarly: false }),
  save: async () => {},
  load: async () => {},
};

function expertData(envId: string, expert: Agent, env = make<Float32Array, number>(envId), episodes = 10): OfflineDataset {
  const played = Array.from({ length: episodes }, (_, i) => playRecorded(expert, env, 10_000 + i, true));
  const n = (env.actionSpace as unknown as { n: number }).n;
  return episodesToDataset(`${envId}-expert`, played, env.observationSpace.shape.reduce((a, b) => a * b, 1), n);
}

function bc(envId: string, config: Record<string, unknown> = {}, seed = 0): BcAgent {
  const env = make<Float32Array, number>(envId);
  return createAgent('bc', config, { seed, observationSpace: env.observationSpace, actionSpace: env.actionSpace }) as unknown as BcAgent;
}

const meanReturn = (agent: Agent, envId: string, episodes = 10) => {
  const results = evaluateEpisodes(agent, make<Float32Array, number>(envId), { episodes, seedBase: 50_000, deterministic: true });
  return results.reduce((a, r) => a + r.return, 0) / results.length;
};

describe('bc (behaviour cloning)', () => {
  it('clones a CartPole balancer to >= 475 (random: ~22), deterministically, and keeps the best validation epoch', async () => {
    const dataset = expertData('CartPole-v1', balancer);
    const agent = bc('CartPole-v1', { maxEpochs: 40, patience: 5 });
    const result = await agent.learn({ env: make('CartPole-v1'), totalSteps: 10_000_000, dataset });
    expect(result.iterations).toBeLessThanOrEqual(40);
    expect(agent.best!.accuracy).toBeGreaterThan(0.95);
    expect(meanReturn(agent, 'CartPole-v1')).toBeGreaterThanOrEqual(475);
    expect(meanReturn(createAgent('random', {}, { observationSpace: make('CartPole-v1').observationSpace, actionSpace: make('CartPole-v1').actionSpace }), 'CartPole-v1')).toBeLessThan(60);
    // Same seed, same data: the same weights, bit for bit.
    const twin = bc('CartPole-v1', { maxEpochs: 40, patience: 5 });
    await twin.learn({ env: make('CartPole-v1'), totalSteps: 10_000_000, dataset });
    expect(twin.weights()).toEqual(agent.weights());
    // Save and load: the same actions.
    const dir = mkdtempSync(join(tmpdir(), 'loopgym-bc-'));
    await agent.save(dir);
    const loaded = bc('CartPole-v1');
    await loaded.load(dir);
    expect(loaded.weights()).toEqual(agent.weights());
    expect(loaded.config.maxEpochs).toBe(40);
  }, 60_000);

  it('early stopping: with patience 1 it stops before maxEpochs and the kept weights are the best epoch\'s', async () => {
    const dataset = expertData('CartPole-v1', balancer, undefined, 6);
    const agent = bc('CartPole-v1', { maxEpochs: 500, patience: 1, learningRate: 0.01, logFormats: [] });
    const result = await agent.learn({ env: make('CartPole-v1'), totalSteps: 100_000_000, dataset });
    expect(result.iterations).toBeLessThan(500);
    const rows = agent.logger.history.filter((row) => 'train/val_loss' in row);
    const losses = rows.map((row) => row['train/val_loss']);
    const best = Math.min(...losses);
    expect(agent.best!.loss).toBe(best);
    expect(rows.at(-1)!['train/best_epoch']).toBe(agent.best!.epoch);
    expect(agent.best!.epoch).toBeLessThan(result.iterations);
  }, 60_000);

  it('clones greedy on Orchestrator-v0 (masked) to most of its return, far above random', async () => {
    const env = make<Float32Array, number>('Orchestrator-v0');
    const greedy = createBaseline('greedy', env);
    const dataset = expertData('Orchestrator-v0', greedy, env, 20);
    expect(dataset.masks).not.toBeNull();
    const agent = bc('Orchestrator-v0', { maxEpochs: 30, patience: 5, normalizeObs: true });
    await agent.learn({ env: make('Orchestrator-v0'), totalSteps: 100_000_000, dataset });
    const cloned = meanReturn(agent, 'Orchestrator-v0');
    const expert = meanReturn(greedy, 'Orchestrator-v0');
    const random = meanReturn(createAgent('random', {}, { observationSpace: env.observationSpace, actionSpace: env.actionSpace }), 'Orchestrator-v0');
    expect(cloned).toBeGreaterThan(random + 0.8 * (expert - random));
  }, 120_000);

  it('refuses learning without a dataset or with one of other shapes; a spec needs dataset with bc and refuses it with ppo', async () => {
    const agent = bc('CartPole-v1');
    await expect(agent.learn({ env: make('CartPole-v1'), totalSteps: 1000 })).rejects.toThrow(/Expected a dataset for bc/);
    const orchestratorData = expertData('Orchestrator-v0', createBaseline('greedy', make('Orchestrator-v0')), undefined, 1);
    await expect(agent.learn({ env: make('CartPole-v1'), totalSteps: 1000, dataset: orchestratorData })).rejects.toThrow(DataError);
    const base = { name: 'bc-spec', env: { id: 'CartPole-v1' }, totalSteps: 1000 };
    expect(() => parseSpec({ ...base, agent: { name: 'bc' } })).toThrow(/Expected dataset to name a dataset folder for the offline agent bc/);
    expect(() => parseSpec({ ...base, agent: { name: 'ppo' }, dataset: 'x/y-v0' })).toThrow(/Expected dataset to be absent: ppo learns from env steps/);
    expect(() => parseSpec({ ...base, agent: { name: 'bc', patiense: 3 }, dataset: 'x/y-v0' })).toThrow(ConfigError);
  });

  it('runs from a spec on a dataset folder; a missing dataset is refused before the run folder is written', async () => {
    const out = mkdtempSync(join(tmpdir(), 'loopgym-bc-run-'));
    const env = make<Float32Array, number>('CartPole-v1');
    const data = await recordDataset(balancer, env, join(out, 'datasets'), { id: 'test/balancer-v0', episodes: 10, format: 'jsonl' }, { agent: 'balancer', source: 'a test', envId: 'CartPole-v1', deterministic: true });
    const spec = parseSpec({ name: 'bc-run', env: { id: 'CartPole-v1' }, agent: { name: 'bc', maxEpochs: 40 }, dataset: data.dir, totalSteps: 10_000_000, evaluation: { episodes: 3 } });
    const [run] = (await runExperiment(spec, { outDir: join(out, 'results') })).runs;
    expect(run.summary.eval.meanReturn).toBeGreaterThanOrEqual(475);
    const missing = parseSpec({ ...spec, name: 'bc-missing', dataset: join(out, 'nowhere-v0') });
    await expect(runExperiment(missing, { outDir: join(out, 'results') })).rejects.toThrow(/metadata\.json is missing/);
    const written = join(out, 'results', 'bc-missing');
    const left = existsSync(written) ? readdirSync(written, { recursive: true }).map(String) : [];
    expect(left.filter((name) => name.endsWith('config.json') || name.endsWith('metrics.jsonl'))).toEqual([]);
  }, 60_000);
});
