/** `evaluate(agent, env, episodes)`: mean and spread of episode returns under the agent's policy. */
import type { Agent } from '../../src/core/agent.js';
import type { Env } from '../../src/core/env.js';
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

export function evaluate(agent: Agent, env: Env<Float32Array, number>, episodes: number, options: EvaluateOptions = {}): EvaluateResult {
  if (!Number.isInteger(episodes) || episodes <= 0) throw new ConfigError(`Expected episodes to be a positive integer, but got ${episodes}.`);
  const deterministic = options.deterministic ?? true;
  const maxSteps = options.maxStepsPerEpisode ?? Infinity;
  const episodeRewards: number[] = [];
  const episodeLengths: number[] = [];
  for (let e = 0; e < episodes; e++) {
    let { obs, info } = env.reset(e === 0 && options.seed !== undefined ? { seed: options.seed } : undefined);
    let total = 0;
    let length = 0;
    for (;;) {
      const mask = info.actionMask instanceof Uint8Array ? info.actionMask : undefined;
      const action = agent.act(obs, { deterministic, ...(mask ? { mask } : {}) });
      const step = env.step(action);
      total += step.reward;
      length++;
      obs = step.obs;
      info = step.info;
      if (step.terminated || step.truncated || length >= maxSteps) break;
    }
    episodeRewards.push(total);
    episodeLengths.push(length);
  }
  const mean = episodeRewards.reduce((a, b) => a + b, 0) / episodes;
  const variance = episodeRewards.reduce((a, b) => a + (b - mean) ** 2, 0) / episodes;
  return { meanReward: mean, stdReward: Math.sqrt(variance), episodeRewards, episodeLengths };
}
