import { ConfigError, InvalidActionError, LoopgymError, ResetNeededError, describeValue } from '../errors.js';
import type { Env, EnvSpec, Info } from '../env.js';
import type { Space } from '../spaces.js';
import type { VectorActions, VectorEnv, VectorResetResult, VectorStepResult } from '../vector.js';
import {
  MemberBlock,
  NO_EPISODES,
  allocateBuffers,
  anyMask,
  checkSameSpaces,
  collectEpisodes,
  expectedActionCount,
  vectorLayout,
  type VectorBuffers,
  type VectorLayout,
} from './member-block.js';

/**
 * Steps `numEnvs` envs one after another in the calling thread, behind the `VectorEnv` contract
 * (structure-of-arrays buffers, Gymnasium 1.x next-step autoreset, member i seeded `seed + i`). The simplest
 * mode and the fastest for cheap envs; AsyncVectorEnv gives the same numbers with members in worker threads.
 *
 * `step` returns the same result object every time, its arrays rewritten in place.
 */
export class SyncVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space<unknown>;
  readonly singleActionSpace: Space<unknown>;
  readonly obsDim: number;
  readonly spec?: EnvSpec;
  /** The member envs, in index order. */
  readonly envs: readonly Env<unknown, unknown>[];
  private readonly layout: VectorLayout;
  private readonly buffers: VectorBuffers;
  private readonly block: MemberBlock;
  private readonly result: VectorStepResult;
  private hasReset = false;
  private closed = false;

  constructor(envFns: readonly (() => Env<unknown, unknown>)[]) {
    if (!Array.isArray(envFns) || envFns.length === 0) {
      throw new ConfigError(`Expected a non-empty array of env factories for SyncVectorEnv, but got ${describeValue(envFns)}.`);
    }
    this.envs = envFns.map((fn) => fn());
    checkSameSpaces(this.envs);
    this.numEnvs = this.envs.length;
    this.singleObservationSpace = this.envs[0].observationSpace;
    this.singleActionSpace = this.envs[0].actionSpace;
    this.spec = this.envs[0].spec;
    this.layout = vectorLayout(this.numEnvs, this.singleObservationSpace, this.singleActionSpace);
    this.obsDim = this.layout.obsDim;
    this.buffers = allocateBuffers(this.layout, (bytes) => new ArrayBuffer(bytes));
    this.block = new MemberBlock(this.envs, 0, this.layout, this.buffers);
    this.result = {
      obs: this.buffers.obs,
      rewards: this.buffers.rewards,
      terminated: this.buffers.terminated,
      truncated: this.buffers.truncated,
      autoreset: this.buffers.autoreset,
      infos: this.block.infos,
      actionMasks: undefined,
      episodes: NO_EPISODES,
    };
  }

  reset(args: { seed?: number; options?: Record<string, unknown> } = {}): VectorResetResult {
    this.assertOpen();
    if (args.seed !== undefined && !Number.isFinite(args.seed)) throw new ConfigError(`Expected a finite seed, but got ${describeValue(args.seed)}.`);
    this.block.reset(args.seed, args.options);
    this.hasReset = true;
    const infos: Info[] = this.block.infos;
    return anyMask(this.buffers, this.numEnvs) ? { obs: this.buffers.obs, infos, actionMasks: this.buffers.masks } : { obs: this.buffers.obs, infos };
  }

  step(actions: VectorActions): VectorStepResult {
    this.assertOpen();
    if (!this.hasReset) throw new ResetNeededError('Expected reset() before the first step() of the vector env, but step() was called first.');
    const expected = expectedActionCount(this.layout);
    if (actions.length !== expected) {
      throw new InvalidActionError(`Expected ${expected} actions (${this.numEnvs} envs x ${this.layout.actionLength}), but got ${actions.length}.`);
    }
    this.block.step(actions);
    this.result.episodes = collectEpisodes(this.buffers, this.numEnvs);
    this.result.actionMasks = anyMask(this.buffers, this.numEnvs) ? this.buffers.masks : undefined;
    return this.result;
  }

  /**
   * The members' running episode returns, and setting them: a resumed run whose rewards come from a learned
   * model (not a function of the actions alone) replays its env history without that model, then puts back
   * the sums it had at its checkpoint.
   */
  get runningReturns(): number[] {
    return Array.from(this.block.returns);
  }

  set runningReturns(values: readonly number[]) {
    if (values.length !== this.numEnvs) throw new ConfigError(`Expected ${this.numEnvs} running returns, but got ${values.length}.`);
    this.block.returns.set(values);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.block.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new LoopgymError('Expected an open vector env, but close() was already called.');
  }
}
