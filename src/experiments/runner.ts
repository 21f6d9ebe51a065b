/**
 * Runs experiments: each run plan (one configuration, one seed) trains its agent, evaluates it and the
 * baselines on the same seeded episodes, and writes its folder (see store.ts). `runExperiment` is the
 * scriptable equal of `loopgym train`/`loopgym sweep`.
 *
 * Reproducibility: everything in summary.json and metrics.jsonl derives from the spec and the seed, on one
 * backend; wall-clock figures go to timing.json only, and TensorBoard event files (`logging.tensorboard`)
 * to tb/, whose names and wall times vary.
 */
import { normalizedScore } from '../core/stats.js';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, DataError, DivergenceError } from '../core/errors.js';
import type { Agent } from '../core/agent.js';
import type { Env } from '../core/env.js';
import { envProducesFeedback, make, makeVec } from '../core/registry.js';
import { createAgent } from '../../agents/index.js';
import { readDataset } from '../datasets/dataset-reader.js';
import './builtin-agents.js';
import { createRewardModel, type RewardModelSpec } from '../reward/ensemble-reward-model.js';
import { makeLearnedRewardVecEnv, RewardLearner } from '../reward/learned-reward-wrapper.js';
import type { FeedbackBuffer } from '../reward/feedback-buffer.js';
import { REWARD_LEARNER_SPEC_KEYS, type RewardLearnerConfigInput } from '../reward/config.js';
import { initBackend } from '../nn/backend.js';
import { collectProvenance, engineOf } from './provenance.js';
import { evaluateEpisodes, meanMetrics, type EpisodeResult } from './evaluate.js';
import { parseSpec, type ExperimentSpec } from './spec.js';
import { finishedRun, requireFinishedRun, RunWriter, toCsv } from './store.js';
import { acquireRunLock } from './run-lock.js';
import { ActionLogVectorEnv, readCheckpoint, removeCheckpoints, RunCheckpointer } from './checkpoint.js';
import { TraceRecorder, writeTraces } from '../traces/trace-recorder.js';
import { ensureWritableDir } from '../core/atomic-fs.js';
import { expandRuns, type RunPlan, type Shard } from './sweep.js';
import { runPlansInWorkers } from './pool.js';
import { TensorBoardWriter } from './tensorboard/writer.js';

import { RunRecorder, evaluationSeedBase, reproducibleMetrics } from './run-recorder.js';

export interface RunSummary {
  experiment: string;
  runId: string;
  seed: number;
  axes: Record<string, unknown>;
  env: string;
  agent: string;
  rewardMode: string;
  totalSteps: number;
  backend: string;
  /** The agent's engine (wasm-simd or tfjs), null for agents without networks. */
  engine: string | null;
  train: { episodes: number; lastReturnMean: number | null };
  /** Seed of the first final-evaluation episode (episode i: + i); the baselines play the same episodes. */
  evalSeedBase: number;
  eval: EvaluationSummary;
  baselines: Record<string, EvaluationSummary>;
  /** (agent - random) / (oracle - random) when both baselines ran, else null. */
  normalizedScore: number | null;
  curve: { step: number; meanReturn: number }[];
  /** With reward.mode "learned": the reward model's final metrics (held-out R^2/Spearman/MAE, proxy and gold returns). */
  rewardModel?: Record<string, number | null> | null;
}

export interface EvaluationSummary {
  episodes: number;
  meanReturn: number;
  stdReturn: number;
  returns: number[];
  meanLength: number;
  metrics: Record<string, number>;
}

export interface RunOutcome {
  plan: RunPlan;
  dir: string;
  summary: RunSummary;
  /** True when the run was already complete and `resume` skipped it. */
  skipped: boolean;
}

export interface ProgressEvent {
  runId: string;
  runIndex: number;
  stepsDone: number;
  totalSteps: number;
  lastReturn: number | null;
}

export interface RunOptions {
  /** Results root; the experiment's runs go to `<outDir>/<spec.name>/`. */
  outDir?: string;
  /**
   * Kept for scripts: finished runs are always skipped (a finished run is never overwritten), and an
   * unfinished one always continues from its last mid-run checkpoint when it has one (checkpoint.ts);
   * `fresh` starts over.
   */
  resume?: boolean;
  /** Delete this sweep's finished runs and checkpoints first and train them again (`--fresh`); `onDelete` hears which finished runs. */
  fresh?: boolean;
  shard?: Shard;
  onProgress?: (event: ProgressEvent) => void;
  /** Called when a run starts, finishes or is skipped (for progress display). */
  onRun?: (event: { plan: RunPlan; state: 'start' | 'done' | 'skipped' }) => void;
}

export interface ExperimentResult {
  experimentDir: string;
  runs: RunOutcome[];
}

export interface SweepOptions extends RunOptions {
  onDelete?: (runDirs: readonly string[]) => void;
  /** Worker processes; 1 runs in this process. */
  workers?: number;
}

/** Runs every plan of a spec (all sweep configurations x seeds, or one shard of them). */
export async function runSweep(spec: ExperimentSpec, options: SweepOptions = {}): Promise<ExperimentResult> {
  const experimentDir = join(options.outDir ?? 'results', spec.name);
  const plans = expandRuns(spec, options.shard);
  await validatePlans(plans);
  const existedBefore = existsSync(experimentDir);
  ensureWritableDir(experimentDir);
  if (options.fresh) {
    const finished = plans.map((plan) => join(experimentDir, plan.runId)).filter((dir) => finishedRun(dir) !== null);
    options.onDelete?.(finished);
    for (const dir of finished) rmSync(dir, { recursive: true, force: true });
    // Starting over also means not continuing an unfinished run from its checkpoint.
    for (const plan of plans) removeCheckpoints(join(experimentDir, plan.runId));
  }
  try {
    const workers = options.workers ?? 1;
    if (workers > 1 && plans.length > 1) {
      return { experimentDir, runs: await runPlansInWorkers(plans, experimentDir, workers, options) };
    }
    const runs: RunOutcome[] = [];
    for (const plan of plans) runs.push(await runPlan(plan, experimentDir, options));
    return { experimentDir, runs };
  } catch (error) {
    if (!existedBefore && readdirSync(experimentDir).length === 0) rmSync(experimentDir, { recursive: true, force: true });
    throw error;
  }
}

/** Runs a spec in this process, one run after another: the scriptable `loopgym train <spec>`. */
export function runExperiment(spec: ExperimentSpec, options: RunOptions = {}): Promise<ExperimentResult> {
  return runSweep(spec, { ...options, workers: 1 });
}

/** Runs one plan into `<experimentDir>/<runId>/`, or skips it when that run already finished (never overwritten). */
export async function runPlan(plan: RunPlan, experimentDir: string, options: RunOptions = {}): Promise<RunOutcome> {
  const dir = join(experimentDir, plan.runId);
  // Two sweeps on one folder never write the same run: the lock is held until this run is written.
  const lock = acquireRunLock(dir);
  try {
    // A finished run is never overwritten: it is skipped (runSweep's `fresh` deletes it first, on request).
    const finished = finishedRun(dir);
    if (finished) {
      options.onRun?.({ plan, state: 'skipped' });
      return { plan, dir, summary: finished as unknown as RunSummary, skipped: true };
    }
    return await trainRun(plan, dir, options);
  } finally {
    lock.release();
  }
}

async function trainRun(plan: RunPlan, dir: string, options: RunOptions): Promise<RunOutcome> {
  options.onRun?.({ plan, state: 'start' });
  const spec = plan.spec;
  const started = performance.now();
  const backend = await initBackend(spec.backend);
  // Build everything that can reject the config (or the dataset) before the run folder is touched.
  const dataset = spec.dataset !== undefined ? await readDataset(spec.dataset) : undefined;
  const resume = options.fresh || !spec.checkpoint.enabled ? null : readCheckpoint(dir);
  const { trainEnv: builtEnv, evalEnv, agent, context, learner } = buildRun(spec, plan.seed);
  // Checkpoints re-derive the env from its recorded resets and actions; without them nothing is recorded.
  const actionLog = spec.checkpoint.enabled ? new ActionLogVectorEnv(builtEnv) : null;
  const trainEnv = actionLog ?? builtEnv;
  const writer = new RunWriter(dir);
  if (resume && actionLog) {
    // Continue: config.json (written when the run began) stays; the env is re-derived by replay, with
    // the reward learner (if any) passing through, then restored from its own saved state.
    if (learner) learner.replaying = true;
    try {
      actionLog.replay(resume.env);
    } finally {
      if (learner) learner.replaying = false;
    }
    if (learner) {
      if (resume.rewardLearnerDir === null) throw new DataError(`Expected the reward learner's state in the checkpoint of ${dir}, but it has none (train again from the start with --fresh).`);
      await learner.restoreState(resume.rewardLearnerDir);
    }
  } else {
    writer.begin();
    writer.writeJson('config.json', {
      experiment: spec.name,
      runId: plan.runId,
      seed: plan.seed,
      axes: plan.axes,
      spec,
      provenance: collectProvenance(backend, engineOf(agent)),
    });
  }

  const tensorboard = spec.logging.tensorboard ? new TensorBoardWriter(join(dir, 'tb')) : undefined;
  try {
    const recorder = new RunRecorder(plan, evalEnv, spec, options.onProgress, learner ? () => learner.metrics() : undefined, tensorboard);
    if (resume) recorder.restore(resume.recorder);
    const checkpointer = actionLog
      ? new RunCheckpointer(dir, spec.checkpoint, actionLog, () => recorder.state(), resume?.steps ?? 0, learner ? (learnerDir) => learner.saveState(learnerDir) : undefined)
      : undefined;
    try {
      await agent.learn({
        env: trainEnv,
        totalSteps: spec.totalSteps,
        hooks: [recorder],
        ...(dataset ? { dataset } : {}),
        ...(checkpointer ? { checkpoint: checkpointer } : {}),
        ...(resume ? { resumeFrom: resume.learnerDir } : {}),
      });
    } finally {
      trainEnv.close();
    }
    const trainSeconds = (performance.now() - started) / 1000;

    const evalOptions = { episodes: spec.evaluation.episodes, seedBase: evaluationSeedBase(plan.seed, 'final'), deterministic: spec.evaluation.deterministic };
    const tracer = spec.logging.traces && envProducesFeedback(spec.env.id) ? new TraceRecorder(evalEnv) : undefined;
    const evaluation = summarizeEpisodes(evaluateEpisodes(agent, tracer ?? evalEnv, evalOptions));
    if (tracer) writeTraces(join(dir, 'traces.jsonl.gz'), tracer.traces);
    const baselines: Record<string, EvaluationSummary> = {};
    for (const baseline of spec.baselines) {
      const baselineAgent = createAgent(baseline, {}, { ...context, env: evalEnv });
      baselines[baseline] = summarizeEpisodes(evaluateEpisodes(baselineAgent, evalEnv, { ...evalOptions, deterministic: true }));
    }
    evalEnv.close();

    const summary: RunSummary = {
      experiment: spec.name,
      runId: plan.runId,
      seed: plan.seed,
      axes: plan.axes,
      env: spec.env.id,
      agent: spec.agent.name,
      rewardMode: spec.reward.mode,
      totalSteps: spec.totalSteps,
      backend: backend.backend,
      engine: engineOf(agent),
      train: { episodes: recorder.episodeRows.length, lastReturnMean: recorder.recentReturnMean() },
      evalSeedBase: evalOptions.seedBase,
      eval: evaluation,
      baselines,
      normalizedScore: normalizedAgainst(evaluation.meanReturn, baselines),
      curve: recorder.curve,
      rewardModel: learner ? reproducibleMetrics(learner.metrics()) : null,
    };
    tensorboard?.addScalars(recorder.lastStep, finalScalars(summary));

    writer.writeText('metrics.jsonl', recorder.metricRows.map((row) => JSON.stringify(row)).join('\n') + (recorder.metricRows.length ? '\n' : ''));
    writer.writeText('episodes.csv', toCsv(['episode', 'step', 'env_index', 'return', 'length'], recorder.episodeRows));
    await writer.writeFolder('policy', (policyDir) => agent.save(policyDir));
    if (learner) {
      await writer.writeFolder('reward-model', async (modelDir) => {
        await learner.model.save(modelDir);
        learner.buffer.save(join(modelDir, 'feedback.jsonl'));
      });
    }
    writer.writeJson('timing.json', {
      trainSeconds,
      totalSeconds: (performance.now() - started) / 1000,
      stepsPerSecond: spec.totalSteps / trainSeconds,
    });
    tensorboard?.close();
    writer.finish(summary);
    if (!spec.checkpoint.keep) removeCheckpoints(dir);
    options.onRun?.({ plan, state: 'done' });
    return { plan, dir, summary, skipped: false };
  } catch (error) {
    tensorboard?.close();
    if (error instanceof DivergenceError) {
      // A diverged run stays, marked failed (config.json, failed.json, no summary.json): never "finished".
      writer.writeJson('failed.json', { error: error.name, message: error.message });
    } else if (readCheckpoint(dir) === null) {
      // Any other failure leaves nothing behind: no folder that looks like a result.
      rmSync(dir, { recursive: true, force: true });
    }
    // With a checkpoint, the unfinished folder (config.json, checkpoint/, no summary.json) stays to resume.
    disposeAgent(agent);
    throw error;
  }
}

function buildRun(spec: ExperimentSpec, seed: number) {
  const envKwargs = envKwargsFor(spec);
  const learner = spec.reward.mode === 'learned' ? createRewardLearner(spec, seed) : undefined;
  const makeOptions = { kwargs: envKwargs, maxEpisodeSteps: spec.env.maxEpisodeSteps };
  const trainEnv = learner
    ? makeLearnedRewardVecEnv(spec.env.id, { numEnvs: spec.env.numEnvs, learner, ...makeOptions })
    : makeVec(spec.env.id, { numEnvs: spec.env.numEnvs, vectorizationMode: spec.env.vectorization, ...makeOptions });
  try {
    // Evaluation always scores the true (gold) reward, so runs with different reward modes compare fairly.
    const evalEnv = make<Float32Array, number>(spec.env.id, { kwargs: goldKwargs(spec), maxEpisodeSteps: spec.env.maxEpisodeSteps });
    const context = { seed, observationSpace: trainEnv.singleObservationSpace, actionSpace: trainEnv.singleActionSpace, env: trainEnv };
    const { name, ...hyperparameters } = spec.agent;
    const agent = createAgent(name, hyperparameters, context);
    return { trainEnv, evalEnv, agent, context, learner };
  } catch (error) {
    trainEnv.close();
    throw error;
  }
}


function createRewardLearner(spec: ExperimentSpec, seed: number): RewardLearner {
  if (spec.env.vectorization === 'async') {
    throw new ConfigError('env.vectorization: Expected native or sync with reward.mode "learned" (the reward model is shared in one thread), but got "async".');
  }
  return rewardLearnerFor(spec.reward.model, seed);
}

/**
 * A RewardLearner from a spec's `reward.model` section, which holds the learner's options beside the
 * model's own (`kind` and its config); `buffer` starts it with feedback gathered before (learning loops).
 */
export function rewardLearnerFor(rewardModel: Record<string, unknown>, seed: number, buffer?: FeedbackBuffer): RewardLearner {
  const modelSpec: Record<string, unknown> = { kind: 'tfjs-mlp', ...rewardModel };
  const learnerOptions: Record<string, unknown> = {};
  for (const key of REWARD_LEARNER_SPEC_KEYS) {
    if (key in modelSpec) {
      learnerOptions[key] = modelSpec[key];
      delete modelSpec[key];
    }
  }
  const model = createRewardModel(modelSpec as unknown as RewardModelSpec, seed);
  return new RewardLearner({ ...learnerOptions, model, seed, ...(buffer ? { buffer } : {}) } as RewardLearnerConfigInput);
}

/**
 * Checks every configuration of a sweep (env id, agent name, hyperparameters, baselines) before any run
 * starts, so a bad value fails the whole command up front instead of after hours, and writes nothing.
 */
export async function validatePlans(plans: readonly RunPlan[]): Promise<void> {
  const checked = new Set<string>();
  for (const plan of plans) {
    if (checked.has(plan.configKey)) continue;
    checked.add(plan.configKey);
    await initBackend(plan.spec.backend);
    const { trainEnv, evalEnv, agent, context } = buildRun(plan.spec, plan.seed);
    try {
      for (const baseline of plan.spec.baselines) disposeAgent(createAgent(baseline, {}, { ...context, env: evalEnv }));
    } finally {
      disposeAgent(agent);
      trainEnv.close();
      evalEnv.close();
    }
  }
}

export function disposeAgent(agent: Agent): void {
  (agent as Partial<{ dispose(): void }>).dispose?.();
}

/**
 * The training env's kwargs: the spec's, plus `rewardMode` from `reward.mode` for an env whose users leave
 * feedback ("learned" trains on the gold reward with its satisfaction term swapped by LearnedRewardWrapper).
 * The spec check refuses `env.kwargs.rewardMode`, so reward.mode is the one knob.
 */
function envKwargsFor(spec: ExperimentSpec): Record<string, unknown> {
  if (!envProducesFeedback(spec.env.id)) return { ...spec.env.kwargs };
  return { ...spec.env.kwargs, rewardMode: spec.reward.mode === 'learned' ? 'gold' : spec.reward.mode };
}

/** The evaluation env's kwargs: the gold reward, explicitly, for an env that has reward modes. */
function goldKwargs(spec: ExperimentSpec): Record<string, unknown> {
  return envProducesFeedback(spec.env.id) ? { ...spec.env.kwargs, rewardMode: 'gold' } : { ...spec.env.kwargs };
}

export function summarizeEpisodes(episodes: readonly EpisodeResult[]): EvaluationSummary {
  const returns = episodes.map((e) => e.return);
  const mean = returns.reduce((a, b) => a + b, 0) / Math.max(1, returns.length);
  const variance = returns.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, returns.length - 1);
  return {
    episodes: episodes.length,
    meanReturn: mean,
    stdReturn: Math.sqrt(variance),
    returns,
    meanLength: episodes.reduce((a, e) => a + e.length, 0) / Math.max(1, episodes.length),
    metrics: meanMetrics(episodes),
  };
}

/**
 * The scalars TensorBoard gets once a run is evaluated, at its last step: the final evaluation of the
 * agent (`final/*`: return, its std, the env's episode metrics, the normalized score) and each baseline's
 * return on the same episodes (`baselines/<name>/mean_reward`).
 */
function finalScalars(summary: RunSummary): Record<string, number> {
  const scalars: Record<string, number> = {
    'final/mean_reward': summary.eval.meanReturn,
    'final/std_reward': summary.eval.stdReturn,
    'final/mean_ep_length': summary.eval.meanLength,
  };
  for (const [name, value] of Object.entries(summary.eval.metrics)) scalars[`final/${name}`] = value;
  if (summary.normalizedScore !== null) scalars['final/normalized_score'] = summary.normalizedScore;
  for (const [name, baseline] of Object.entries(summary.baselines)) scalars[`baselines/${name}/mean_reward`] = baseline.meanReturn;
  return scalars;
}

function normalizedAgainst(score: number, baselines: Record<string, EvaluationSummary>): number | null {
  return normalizedScore(score, baselines.random?.meanReturn, baselines.oracle?.meanReturn);
}

/**
 * A finished run's trained agent, loaded from `<runDir>/policy` with the run's spec and seed (built as the
 * run built it, so config checks that read the training env hold), and its gold-reward evaluation env.
 * The caller closes the env and disposes the agent.
 */
export async function loadRunAgent(runDir: string): Promise<{ spec: ExperimentSpec; seed: number; agent: Agent; evalEnv: Env<Float32Array, number> }> {
  requireFinishedRun(runDir);
  const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as { spec: unknown; seed: number };
  const spec = parseSpec(config.spec, join(runDir, 'config.json'));
  await initBackend(spec.backend);
  const { trainEnv, evalEnv, agent } = buildRun(spec, config.seed);
  trainEnv.close();
  try {
    await agent.load(join(runDir, 'policy'));
  } catch (error) {
    evalEnv.close();
    disposeAgent(agent);
    throw error;
  }
  return { spec, seed: config.seed, agent, evalEnv };
}

/** Loads a finished run's agent and evaluates it (what `loopgym eval` runs). */
export async function evaluateRun(runDir: string, options: { episodes: number; seedBase: number; deterministic: boolean; traces?: string }): Promise<EvaluationSummary> {
  const { agent, evalEnv } = await loadRunAgent(runDir);
  try {
    if (options.traces === undefined) return summarizeEpisodes(evaluateEpisodes(agent, evalEnv, options));
    const recorder = new TraceRecorder(evalEnv);
    const summary = summarizeEpisodes(evaluateEpisodes(agent, recorder, options));
    writeTraces(options.traces, recorder.traces);
    return summary;
  } finally {
    evalEnv.close();
    disposeAgent(agent);
  }
}
