/**
 * Orchestrator-v0 vectorized natively: `numEnvs` OrchestratorEnv members stepped in one loop through their
 * allocation-free `stepInPlace`, writing observations, masks and rewards into buffers this env owns (views
 * valid until the next step or reset). What `makeVec('Orchestrator-v0', {numEnvs})` builds in the default
 * `native` mode.
 *
 * It reproduces a SyncVectorEnv of `make(id)` members number for number (observations, masks, rewards,
 * terminations, episode records): member i is seeded `seed + i`, episodes are truncated after
 * `maxEpisodeSteps`, and autoreset is Gymnasium 1.x next-step, as `VectorEnv` documents. The difference is
 * what is not built: per-member infos are empty objects (no goldReward, task records or feedback events;
 * use `vectorizationMode: 'sync'` to get them), so a step allocates nothing except the `episodes` list on
 * steps where an episode ends, and the reset observations of members that reset.
 */
import { ConfigError, InvalidActionError, ResetNeededError, describeValue } from '../../src/core/errors.js';
import type { EnvSpec, Info } from '../../src/core/env.js';
import { spec, type VectorEnvFactory } from '../../src/core/registry.js';
import type { Box, Discrete } from '../../src/core/spaces.js';
import type { VectorActions, VectorEnv, VectorResetResult, VectorStepResult } from '../../src/core/vector.js';
import { NO_EPISODES, allocateBuffers, vectorLayout, type VectorBuffers } from '../../src/core/vector-envs/member-block.js';
import type { OrchestratorConfig } from './config.js';
import { OrchestratorEnv } from './env.js';

export interface OrchestratorVectorConfig {
  numEnvs: number;
  /** Env kwargs, as for `make` (preset and overrides). */
  kwargs?: Record<string, unknown>;
  /** Extra defaults of a variant (the drift variant's), as OrchestratorEnv takes them. */
  variant?: Partial<OrchestratorConfig>;
  /** Members are truncated after this many steps (makeVec passes the registered 200); undefined = never. */
  maxEpisodeSteps?: number;
}

export class OrchestratorVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Box;
  readonly singleActionSpace: Discrete;
  readonly obsDim: number;
  readonly maxEpisodeSteps: number | undefined;
  spec?: EnvSpec;
  /** The member envs, in index order (read-only use: stepping them directly desynchronizes the buffers). */
  readonly envs: readonly OrchestratorEnv[];

  private readonly numActions: number;
  private readonly elapsed: Int32Array;
  private readonly runningReturns: Float64Array;
  /** 1 where the member's episode ended on the previous step (it resets on this one). */
  private readonly ended: Uint8Array;
  private hasReset = false;

  private readonly buffers: VectorBuffers;
  private readonly infos: Info[];
  private readonly result: VectorStepResult;

  constructor(config: OrchestratorVectorConfig) {
    const { numEnvs, maxEpisodeSteps, kwargs = {}, variant = {} } = config;
    if (!Number.isInteger(numEnvs) || numEnvs <= 0) throw new ConfigError(`Expected numEnvs to be a positive integer, but got ${describeValue(numEnvs)}.`);
    if (maxEpisodeSteps !== undefined && (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0)) {
      throw new ConfigError(`Expected maxEpisodeSteps to be a positive integer or undefined, but got ${describeValue(maxEpisodeSteps)}.`);
    }
    this.numEnvs = numEnvs;
    this.maxEpisodeSteps = maxEpisodeSteps;
    this.envs = Array.from({ length: numEnvs }, () => {
      const env = new OrchestratorEnv(kwargs, variant);
      env.stopCollectingEvents();
      return env;
    });
    const first = this.envs[0];
    this.singleObservationSpace = first.observationSpace;
    this.singleActionSpace = first.actionSpace;
    this.obsDim = first.observationSpace.flatDim;
    this.numActions = first.actionSpace.n;
    this.elapsed = new Int32Array(numEnvs);
    this.runningReturns = new Float64Array(numEnvs);
    this.ended = new Uint8Array(numEnvs);
    this.buffers = allocateBuffers(vectorLayout(numEnvs, this.singleObservationSpace, this.singleActionSpace), (bytes) => new ArrayBuffer(bytes));
    const { obs, rewards, terminated, truncated, autoreset, masks } = this.buffers;
    this.infos = Array.from({ length: numEnvs }, () => ({}));
    this.result = { obs, rewards, terminated, truncated, autoreset, infos: this.infos, actionMasks: masks, episodes: NO_EPISODES };
  }

  reset(args: { seed?: number; options?: Record<string, unknown> } = {}): VectorResetResult {
    const { seed, options } = args;
    if (seed !== undefined && !Number.isFinite(seed)) throw new ConfigError(`Expected a finite seed, but got ${describeValue(seed)}.`);
    for (let i = 0; i < this.numEnvs; i++) {
      const memberArgs: { seed?: number; options?: Record<string, unknown> } = {};
      if (seed !== undefined) memberArgs.seed = seed + i;
      if (options !== undefined) memberArgs.options = options;
      this.resetMember(i, memberArgs);
      this.buffers.autoreset[i] = 0;
    }
    this.hasReset = true;
    return { obs: this.buffers.obs, infos: this.infos, actionMasks: this.buffers.masks };
  }

  step(actions: VectorActions): VectorStepResult {
    if (!this.hasReset) throw new ResetNeededError('Expected reset() before the first step() of the vector env, but step() was called first.');
    const n = this.numEnvs;
    if (actions.length !== n) throw new InvalidActionError(`Expected ${n} actions (one per member), but got ${actions.length}.`);
    const numActions = this.numActions;
    const { obs, rewards, terminated, truncated, autoreset, masks } = this.buffers;
    // Validate before stepping anyone, so a bad action leaves every member untouched.
    for (let i = 0; i < n; i++) {
      if (this.ended[i] === 1) continue;
      const action = actions[i];
      if (!Number.isInteger(action) || action < 0 || action >= numActions || masks[i * numActions + action] === 0) {
        const why = Number.isInteger(action) && action >= 0 && action < numActions ? ` (${this.envs[i].actionNames[action]}), which its action mask forbids now` : '';
        throw new InvalidActionError(`Expected an allowed action in Discrete(${numActions}) for member ${i}, but got ${describeValue(action)}${why}.`);
      }
    }
    const limit = this.maxEpisodeSteps ?? 0x7fffffff;
    let episodes = NO_EPISODES;
    for (let i = 0; i < n; i++) {
      if (this.ended[i] === 1) {
        // Next-step autoreset: this step's action for member i is ignored.
        this.resetMember(i, {});
        autoreset[i] = 1;
        continue;
      }
      const reward = this.envs[i].stepInPlace(actions[i], obs, i * this.obsDim, masks, i * numActions);
      rewards[i] = reward;
      autoreset[i] = 0;
      const total = (this.runningReturns[i] += reward);
      const length = ++this.elapsed[i];
      // The env never terminates on its own: a workday ends by the clock.
      terminated[i] = 0;
      const ended = length >= limit;
      truncated[i] = ended ? 1 : 0;
      if (ended) {
        this.ended[i] = 1;
        if (episodes === NO_EPISODES) episodes = [];
        episodes.push({ envIndex: i, return: total, length });
      }
    }
    this.result.episodes = episodes;
    return this.result;
  }

  close(): void {
    for (const env of this.envs) env.close();
  }

  private resetMember(i: number, args: { seed?: number; options?: Record<string, unknown> }): void {
    const { obs, info } = this.envs[i].reset(args);
    const buffers = this.buffers;
    buffers.obs.set(obs, i * this.obsDim);
    buffers.masks.set(info.actionMask as Uint8Array, i * this.numActions);
    buffers.rewards[i] = 0;
    buffers.terminated[i] = 0;
    buffers.truncated[i] = 0;
    this.elapsed[i] = 0;
    this.runningReturns[i] = 0;
    this.ended[i] = 0;
  }
}

/** `vectorEntryPoint` of an Orchestrator id: what `makeVec(id, {numEnvs})` calls in native mode. */
export function orchestratorVectorEntryPoint(id: string, variant: Partial<OrchestratorConfig> = {}): VectorEnvFactory {
  return (numEnvs, kwargs, maxEpisodeSteps) => {
    const env = new OrchestratorVectorEnv({ numEnvs, kwargs, variant, maxEpisodeSteps });
    env.spec = spec(id, { kwargs, maxEpisodeSteps: maxEpisodeSteps ?? null });
    return env;
  };
}
