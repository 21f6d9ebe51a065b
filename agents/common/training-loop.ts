/**
 * The frame of every network learner's learn(): it checks the budget and the env, runs the hooks (onStart;
 * onStep after every logged row; onEnd), counts env steps, and writes each log row's episode statistics and
 * `time/*` keys, so that an algorithm's learn() holds only its own work (rollout, advantages, update) and
 * the `train/*` keys it logs.
 *
 * A row is laid out as SB3 lays it out: `rollout/ep_rew_mean` and `rollout/ep_len_mean` (last 100 training
 * episodes), the algorithm's keys, then `time/iterations` (on-policy) or `time/episodes` (off-policy),
 * `time/fps` (env steps per second of this learn() call), `time/time_elapsed` (seconds) and any profiling
 * times the algorithm hands in; the logger adds `time/total_timesteps`. Only `time/*` keys are wall-clock.
 * A `train/*` value that is NaN or infinite stops the run with a DivergenceError (step and key named).
 * Mid-run checkpoints: `checkpoint()` at re-entry boundaries writes through the run's sink, and `resume()`
 * continues a call from one (the algorithm saves and restores its own local loop state as plain JSON).
 */
import type { Agent, LearnArgs, LearnResult, TrainingHook, TrainingState } from '../../src/core/agent.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, DataError, DivergenceError } from '../../src/core/errors.js';
import type { VectorEnv } from '../../src/core/vector.js';
import { ensureBackend, type BackendName } from '../../src/nn/backend.js';
import { checkTotalSteps } from './config.js';
import { endHooks, runHooks } from './hooks.js';
import type { LearnerProgress } from './learner-state.js';
import type { Logger } from './logger.js';
import { toVectorEnv } from './vec.js';

/** The loop state file of a learner checkpoint (this call's steps, the algorithm's local state). */
export const LOOP_STATE_FILE = 'learn-state.json';

export interface TrainingLoopOptions {
  /** The tfjs backend the agent's config names. */
  backend: BackendName;
  /**
   * SB3's two row layouts: on-policy rows count `time/iterations`, off-policy rows `time/episodes`; offline
   * learners (no env steps) count `time/epochs` and their steps are training samples.
   */
  kind: 'on-policy' | 'off-policy' | 'offline';
}

export class TrainingLoop {
  /** Env steps taken in this learn() call (summed over vector members). */
  steps = 0;
  /** True once a hook returned false. */
  stoppedEarly = false;
  private readonly hooks: readonly TrainingHook[];
  private startTime = performance.now();

  private constructor(
    private readonly agent: Agent,
    private readonly learner: LearnerProgress,
    /** The env as a vector env (a single env is adapted to one member). */
    readonly venv: VectorEnv,
    readonly totalSteps: number,
    hooks: readonly TrainingHook[] | undefined,
    private readonly kind: TrainingLoopOptions['kind'],
    private readonly args: LearnArgs,
  ) {
    this.hooks = hooks ?? [];
  }

  /** Checks totalSteps, selects the backend and adapts the env; call `start()` once the agent is set up. */
  static async begin(agent: Agent, learner: LearnerProgress, args: LearnArgs, options: TrainingLoopOptions): Promise<TrainingLoop> {
    const { env, totalSteps, hooks } = args;
    checkTotalSteps(totalSteps);
    await ensureBackend(options.backend);
    const venv = toVectorEnv(env);
    if (venv.obsDim !== learner.obsDim) throw new ConfigError(`Expected an env with observations of length ${learner.obsDim}, but got ${venv.obsDim}.`);
    return new TrainingLoop(agent, learner, venv, totalSteps, hooks, options.kind, args);
  }

  /**
   * When learn() was asked to continue from a checkpoint (`resumeFrom`): loads the learner's saved state with
   * `load` (weights, optimizer, streams, normalizer, counters, episode statistics), restores this call's step
   * count and the logger's latest values, and returns the algorithm's own loop state (what `checkpoint`'s `local` returned); otherwise null.
   */
  async resume<L>(load: (dir: string) => Promise<void>): Promise<L | null> {
    const dir = this.args.resumeFrom;
    if (dir === undefined) return null;
    const path = join(dir, LOOP_STATE_FILE);
    if (!existsSync(path)) throw new DataError(`Expected a learner checkpoint with ${LOOP_STATE_FILE} in ${dir}, but it is missing.`);
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { steps: number; totalSteps: number; latest: Record<string, number>; local: L };
    if (saved.totalSteps !== this.totalSteps) throw new DataError(`Expected to resume a learn() call of ${saved.totalSteps} steps (the checkpoint's), but this one has ${this.totalSteps}.`);
    await load(dir);
    this.steps = saved.steps;
    this.learner.logger.restoreLatest(saved.latest);
    return saved.local;
  }

  /**
   * At a boundary where learn() can be re-entered: when the run's checkpoint sink says one is due, writes the
   * learner's state (`save`: what load() reads back) and the loop state (this call's steps and the
   * algorithm's `local` state, plain JSON) through it. Writing reads state and draws nothing.
   */
  async checkpoint(save: (dir: string) => Promise<void>, local: () => unknown): Promise<void> {
    const sink = this.args.checkpoint;
    if (!sink || this.budgetSpent || !sink.due(this.steps)) return;
    await sink.write(this.steps, async (dir) => {
      await save(dir);
      writeFileSync(join(dir, LOOP_STATE_FILE), JSON.stringify({ steps: this.steps, totalSteps: this.totalSteps, latest: this.learner.logger.latest, local: local() }));
    });
  }

  /** Starts the clock and runs the hooks' onStart. */
  async start(): Promise<void> {
    this.startTime = performance.now();
    if (!(await runHooks(this.hooks, 'onStart', this.state()))) this.stoppedEarly = true;
  }

  /** True while no hook stopped training and the budget is not spent. */
  get running(): boolean {
    return !this.stoppedEarly && this.steps < this.totalSteps;
  }

  /** True once the budget of this call is spent (the last row is logged then, whatever the interval). */
  get budgetSpent(): boolean {
    return this.steps >= this.totalSteps;
  }

  /** Fraction of this call's budget spent, for schedules. */
  get progress(): number {
    return this.steps / this.totalSteps;
  }

  /** Counts `n` env steps (this call's and the agent's). */
  count(n: number): void {
    this.steps += n;
    this.learner.stepsDone += n;
  }

  /**
   * Logs one row (episode statistics, the algorithm's keys written by `record`, the time keys and the
   * profiling `timings` in seconds as `time/<name>`), dumps it at the agent's step count and runs the hooks'
   * onStep.
   */
  async log(record: (log: Logger) => void, timings: Readonly<Record<string, number>> = {}): Promise<void> {
    const log = this.learner.logger;
    this.learner.episodes.record((key, value) => log.record(key, value));
    record(log);
    if (this.kind === 'on-policy') log.record('time/iterations', this.learner.iterations);
    else if (this.kind === 'offline') log.record('time/epochs', this.learner.iterations);
    else log.record('time/episodes', this.learner.episodes.total);
    const elapsed = (performance.now() - this.startTime) / 1000;
    log.record('time/fps', Math.round(this.steps / Math.max(elapsed, 1e-9)));
    log.record('time/time_elapsed', elapsed);
    for (const [name, seconds] of Object.entries(timings)) log.record(`time/${name}`, seconds);
    const row = log.dump(this.learner.stepsDone);
    // Divergence is never silent: a non-finite training value stops the run by name.
    for (const [key, value] of Object.entries(row)) {
      if (key.startsWith('train/') && !Number.isFinite(value)) {
        throw new DivergenceError(
          `Expected finite training values, but ${key} is ${value} at step ${this.learner.stepsDone} (iteration ${this.learner.iterations}): the update diverged; lower the learning rate or check the reward scale.`,
        );
      }
    }
    if (!(await runHooks(this.hooks, 'onStep', this.state()))) this.stoppedEarly = true;
  }

  /** Runs the hooks' onEnd and returns what learn() returns. */
  async end(): Promise<LearnResult> {
    await endHooks(this.hooks, this.state());
    return { stepsDone: this.learner.stepsDone, iterations: this.learner.iterations, stoppedEarly: this.stoppedEarly };
  }

  private state(): TrainingState {
    const l = this.learner;
    return { stepsDone: l.stepsDone, totalSteps: this.totalSteps, iteration: l.iterations, newEpisodes: l.episodes.takeNew(), metrics: l.logger.latest, agent: this.agent };
  }
}
