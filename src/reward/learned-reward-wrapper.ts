/**
 * LearnedRewardWrapper: trains the policy on a learned satisfaction instead of the hidden true one.
 *
 * Per step, it reads the orchestrator's `info.feedback` (scores and preferences) into a FeedbackBuffer and
 * rewrites the reward as
 *
 *     reward - info.rewardComponents.satisfaction + w * sum over info.finished of (prediction - 0.5)
 *
 * where `w` is the env's `rewardWeights.satisfaction` and `prediction` the reward model's predicted
 * satisfaction of each finished task (`info.finished[i].features`). The gold satisfaction term it removes
 * is the one the env's `rewardMode` put in (gold, feedback or none), so the wrapper works on any mode.
 * `info.goldReward` is left as the env wrote it; `info.learnedSatisfaction` holds the term added and
 * `info.usingRewardPrior` whether the prior produced it.
 *
 * Schedule: every `refitEvery` env steps (counted over every wrapper sharing the learner), the model is
 * fitted on the buffer: the first time from scratch, then warm-started (`model.update`, a few epochs on
 * the buffer, or on a uniform sample of `updateRecords` records once the buffer is larger). Until the buffer holds `minFeedback` records, predictions come from the prior:
 * - `neutral` (default): 0.5 for every task, i.e. no satisfaction term at all; the policy learns from
 *   success, latency and cost alone until users have said enough.
 * - `outcome`: a hand-written guess from the outcome, 0.15 + 0.45 success + 0.2 sla_met (features 0 and 1),
 *   the kind of rule a designer writes before any feedback exists.
 * - or any function of the feature vector.
 * The switch to the model, and every refit, goes to `onLog` and to `metrics()` (`reward_model/using_prior`).
 *
 * A `heldOutFraction` share of the feedback never reaches training: after each refit the model is scored on
 * it against the true satisfaction (read from `info.finished`, evaluation only), so the fit metrics are
 * honest. `reward_model/online_spearman` compares predictions with the truth on the latest finished tasks
 * (the tasks the current policy produces, where over-optimization would show first).
 *
 * Vector envs: wrap every member with the same RewardLearner (`makeLearnedRewardVecEnv` does it for a
 * SyncVectorEnv); the buffer, model, step count and metrics are then shared, and a refit happens inside the
 * step of whichever member reaches the K-th step. Members of an AsyncVectorEnv live in other threads and
 * cannot share a learner.
 */
import { z } from 'zod';
import { resolveConfig } from '../core/config-schema.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, DataError, describeValue } from '../core/errors.js';
import { RewardLearnerConfigSchema, type RewardLearnerConfigInput } from './config.js';
import type { TrainingHook, TrainingState } from '../core/agent.js';
import { Wrapper, type Env, type ResetArgs, type ResetResult, type StepResult } from '../core/env.js';
import { make, type MakeOptions } from '../core/registry.js';
import { Rng, type RngState } from '../core/rng.js';
import { SyncVectorEnv } from '../core/vector-envs/sync-vector-env.js';
import type { FeedbackEvent, TaskOutcome } from '../../envs/orchestrator/feedback.js';
import { FeedbackBuffer, type FeedbackRecord } from './feedback-buffer.js';
import { ProxyGoldTracker, spearman, type RewardModelMetrics } from './metrics.js';
import type { RewardModel } from './reward-model.js';

export type { RewardPrior, RewardLearnerConfig, RewardLearnerConfigInput } from './config.js';

const PRIOR_SUCCESS = 0;
const PRIOR_SLA_MET = 1;

/** The state shared by every wrapper of one run: buffer, model, schedule, held-out set and metrics. */
export class RewardLearner {
  readonly model: RewardModel;
  readonly buffer: FeedbackBuffer;
  readonly heldOut: FeedbackBuffer;
  readonly refitEvery: number;
  readonly minFeedback: number;
  readonly heldOutFraction: number;
  readonly updateEpochs: number | undefined;
  readonly updateRecords: number;
  readonly proxyGold: ProxyGoldTracker;
  /** Env steps seen, over every wrapper sharing this learner. */
  steps = 0;
  fits = 0;
  /** Wall seconds of the latest refit. */
  lastFitSeconds = NaN;
  lastHeldOut: RewardModelMetrics | null = null;
  private readonly prior: (features: Float32Array) => number;
  private readonly priorName: string;
  private splitRng: Rng;
  private updateRng: Rng;
  private readonly onLog: (line: string) => void;
  private readonly truth = new Map<number, number>();
  private readonly truthOrder: number[] = [];
  private readonly onlinePredicted: number[] = [];
  private readonly onlineTruth: number[] = [];
  private readonly onlineWindow: number;
  private announcedPrior = false;
  /** The wrappers that share this learner, in the order they were built (their episode sums are state). */
  private readonly members: LearnedRewardWrapper[] = [];
  /**
   * While true, the wrappers pass steps straight through (no ingest, prediction or refit): a resumed run
   * replays its env history this way, then restores the learner with `restoreState`.
   */
  replaying = false;

  constructor(input: RewardLearnerConfigInput) {
    const config = resolveConfig(RewardLearnerConfigSchema, input, 'RewardLearner');
    this.model = config.model;
    this.buffer = config.buffer ?? new FeedbackBuffer({ dim: this.model.dim });
    if (this.buffer.dim !== this.model.dim) throw new ConfigError(`Expected a buffer with ${this.model.dim} features (the model's), but got ${this.buffer.dim}.`);
    this.heldOut = new FeedbackBuffer({ dim: this.model.dim });
    this.refitEvery = config.refitEvery;
    this.minFeedback = config.minFeedback;
    this.onlineWindow = config.onlineWindow;
    this.heldOutFraction = config.heldOutFraction;
    this.updateEpochs = config.updateEpochs;
    this.updateRecords = config.updateRecords;
    this.updateRng = new Rng(config.seed).fork('reward-learner/update-sample');
    this.proxyGold = new ProxyGoldTracker(config.episodeWindow);
    this.splitRng = new Rng(config.seed).fork('reward-learner/held-out');
    this.onLog = config.onLog ?? (() => {});
    const prior = config.prior;
    if (prior === 'neutral') this.prior = () => 0.5;
    else if (prior === 'outcome') this.prior = (f) => 0.15 + 0.45 * f[PRIOR_SUCCESS] + 0.2 * f[PRIOR_SLA_MET];
    else this.prior = prior;
    this.priorName = typeof prior === 'function' ? 'custom' : prior;
  }

  /** True while predictions come from the prior (too little feedback, or no fit yet). */
  get usingPrior(): boolean {
    return !this.model.fitted || this.buffer.size < this.minFeedback;
  }

  /** Registers a wrapper that shares this learner (its episode sums go into `saveState`). */
  attach(member: LearnedRewardWrapper): void {
    this.members.push(member);
  }

  /**
   * Writes everything the learner holds into `dir` (mid-run checkpoints): the model (weights, input
   * standardization, Rng), both buffers, the counters, streams, the truths it remembers, the online and
   * proxy/gold windows and each wrapper's running episode sums. `restoreState` on a learner built from the
   * same config continues exactly.
   */
  async saveState(dir: string): Promise<void> {
    mkdirSync(dir, { recursive: true });
    // An unfitted model holds nothing but its seed-derived state, which a fresh learner has too.
    if (this.model.fitted) await this.model.save(join(dir, 'model'));
    this.buffer.save(join(dir, 'feedback.jsonl'));
    this.heldOut.save(join(dir, 'held-out.jsonl'));
    const state = {
      modelSaved: this.model.fitted,
      steps: this.steps,
      fits: this.fits,
      lastFitSeconds: this.lastFitSeconds,
      lastHeldOut: this.lastHeldOut,
      totals: [this.buffer.totalAdded, this.heldOut.totalAdded],
      splitRng: this.splitRng.state(),
      updateRng: this.updateRng.state(),
      truth: this.truthOrder.map((id) => [id, this.truth.get(id)!]),
      online: [this.onlinePredicted, this.onlineTruth],
      announcedPrior: this.announcedPrior,
      proxyGold: this.proxyGold.state(),
      members: this.members.map((m) => m.episodeSums()),
    };
    writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
  }

  /** Restores what `saveState` wrote. */
  async restoreState(dir: string): Promise<void> {
    type Saved = {
      modelSaved: boolean; steps: number; fits: number; lastFitSeconds: number | null; lastHeldOut: RewardModelMetrics | null; totals: [number, number];
      splitRng: RngState; updateRng: RngState; truth: [number, number][]; online: [number[], number[]]; announcedPrior: boolean;
      proxyGold: ReturnType<ProxyGoldTracker['state']>; members: [number, number][];
    };
    const saved = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as Saved;
    if (saved.members.length !== this.members.length) throw new DataError(`Expected a reward learner shared by ${this.members.length} env copies, but the checkpoint has ${saved.members.length}.`);
    if (saved.modelSaved) await this.model.load(join(dir, 'model'));
    for (const [buffer, file, total] of [[this.buffer, 'feedback.jsonl', saved.totals[0]], [this.heldOut, 'held-out.jsonl', saved.totals[1]]] as const) {
      const { buffer: loaded } = FeedbackBuffer.load(join(dir, file), { onCorrupt: 'error', config: { dim: this.model.dim } });
      buffer.replaceWith(loaded);
      buffer.totalAdded = total;
    }
    this.steps = saved.steps;
    this.fits = saved.fits;
    this.lastFitSeconds = saved.lastFitSeconds ?? NaN;
    this.lastHeldOut = saved.lastHeldOut;
    this.splitRng = Rng.fromState(saved.splitRng);
    this.updateRng = Rng.fromState(saved.updateRng);
    this.truth.clear();
    this.truthOrder.length = 0;
    for (const [id, value] of saved.truth) {
      this.truth.set(id, value);
      this.truthOrder.push(id);
    }
    this.onlinePredicted.splice(0, this.onlinePredicted.length, ...saved.online[0]);
    this.onlineTruth.splice(0, this.onlineTruth.length, ...saved.online[1]);
    this.announcedPrior = saved.announcedPrior;
    this.proxyGold.setState(saved.proxyGold);
    saved.members.forEach((sums, i) => this.members[i].setEpisodeSums(sums));
  }

  /** Reads one step's info: remembers the true satisfactions (for evaluation) and stores the feedback. */
  ingest(info: Record<string, unknown>): void {
    const finished = info.finished as readonly TaskOutcome[] | undefined;
    if (finished) for (const task of finished) this.rememberTruth(task.taskId, task.trueSatisfaction);
    const feedback = info.feedback as readonly FeedbackEvent[] | undefined;
    if (!feedback) return;
    for (const event of feedback) {
      const record: FeedbackRecord =
        event.type === 'score'
          ? withDefined({ ...event }, 'trueSatisfaction', this.truth.get(event.taskId))
          : withDefined(withDefined({ ...event }, 'trueSatisfactionA', this.truth.get(event.taskA)), 'trueSatisfactionB', this.truth.get(event.taskB));
      const held = this.heldOutFraction > 0 && this.splitRng.random() < this.heldOutFraction;
      (held ? this.heldOut : this.buffer).add(record);
    }
  }

  /** Predicted satisfaction of `rows` tasks (row-major features), from the model or the prior. */
  predict(features: Float32Array, rows: number): Float32Array {
    if (!this.usingPrior) return this.model.predict(features);
    if (!this.announcedPrior) {
      this.announcedPrior = true;
      this.onLog(`[reward] using the ${this.priorName} prior until ${this.minFeedback} feedback records arrive (have ${this.buffer.size}).`);
    }
    const out = new Float32Array(rows);
    const dim = this.model.dim;
    for (let r = 0; r < rows; r++) out[r] = this.prior(features.subarray(r * dim, r * dim + dim));
    return out;
  }

  /** Pairs predictions with the truth for `online_spearman`. */
  recordOnline(predicted: ArrayLike<number>, finished: readonly TaskOutcome[]): void {
    for (let i = 0; i < finished.length; i++) {
      this.onlinePredicted.push(predicted[i]);
      this.onlineTruth.push(finished[i].trueSatisfaction);
    }
    const excess = this.onlinePredicted.length - this.onlineWindow;
    if (excess > 0) {
      this.onlinePredicted.splice(0, excess);
      this.onlineTruth.splice(0, excess);
    }
  }

  /** Counts one env step and refits on schedule. */
  afterStep(): void {
    this.steps++;
    if (this.steps % this.refitEvery === 0) this.refit();
  }

  /** Fits (first time) or warm-starts (afterwards) on the buffer, if it holds enough feedback. */
  refit(): void {
    if (this.buffer.size < this.minFeedback) {
      this.onLog(`[reward] step ${this.steps}: ${this.buffer.size} of ${this.minFeedback} feedback records, still using the ${this.priorName} prior.`);
      return;
    }
    const wasPrior = this.usingPrior;
    const warm = this.model.fitted;
    const size = this.buffer.size;
    let data;
    if (warm && this.model.warmStarts && size > this.updateRecords) {
      const chosen = new Uint8Array(size);
      // Floyd's algorithm: `updateRecords` distinct indices with as many draws.
      for (let j = size - this.updateRecords; j < size; j++) {
        const t = this.updateRng.integer(0, j + 1);
        if (chosen[t]) chosen[j] = 1;
        else chosen[t] = 1;
      }
      data = this.buffer.toDataset((_, i) => chosen[i] === 1);
    } else {
      data = this.buffer.toDataset();
    }
    const start = performance.now();
    if (warm) this.model.update(data, this.updateEpochs === undefined ? {} : { epochs: this.updateEpochs });
    else this.model.fit(data);
    this.lastFitSeconds = (performance.now() - start) / 1000;
    this.fits++;
    this.lastHeldOut = this.heldOut.scoreCount >= 2 ? this.model.evaluate(this.heldOut.toDataset()) : null;
    const held = this.lastHeldOut ? `; held-out spearman ${this.lastHeldOut.spearman.toFixed(3)}, r2 ${this.lastHeldOut.r2.toFixed(3)}` : '';
    const used = data.y.length + data.preferred.length < size ? ` (a sample of ${data.y.length + data.preferred.length} records)` : '';
    this.onLog(
      `[reward] step ${this.steps}: ${warm ? 'warm-started' : 'fitted'} ${this.model.kind} on ${this.buffer.scoreCount} scores and ${this.buffer.preferenceCount} preferences${used} in ${this.lastFitSeconds.toFixed(2)} s${held}.`,
    );
    if (wasPrior) this.onLog(`[reward] step ${this.steps}: switched from the ${this.priorName} prior to the learned model.`);
  }

  /** Values to log, under SB3-style keys. */
  metrics(): Record<string, number> {
    const pg = this.proxyGold.summary();
    const held = this.lastHeldOut;
    return {
      'reward_model/feedback': this.buffer.size,
      'reward_model/scores': this.buffer.scoreCount,
      'reward_model/preferences': this.buffer.preferenceCount,
      'reward_model/held_out': this.heldOut.size,
      'reward_model/using_prior': this.usingPrior ? 1 : 0,
      'reward_model/fits': this.fits,
      'reward_model/fit_seconds': this.lastFitSeconds,
      'reward_model/heldout_r2': held?.r2 ?? NaN,
      'reward_model/heldout_spearman': held?.spearman ?? NaN,
      'reward_model/heldout_mae': held?.mae ?? NaN,
      'reward_model/heldout_pref_acc': held?.preferenceAccuracy ?? NaN,
      'reward_model/online_spearman': this.onlinePredicted.length >= 2 ? spearman(this.onlinePredicted, this.onlineTruth) : NaN,
      'rollout/proxy_return': pg.proxyReturn,
      'rollout/gold_return': pg.goldReturn,
      'rollout/proxy_gold_gap': pg.gap,
    };
  }

  private rememberTruth(taskId: number, satisfaction: number): void {
    if (!this.truth.has(taskId)) this.truthOrder.push(taskId);
    this.truth.set(taskId, satisfaction);
    // Preferences compare with one of the last 16 tasks of the same env; 4096 covers many members.
    if (this.truthOrder.length > 4096) this.truth.delete(this.truthOrder.shift()!);
  }
}

/** LearnedRewardWrapper's options: a shared learner, or what to build one from (RewardLearner's options), and the term's weight. */
export const LearnedRewardWrapperConfigSchema = z.strictObject({
  ...RewardLearnerConfigSchema.partial().shape,
  learner: z
    .custom<RewardLearner>((v) => v instanceof RewardLearner)
    .optional()
    .meta({ expected: 'a RewardLearner', description: 'A learner shared with other wrappers (vector members); otherwise one is built from the other options' }),
  satisfactionWeight: z.number().optional().describe("Weight of the satisfaction term; the env's rewardWeights.satisfaction (else 1) when omitted"),
});

export type LearnedRewardWrapperConfig = z.input<typeof LearnedRewardWrapperConfigSchema>;

export class LearnedRewardWrapper<O = unknown, A = unknown> extends Wrapper<O, A> {
  readonly learner: RewardLearner;
  readonly satisfactionWeight: number;
  private proxyReturn = 0;
  private goldReturn = 0;
  private scratch: Float32Array;

  constructor(env: Env<O, A>, input: LearnedRewardWrapperConfig) {
    super(env);
    const { learner, satisfactionWeight, ...learnerConfig } = resolveConfig(LearnedRewardWrapperConfigSchema, input, 'LearnedRewardWrapper');
    if (learner) this.learner = learner;
    else if (learnerConfig.model) this.learner = new RewardLearner(learnerConfig as RewardLearnerConfigInput);
    else throw new ConfigError('Expected config.learner or config.model for LearnedRewardWrapper, but got neither.');
    const envConfig = (env.unwrapped as { config?: { rewardWeights?: { satisfaction?: unknown }; recordTasks?: unknown } }).config;
    if (envConfig?.recordTasks === false) {
      throw new ConfigError('Expected the env to report finished tasks (recordTasks: true), but got recordTasks: false.');
    }
    const fromEnv = envConfig?.rewardWeights?.satisfaction;
    this.satisfactionWeight = satisfactionWeight ?? (typeof fromEnv === 'number' ? fromEnv : 1);
    if (!Number.isFinite(this.satisfactionWeight)) throw new ConfigError(`Expected a finite satisfactionWeight, but got ${describeValue(this.satisfactionWeight)}.`);
    this.scratch = new Float32Array(this.learner.model.dim * 4);
    this.learner.attach(this);
  }

  /** The running episode's proxy and gold sums (learner checkpoints). */
  episodeSums(): [number, number] {
    return [this.proxyReturn, this.goldReturn];
  }

  setEpisodeSums([proxy, gold]: readonly [number, number]): void {
    this.proxyReturn = proxy;
    this.goldReturn = gold;
  }

  override reset(args?: ResetArgs): ResetResult<O> {
    this.proxyReturn = 0;
    this.goldReturn = 0;
    return this.env.reset(args);
  }

  override step(action: A): StepResult<O> {
    const learner = this.learner;
    if (learner.replaying) return this.env.step(action);
    const result = this.env.step(action);
    const info = result.info;
    learner.ingest(info);
    const finished = (info.finished as readonly TaskOutcome[] | undefined) ?? [];
    const components = info.rewardComponents as { satisfaction?: number } | undefined;
    let learned = 0;
    const usingPrior = learner.usingPrior;
    if (finished.length > 0) {
      const dim = learner.model.dim;
      if (this.scratch.length < finished.length * dim) this.scratch = new Float32Array(finished.length * dim * 2);
      const rows = this.scratch.subarray(0, finished.length * dim);
      for (let i = 0; i < finished.length; i++) rows.set(finished[i].features, i * dim);
      const predicted = learner.predict(rows, finished.length);
      for (let i = 0; i < finished.length; i++) learned += predicted[i] - 0.5;
      learned *= this.satisfactionWeight;
      learner.recordOnline(predicted, finished);
    }
    result.reward = result.reward - (components?.satisfaction ?? 0) + learned;
    info.learnedSatisfaction = learned;
    info.usingRewardPrior = usingPrior;
    this.proxyReturn += result.reward;
    this.goldReturn += typeof info.goldReward === 'number' ? info.goldReward : NaN;
    if (result.terminated || result.truncated) {
      learner.proxyGold.addEpisode(this.proxyReturn, this.goldReturn);
      this.proxyReturn = 0;
      this.goldReturn = 0;
    }
    learner.afterStep();
    return result;
  }
}

/** One env with a learned reward; `learnerConfig` builds its own learner (or pass `learner`). */
export function makeWithLearnedReward<O = Float32Array, A = number>(id: string, config: LearnedRewardWrapperConfig, options: MakeOptions = {}): LearnedRewardWrapper<O, A> {
  return new LearnedRewardWrapper(make<O, A>(id, options), config);
}

/**
 * A SyncVectorEnv of `numEnvs` members of `id`, each wrapped in a LearnedRewardWrapper around one shared
 * RewardLearner (one buffer, one model, one refit schedule).
 */
export function makeLearnedRewardVecEnv(
  id: string,
  options: { numEnvs: number; learner: RewardLearner; satisfactionWeight?: number } & MakeOptions,
): SyncVectorEnv {
  const { numEnvs, learner, satisfactionWeight, ...makeOptions } = options;
  if (!Number.isInteger(numEnvs) || numEnvs <= 0) throw new ConfigError(`Expected numEnvs to be a positive integer, but got ${describeValue(numEnvs)}.`);
  const config: LearnedRewardWrapperConfig = satisfactionWeight === undefined ? { learner } : { learner, satisfactionWeight };
  return new SyncVectorEnv(Array.from({ length: numEnvs }, () => () => new LearnedRewardWrapper(make(id, makeOptions), config)));
}

/**
 * A training hook that records the learner's metrics with `record` after every agent iteration (pass the
 * agent logger's `record`; they are written with its next dump), and keeps the history for reports.
 */
export function rewardMetricsHook(learner: RewardLearner, record?: (key: string, value: number) => void): TrainingHook & { history: Array<{ step: number } & Record<string, number>> } {
  const history: Array<{ step: number } & Record<string, number>> = [];
  return {
    history,
    onStep(state: TrainingState) {
      const metrics = learner.metrics();
      history.push({ step: state.stepsDone, ...metrics });
      if (record) for (const [key, value] of Object.entries(metrics)) if (Number.isFinite(value)) record(key, value);
    },
  };
}

function withDefined<T extends object, K extends string>(target: T, key: K, value: number | undefined): T {
  if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  return target;
}
