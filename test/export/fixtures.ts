/** Shared pieces of the export tests: briefly trained agents, run folders as the runner writes them, recorded observations. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../envs/index.js';
import '../../envs/orchestrator/register.js';
import type { Env } from '../../src/core/env.js';
import { make } from '../../src/core/registry.js';
import { Rng } from '../../src/core/rng.js';
import { initBackend } from '../../src/nn/backend.js';
import { PpoAgent, type PpoConfig } from '../../agents/ppo.js';

export interface Trained {
  agent: PpoAgent;
  env: Env<Float32Array, number>;
}

/** PPO with observation normalization, trained for `steps` env steps (seconds, not a converged policy). */
export async function trainPpo(envId: string, steps: number, config: Partial<PpoConfig> = {}, seed = 1): Promise<Trained> {
  await initBackend('wasm');
  const env = make<Float32Array, number>(envId);
  const agent = new PpoAgent(
    { numSteps: 256, batchSize: 64, numEpochs: 4, normalizeObs: true, piLayers: [32, 32], vfLayers: [32, 32], ...config },
    { seed, observationSpace: env.observationSpace, actionSpace: env.actionSpace },
  );
  if (steps > 0) await agent.learn({ env, totalSteps: steps });
  return { agent, env };
}

/** A finished run folder with the files `runPlan` writes (config.json, summary.json, ..., policy/). */
export async function writeRunDir(dir: string, agent: PpoAgent, envId: string, totalSteps: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const spec = { name: 'export-test', env: { id: envId, kwargs: {}, numEnvs: 1, vectorization: 'native' }, agent: { name: 'ppo' }, reward: { mode: 'gold', model: {} }, totalSteps, seeds: [1] };
  const provenance = { loopgymVersion: '0.1.0', gitCommit: 'abc123', gitDirty: false, node: process.version, tfjsBackend: 'wasm', tfjsVersion: '4.22.0', platform: 'test', cpu: 'test', cores: 2 };
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ experiment: 'export-test', runId: 'r1-s1', seed: 1, axes: {}, spec, provenance }));
  writeFileSync(join(dir, 'metrics.jsonl'), '');
  writeFileSync(join(dir, 'episodes.csv'), 'episode,step,env_index,return,length\n');
  await agent.save(join(dir, 'policy'));
  const summary = {
    eval: { episodes: 5, meanReturn: 42.5, stdReturn: 3.5, returns: [40, 45], meanLength: 42.5, metrics: { 'reward/success': 0.5 } },
    baselines: { random: { meanReturn: 20, stdReturn: 2 } },
    normalizedScore: null,
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
}

export interface Recorded {
  obs: Float32Array[];
  masks: Array<Uint8Array | undefined>;
}

/**
 * `count` observations (with the env's masks) from episodes played half by the agent's greedy action and
 * half at random, so both typical and unusual states are covered.
 */
export function recordObservations(agent: PpoAgent, env: Env<Float32Array, number>, count: number, seed = 7): Recorded {
  const rng = new Rng(seed);
  const out: Recorded = { obs: [], masks: [] };
  let { obs, info } = env.reset({ seed });
  while (out.obs.length < count) {
    const mask = info.actionMask instanceof Uint8Array ? info.actionMask : undefined;
    out.obs.push(obs.slice());
    out.masks.push(mask?.slice());
    const action = rng.random() < 0.5 ? agent.act(obs, { mask, deterministic: true }) : (env.actionSpace.sample(rng, mask) as number);
    const step = env.step(action);
    ({ obs, info } = step);
    if (step.terminated || step.truncated) ({ obs, info } = env.reset({ seed: rng.integer(0, 2 ** 31) }));
  }
  return out;
}

export function flatten(rows: readonly Float32Array[]): Float32Array {
  const size = rows[0].length;
  const flat = new Float32Array(rows.length * size);
  rows.forEach((row, i) => flat.set(row, i * size));
  return flat;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
