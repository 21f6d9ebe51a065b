/**
 * The vector-env contract. A vector env steps `numEnvs` copies of one env in lock step and owns
 * structure-of-arrays buffers: `step` writes in place and returns views that stay valid until the next
 * `step` or `reset` (copy what you keep).
 *
 * Autoreset follows Gymnasium 1.x "next-step" mode: when member i ends (terminated or truncated) at step t,
 * the action given for i at step t+1 is ignored, member i is reset, and step t+1 reports its reset
 * observation with reward 0 and terminated = truncated = 0. Learners therefore skip the transition of a
 * member whose previous step ended.
 *
 * Observations are flat float32 (`obsDim` per member, the flattened single observation space); actions are
 * an Int32Array(numEnvs) for Discrete spaces and a Float32Array(numEnvs * actionDim) for Box spaces.
 */
import type { Space } from './spaces.js';
import type { Info, EnvSpec } from './env.js';

export type VectorActions = Int32Array | Float32Array;

/** An episode that finished inside a vector env: which member, its return and its length. */
export interface EpisodeRecord {
  envIndex: number;
  return: number;
  length: number;
}

export interface VectorResetResult {
  /** Float32Array(numEnvs * obsDim). */
  obs: Float32Array;
  /** Per-member infos (empty objects for natively vectorized envs that report none). */
  infos: Info[];
  /** Uint8Array(numEnvs * numActions) when the env reports `info.actionMask`, else undefined. */
  actionMasks?: Uint8Array;
}

export interface VectorStepResult {
  obs: Float32Array;
  rewards: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  /** 1 where this step was an autoreset (the action was ignored and obs is a reset observation). */
  autoreset: Uint8Array;
  infos: Info[];
  actionMasks?: Uint8Array;
  /** Episodes that ended on this step (allocated only when one ends). */
  episodes: EpisodeRecord[];
}

export interface VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space<unknown>;
  readonly singleActionSpace: Space<unknown>;
  /** Length of one member's flat observation. */
  readonly obsDim: number;
  readonly spec?: EnvSpec;
  /** Member i is seeded `seed + i`. */
  reset(args?: { seed?: number; options?: Record<string, unknown> }): VectorResetResult;
  step(actions: VectorActions): VectorStepResult;
  close(): void;
}
