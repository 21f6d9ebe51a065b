/**
 * A2C, the synchronous advantage actor-critic (Mnih et al. 2016, as in Stable-Baselines3): short
 * rollouts from vector envs, n-step/GAE advantages, ONE gradient step per rollout on policy-gradient +
 * value + entropy losses, RMSprop. Action masking, observation/reward normalization, truncation
 * bootstrapping as PPO. Defaults are SB3's; A2C_ZOO_CARTPOLE holds rl-baselines3-zoo's CartPole-v1 settings.
 *
 * Reading order: config -> network -> learn() (setup -> rollout -> advantages -> update -> log).
 */
import * as tf from '@tensorflow/tfjs';
import type { Agent, ActOptions, LearnArgs, LearnResult, TrainingState } from '../src/core/agent.js';
import { ConfigError } from '../src/core/errors.js';
import { Rng } from '../src/core/rng.js';
import { ensureBackend } from '../src/nn/backend.js';
import { MaskedCategorical } from '../src/nn/distributions.js';
import { jsLoss } from '../src/nn/js-loss.js';
import { FlatRmsProp, FlatAdam } from '../src/nn/optim.js';
import { ActorCritic } from './common/actor-critic.js';
import { RolloutBuffer } from './common/rollout-buffer.js';
import { Logger } from './common/logger.js';
import { EpisodeStats } from './common/episodes.js';
import { Normalizer } from './common/normalize.js';
import { runHooks, endHooks } from './common/hooks.js';
import { toVectorEnv, discreteActions } from './common/vec.js';
import { z } from 'zod';
import { configDefaults, crossFieldRules, resolveConfig } from '../src/core/config-schema.js';
import { activationField, backendField, checkTotalSteps, discountField, hiddenLayers, initField, logDirField, logDirRule, logFormatsField, scheduleField, scheduled } from './common/config.js';
import { explainedVariance, minibatchInputs, actorCriticLoss, RolloutCollector, saveOnPolicy, readSavedOnPolicy, loadNetworkAndOptimizer, type AgentContext } from './common/on-policy.js';

// ---------------------------------------------------------------------------------------------- config

export const A2cConfigSchema = crossFieldRules(
  z.strictObject({
    numSteps: z.number().int().min(1).default(5).describe('Steps per env member per update'),
    learningRate: z.number().gt(0).default(7e-4).describe('Learning rate (start value of the schedule)'),
    lrSchedule: scheduleField('Learning-rate schedule: constant, or linear down to 0 over the learn() call'),
    gamma: discountField,
    gaeLambda: z.number().min(0).max(1).default(1).describe("GAE lambda; 1 gives n-step returns (SB3's default)"),
    entCoef: z.number().min(0).default(0).describe('Entropy bonus coefficient'),
    vfCoef: z.number().min(0).default(0.5).describe('Value loss coefficient'),
    maxGradNorm: z.number().gt(0).default(0.5).describe('Global gradient-norm clip'),
    normalizeAdvantage: z.boolean().default(false).describe('Normalize advantages over the rollout'),
    optimizer: z.enum(['rmsprop', 'adam']).default('rmsprop').describe('rmsprop (as SB3: alpha 0.99) or adam'),
    optimizerEps: z.number().gt(0).default(1e-5).describe('RMSprop/Adam epsilon'),
    piLayers: hiddenLayers('Hidden layer sizes of the policy net'),
    vfLayers: hiddenLayers('Hidden layer sizes of the value net'),
    activation: activationField('tanh', 'Hidden activation'),
    init: initField('orthogonal', 'Weight initialization'),
    normalizeObs: z.boolean().default(false).describe('Normalize observations with running statistics (VecNormalize)'),
    normalizeReward: z.boolean().default(false).describe('Scale rewards by the running std of the discounted return'),
    logInterval: z.number().int().min(1).default(100).describe("Log (and call hooks) every this many updates (SB3's log_interval)"),
    backend: backendField,
    logFormats: logFormatsField,
    logDir: logDirField,
  }),
  logDirRule,
);

export type A2cConfig = z.output<typeof A2cConfigSchema>;
/** What a user passes: any subset of the fields. */
export type A2cConfigInput = z.input<typeof A2cConfigSchema>;

export const A2C_DEFAULTS: Readonly<A2cConfig> = configDefaults(A2cConfigSchema);

/** rl-baselines3-zoo's CartPole-v1 A2C settings: 8 envs, 5e5 steps, ent_coef 0 (the rest SB3 defaults). */
export const A2C_ZOO_CARTPOLE: A2cConfigInput = { entCoef: 0 };

// --------------------------------------------------------------------------------------------- agent

export class A2cAgent implements Agent {
  readonly name = 'a2c';
  config: A2cConfig;
  readonly logger: Logger;
  private net: ActorCritic | null = null;
  private optimizer: FlatRmsProp | FlatAdam | null = null;
  private readonly obsDim: number;
  private readonly numActions: number;
  private rng: Rng;
  private actRng: Rng;
  private normalizer: Normalizer;
  private episodes = new EpisodeStats();
  stepsDone = 0;
  iterations = 0;

  constructor(config: A2cConfigInput, private readonly context: AgentContext) {
    this.config = resolveConfig(A2cConfigSchema, config, 'a2c');
    this.obsDim = context.observationSpace.flatDim;
    this.numActions = discreteActions(context.actionSpace, 'a2c');
    this.rng = context.rng ?? new Rng(context.seed ?? 0);
    this.actRng = this.rng.fork('act');
    this.normalizer = new Normalizer(this.obsDim, this.config.normalizeObs, this.config.normalizeReward, this.config.gamma);
    this.logger = new Logger({ formats: this.config.logFormats, ...(this.config.logDir ? { dir: this.config.logDir } : {}) });
  }

  // -------------------------------------------------------------------------------------- network

  private network(): { net: ActorCritic; optimizer: FlatRmsProp | FlatAdam } {
    if (!this.net || !this.optimizer) {
      const c = this.config;
      this.net = new ActorCritic(
        { obsDim: this.obsDim, numActions: this.numActions, piHidden: c.piLayers, vfHidden: c.vfLayers, activation: c.activation, init: c.init },
        this.rng.fork('init'),
      );
      this.optimizer = c.optimizer === 'rmsprop'
        ? new FlatRmsProp(this.net.params, { alpha: 0.99, eps: c.optimizerEps, maxGradNorm: c.maxGradNorm })
        : new FlatAdam(this.net.params, { eps: c.optimizerEps, maxGradNorm: c.maxGradNorm });
    }
    return { net: this.net, optimizer: this.optimizer };
  }

  act(obs: Float32Array, options: ActOptions = {}): number {
    const { net } = this.network();
    const x = new Float32Array(this.obsDim);
    this.normalizer.observations(obs, 1, x, false);
    return MaskedCategorical.sample(net.logits(x, 1), 0, this.numActions, this.actRng, options.mask, options.deterministic ?? false).action;
  }

  // ---------------------------------------------------------------------------------------- learn

  async learn({ env, totalSteps, hooks = [] }: LearnArgs): Promise<LearnResult> {
    // Setup.
    const c = this.config;
    checkTotalSteps(totalSteps);
    await ensureBackend(c.backend);
    const venv = toVectorEnv(env);
    const N = venv.numEnvs;
    const nA = this.numActions;
    const D = this.obsDim;
    if (venv.obsDim !== D) throw new ConfigError(`Expected an env with observations of length ${D}, but got ${venv.obsDim}.`);
    const { net, optimizer } = this.network();
    const buffer = new RolloutBuffer(c.numSteps, N, D, 1, nA);
    const collector = new RolloutCollector(venv, nA, this.normalizer, this.rng.integer(0, 2 ** 31));
    const startTime = performance.now();
    let stepsThisCall = 0;
    let stoppedEarly = false;
    let sums = { pgLoss: 0, vLoss: 0, entropy: 0, updates: 0 };
    let evSum = 0;
    const state = (): TrainingState => ({
      stepsDone: this.stepsDone, totalSteps, iteration: this.iterations, newEpisodes: this.episodes.takeNew(), metrics: this.logger.latest, agent: this,
    });
    if (!(await runHooks(hooks, 'onStart', state()))) stoppedEarly = true;

    while (!stoppedEarly && stepsThisCall < totalSteps) {
      const lr = scheduled(c.learningRate, c.lrSchedule, stepsThisCall / totalSteps);

      // Rollout.
      const collected = collector.collect(buffer, net, this.actRng, this.episodes);
      stepsThisCall += collected;
      this.stepsDone += collected;

      // Advantages.
      buffer.computeGae(collector.lastValues, c.gamma, c.gaeLambda);
      const rows = buffer.validIndices();

      // Update: one gradient step on every valid row of the rollout.
      if (rows.length > 0) {
        const input = minibatchInputs(buffer, rows, nA, c.normalizeAdvantage);
        const stats = { pgLoss: 0, vLoss: 0, entropy: 0, approxKl: 0, clipFraction: 0 };
        const lossOptions = { numActions: nA, clipRange: null, clipRangeVf: null, vfCoef: c.vfCoef, entCoef: c.entCoef, normalizeAdvantage: false };
        const grad = net.params.gradient((...views: tf.Tensor[]) =>
          jsLoss(net.output(tf.tensor2d(input.obs, [rows.length, D]), views), (out, g) => actorCriticLoss(out, g, input, lossOptions, stats)),
        );
        optimizer.step(grad, lr);
        sums.pgLoss += stats.pgLoss;
        sums.vLoss += stats.vLoss;
        sums.entropy += stats.entropy;
        sums.updates++;
        evSum += explainedVariance(buffer, rows);
      }
      this.iterations++;

      // Log every logInterval updates.
      if (this.iterations % c.logInterval === 0 || stepsThisCall >= totalSteps) {
        const updates = Math.max(sums.updates, 1);
        const elapsed = (performance.now() - startTime) / 1000;
        const log = this.logger;
        this.episodes.record((k, v) => log.record(k, v));
        log.record('train/policy_loss', sums.pgLoss / updates);
        log.record('train/value_loss', sums.vLoss / updates);
        log.record('train/entropy_loss', -sums.entropy / updates);
        log.record('train/explained_variance', evSum / updates);
        log.record('train/n_updates', optimizer.stepCount);
        log.record('train/learning_rate', lr);
        log.record('time/iterations', this.iterations);
        log.record('time/fps', Math.round(stepsThisCall / Math.max(elapsed, 1e-9)));
        log.record('time/time_elapsed', elapsed);
        log.dump(this.stepsDone);
        evSum = 0;
        sums = { pgLoss: 0, vLoss: 0, entropy: 0, updates: 0 };
        if (!(await runHooks(hooks, 'onStep', state()))) stoppedEarly = true;
      }
    }
    await endHooks(hooks, state());
    return { stepsDone: this.stepsDone, iterations: this.iterations, stoppedEarly };
  }

  // ------------------------------------------------------------------------------------ save/load

  async save(dir: string): Promise<void> {
    const { net, optimizer } = this.network();
    await saveOnPolicy(dir, {
      name: this.name,
      config: this.config,
      context: this.context,
      net,
      optimizer,
      stepsDone: this.stepsDone,
      iterations: this.iterations,
      rngs: { main: this.rng, act: this.actRng },
      normalizer: this.normalizer,
      episodes: this.episodes,
    });
  }

  async load(dir: string): Promise<void> {
    const saved = await readSavedOnPolicy<A2cConfig>(dir, this.name, this.context);
    this.config = resolveConfig(A2cConfigSchema, saved.config, 'a2c');
    await ensureBackend(this.config.backend);
    this.dispose();
    const { net, optimizer } = this.network();
    await loadNetworkAndOptimizer(dir, net, optimizer, saved);
    this.rng = Rng.fromState(saved.rng.main);
    this.actRng = Rng.fromState(saved.rng.act);
    this.normalizer = new Normalizer(this.obsDim, this.config.normalizeObs, this.config.normalizeReward, this.config.gamma);
    this.normalizer.setState(saved.normalizer);
    this.episodes.setState(saved.episodes);
    this.stepsDone = saved.stepsDone;
    this.iterations = saved.iterations;
  }

  weights(): Float32Array {
    return this.network().net.params.read();
  }

  dispose(): void {
    this.net?.dispose();
    this.net = null;
    this.optimizer = null;
  }
}
