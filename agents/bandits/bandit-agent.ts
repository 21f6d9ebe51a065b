/**
 * The base of the bandit algorithms (epsilon-greedy, UCB1, Gaussian Thompson sampling, disjoint LinUCB; one file each).
 *
 * A bandit agent keeps one estimate per arm and learns from (context, arm, reward) after every step; it
 * never bootstraps, so `terminated` and `truncated` only matter for episode statistics. Estimates persist
 * across episodes: Bandit-v0 draws a new problem every episode, so train on it with
 * `make('Bandit-v0', {maxEpisodeSteps: totalSteps})` to learn one problem.
 *
 * All four share `BanditAgent`: `learn` over a single env or a vector env (skipping autoreset transitions),
 * `act` with an action mask (only allowed arms are chosen; ties are broken at random), `update` for
 * online use outside `learn`, and `save`/`load` of the agent folder every learner writes (agent.json, see
 * agents/common/agent-folder.ts: config, estimates and Rng state), so a loaded agent continues exactly as
 * the saved one would have. `act(obs, {deterministic: true})` exploits:
 * it takes the arm with the highest estimated mean reward (lowest index on ties) and draws nothing.
 *
 * Logged keys (in `TrainingState.metrics`, every `logInterval` steps): `rollout/ep_rew_mean`,
 * `rollout/ep_len_mean` (last 100 episodes), `bandit/mean_reward`, `bandit/cumulative_regret` (when the env
 * reports `info.regret`), `time/total_timesteps`.
 */
import { Matrix, inverse } from 'ml-matrix';
import { z } from 'zod';
import type { ActOptions, Agent, LearnArgs, LearnResult, TrainingHook, TrainingState } from '../../src/core/agent.js';
import type { Env, Info } from '../../src/core/env.js';
import { resolveConfig } from '../../src/core/config-schema.js';
import { ConfigError, DataError, InvalidActionError, describeValue } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { Discrete, spaceFromJSON, type Space } from '../../src/core/spaces.js';
import type { EpisodeRecord, VectorEnv } from '../../src/core/vector.js';
import { checkAgentFolder, newAgentFolder, readAgentFolder, restoreRngs, writeAgentFolder } from '../common/agent-folder.js';
import { EpisodeStats } from '../common/episodes.js';
import { endHooks, runHooks } from '../common/hooks.js';
import { isVectorEnv } from '../common/vec.js';

/** The fields every bandit agent's config schema starts with. */
export const banditCommonFields = {
  seed: z.number().default(0).describe("Seed of the agent's own Rng (exploration, tie-breaking, posterior samples); when omitted, the context's seed, else 0"),
  logInterval: z.number().int().min(1).default(1000).describe('Env steps between hook calls and metric updates'),
  numArms: z.number().int().min(2).optional().describe("Number of arms; when omitted, taken from the env's Discrete action space on the first learn()"),
};

/** The resolved common fields (and whatever fields the algorithm adds). */
export interface BanditCommonConfig {
  seed: number;
  logInterval: number;
  numArms?: number;
  [field: string]: unknown;
}

/**
 * What the agent registry (`createAgent`) hands an agent: the env's spaces, which fix the sizes, and the
 * randomness (`rng` is forked; else `seed` applies when the config has none).
 */
export interface BanditContext {
  observationSpace?: Space<unknown>;
  actionSpace?: Space<unknown>;
  seed?: number;
  rng?: Rng;
}

/** Resolves a bandit's config against its schema; an omitted seed is the context's seed. */
export function resolveBanditConfig<S extends z.ZodType<BanditCommonConfig>>(schema: S, name: string, config: object | undefined, context: BanditContext = {}): z.output<S> {
  const input: Record<string, unknown> = { ...config };
  if (input.seed === undefined && context.seed !== undefined) input.seed = context.seed;
  return resolveConfig(schema, input, name);
}

/**
 * A bandit's own part of its agent folder (`state` in agent.json, agent-folder.ts): the sizes it learned on
 * (null until known) and the algorithm's estimates. Bandits have no network, so their `export` is null.
 */
const banditStateSchema = z.strictObject({
  numArms: z.number().int().nullable(),
  contextDim: z.number().int().nullable(),
  estimates: z.unknown(),
});

/**
 * What the four algorithms share: sizes, the Rng, masked argmax, the learning loop, hooks and persistence.
 * A subclass supplies `score` (what to maximize when acting), `mean` (the exploit estimate), `observe` (the
 * update) and its state's JSON form.
 */
export abstract class BanditAgent<C extends BanditCommonConfig> implements Agent<Float32Array, number> {
  abstract readonly name: string;
  protected rng: Rng;
  protected numArms = 0;
  /** Length of the context the agent reads (0 for context-free agents). */
  protected contextDim = 0;
  private totalSteps = 0;
  /** Spaces from the context, bound on first use (a subclass's fields do not exist yet in this constructor). */
  private pendingSpaces: { actionSpace: Space<unknown>; observationSpace: Space<unknown> } | undefined;
  /** The spaces the sizes were fixed from (recorded in the saved folder), once known. */
  private spaces: { actionSpace: Space<unknown>; observationSpace: Space<unknown> } | undefined;

  protected constructor(
    protected config: C,
    private readonly usesContext: boolean,
    context: BanditContext = {},
  ) {
    this.rng = context.rng ? context.rng.fork('bandit') : new Rng(config.seed).fork('bandit');
    if (context.actionSpace && context.observationSpace) {
      this.pendingSpaces = { actionSpace: context.actionSpace, observationSpace: context.observationSpace };
    }
  }

  /** The validated config, defaults filled in. */
  get resolvedConfig(): Readonly<C> {
    return { ...this.config };
  }

  /** Env steps learned from so far, over every `learn` and `update` call. */
  get stepsLearned(): number {
    return this.totalSteps;
  }

  /** Score arm `arm` for acting (exploration included); may draw from `this.rng`. */
  protected abstract score(arm: number, context: Float32Array): number;
  /** The estimated mean reward of `arm` (used by deterministic acting). */
  protected abstract mean(arm: number, context: Float32Array): number;
  protected abstract observe(arm: number, reward: number, context: Float32Array): void;
  /** Allocates the estimates once the sizes are known. */
  protected abstract initState(): void;
  protected abstract stateToJSON(): unknown;
  protected abstract stateFromJSON(state: unknown): void;
  /** Lets a subclass choose before scoring (UCB1 plays every untried arm first); -1 = no preference. */
  protected preselect(_mask: Uint8Array | undefined): number {
    return -1;
  }

  /** Fixes the sizes from spaces (first learn) or checks they match the ones already fixed. */
  protected bind(actionSpace: Space<unknown>, observationSpace: Space<unknown>): void {
    if (!(actionSpace instanceof Discrete) || actionSpace.start !== 0) {
      throw new ConfigError(`Expected a Discrete action space starting at 0 for ${this.name}, but got ${actionSpace.toString()}.`);
    }
    const contextDim = this.usesContext ? observationSpace.flatDim : 0;
    if (this.numArms === 0) {
      if (this.config.numArms !== undefined && this.config.numArms !== actionSpace.n) {
        throw new ConfigError(`Expected numArms ${this.config.numArms} to match the env's Discrete(${actionSpace.n}), but it differs.`);
      }
      this.setSizes(actionSpace.n, contextDim);
      this.spaces = { actionSpace, observationSpace };
    } else if (this.numArms !== actionSpace.n || this.contextDim !== contextDim) {
      throw new ConfigError(
        `Expected an env with ${this.numArms} arms${this.usesContext ? ` and ${this.contextDim}-dim observations` : ''} (what ${this.name} learned on), but got ${actionSpace.n} arms${this.usesContext ? ` and ${contextDim}-dim observations` : ''}.`,
      );
    }
  }

  protected setSizes(numArms: number, contextDim: number): void {
    this.numArms = numArms;
    this.contextDim = contextDim;
    this.initState();
  }

  private ensureSizes(): void {
    if (this.numArms > 0) return;
    if (this.pendingSpaces) {
      const { actionSpace, observationSpace } = this.pendingSpaces;
      this.pendingSpaces = undefined;
      this.bind(actionSpace, observationSpace);
      return;
    }
    const contextDim = this.usesContext ? ((this.config as { contextDim?: number }).contextDim ?? 0) : 0;
    if (this.config.numArms === undefined || (this.usesContext && contextDim === 0)) {
      throw new ConfigError(`Expected ${this.name} to know its sizes (numArms${this.usesContext ? ', contextDim' : ''} in the config, or a learn() call) before act(), but it does not.`);
    }
    this.setSizes(this.config.numArms, contextDim);
  }

  private checkContext(obs: ArrayLike<number>): void {
    if (this.usesContext && (obs === null || obs === undefined || obs.length !== this.contextDim)) {
      throw new ConfigError(`Expected an observation of length ${this.contextDim} for ${this.name}, but got ${describeValue(obs)}.`);
    }
  }

  act(obs: Float32Array, options: ActOptions = {}): number {
    this.ensureSizes();
    this.checkContext(obs);
    return this.choose(obs, options.mask, options.deterministic ?? false);
  }

  /** Learns from one transition: `obs` is the context the arm was chosen in. */
  update(obs: Float32Array, arm: number, reward: number): void {
    this.ensureSizes();
    this.checkContext(obs);
    if (!Number.isInteger(arm) || arm < 0 || arm >= this.numArms) {
      throw new InvalidActionError(`Expected an arm in [0, ${this.numArms}), but got ${describeValue(arm)}.`);
    }
    if (!Number.isFinite(reward)) throw new ConfigError(`Expected a finite reward, but got ${describeValue(reward)}.`);
    this.observe(arm, reward, obs);
    this.totalSteps++;
  }

  private choose(context: Float32Array, mask: Uint8Array | undefined, deterministic: boolean): number {
    if (mask !== undefined) {
      if (mask.length !== this.numArms) throw new InvalidActionError(`Expected a mask of length ${this.numArms}, but got length ${mask.length}.`);
      if (mask.every((allowed) => allowed === 0)) throw new InvalidActionError('Expected a mask with at least one allowed arm, but got none.');
    }
    if (!deterministic) {
      const first = this.preselect(mask);
      if (first >= 0) return first;
    }
    let best = -1;
    let bestValue = -Infinity;
    let ties = 0;
    for (let arm = 0; arm < this.numArms; arm++) {
      if (mask !== undefined && !mask[arm]) continue;
      const value = deterministic ? this.mean(arm, context) : this.score(arm, context);
      if (best < 0 || value > bestValue) {
        best = arm;
        bestValue = value;
        ties = 1;
      } else if (value === bestValue && !deterministic) {
        // Reservoir sampling: each tied arm ends up chosen with probability 1/ties.
        ties++;
        if (this.rng.random() * ties < 1) best = arm;
      }
    }
    return best;
  }

  /** Picks uniformly among the allowed arms (epsilon-greedy's exploration). */
  protected randomArm(mask: Uint8Array | undefined): number {
    return new Discrete(this.numArms).sample(this.rng, mask);
  }

  async learn({ env, totalSteps, hooks = [] }: LearnArgs): Promise<LearnResult> {
    if (!Number.isInteger(totalSteps) || totalSteps < 0) throw new ConfigError(`Expected totalSteps to be a non-negative integer, but got ${describeValue(totalSteps)}.`);
    const vector = isVectorEnv(env);
    if (this.pendingSpaces) this.ensureSizes();
    if (vector) this.bind(env.singleActionSpace, env.singleObservationSpace);
    else this.bind(env.actionSpace, env.observationSpace);
    const tracker = new LearnTracker(this, totalSteps, hooks, this.config.logInterval);
    if (!(await tracker.start())) return tracker.result();
    if (vector) await this.learnVector(env, tracker);
    else await this.learnSingle(env as Env<Float32Array, number>, tracker);
    await tracker.end();
    return tracker.result();
  }

  private async learnSingle(env: Env<Float32Array, number>, tracker: LearnTracker): Promise<void> {
    let { obs, info } = env.reset();
    let episodeReturn = 0;
    let episodeLength = 0;
    while (tracker.stepsDone < tracker.totalSteps) {
      const mask = info.actionMask instanceof Uint8Array ? info.actionMask : undefined;
      // Contexts are flat float32; a structured observation (Dict, Tuple) is flattened first.
      const context = obs instanceof Float32Array ? obs : env.observationSpace.flatten(obs);
      const arm = this.choose(context, mask, false);
      const result = env.step(arm);
      this.update(context, arm, result.reward);
      episodeReturn += result.reward;
      episodeLength++;
      tracker.record(result.reward, result.info);
      if (result.terminated || result.truncated) {
        tracker.episode({ envIndex: 0, return: episodeReturn, length: episodeLength });
        episodeReturn = 0;
        episodeLength = 0;
        ({ obs, info } = env.reset());
      } else {
        obs = result.obs;
        info = result.info;
      }
      if (!(await tracker.tick(1))) return;
    }
  }

  private async learnVector(env: VectorEnv, tracker: LearnTracker): Promise<void> {
    const n = env.numEnvs;
    const dim = env.obsDim;
    const reset = env.reset();
    // The step overwrites the obs buffer, so keep the contexts the arms were chosen in.
    const contexts = Float32Array.from(reset.obs);
    let masks = reset.actionMasks;
    const actions = new Int32Array(n);
    const ended = new Uint8Array(n);
    while (tracker.stepsDone < tracker.totalSteps) {
      for (let i = 0; i < n; i++) {
        if (ended[i]) {
          actions[i] = 0; // ignored: member i autoresets on this step
          continue;
        }
        const mask = masks?.subarray(i * this.numArms, (i + 1) * this.numArms);
        actions[i] = this.choose(contexts.subarray(i * dim, (i + 1) * dim), mask, false);
      }
      const result = env.step(actions);
      for (let i = 0; i < n; i++) {
        if (result.autoreset[i]) continue;
        this.update(contexts.subarray(i * dim, (i + 1) * dim), actions[i], result.rewards[i]);
        tracker.record(result.rewards[i], result.infos[i]);
      }
      for (let i = 0; i < n; i++) ended[i] = result.terminated[i] | result.truncated[i];
      for (const episode of result.episodes) tracker.episode(episode);
      contexts.set(result.obs);
      masks = result.actionMasks;
      if (!(await tracker.tick(n))) return;
    }
  }

  /** Writes agent.json (agent-folder.ts): config, the `bandit` stream, steps learned, sizes and estimates. */
  async save(dir: string): Promise<void> {
    const known = this.numArms > 0;
    writeAgentFolder(
      dir,
      newAgentFolder({
        algorithm: this.name,
        config: { ...this.config },
        observationSpace: this.spaces?.observationSpace.toJSON() ?? null,
        actionSpace: this.spaces?.actionSpace.toJSON() ?? null,
        progress: { stepsDone: this.totalSteps, iterations: this.totalSteps },
        rng: { bandit: this.rng.state() },
        state: { numArms: known ? this.numArms : null, contextDim: known ? this.contextDim : null, estimates: known ? this.stateToJSON() : null },
        export: null,
      }),
    );
  }

  async load(dir: string): Promise<void> {
    const saved = await readAgentFolder(dir);
    checkAgentFolder(saved, this.name, dir);
    const state = banditStateSchema.safeParse(saved.state);
    if (!state.success) throw new DataError(`Expected the bandit state (numArms, contextDim, estimates) in ${dir}/agent.json, but got ${describeValue(saved.state)}.`);
    this.config = this.validate(saved.config);
    this.rng = restoreRngs(saved, ['bandit']).bandit;
    this.totalSteps = saved.progress.stepsDone;
    this.numArms = 0;
    this.contextDim = 0;
    this.pendingSpaces = undefined;
    this.spaces = saved.actionSpace && saved.observationSpace ? { actionSpace: spaceFromJSON(saved.actionSpace), observationSpace: spaceFromJSON(saved.observationSpace) } : undefined;
    if (state.data.numArms !== null) {
      this.setSizes(state.data.numArms, state.data.contextDim ?? 0);
      this.stateFromJSON(state.data.estimates);
    }
  }

  /** Validates a raw config into the resolved one (used by the constructor and by `load`). */
  protected abstract validate(config: Record<string, unknown>): C;
}

/**
 * Episode and regret bookkeeping plus hook calls, kept out of the algorithms. Bandits count every env step
 * of every member (autoreset ones included) per learn() call and log no time keys, so they keep this small
 * tracker instead of the network learners' TrainingLoop; the episode statistics and hook calls are shared.
 */
class LearnTracker {
  stepsDone = 0;
  private stopped = false;
  private sinceLog = 0;
  private readonly episodes = new EpisodeStats();
  private rewardSum = 0;
  private regret = 0;
  private sawRegret = false;

  constructor(
    private readonly agent: BanditAgent<BanditCommonConfig>,
    readonly totalSteps: number,
    private readonly hooks: TrainingHook[],
    private readonly logInterval: number,
  ) {}

  record(reward: number, info: Info | undefined): void {
    this.rewardSum += reward;
    if (typeof info?.regret === 'number') {
      this.regret += info.regret;
      this.sawRegret = true;
    }
  }

  episode(record: EpisodeRecord): void {
    this.episodes.add([record]);
  }

  private state(): TrainingState {
    const metrics: Record<string, number> = { 'time/total_timesteps': this.stepsDone };
    if (this.stepsDone > 0) metrics['bandit/mean_reward'] = this.rewardSum / this.stepsDone;
    if (this.sawRegret) metrics['bandit/cumulative_regret'] = this.regret;
    this.episodes.record((key, value) => (metrics[key] = value));
    return { stepsDone: this.stepsDone, totalSteps: this.totalSteps, iteration: this.stepsDone, newEpisodes: this.episodes.takeNew(), metrics, agent: this.agent };
  }

  async start(): Promise<boolean> {
    if (!(await runHooks(this.hooks, 'onStart', this.state()))) this.stopped = true;
    return !this.stopped;
  }

  /** Counts `steps`; every `logInterval` steps calls the hooks. False when a hook stopped training. */
  async tick(steps: number): Promise<boolean> {
    this.stepsDone += steps;
    this.sinceLog += steps;
    if (this.sinceLog < this.logInterval) return true;
    this.sinceLog = 0;
    if (!(await runHooks(this.hooks, 'onStep', this.state()))) this.stopped = true;
    return !this.stopped;
  }

  async end(): Promise<void> {
    await endHooks(this.hooks, this.state());
  }

  result(): LearnResult {
    return { stepsDone: this.stepsDone, iterations: this.stepsDone, stoppedEarly: this.stopped };
  }
}
