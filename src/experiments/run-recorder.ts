/**
 * RunRecorder, the training hook that records a run for the runner: the reproducible logged metrics of
 * each row, finished training episodes, and the evaluation curve; its state goes into mid-run checkpoints.
 */
import type { Agent, TrainingHook, TrainingState } from '../core/agent.js';
import { Rng } from '../core/rng.js';
import type { Env } from '../core/env.js';
import { isReproducibleKey } from '../../agents/common/logger.js';
import { evaluateEpisodes } from './evaluate.js';
import type { ProgressEvent } from './runner.js';
import type { ExperimentSpec } from './spec.js';
import type { RunPlan } from './sweep.js';
import type { TensorBoardWriter } from './tensorboard/writer.js';

/**
 * The first episode seed of a run's evaluation (`final`) or of its learning-curve points (`curve`); episode i
 * is seeded base + i. Derived from the run seed by a labelled fork, so runs and purposes never share
 * episodes by construction (the old `1,000,000 + 1000 x seed` overlapped once a run evaluated > 500 episodes).
 * summary.json records the final one (`evalSeedBase`), so `loopgym eval --seed` can replay those episodes.
 */
export function evaluationSeedBase(runSeed: number, purpose: 'final' | 'curve'): number {
  return new Rng(runSeed).fork(`evaluation/${purpose}`).integer(0, 2 ** 31 - 2 ** 24);
}

/**
 * Metrics without wall-clock figures (`time/*`, `*_seconds`), which differ between identical runs; NaN
 * becomes null so the JSON stays valid.
 */
export function reproducibleMetrics(metrics: Readonly<Record<string, number>>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [key, value] of Object.entries(metrics)) {
    if (!isReproducibleKey(key)) continue;
    out[key] = Number.isFinite(value) ? value : null;
  }
  return out;
}

/**
 * The hook that records a run: logged metrics (time/* keys excluded, they are not reproducible),
 * finished training episodes, and the evaluation curve every `evaluation.everySteps` env steps. With a
 * TensorBoard writer, every logged scalar (time/* included) and each curve point (`eval/mean_reward`,
 * `eval/mean_ep_length`, SB3's EvalCallback names) also go to the event file at their step.
 */
export class RunRecorder implements TrainingHook {
  readonly metricRows: Record<string, number | null>[] = [];
  readonly episodeRows: number[][] = [];
  readonly curve: { step: number; meanReturn: number }[] = [];
  /** Env steps at the latest hook call. */
  lastStep = 0;
  private nextEvalStep: number;

  constructor(
    private readonly plan: RunPlan,
    private readonly evalEnv: Env<Float32Array, number>,
    private readonly spec: ExperimentSpec,
    private readonly onProgress?: (event: ProgressEvent) => void,
    private readonly extraMetrics?: () => Record<string, number>,
    private readonly tensorboard?: TensorBoardWriter,
  ) {
    this.nextEvalStep = spec.evaluation.everySteps ?? Infinity;
  }

  /** Everything recorded so far, for a mid-run checkpoint (plain JSON). */
  state(): Record<string, unknown> {
    return { metricRows: this.metricRows, episodeRows: this.episodeRows, curve: this.curve, lastStep: this.lastStep, nextEvalStep: this.nextEvalStep };
  }

  /** Continues from a checkpoint's `state()`. */
  restore(state: Record<string, unknown>): void {
    const saved = state as { metricRows: Record<string, number | null>[]; episodeRows: number[][]; curve: { step: number; meanReturn: number }[]; lastStep: number; nextEvalStep: number | null };
    this.metricRows.push(...saved.metricRows);
    this.episodeRows.push(...saved.episodeRows);
    this.curve.push(...saved.curve);
    this.lastStep = saved.lastStep;
    // JSON has no Infinity: null is "no evaluation curve".
    this.nextEvalStep = saved.nextEvalStep ?? Infinity;
  }

  async onStep(state: TrainingState): Promise<void> {
    this.lastStep = state.stepsDone;
    for (const episode of state.newEpisodes) {
      this.episodeRows.push([this.episodeRows.length, state.stepsDone, episode.envIndex, episode.return, episode.length]);
    }
    const extra = this.extraMetrics?.();
    const row: Record<string, number | null> = { step: state.stepsDone, ...reproducibleMetrics(state.metrics) };
    if (extra) Object.assign(row, reproducibleMetrics(extra));
    this.metricRows.push(row);
    this.tensorboard?.addScalars(state.stepsDone, { ...state.metrics, ...extra });
    if (state.stepsDone >= this.nextEvalStep) {
      this.recordCurvePoint(state.agent, state.stepsDone);
      this.nextEvalStep += this.spec.evaluation.everySteps ?? Infinity;
    }
    this.onProgress?.({
      runId: this.plan.runId,
      runIndex: this.plan.index,
      stepsDone: state.stepsDone,
      totalSteps: state.totalSteps,
      lastReturn: this.recentReturnMean(),
    });
    // Give the event loop a turn between rollouts, so Ctrl-C (the CLI's SIGINT handler) acts at once.
    await new Promise((resolve) => setImmediate(resolve));
  }

  onEnd(state: TrainingState): void {
    this.lastStep = state.stepsDone;
    if (this.spec.evaluation.everySteps !== undefined && this.curve.at(-1)?.step !== state.stepsDone) this.recordCurvePoint(state.agent, state.stepsDone);
  }

  private recordCurvePoint(agent: Agent, step: number): void {
    const episodes = evaluateEpisodes(agent, this.evalEnv, {
      episodes: Math.min(5, this.spec.evaluation.episodes),
      seedBase: evaluationSeedBase(this.plan.seed, 'curve'),
      deterministic: this.spec.evaluation.deterministic,
    });
    const meanReturn = episodes.reduce((a, e) => a + e.return, 0) / episodes.length;
    this.curve.push({ step, meanReturn });
    this.tensorboard?.addScalars(step, { 'eval/mean_reward': meanReturn, 'eval/mean_ep_length': episodes.reduce((a, e) => a + e.length, 0) / episodes.length });
  }

  /** Mean return of the last (up to) 20 training episodes, or null before any ended. */
  recentReturnMean(): number | null {
    const recent = this.episodeRows.slice(-20);
    return recent.length === 0 ? null : recent.reduce((a, row) => a + row[3], 0) / recent.length;
  }
}

