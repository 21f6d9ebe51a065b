/**
 * Fake run folders for aggregate/report tests: the files a finished run holds, written with the real
 * RunWriter, with chosen scores instead of trained ones.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvaluationSummary, RunSummary } from '../../src/experiments/runner.js';
import { RunWriter, toCsv } from '../../src/experiments/store.js';

export const tempDir = (prefix = 'loopgym-agg-') => mkdtempSync(join(tmpdir(), prefix));

export interface FakeRun {
  experiment?: string;
  /** 12 hex digits, the configuration part of the run id. */
  config: string;
  seed: number;
  axes?: Record<string, unknown>;
  env?: string;
  agent?: string;
  rewardMode?: string;
  meanReturn: number;
  /** Per-episode evaluation returns (default: four episodes averaging meanReturn). */
  returns?: number[];
  baselines?: Record<string, number>;
  curve?: { step: number; meanReturn: number }[];
  metrics?: Record<string, number>;
  /** The reward model's final metrics (runs on a learned reward). */
  rewardModel?: Record<string, number>;
}

function evaluation(meanReturn: number, returns: number[] | undefined, metrics: Record<string, number> = {}): EvaluationSummary {
  const episodes = returns ?? [meanReturn - 1, meanReturn + 1, meanReturn - 0.5, meanReturn + 0.5];
  return { episodes: episodes.length, meanReturn, stdReturn: 0, returns: episodes, meanLength: 10, metrics };
}

export function fakeSummary(run: FakeRun): RunSummary {
  const baselines = Object.fromEntries(Object.entries(run.baselines ?? {}).map(([name, value]) => [name, evaluation(value, undefined)]));
  const random = run.baselines?.random;
  const oracle = run.baselines?.oracle;
  return {
    experiment: run.experiment ?? 'exp',
    runId: `${run.config}-s${run.seed}`,
    seed: run.seed,
    axes: run.axes ?? {},
    env: run.env ?? 'CartPole-v1',
    agent: run.agent ?? 'ppo',
    rewardMode: run.rewardMode ?? 'gold',
    totalSteps: 1000,
    backend: 'cpu',
    engine: 'wasm-simd',
    train: { episodes: 3, lastReturnMean: run.meanReturn },
    evalSeedBase: 1000,
    eval: evaluation(run.meanReturn, run.returns, run.metrics),
    baselines,
    normalizedScore: random !== undefined && oracle !== undefined && oracle !== random ? (run.meanReturn - random) / (oracle - random) : null,
    curve: run.curve ?? [],
    ...(run.rewardModel ? { rewardModel: run.rewardModel } : {}),
  };
}

/** Writes a finished run below `experimentDir` (the folder named by its run id) and returns its folder. */
export function writeFakeRun(experimentDir: string, run: FakeRun): string {
  const summary = fakeSummary(run);
  const writer = new RunWriter(join(experimentDir, summary.runId));
  writer.begin();
  writer.writeJson('config.json', { experiment: summary.experiment, runId: summary.runId, seed: run.seed, axes: summary.axes, spec: {} });
  writer.writeText('metrics.jsonl', '');
  writer.writeText('episodes.csv', toCsv(['episode', 'step', 'env_index', 'return', 'length'], [[0, 10, 0, run.meanReturn, 10]]));
  writer.finish(summary);
  return writer.dir;
}

/** Writes a run that started but never finished (no summary.json). */
export function writeUnfinishedRun(experimentDir: string, config: string, seed: number): string {
  const writer = new RunWriter(join(experimentDir, `${config}-s${seed}`));
  writer.begin();
  writer.writeJson('config.json', { experiment: 'exp', runId: `${config}-s${seed}`, seed, axes: {}, spec: {} });
  return writer.dir;
}
