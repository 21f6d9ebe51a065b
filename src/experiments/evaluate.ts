/**
 * Episode-level evaluation used by the runner: an agent plays `episodes` episodes on a single env, each
 * reset with its own seed (`seedBase + i`), so a trained agent and its baselines face the very same
 * episodes and can be compared pairwise. Besides return and length, every numeric entry of
 * `info.rewardComponents` is summed per episode, and an env whose unwrapped object has an
 * `episodeMetrics()` method (Orchestrator-v0: success rate, latency, cost, satisfaction) adds its figures.
 */
import type { Agent } from '../core/agent.js';
import type { Env } from '../core/env.js';
import { playEpisode } from '../../agents/common/evaluate.js';

export interface EpisodeResult {
  seed: number;
  return: number;
  length: number;
  /** Summed reward components and end-of-episode metrics reported by the env. */
  metrics: Record<string, number>;
}

export interface EvaluationOptions {
  episodes: number;
  seedBase: number;
  deterministic: boolean;
}

export function evaluateEpisodes(agent: Agent, env: Env<Float32Array, number>, options: EvaluationOptions): EpisodeResult[] {
  const results: EpisodeResult[] = [];
  for (let i = 0; i < options.episodes; i++) {
    const seed = options.seedBase + i;
    const metrics: Record<string, number> = {};
    const episode = playEpisode(agent, env, { seed }, { deterministic: options.deterministic }, (step) => addNumbers(metrics, step.info.rewardComponents, 'reward/'));
    const unwrapped = env.unwrapped as Partial<{ episodeMetrics(): Record<string, number> }>;
    if (typeof unwrapped.episodeMetrics === 'function') copyNumbers(metrics, unwrapped.episodeMetrics());
    results.push({ seed, return: episode.return, length: episode.length, metrics });
  }
  return results;
}

function addNumbers(target: Record<string, number>, source: unknown, prefix: string): void {
  if (!source || typeof source !== 'object') return;
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === 'number' && Number.isFinite(value)) target[prefix + key] = (target[prefix + key] ?? 0) + value;
  }
}

function copyNumbers(target: Record<string, number>, source: unknown): void {
  if (!source || typeof source !== 'object') return;
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === 'number' && Number.isFinite(value)) target[key] = value;
  }
}

/** Mean of each metric over episodes (keys present in any episode; missing counts as absent, not zero). */
export function meanMetrics(episodes: readonly EpisodeResult[]): Record<string, number> {
  const sums: Record<string, number> = {};
  const counts: Record<string, number> = {};
  for (const episode of episodes) {
    for (const [key, value] of Object.entries(episode.metrics)) {
      sums[key] = (sums[key] ?? 0) + value;
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
  return Object.fromEntries(Object.keys(sums).sort().map((key) => [key, sums[key] / counts[key]]));
}
