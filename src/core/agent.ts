/**
 * The agent contract shared by learning algorithms (agents/) and fixed baselines (beside their env).
 * `learn` trains on a single env or a vector env; `act` picks one action for one observation; `save` and
 * `load` write and read a folder (config, weights, normalization statistics, Rng state) so that a loaded
 * agent acts, and continues learning, exactly as the saved one would have.
 */
import type { Env } from './env.js';
import type { VectorEnv, EpisodeRecord } from './vector.js';

export interface ActOptions {
  /** Uint8Array with one entry per discrete action, 1 = allowed. */
  mask?: Uint8Array;
  /** Take the most probable action instead of sampling. */
  deterministic?: boolean;
}

/** What a hook sees; it is a snapshot owned by the agent, valid during the call. */
export interface TrainingState {
  /** Env steps taken so far (summed over vector members). */
  stepsDone: number;
  totalSteps: number;
  /** Updates (PPO iterations, DQN gradient steps, ...) done so far. */
  iteration: number;
  /** Episodes finished since the previous hook call. */
  newEpisodes: readonly EpisodeRecord[];
  /** The latest logged values, by logger key (e.g. `rollout/ep_rew_mean`). */
  metrics: Readonly<Record<string, number>>;
  agent: Agent;
}

/** A training callback; any method may return `false` to stop training. */
export interface TrainingHook {
  onStart?(state: TrainingState): void | boolean | Promise<void | boolean>;
  /** Called after each rollout or each block of env steps, as the algorithm documents. */
  onStep?(state: TrainingState): void | boolean | Promise<void | boolean>;
  onEnd?(state: TrainingState): void | Promise<void>;
}

/**
 * Recorded transitions for offline learners (behaviour cloning): row t of every array is one step of one
 * episode, episodes back to back. src/datasets reads them from a Minari or JSONL dataset folder.
 */
export interface OfflineDataset {
  /** Where it came from (the dataset id), for messages. */
  id: string;
  obsDim: number;
  numActions: number;
  /** rows x obsDim, the observation each action was taken on. */
  observations: Float32Array;
  actions: Int32Array;
  /** rows x numActions (1 = allowed), or null when the dataset has no masks. */
  masks: Uint8Array | null;
  /** Row where each episode starts, then the total row count (length episodes + 1). */
  episodeStarts: Int32Array;
}

/**
 * Where a learner writes mid-run checkpoints (the experiment runner provides one). At each boundary where
 * its learn() could be re-entered (after a rollout and its update, after a logged block of steps), a learner
 * asks `due(steps)` and, when it is, hands `write` a function that saves the learner's complete state into a
 * folder; the sink adds its own state and commits the whole checkpoint atomically.
 */
export interface CheckpointSink {
  /** `steps`: env steps (or samples) of this learn() call so far. */
  due(steps: number): boolean;
  write(steps: number, writeLearner: (dir: string) => Promise<void>): Promise<void>;
}

export interface LearnArgs {
  env: Env<Float32Array, number> | VectorEnv;
  /** Env steps for online learners; training samples (transitions x epochs) for offline ones. */
  totalSteps: number;
  hooks?: TrainingHook[];
  /** What an offline learner trains on (required by them, ignored by online learners). */
  dataset?: OfflineDataset;
  /** Mid-run checkpoints (learners that support them: PPO, A2C, DQN). */
  checkpoint?: CheckpointSink;
  /**
   * Continue a learn() call from the learner part of a checkpoint (a folder `writeLearner` wrote), with the
   * env already in the state it had then (the runner re-derives it): the result is the uninterrupted call's.
   */
  resumeFrom?: string;
}

export interface LearnResult {
  stepsDone: number;
  iterations: number;
  /** True when a hook stopped training before totalSteps. */
  stoppedEarly: boolean;
}

export interface Agent<O = Float32Array, A = number> {
  /** Registered name, e.g. `ppo`, `dqn`, `random`, `oracle`. */
  readonly name: string;
  learn(args: LearnArgs): Promise<LearnResult>;
  act(obs: O, options?: ActOptions): A;
  save(dir: string): Promise<void>;
  load(dir: string): Promise<void>;
}
