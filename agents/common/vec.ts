/**
 * Learners train on the VectorEnv contract only. A single Env is adapted to a one-member vector env with
 * the same next-step autoreset semantics, so one learn() loop serves both.
 */
import type { Env } from '../../src/core/env.js';
import type { VectorEnv, VectorResetResult, VectorStepResult, EpisodeRecord, VectorActions } from '../../src/core/vector.js';
import { Discrete, Box, type Space } from '../../src/core/spaces.js';
import { ConfigError } from '../../src/core/errors.js';

export function isVectorEnv(env: unknown): env is VectorEnv {
  return typeof env === 'object' && env !== null && typeof (env as VectorEnv).numEnvs === 'number' && 'singleObservationSpace' in env;
}

export function toVectorEnv(env: Env<Float32Array, number> | VectorEnv): VectorEnv {
  return isVectorEnv(env) ? env : new SingleEnvVector(env as Env<unknown, unknown>);
}

/** Number of discrete actions, or throws for spaces the discrete learners do not handle. */
export function discreteActions(space: Space<unknown>, algo: string): number {
  if (space instanceof Discrete) {
    if (space.start !== 0) throw new ConfigError(`Expected a Discrete action space starting at 0 for ${algo}, but got start ${space.start}.`);
    return space.n;
  }
  throw new ConfigError(`Expected a Discrete action space for ${algo}, but got ${space.toString()}.`);
}

const NO_EPISODES: EpisodeRecord[] = [];

class SingleEnvVector implements VectorEnv {
  readonly numEnvs = 1;
  readonly obsDim: number;
  private readonly obs: Float32Array;
  private readonly rewards = new Float32Array(1);
  private readonly terminated = new Uint8Array(1);
  private readonly truncated = new Uint8Array(1);
  private readonly autoreset = new Uint8Array(1);
  private readonly nActions: number;
  private actionMasks?: Uint8Array;
  private ended = false;
  private episodeReturn = 0;
  private episodeLength = 0;

  constructor(private readonly env: Env<unknown, unknown>) {
    this.obsDim = env.observationSpace.flatDim;
    this.obs = new Float32Array(this.obsDim);
    this.nActions = env.actionSpace instanceof Discrete ? env.actionSpace.n : 0;
  }

  get singleObservationSpace(): Space<unknown> {
    return this.env.observationSpace;
  }

  get singleActionSpace(): Space<unknown> {
    return this.env.actionSpace;
  }

  get spec() {
    return this.env.spec;
  }

  private readMask(info: Record<string, unknown>): Uint8Array | undefined {
    const mask = info.actionMask;
    if (!(mask instanceof Uint8Array)) return undefined;
    if (mask.length !== this.nActions) throw new ConfigError(`Expected info.actionMask of length ${this.nActions}, but got ${mask.length}.`);
    this.actionMasks ??= new Uint8Array(this.nActions);
    this.actionMasks.set(mask);
    return this.actionMasks;
  }

  reset(args?: { seed?: number; options?: Record<string, unknown> }): VectorResetResult {
    const { obs, info } = this.env.reset(args);
    this.env.observationSpace.flattenInto(obs, this.obs, 0);
    this.ended = false;
    this.episodeReturn = 0;
    this.episodeLength = 0;
    const actionMasks = this.readMask(info);
    return { obs: this.obs, infos: [info], ...(actionMasks ? { actionMasks } : {}) };
  }

  step(actions: VectorActions): VectorStepResult {
    let info: Record<string, unknown>;
    let episodes = NO_EPISODES;
    if (this.ended) {
      const reset = this.env.reset();
      this.env.observationSpace.flattenInto(reset.obs, this.obs, 0);
      info = reset.info;
      this.rewards[0] = 0;
      this.terminated[0] = 0;
      this.truncated[0] = 0;
      this.autoreset[0] = 1;
      this.ended = false;
      this.episodeReturn = 0;
      this.episodeLength = 0;
    } else {
      const action = this.env.actionSpace instanceof Box ? actions.slice(0, this.env.actionSpace.flatDim) : actions[0];
      const result = this.env.step(action);
      this.env.observationSpace.flattenInto(result.obs, this.obs, 0);
      info = result.info;
      this.rewards[0] = result.reward;
      this.terminated[0] = result.terminated ? 1 : 0;
      this.truncated[0] = result.truncated ? 1 : 0;
      this.autoreset[0] = 0;
      this.episodeReturn += result.reward;
      this.episodeLength++;
      if (result.terminated || result.truncated) {
        this.ended = true;
        episodes = [{ envIndex: 0, return: this.episodeReturn, length: this.episodeLength }];
      }
    }
    const actionMasks = this.readMask(info);
    return {
      obs: this.obs,
      rewards: this.rewards,
      terminated: this.terminated,
      truncated: this.truncated,
      autoreset: this.autoreset,
      infos: [info],
      episodes,
      ...(actionMasks ? { actionMasks } : {}),
    };
  }

  close(): void {
    this.env.close();
  }
}
