/**
 * The one agent-folder format (agents/common/agent-folder.ts): what every agent writes, that folders written
 * before version 2 still load and continue exactly as the code that wrote them would have, what a bad folder
 * is refused with, and that the exporter reads the declared `export` section and nothing else.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import '../../envs/index.js';
import { DataError, Discrete, make, makeVec } from '../../src/core/index.js';
import { createAgent } from '../../agents/index.js';
import { agentFolderSchema, readAgentFolder, type AgentFolder } from '../../agents/common/agent-folder.js';
import { banditAgents } from '../../agents/bandits/index.js';
import { exportAgentDir } from '../../src/export/export-run.js';

const scratch = mkdtempSync(join(tmpdir(), 'loopgym-agent-folder-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const fixtures = fileURLToPath(new URL('../fixtures/agent-folder-v1', import.meta.url));
const expected = JSON.parse(readFileSync(join(fixtures, 'expected-actions.json'), 'utf8')) as {
  observations: number[][];
  ppo: { greedy: number[]; sampled: number[]; continuedWeights: number[] };
  dqn: { greedy: number[]; sampled: number[]; continuedWeights: number[] };
  ucb1: { sampled: number[] };
};

const probe = make<Float32Array, number>('CartPole-v1');
const context = (seed: number) => ({ seed, observationSpace: probe.observationSpace, actionSpace: probe.actionSpace });
type Learner = ReturnType<typeof createAgent> & { weights(): Float32Array; dispose(): void };

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

describe('every agent writes the declared folder', () => {
  const cases: Array<[string, Record<string, unknown>, Partial<AgentFolder>]> = [
    ['ppo', { numSteps: 8, batchSize: 16, normalizeObs: true }, { networks: { policy: 'policy', value: 'value' }, export: { actionHead: { dir: 'policy', output: 'logits' }, valueHead: { dir: 'value' } } }],
    ['a2c', {}, { networks: { policy: 'policy', value: 'value' }, export: { actionHead: { dir: 'policy', output: 'logits' }, valueHead: { dir: 'value' } } }],
    ['reinforce', { episodesPerUpdate: 1 }, { networks: { policy: 'policy', value: 'value' }, export: { actionHead: { dir: 'policy', output: 'logits' }, valueHead: { dir: 'value' } } }],
    ['dqn', { layers: [8], bufferSize: 64, learningStarts: 8, batchSize: 4, logInterval: 16 }, { networks: { q: 'q', target: 'target' }, export: { actionHead: { dir: 'q', output: 'q_values' }, valueHead: null } }],
    ['random', { seed: 4 }, { networks: {}, export: null, optimizer: null }],
    ['ucb1', {}, { networks: {}, export: null, optimizer: null, normalizer: null }],
  ];
  it.each(cases)('%s: agent.json is format 2 with its networks, optimizer and export section', async (name, config, declared) => {
    const agent = createAgent(name, { ...config, ...(name === 'random' || name === 'ucb1' ? {} : { backend: 'wasm' }) }, context(1));
    await agent.learn({ env: makeVec('CartPole-v1', { numEnvs: 2 }), totalSteps: 32 });
    const dir = join(scratch, `written-${name}`);
    await agent.save(dir);
    const raw = readJson(join(dir, 'agent.json'));
    const folder = agentFolderSchema.parse(raw);
    expect(folder).toMatchObject({ format: 'loopgym-agent', version: 2, algorithm: name, ...declared });
    for (const sub of Object.values(folder.networks)) {
      expect(existsSync(join(dir, sub, 'model.json')) && existsSync(join(dir, sub, 'weights.bin'))).toBe(true);
    }
    if (folder.optimizer) expect(existsSync(join(dir, folder.optimizer.dir, 'weights.bin'))).toBe(true);
    if (name !== 'random' && name !== 'ucb1') expect(folder.progress.stepsDone).toBeGreaterThanOrEqual(32);
    // The record names every stream the agent draws from.
    expect(Object.keys(folder.rng).length).toBeGreaterThan(0);
    (agent as Partial<Learner>).dispose?.();
  });
});

describe('folders written before version 2 still load', () => {
  it.each(['ppo', 'dqn'] as const)('%s: same actions and, continuing, the very weights the old code reached', async (name) => {
    const dir = join(scratch, `${name}-v1`);
    cpSync(join(fixtures, `${name}-v1`), dir, { recursive: true });
    const agent = createAgent(name, { backend: 'wasm' }, context(99)) as Learner;
    await agent.load(dir);
    const obs = expected.observations.map((o) => Float32Array.from(o));
    expect(obs.map((o) => agent.act(o, { deterministic: true }))).toEqual(expected[name].greedy);
    expect(obs.map((o) => agent.act(o, { deterministic: false }))).toEqual(expected[name].sampled);
    await agent.learn({ env: makeVec('CartPole-v1', { numEnvs: 2 }), totalSteps: 32 });
    expect(Array.from(agent.weights())).toEqual(expected[name].continuedWeights);
    agent.dispose();
  });

  it('a version-1 folder reads as the version-2 record it means; saved again it is format 2', async () => {
    const folder = await readAgentFolder(join(fixtures, 'ppo-v1'));
    expect(folder).toMatchObject({ algorithm: 'ppo', networks: { policy: 'policy', value: 'value' }, optimizer: { kind: 'adam', dir: 'optimizer' } });
    expect(folder.export).toEqual({ actionHead: { dir: 'policy', output: 'logits' }, valueHead: { dir: 'value' } });
    expect(folder.normalizer).toMatchObject({ epsilon: 1e-8, clipObs: 10, clipReward: 10 });
    const dqn = await readAgentFolder(join(fixtures, 'dqn-v1'));
    expect(dqn.export).toEqual({ actionHead: { dir: 'q', output: 'q_values' }, valueHead: null });
    expect(dqn.state).toMatchObject({ replay: { file: 'replay/buffer.bin' }, targetStale: expect.any(Boolean) });

    const agent = createAgent('dqn', { backend: 'wasm' }, context(0)) as Learner;
    await agent.load(join(fixtures, 'dqn-v1'));
    const again = join(scratch, 'dqn-v2');
    await agent.save(again);
    expect(readJson(join(again, 'agent.json'))).toMatchObject({ format: 'loopgym-agent', version: 2 });
    agent.dispose();
  });

  it('loopgym-bandit-agent version 1 files load, and the bandit continues its draws', async () => {
    const agent = banditAgents.ucb1({ seed: 0 });
    await agent.load(join(fixtures, 'ucb1-v1'));
    expect(agent.stepsLearned).toBe(60);
    expect(Array.from({ length: 12 }, () => agent.act(new Float32Array(1)))).toEqual(expected.ucb1.sampled);
  });

  it('the exporter reads a version-1 folder through the same record', async () => {
    const { manifest } = await exportAgentDir(join(fixtures, 'dqn-v1'), join(scratch, 'dqn-v1-bundle'), { env: { id: 'CartPole-v1' } }, { onnx: false });
    expect(manifest.policy.kind).toBe('q-values');
    expect(manifest.algorithm.stepsTrained).toBe(96);
  });
});

describe('bad folders are refused with named errors', () => {
  it('missing, unknown format, another algorithm, a field out of the schema', async () => {
    const agent = createAgent('ppo', { backend: 'wasm' }, context(0)) as Learner;
    await expect(agent.load(join(scratch, 'nowhere'))).rejects.toThrow(DataError);
    const other = join(scratch, 'other-format');
    cpSync(join(fixtures, 'ppo-v1'), other, { recursive: true });
    writeFileSync(join(other, 'agent.json'), JSON.stringify({ format: 'something-else', version: 7 }));
    await expect(agent.load(other)).rejects.toThrow(/Expected .*agent\.json to be a loopgym-agent file of version 2 .*but got format "something-else", version 7/);
    await expect(agent.load(join(fixtures, 'dqn-v1'))).rejects.toThrow(/Expected a saved ppo agent in .*, but it holds "dqn"/);

    const typo = join(scratch, 'typo');
    await agent.save(typo);
    const record = readJson(join(typo, 'agent.json'));
    writeFileSync(join(typo, 'agent.json'), JSON.stringify({ ...record, progress: { stepsDone: -1, iterations: 0 }, exprot: null }));
    await expect(agent.load(typo)).rejects.toThrow(/to match the loopgym-agent format[\s\S]*progress\.stepsDone[\s\S]*exprot/);
    agent.dispose();
  });

  it('spaces that differ from the agent\'s are refused', async () => {
    const agent = createAgent('dqn', { backend: 'wasm' }, { seed: 0, observationSpace: probe.observationSpace, actionSpace: new Discrete(3) }) as Learner;
    await expect(agent.load(join(fixtures, 'dqn-v1'))).rejects.toThrow(/Expected a saved agent with spaces/);
    agent.dispose();
  });
});

describe('the exporter reads the export section and never guesses', () => {
  it('follows a declared head folder, and refuses an agent that declares none', async () => {
    const dir = join(scratch, 'renamed');
    cpSync(join(fixtures, 'dqn-v1'), dir, { recursive: true });
    const folder = await readAgentFolder(dir);
    // The Q-network moved to another folder: the record says where, and only the record is read.
    cpSync(join(dir, 'q'), join(dir, 'online-net'), { recursive: true });
    rmSync(join(dir, 'q'), { recursive: true });
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ ...folder, networks: { q: 'online-net', target: 'target' }, export: { actionHead: { dir: 'online-net', output: 'q_values' }, valueHead: null } }));
    const { manifest } = await exportAgentDir(dir, join(scratch, 'renamed-bundle'), { env: { id: 'CartPole-v1' } }, { onnx: false });
    expect(manifest.policy.kind).toBe('q-values');

    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ ...folder, export: { actionHead: { dir: 'q', output: 'q_values' }, valueHead: null } }));
    await expect(exportAgentDir(dir, join(scratch, 'missing-bundle'), { env: { id: 'CartPole-v1' } }, { onnx: false })).rejects.toThrow(DataError);

    const bandit = join(scratch, 'bandit');
    await banditAgents.ucb1({ numArms: 2 }).save(bandit);
    await expect(exportAgentDir(bandit, join(scratch, 'bandit-bundle'), { env: { id: 'CartPole-v1' } })).rejects.toThrow(/ucb1 declares none/);
  });
});
