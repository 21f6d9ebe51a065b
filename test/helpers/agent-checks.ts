/**
 * Checks every learning algorithm must pass, parameterized by agent name and config: identity-env
 * learning, determinism, flat tensor count, save/load round trip (acts and continues identically).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import '../../envs/index.js';
import { make, makeVec, type Env, type VectorEnv, Rng } from '../../src/core/index.js';
import type { Agent, TrainingHook } from '../../src/core/agent.js';
import { createAgent } from '../../agents/index.js';
import { reproducibleRow, type LogRow } from '../../agents/common/logger.js';
import { IdentityEnv, identityScore, type IdentityEnvOptions } from './identity-env.js';

export type TestAgent = Agent & { weights(): Float32Array; logger: { history: LogRow[] }; dispose(): void };

export function newAgent(name: string, config: Record<string, unknown>, seed: number, env: { observationSpace: unknown; actionSpace: unknown }): TestAgent {
  return createAgent(name, { backend: 'wasm', ...config }, { seed, observationSpace: env.observationSpace as never, actionSpace: env.actionSpace as never }) as TestAgent;
}

/** Trains on the identity env and returns the greedy score (random = 1/n) and the env (for invalid-action counts). */
export async function identityLearning(name: string, config: Record<string, unknown>, steps: number, options: IdentityEnvOptions = {}, seed = 0): Promise<{ score: number; env: IdentityEnv; agent: TestAgent }> {
  const env = new IdentityEnv(options);
  const agent = newAgent(name, config, seed, env);
  await agent.learn({ env: env as Env<Float32Array, number>, totalSteps: steps });
  const score = identityScore((obs, mask) => agent.act(obs, { deterministic: true, ...(mask ? { mask } : {}) }), options);
  return { score, env, agent };
}

function cartPole(numEnvs: number): { venv: VectorEnv; probe: Env<Float32Array, number> } {
  return { venv: makeVec('CartPole-v1', { numEnvs }), probe: make<Float32Array, number>('CartPole-v1') };
}

/** Trains twice with one seed: identical weights and identical logged numbers (time keys excluded). */
export async function determinism(name: string, config: Record<string, unknown>, steps: number, numEnvs: number): Promise<{ same: boolean; rows: number; differentSeedDiffers: boolean }> {
  const run = async (seed: number) => {
    const { venv, probe } = cartPole(numEnvs);
    const agent = newAgent(name, config, seed, probe);
    await agent.learn({ env: venv, totalSteps: steps });
    const out = { weights: agent.weights(), log: agent.logger.history.map(reproducibleRow) };
    agent.dispose();
    return out;
  };
  const a = await run(7);
  const b = await run(7);
  const c = await run(8);
  const same = a.weights.every((w, i) => Object.is(w, b.weights[i])) && JSON.stringify(a.log) === JSON.stringify(b.log) && a.log.length > 0;
  return { same, rows: a.log.length, differentSeedDiffers: !a.weights.every((w, i) => w === c.weights[i]) };
}

/** tf.memory().numTensors at each hook call after the first: must not grow. */
export async function tensorCounts(name: string, config: Record<string, unknown>, steps: number, numEnvs: number): Promise<number[]> {
  const { venv, probe } = cartPole(numEnvs);
  const agent = newAgent(name, config, 0, probe);
  const counts: number[] = [];
  const hook: TrainingHook = { onStep: () => void counts.push(tf.memory().numTensors) };
  await agent.learn({ env: venv, totalSteps: steps, hooks: [hook] });
  agent.dispose();
  return counts;
}

/**
 * Trains A, saves it, loads into B (built with another seed), checks identical actions, then continues
 * both for `more` steps on identical envs and compares weights and logs.
 */
export async function saveLoadRoundTrip(name: string, config: Record<string, unknown>, steps: number, more: number, numEnvs: number): Promise<{ sameActions: boolean; sameAfterContinuing: boolean; dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), `loopgym-${name}-`));
  const first = cartPole(numEnvs);
  const a = newAgent(name, config, 3, first.probe);
  await a.learn({ env: first.venv, totalSteps: steps });
  await a.save(dir);
  const b = newAgent(name, config, 99, first.probe);
  await b.load(dir);
  const rng = new Rng(1);
  let sameActions = true;
  for (let k = 0; k < 50; k++) {
    const obs = Float32Array.from({ length: 4 }, () => rng.normal(0, 0.5));
    const deterministic = k % 2 === 0;
    if (a.act(obs, { deterministic }) !== b.act(obs, { deterministic })) sameActions = false;
  }
  const historyBefore = a.logger.history.length;
  await a.learn({ env: cartPole(numEnvs).venv, totalSteps: more });
  await b.learn({ env: cartPole(numEnvs).venv, totalSteps: more });
  const wa = a.weights();
  const wb = b.weights();
  const logA = a.logger.history.slice(historyBefore).map(reproducibleRow);
  const logB = b.logger.history.map(reproducibleRow);
  const sameAfterContinuing = wa.every((w, i) => Object.is(w, wb[i])) && JSON.stringify(logA) === JSON.stringify(logB);
  a.dispose();
  b.dispose();
  return { sameActions, sameAfterContinuing, dir };
}
