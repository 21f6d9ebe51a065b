/**
 * Mid-run checkpoints: `<run>/checkpoint/`, written at a learner's re-entry boundaries (after a rollout and
 * its update, after a logged block of DQN steps) every `checkpoint.everySteps` env steps, or by default
 * after `checkpoint.everySeconds` (120) of work. A checkpoint holds
 *
 * - `learner/`: the agent's complete state as its save() writes it (weights, optimizer state, normalizer,
 *   Rng streams, counters, episode statistics; DQN's replay buffer always) plus `learn-state.json` (the
 *   learn() call's steps and the algorithm's loop state, e.g. the collector's current observations);
 * - `reward-learner/` (with `reward.mode: learned`): the reward learner's complete state (model, feedback
 *   and held-out buffers, counters, streams, windows, each env copy's running episode sums: saveState);
 * - `env-actions.bin` + `run.json`: the train env's history as the resets (seed, options) and every action
 *   stepped, and the run recorder's rows (metrics, episodes, evaluation curve) so far.
 *
 * The env is not serialized: it is **re-derived**. Resuming builds the run's train env as the run did and
 * replays the recorded resets and actions through it (the reward learner's wrappers pass steps straight
 * through meanwhile, then the learner is restored from its saved state), which puts every env copy in
 * exactly the state it had, because an env is a deterministic function of its seed and the actions. Replay
 * costs env time only (Orchestrator-v0 steps at ~700k/s), not the agent's updates or the reward refits.
 *
 * A checkpoint is written under `.checkpoint.tmp` and renamed into place (the previous one is moved to
 * `.checkpoint.old` first and removed after), so a kill at any moment leaves the last good checkpoint.
 * A finished run removes it unless `checkpoint.keep`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { CheckpointSink } from '../core/agent.js';
import { ConfigError, DataError } from '../core/errors.js';
import type { VectorActions, VectorEnv, VectorResetResult, VectorStepResult } from '../core/vector.js';

export const CHECKPOINT_DIR = 'checkpoint';
const TEMP_DIR = '.checkpoint.tmp';
const OLD_DIR = '.checkpoint.old';
const FORMAT = 'loopgym.run-checkpoint/1';
const REWARD_LEARNER_DIR = 'reward-learner';

export const CheckpointSectionSchema = z.strictObject({
  everySteps: z.number().int().positive().optional().describe('Checkpoint at the first re-entry boundary after every this many env steps (default: by time)'),
  everySeconds: z.number().positive().default(120).describe('Without everySteps: checkpoint when this many seconds of work passed since the last one'),
  enabled: z.boolean().default(true).describe('Write mid-run checkpoints (PPO, A2C, DQN) so that an interrupted run continues where it was'),
  keep: z.boolean().default(false).describe('Keep <run>/checkpoint/ after the run finishes'),
});
export type CheckpointSettings = z.output<typeof CheckpointSectionSchema>;

/** One reset of the train env in the recorded history, before the step with index `at`. */
interface ResetEntry {
  at: number;
  seed: number | null;
  options: Record<string, unknown> | null;
}

/** The recorded history of a vector env: its resets and the actions of every step. */
export interface EnvHistory {
  numEnvs: number;
  resets: ResetEntry[];
  /** steps x numEnvs actions. */
  actions: Int32Array;
  /** The members' running episode returns (envs that expose them), put back after a replay. */
  runningReturns: number[] | null;
}

/** A vector env that exposes its members' running episode returns (SyncVectorEnv). */
interface WithRunningReturns {
  runningReturns: number[];
}

const hasRunningReturns = (env: VectorEnv): env is VectorEnv & WithRunningReturns => Array.isArray((env as Partial<WithRunningReturns>).runningReturns);

/**
 * A vector env that records its resets and actions (for checkpoints) and can replay a recorded history
 * into the env it wraps. Everything else passes through.
 */
export class ActionLogVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: VectorEnv['singleObservationSpace'];
  readonly singleActionSpace: VectorEnv['singleActionSpace'];
  readonly obsDim: number;
  readonly spec: VectorEnv['spec'];
  private resets: ResetEntry[] = [];
  private actions = new Int32Array(1024);
  private steps = 0;

  constructor(private readonly inner: VectorEnv) {
    this.numEnvs = inner.numEnvs;
    this.singleObservationSpace = inner.singleObservationSpace;
    this.singleActionSpace = inner.singleActionSpace;
    this.obsDim = inner.obsDim;
    this.spec = inner.spec;
  }

  reset(args: { seed?: number; options?: Record<string, unknown> } = {}): VectorResetResult {
    this.resets.push({ at: this.steps, seed: args.seed ?? null, options: args.options ?? null });
    return this.inner.reset(args);
  }

  step(actions: VectorActions): VectorStepResult {
    const N = this.numEnvs;
    const need = (this.steps + 1) * N;
    if (need > this.actions.length) {
      const grown = new Int32Array(Math.max(need, this.actions.length * 2));
      grown.set(this.actions.subarray(0, this.steps * N));
      this.actions = grown;
    }
    for (let i = 0; i < N; i++) {
      const a = actions[i];
      if (!Number.isInteger(a)) throw new ConfigError(`Expected integer (Discrete) actions in a checkpointed run, but got ${a}; set checkpoint.enabled: false.`);
      this.actions[this.steps * N + i] = a;
    }
    this.steps++;
    return this.inner.step(actions);
  }

  close(): void {
    this.inner.close();
  }

  history(): EnvHistory {
    return {
      numEnvs: this.numEnvs,
      resets: this.resets.map((r) => ({ ...r })),
      actions: this.actions.slice(0, this.steps * this.numEnvs),
      runningReturns: hasRunningReturns(this.inner) ? this.inner.runningReturns : null,
    };
  }

  /** Replays `history` into the wrapped env (which must be fresh) and keeps recording after it. */
  replay(history: EnvHistory): void {
    if (history.numEnvs !== this.numEnvs) throw new DataError(`Expected a checkpoint of ${this.numEnvs} env copies, but it recorded ${history.numEnvs}.`);
    const N = this.numEnvs;
    const steps = history.actions.length / N;
    const buffer = new Int32Array(N);
    let r = 0;
    for (let t = 0; t <= steps; t++) {
      while (r < history.resets.length && history.resets[r].at === t) {
        const { seed, options } = history.resets[r++];
        this.reset({ ...(seed !== null ? { seed } : {}), ...(options !== null ? { options } : {}) });
      }
      if (t === steps) break;
      buffer.set(history.actions.subarray(t * N, (t + 1) * N));
      this.step(buffer);
    }
    // Rewards from a model that was bypassed during the replay (a learned reward) left other sums.
    if (history.runningReturns && hasRunningReturns(this.inner)) this.inner.runningReturns = history.runningReturns;
  }
}

/** What the run recorder keeps between hook calls (plain JSON). */
export type RecorderState = Record<string, unknown>;

/** A checkpoint as read back: where the learner's part is, the recorder's rows and the env history. */
export interface RunCheckpoint {
  learnerDir: string;
  /** The reward learner's state (runs with a learned reward), else null. */
  rewardLearnerDir: string | null;
  steps: number;
  recorder: RecorderState;
  env: EnvHistory;
}

/**
 * The run's checkpoint sink: decides when one is due and writes it atomically, the learner's part through
 * the learner and the run's part (env history, recorder rows) from `capture`.
 */
export class RunCheckpointer implements CheckpointSink {
  private nextStep: number;
  private lastWrite = performance.now();

  constructor(
    private readonly runDir: string,
    private readonly settings: CheckpointSettings,
    private readonly env: ActionLogVectorEnv,
    private readonly capture: () => RecorderState,
    resumedAt = 0,
    /** Saves the reward learner's state (runs with `reward.mode: learned`). */
    private readonly saveRewardLearner?: (dir: string) => Promise<void>,
  ) {
    const every = settings.everySteps ?? Infinity;
    this.nextStep = every === Infinity ? Infinity : (Math.floor(resumedAt / every) + 1) * every;
  }

  due(steps: number): boolean {
    if (this.settings.everySteps !== undefined) return steps >= this.nextStep;
    return performance.now() - this.lastWrite >= this.settings.everySeconds * 1000;
  }

  async write(steps: number, writeLearner: (dir: string) => Promise<void>): Promise<void> {
    const temp = join(this.runDir, TEMP_DIR);
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(join(temp, 'learner'), { recursive: true });
    await writeLearner(join(temp, 'learner'));
    if (this.saveRewardLearner) await this.saveRewardLearner(join(temp, REWARD_LEARNER_DIR));
    const history = this.env.history();
    writeFileSync(join(temp, 'env-actions.bin'), new Uint8Array(history.actions.buffer, history.actions.byteOffset, history.actions.byteLength));
    const env = { numEnvs: history.numEnvs, resets: history.resets, steps: history.actions.length / history.numEnvs, runningReturns: history.runningReturns };
    writeFileSync(join(temp, 'run.json'), JSON.stringify({ format: FORMAT, steps, env, recorder: this.capture() }));
    commitCheckpoint(this.runDir);
    this.lastWrite = performance.now();
    if (this.settings.everySteps !== undefined) while (this.nextStep <= steps) this.nextStep += this.settings.everySteps;
  }
}

/** Moves `.checkpoint.tmp` into place, keeping the previous checkpoint until the new one is there. */
function commitCheckpoint(runDir: string): void {
  const target = join(runDir, CHECKPOINT_DIR);
  const old = join(runDir, OLD_DIR);
  rmSync(old, { recursive: true, force: true });
  if (existsSync(target)) renameSync(target, old);
  renameSync(join(runDir, TEMP_DIR), target);
  rmSync(old, { recursive: true, force: true });
}

/**
 * The run folder's last good checkpoint, or null when it has none. A kill between the two renames of a
 * commit leaves only `.checkpoint.old`, which is then the last good one. A checkpoint that does not read
 * back is refused by name (start over with --fresh).
 */
export function readCheckpoint(runDir: string): RunCheckpoint | null {
  let dir = join(runDir, CHECKPOINT_DIR);
  if (!existsSync(dir)) {
    dir = join(runDir, OLD_DIR);
    if (!existsSync(dir)) return null;
  }
  try {
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { format?: string; steps: number; env: { numEnvs: number; resets: ResetEntry[]; steps: number; runningReturns?: number[] | null }; recorder: RecorderState };
    if (run.format !== FORMAT) throw new DataError(`Expected format ${FORMAT}, but found ${JSON.stringify(run.format)}`);
    const bytes = readFileSync(join(dir, 'env-actions.bin'));
    if (bytes.byteLength !== run.env.steps * run.env.numEnvs * 4) throw new DataError(`Expected ${run.env.steps * run.env.numEnvs * 4} bytes of actions, but found ${bytes.byteLength}`);
    const actions = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const rewardLearnerDir = existsSync(join(dir, REWARD_LEARNER_DIR)) ? join(dir, REWARD_LEARNER_DIR) : null;
    return { learnerDir: join(dir, 'learner'), rewardLearnerDir, steps: run.steps, recorder: run.recorder, env: { numEnvs: run.env.numEnvs, resets: run.env.resets, actions, runningReturns: run.env.runningReturns ?? null } };
  } catch (error) {
    throw new DataError(`Expected a readable checkpoint in ${dir}, but ${(error as Error).message} (train again from the start with --fresh).`);
  }
}

/** Removes the run folder's checkpoints (after the run finished, unless kept). */
export function removeCheckpoints(runDir: string): void {
  for (const name of [CHECKPOINT_DIR, TEMP_DIR, OLD_DIR]) rmSync(join(runDir, name), { recursive: true, force: true });
}
