/**
 * What the actor-critic learners (PPO, A2C, REINFORCE) do besides learning, written once: build the
 * policy/value MLPs of the config (with the algorithm's optimizer), act, save, load, weights, dispose. An
 * algorithm extends this base (one level, nothing deeper) with its config resolution, its optimizer and
 * its learn(); everything else an agent keeps (streams, normalizer, counters, logger) is its LearnerState.
 *
 * Saved folder (agent-folder.ts): policy/ and value/ (tfjs LayersModels, observation -> logits and
 * observation -> value), the optimizer's slots in optimizer/, agent.json whose export section names policy/
 * (logits) and value/.
 */
import type { Agent, ActOptions, LearnArgs, LearnResult } from '../../src/core/agent.js';
import { ensureBackend, type BackendName } from '../../src/nn/backend.js';
import { MaskedCategorical } from '../../src/nn/distributions.js';
import type { OptimizerSpec } from '../../src/nn/optim.js';
import type { ActorCriticOptions, Engine, PolicyValueNet } from './policy-value-net.js';
import { createPolicyValueNet, savedConfigWithEngine } from './engines.js';
import { ACTOR_CRITIC_EXPORT } from './agent-folder.js';
import type { z } from 'zod';
import { resolveConfig } from '../../src/core/config-schema.js';
import type { AgentContext } from './context.js';
import { LearnerState, type Normalization } from './learner-state.js';
import type { Logger, LogFormat } from './logger.js';

/** The config fields the base reads (every actor-critic config has them). */
export interface ActorCriticLearnerConfig {
  piLayers: number[];
  vfLayers: number[];
  activation: ActorCriticOptions['activation'];
  init: ActorCriticOptions['init'];
  /** Absent: no discounting anywhere (behaviour cloning). */
  gamma?: number;
  normalizeObs: boolean;
  /** Absent: rewards are not scaled (REINFORCE). */
  normalizeReward?: boolean;
  backend: BackendName;
  engine: Engine;
  logFormats: LogFormat[];
  logDir: string | null;
}

/** How an algorithm's config is resolved (its zod schema), and the Rng streams it forks beside main and act. */
export interface ActorCriticConfigSpec<C, S extends string> {
  schema: z.ZodType<C>;
  streams?: readonly S[];
}

export abstract class ActorCriticLearner<C extends ActorCriticLearnerConfig, S extends string = never> implements Agent {
  config: C;
  readonly logger: Logger;
  /** Streams: env seeds and network init (main), action sampling (act), and the algorithm's own `S`. */
  protected readonly learner: LearnerState<'act' | S>;
  private model: PolicyValueNet | null = null;

  private readonly configSpec: ActorCriticConfigSpec<C, S>;

  protected constructor(readonly name: string, config: unknown, context: AgentContext, spec: ActorCriticConfigSpec<C, S>) {
    this.configSpec = spec;
    this.config = this.resolve(config);
    this.learner = new LearnerState<'act' | S>(name, context, { streams: ['act', ...(spec.streams ?? [])], normalization: this.normalization(), log: this.config });
    this.logger = this.learner.logger;
  }

  /** The config resolved against the algorithm's schema (defaults, checks): for the constructor and for load(). */
  private resolve(config: unknown): C {
    return resolveConfig(this.configSpec.schema, config, this.name);
  }

  /** The algorithm's optimizer over the network's parameters. */
  protected abstract optimizerSpec(): OptimizerSpec;

  abstract learn(args: LearnArgs): Promise<LearnResult>;

  private normalization(): Normalization {
    return { obs: this.config.normalizeObs, reward: this.config.normalizeReward ?? false, gamma: this.config.gamma ?? 1 };
  }

  /** Policy and value MLPs on the configured engine (initialized from the `main` stream's fork `init`) with their optimizer, built on first use. */
  protected network(): PolicyValueNet {
    if (!this.model) {
      const c = this.config;
      const { obsDim, numActions, rngs } = this.learner;
      const options: ActorCriticOptions = { obsDim, numActions, piHidden: c.piLayers, vfHidden: c.vfLayers, activation: c.activation, init: c.init };
      this.model = createPolicyValueNet(c.engine, options, this.optimizerSpec(), rngs.main.fork('init'));
    }
    return this.model;
  }

  /** Normalizes the observation (statistics unchanged), then samples the policy or takes its mode. */
  act(obs: Float32Array, options: ActOptions = {}): number {
    const { obsDim, numActions, normalizer, rngs } = this.learner;
    const x = new Float32Array(obsDim);
    normalizer!.observations(obs, 1, x, false);
    return MaskedCategorical.sample(this.network().logits(x, 1), 0, numActions, rngs.act, options.mask, options.deterministic ?? false).action;
  }

  async save(dir: string): Promise<void> {
    const net = this.network();
    await net.save(dir);
    await this.learner.save(dir, { config: this.config, networks: { policy: 'policy', value: 'value' }, optimizer: net.optimizer, export: ACTOR_CRITIC_EXPORT });
  }

  /** Replaces config, networks, optimizer state, streams, normalizer and counters with the saved ones. */
  async load(dir: string): Promise<void> {
    const saved = await this.learner.read(dir);
    this.config = this.resolve(savedConfigWithEngine(saved.config));
    await ensureBackend(this.config.backend);
    this.dispose();
    const net = this.network();
    await net.load(dir);
    await this.learner.restore(dir, saved, net.optimizer, this.normalization());
  }

  /** Current flat weights (in the engine's layout), for tests. */
  weights(): Float32Array {
    return this.network().getWeights();
  }

  dispose(): void {
    this.model?.dispose();
    this.model = null;
  }
}
