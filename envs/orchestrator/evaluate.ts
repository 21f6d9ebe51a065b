/**
 * Runs the baselines on an Orchestrator env id and summarizes them: what `loopgym baselines` prints.
 * Every baseline plays the same episode seeds (seed, seed + 1, ...), so differences come from the
 * policies, not the draw of companies.
 *
 * The baselines are built by the `createAgent` the caller hands in: envs/ does not import agents/, where
 * `random` lives, so callers above both (the CLI, tests) pass the agent registry's factory; without one,
 * only the baselines built here (round_robin, greedy, oracle) can run.
 */
import type { Agent } from '../../src/core/agent.js';
import { confidenceInterval, normalizedScore } from '../../src/core/stats.js';
import type { Env } from '../../src/core/env.js';
import { ConfigError } from '../../src/core/errors.js';
import { make } from '../../src/core/registry.js';
import { BASELINE_NAMES, createBaseline, type BaselineName, type BaselineOptions } from './baselines.js';
import { OrchestratorEnv } from './env.js';

export interface EvaluateBaselinesOptions {
  /** Episodes per baseline (default 100). */
  episodes?: number;
  /** First episode seed (default 0). */
  seed?: number;
  /** Env kwargs, e.g. `{preset: 'hard'}`. */
  kwargs?: Record<string, unknown>;
  /** Which baselines (default all four; random and oracle are always run when a normalized score is wanted). */
  baselines?: readonly BaselineName[];
  /** Options handed to every baseline (e.g. thresholds). */
  baselineOptions?: BaselineOptions;
  /** Step limit per episode (default: the registered one). */
  maxEpisodeSteps?: number;
  /** Builds a baseline by name (default: createBaseline, which builds the Orchestrator's own, not random). */
  createAgent?: BaselineFactory;
}

/** Builds the baseline `name` to act in `env` with `options` (its seed among them). */
export type BaselineFactory = (name: BaselineName, env: Env<unknown, unknown>, options: BaselineOptions) => Agent<Float32Array, number>;

export interface BaselineSummary {
  name: BaselineName;
  episodes: number;
  /** Per-episode returns, in seed order. */
  returns: number[];
  meanReturn: number;
  std: number;
  /** t-based 95% confidence interval of the mean return. */
  ci95: [number, number];
  /** Succeeded / finished tasks over all episodes. */
  successRate: number;
  /** Mean ticks from arrival to finish of the tasks a worker handled. */
  meanLatency: number;
  /** Mean money spent per episode (before the reward weight). */
  cost: number;
  /** Mean true satisfaction of finished tasks. */
  satisfaction: number;
  /** (mean - random) / (oracle - random); NaN unless both random and oracle ran. */
  normalizedScore: number;
}

export function evaluateBaselines(envId: string, options: EvaluateBaselinesOptions = {}): Record<string, BaselineSummary> {
  const episodes = options.episodes ?? 100;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(episodes) || episodes < 1) throw new ConfigError(`Expected episodes to be a positive integer, but got ${episodes}.`);
  const names = options.baselines ?? BASELINE_NAMES;
  const out: Record<string, BaselineSummary> = {};
  for (const name of names) {
    const env = make<Float32Array, number>(envId, { kwargs: options.kwargs ?? {}, ...(options.maxEpisodeSteps ? { maxEpisodeSteps: options.maxEpisodeSteps } : {}) });
    if (!(env.unwrapped instanceof OrchestratorEnv)) throw new ConfigError(`Expected an Orchestrator env id (Orchestrator-v0, Orchestrator-drift-v0), but got ${envId}.`);
    out[name] = runBaseline(env, name, episodes, seed, options.baselineOptions ?? {}, options.createAgent);
    env.close();
  }
  const low = out.random?.meanReturn;
  const high = out.oracle?.meanReturn;
  for (const summary of Object.values(out)) {
    summary.normalizedScore = normalizedScore(summary.meanReturn, low, high) ?? NaN;
  }
  return out;
}

/** Plays `episodes` episodes of one baseline from seeds seed, seed + 1, ... */
export function runBaseline(env: Env<Float32Array, number>, name: BaselineName, episodes: number, seed: number, options: BaselineOptions = {}, createAgent: BaselineFactory = createBaseline): BaselineSummary {
  const agent = createAgent(name, env as Env<unknown, unknown>, { seed, ...options });
  const inner = env.unwrapped as OrchestratorEnv;
  const returns: number[] = [];
  let finished = 0;
  let succeeded = 0;
  let worked = 0;
  let latencySum = 0;
  let cost = 0;
  let satisfactionSum = 0;
  for (let e = 0; e < episodes; e++) {
    let { obs, info } = env.reset({ seed: seed + e });
    let total = 0;
    for (;;) {
      const action = agent.act(obs, { mask: info.actionMask as Uint8Array });
      const result = env.step(action);
      total += result.reward;
      obs = result.obs;
      info = result.info;
      if (result.terminated || result.truncated) break;
    }
    returns.push(total);
    const totals = inner.episodeTotals();
    finished += totals.finished;
    succeeded += totals.succeeded;
    worked += totals.worked;
    latencySum += totals.latencySum;
    cost += totals.cost;
    satisfactionSum += totals.satisfactionSum;
  }
  const ci = meanInterval95(returns);
  return {
    name,
    episodes,
    returns,
    meanReturn: ci.mean,
    std: ci.std,
    ci95: [ci.low, ci.high],
    successRate: finished > 0 ? succeeded / finished : 0,
    meanLatency: worked > 0 ? latencySum / worked : 0,
    cost: cost / episodes,
    satisfaction: finished > 0 ? satisfactionSum / finished : 0,
    normalizedScore: NaN,
  };
}

/** Mean, sample std and the t-based 95% confidence interval of the mean (src/core/stats.ts). */
export function meanInterval95(values: readonly number[]): { mean: number; std: number; low: number; high: number } {
  const { mean, std, low, high } = confidenceInterval(values, 0.95);
  return { mean, std, low, high };
}
