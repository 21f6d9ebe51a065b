/**
 * The stepping logic shared by SyncVectorEnv (one block holding every member) and AsyncVectorEnv (one block
 * per worker thread, over SharedArrayBuffer views). Keeping it in one place is what makes the two modes
 * bit-identical: the same code flattens observations, applies next-step autoreset, rounds rewards and sums
 * episode returns, whichever thread runs it.
 */
import { ConfigError, SpaceError, describeValue } from '../errors.js';
import type { Env, Info } from '../env.js';
import { Box, Discrete, MultiBinary, MultiDiscrete, type Space } from '../spaces.js';
import type { EpisodeRecord } from '../vector.js';

/** The structure-of-arrays buffers of a vector env, indexed by global member index. */
export interface VectorBuffers {
  /** numEnvs * obsDim */
  obs: Float32Array;
  rewards: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  autoreset: Uint8Array;
  /** numEnvs * maskSize (empty when the action space has no mask form). */
  masks: Uint8Array;
  /** 1 where the member's latest info carried an `actionMask`. */
  maskFlags: Uint8Array;
  /** Return of the episode that ended at this step; meaningful only where terminated or truncated is 1. */
  episodeReturns: Float64Array;
  /** Length of the episode that ended at this step; meaningful only where terminated or truncated is 1. */
  episodeLengths: Int32Array;
}

export type BufferFactory = (byteLength: number) => ArrayBuffer | SharedArrayBuffer;

export interface VectorLayout {
  numEnvs: number;
  obsDim: number;
  /** Numbers per member in the actions array. */
  actionLength: number;
  /** Entries per member in `actionMasks` (0 when the action space has no mask form). */
  maskSize: number;
}

export function vectorLayout(numEnvs: number, observationSpace: Space<unknown>, actionSpace: Space<unknown>): VectorLayout {
  return { numEnvs, obsDim: observationSpace.flatDim, actionLength: actionLength(actionSpace), maskSize: maskSize(actionSpace) };
}

export function allocateBuffers(layout: VectorLayout, allocate: BufferFactory): VectorBuffers {
  const { numEnvs, obsDim, maskSize } = layout;
  return {
    obs: new Float32Array(allocate(numEnvs * obsDim * 4)),
    rewards: new Float32Array(allocate(numEnvs * 4)),
    terminated: new Uint8Array(allocate(numEnvs)),
    truncated: new Uint8Array(allocate(numEnvs)),
    autoreset: new Uint8Array(allocate(numEnvs)),
    masks: new Uint8Array(allocate(numEnvs * maskSize)),
    maskFlags: new Uint8Array(allocate(numEnvs)),
    episodeReturns: new Float64Array(allocate(numEnvs * 8)),
    episodeLengths: new Int32Array(allocate(numEnvs * 4)),
  };
}

/** Numbers per member in a vector action array: 1 for Discrete, the flat size for array-valued spaces. */
export function actionLength(space: Space<unknown>): number {
  if (space instanceof Discrete) return 1;
  if (space instanceof Box) return space.flatDim;
  if (space instanceof MultiDiscrete) return space.nvec.length;
  if (space instanceof MultiBinary) return space.n;
  throw new ConfigError(`Expected a Discrete, Box, MultiDiscrete or MultiBinary action space for a vector env, but got ${space}.`);
}

function maskSize(space: Space<unknown>): number {
  if (space instanceof Discrete || space instanceof MultiDiscrete || space instanceof MultiBinary) return space.flatDim;
  return 0;
}

/** Turns a member's slice of the vector action array into the value its env takes, reusing one array per member. */
function makeActionReader(space: Space<unknown>, length: number): (actions: ArrayLike<number>, offset: number) => unknown {
  if (space instanceof Discrete) return (actions, offset) => actions[offset];
  const scratch = space instanceof Box ? new Float32Array(length) : space instanceof MultiDiscrete ? new Int32Array(length) : new Uint8Array(length);
  return (actions, offset) => {
    for (let k = 0; k < length; k++) scratch[k] = actions[offset + k];
    return scratch;
  };
}

export class MemberBlock {
  /** Infos of this block's members, by local index. */
  readonly infos: Info[];
  private readonly needsReset: Uint8Array;
  private readonly runningReturns: Float64Array;
  private readonly runningLengths: Int32Array;
  private readonly readers: ((actions: ArrayLike<number>, offset: number) => unknown)[];

  constructor(
    readonly envs: readonly Env<unknown, unknown>[],
    /** Global index of this block's first member. */
    readonly start: number,
    readonly layout: VectorLayout,
    readonly buffers: VectorBuffers,
  ) {
    const count = envs.length;
    this.infos = new Array<Info>(count).fill({});
    this.needsReset = new Uint8Array(count);
    this.runningReturns = new Float64Array(count);
    this.runningLengths = new Int32Array(count);
    this.readers = envs.map((env) => makeActionReader(env.actionSpace, layout.actionLength));
  }

  /** The members' running episode returns (for checkpoints of envs whose rewards are not a function of the actions). */
  get returns(): Float64Array {
    return this.runningReturns;
  }

  reset(seed: number | undefined, options: Record<string, unknown> | undefined): void {
    for (let j = 0; j < this.envs.length; j++) {
      const args: { seed?: number; options?: Record<string, unknown> } = {};
      if (seed !== undefined) args.seed = seed + this.start + j;
      if (options !== undefined) args.options = options;
      this.resetMember(j, args, 0);
    }
  }

  /** One lock step; `actions` is the whole vector's action array (global indexing). */
  step(actions: ArrayLike<number>): void {
    const { buffers } = this;
    const stride = this.layout.actionLength;
    for (let j = 0; j < this.envs.length; j++) {
      const i = this.start + j;
      const env = this.envs[j];
      if (this.needsReset[j] === 1) {
        // Next-step autoreset: this step's action for member i is ignored.
        this.resetMember(j, {}, 1);
        continue;
      }
      const result = env.step(this.readers[j](actions, i * stride));
      this.writeObs(j, result.obs);
      this.writeMask(j, result.info);
      this.infos[j] = result.info;
      buffers.rewards[i] = result.reward;
      buffers.terminated[i] = result.terminated ? 1 : 0;
      buffers.truncated[i] = result.truncated ? 1 : 0;
      buffers.autoreset[i] = 0;
      this.runningReturns[j] += result.reward;
      this.runningLengths[j]++;
      if (result.terminated || result.truncated) {
        buffers.episodeReturns[i] = this.runningReturns[j];
        buffers.episodeLengths[i] = this.runningLengths[j];
        this.needsReset[j] = 1;
      }
    }
  }

  close(): void {
    for (const env of this.envs) env.close();
  }

  /** Resets member j (local index) with `args` and clears its slots; `autoreset` says whether a step did it. */
  private resetMember(j: number, args: { seed?: number; options?: Record<string, unknown> }, autoreset: 0 | 1): void {
    const { buffers } = this;
    const i = this.start + j;
    const result = this.envs[j].reset(args);
    this.writeObs(j, result.obs);
    this.writeMask(j, result.info);
    this.infos[j] = result.info;
    buffers.rewards[i] = 0;
    buffers.terminated[i] = 0;
    buffers.truncated[i] = 0;
    buffers.autoreset[i] = autoreset;
    this.needsReset[j] = 0;
    this.runningReturns[j] = 0;
    this.runningLengths[j] = 0;
  }

  private writeObs(j: number, obs: unknown): void {
    const obsDim = this.layout.obsDim;
    this.envs[j].observationSpace.flattenInto(obs, this.buffers.obs, (this.start + j) * obsDim);
  }

  private writeMask(j: number, info: Info): void {
    const size = this.layout.maskSize;
    if (size === 0) return;
    const i = this.start + j;
    const mask = info.actionMask;
    if (mask === undefined) {
      this.buffers.maskFlags[i] = 0;
      // A member without a mask allows everything, so a batch mixing masked and unmasked members stays valid.
      this.buffers.masks.fill(1, i * size, (i + 1) * size);
      return;
    }
    if (!(mask instanceof Uint8Array) || mask.length !== size) {
      throw new SpaceError(`Expected info.actionMask of member ${i} to be a Uint8Array of length ${size}, but got ${describeValue(mask)}.`);
    }
    this.buffers.masks.set(mask, i * size);
    this.buffers.maskFlags[i] = 1;
  }
}

/** Shared by every step that finished no episode, so those steps allocate nothing. */
export const NO_EPISODES: EpisodeRecord[] = Object.freeze([]) as unknown as EpisodeRecord[];

/** The episodes that ended on this step, read from the buffers (a new array only when one ended). */
export function collectEpisodes(buffers: VectorBuffers, numEnvs: number): EpisodeRecord[] {
  let episodes = NO_EPISODES;
  for (let i = 0; i < numEnvs; i++) {
    if (buffers.terminated[i] === 1 || buffers.truncated[i] === 1) {
      if (episodes === NO_EPISODES) episodes = [];
      episodes.push({ envIndex: i, return: buffers.episodeReturns[i], length: buffers.episodeLengths[i] });
    }
  }
  return episodes;
}

/** True when any member reported an action mask on the latest step or reset. */
export function anyMask(buffers: VectorBuffers, numEnvs: number): boolean {
  if (buffers.masks.length === 0) return false;
  for (let i = 0; i < numEnvs; i++) if (buffers.maskFlags[i] === 1) return true;
  return false;
}

/** Checks that every member has the same spaces as the first one. */
export function checkSameSpaces(spaces: readonly { observationSpace: Space<unknown>; actionSpace: Space<unknown> }[]): void {
  const first = spaces[0];
  for (let i = 1; i < spaces.length; i++) {
    if (!spaces[i].observationSpace.equals(first.observationSpace)) {
      throw new ConfigError(`Expected every member of a vector env to have observation space ${first.observationSpace}, but member ${i} has ${spaces[i].observationSpace}.`);
    }
    if (!spaces[i].actionSpace.equals(first.actionSpace)) {
      throw new ConfigError(`Expected every member of a vector env to have action space ${first.actionSpace}, but member ${i} has ${spaces[i].actionSpace}.`);
    }
  }
}

/** Checks the length of a vector action array against the layout. */
export function expectedActionCount(layout: VectorLayout): number {
  return layout.numEnvs * layout.actionLength;
}
