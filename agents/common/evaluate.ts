/** `evaluate(agent, env, episodes)`: mean and spread of episode returns under the agent's policy. */
import type { Agent } from '../../src/core/agent.js';
import type { Env, ResetArgs, StepResult } from '../../src/core/env.js';
import { ConfigError } from '../../src/core/errors.js';

export interface EvaluateOptions {
  /** Greedy actions (default true, as SB3's evaluate_policy). */
  deterministic?: boolean;
  /** Seed of the first reset; later episodes continue the env's stream. */
  seed?: number;
  /** Stop an episode after this many steps even without truncation (guards envs without a TimeLimit). */
  maxStepsPerEpisode?: number;
}

export interface EvaluateResult {
  meanReward: number;
  stdReward: number;
  episodeRewards: number[];
  episodeLengths: number[];
}

/** One episode's return and length. */
export interface EpisodePlay {
  return: number;
  length: number;
}

/**
 * Plays one episode: reset with `resetArgs`, then act (with the env's `info.actionMask`) and step until it
 * ends (or after `maxSteps`). `onStep` sees every step result, e.g. to sum reward components.
 */
export function playEpisode(
  agent: Agent,
  env: Env<Float32Array, number>,
  resetArgs: ResetArgs | undefined,
  options: { deterministic: boolean; maxSteps?: number },
  onStep?: (step: StepResult<Float32Array>) => void,
): EpisodePlay {
  const maxSteps = options.maxSteps ?? Infinity;
  let { obs, info } = env.reset(resetArgs);
  let total = 0;
  let length = 0;
  for (;;) {
    const mask = info.actionMask instanceof Uint8Array ? info.actionMask : undefined;
    const action = agent.act(obs, { deterministic: options.deterministic, ...(mask ? { mask } : {}) });
    const step = env.step(action);
    total += step.reward;
    length++;
    onStep?.(step);
    obs = step.obs;
    info = step.info;
    if (step.terminated || step.truncated || length >= maxSteps) break;
  }
  return { return: total, length };
}

export function evaluate(agent: Agent, env: Env<Float32Array, number>, episodes: number, options: EvaluateOptions = {}): EvaluateResult {
  if (!Number.isInteger(episodes) || episodes <= 0) throw new ConfigError(`Expected episodes to be a positive integer, but got ${episodes}.`);
  const deterministic = options.deterministic ?? true;
  const episodeRewards: number[] = [];
  const episodeLengths: number[] = [];
  for (let e = 0; e < episodes; e++) {
    const resetArgs = e === 0 && options.seed !== undefined ? { seed: options.seed } : undefined;
    const episode = playEpisode(agent, env, resetArgs, { deterministic, maxSteps: options.maxStepsPerEpisode });
    episodeRewards.push(episode.return);
    episodeLengths.push(episode.length);
  }
  const mean = episodeRewards.reduce((a, b) => a + b, 0) / episodes;
  const variance = episodeRewards.reduce((a, b) => a + (b - mean) ** 2, 0) / episodes;
  return { meanReward: mean, stdReward: Math.sqrt(variance), episodeRewards, episodeLengths };
}
