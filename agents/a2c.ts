/**
 * A2C, the synchronous advantage actor-critic (Mnih et al. 2016, as in Stable-Baselines3): short
 * rollouts from vector envs, n-step/GAE advantages, ONE gradient step per rollout on policy-gradient +
 * value + entropy losses, RMSprop. Action masking, observation/reward normalization, truncation
 * bootstrapping as PPO. Defaults are SB3's; A2C_ZOO_CARTPOLE holds rl-baselines3-zoo's CartPole-v1 settings.
 *
 * Reading order: config -> network -> learn() (setup -> rollout -> advantages -> update -> log).
 * act, save, load and weights are the actor-critic learners' shared ones (agents/common/actor-critic-learner.ts);
 * learn() runs in the shared TrainingLoop (hooks, episode statistics, time keys).
 */
import type { LearnArgs, LearnResult } from '../src/core/agent.js';
import type { OptimizerSpec } from '../src/nn/optim.js';
import { ActorCriticLearner } from './common/actor-critic-learner.js';
import type { AgentContext } from './common/context.js';
import { RolloutBuffer } from './common/rollout-buffer.js';
import { TrainingLoop } from './common/training-loop.js';
import { z } from 'zod';
import { configDefaults, crossFieldRules } from '../src/core/config-schema.js';
import { activationField, backendField, engineField, discountField, hiddenLayers, initField, logDirField, logDirRule, logFormatsField, scheduleField, scheduled } from './common/config.js';
import { explainedVariance, minibatchInputs, actorCriticLoss, RolloutCollector, type CollectorState } from './common/on-policy.js';

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
    engine: engineField,
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

export class A2cAgent extends ActorCriticLearner<A2cConfig> {
  constructor(config: A2cConfigInput, context: AgentContext) {
    super('a2c', config, context, { schema: A2cConfigSchema });
  }

  // -------------------------------------------------------------------------------------- network

  /** RMSprop (SB3: alpha 0.99) or Adam over the policy and value MLPs. */
  protected optimizerSpec(): OptimizerSpec {
    const c = this.config;
    return { kind: c.optimizer, alpha: 0.99, eps: c.optimizerEps, maxGradNorm: c.maxGradNorm };
  }

  // ---------------------------------------------------------------------------------------- learn

  async learn(args: LearnArgs): Promise<LearnResult> {
    // Setup.
    const c = this.config;
    const loop = await TrainingLoop.begin(this, this.learner, args, { backend: c.backend, kind: 'on-policy' });
    // A resumed call continues with the checkpoint's streams and env state (no new reset draw).
    const resumed = await loop.resume<CollectorState>((dir) => this.load(dir));
    const N = loop.venv.numEnvs;
    const { numActions: nA, obsDim: D, rngs } = this.learner;
    const net = this.network();
    const buffer = new RolloutBuffer(c.numSteps, N, D, 1, nA);
    const collector = new RolloutCollector(loop.venv, nA, this.learner.normalizer!, resumed ?? this.learner.rngs.main.integer(0, 2 ** 31));
    let sums = { pgLoss: 0, vLoss: 0, entropy: 0, updates: 0 };
    let evSum = 0;
    await loop.start();

    while (loop.running) {
      const lr = scheduled(c.learningRate, c.lrSchedule, loop.progress);

      // Rollout.
      loop.count(collector.collect(buffer, net, rngs.act, this.learner.episodes));

      // Advantages.
      buffer.computeGae(collector.lastValues, c.gamma, c.gaeLambda);
      const rows = buffer.validIndices();

      // Update: one gradient step on every valid row of the rollout.
      if (rows.length > 0) {
        const input = minibatchInputs(buffer, rows, nA, c.normalizeAdvantage);
        const stats = { pgLoss: 0, vLoss: 0, entropy: 0, approxKl: 0, clipFraction: 0 };
        const lossOptions = { numActions: nA, clipRange: null, clipRangeVf: null, vfCoef: c.vfCoef, entCoef: c.entCoef, normalizeAdvantage: false };
        net.gradient(input.obs, rows.length, (out, g) => actorCriticLoss(out, g, input, lossOptions, stats));
        net.step(lr);
        sums.pgLoss += stats.pgLoss;
        sums.vLoss += stats.vLoss;
        sums.entropy += stats.entropy;
        sums.updates++;
        evSum += explainedVariance(buffer, rows);
      }
      this.learner.iterations++;

      // Log every logInterval updates.
      if (this.learner.iterations % c.logInterval === 0 || loop.budgetSpent) {
        const updates = Math.max(sums.updates, 1);
        await loop.log((log) => {
          log.record('train/policy_loss', sums.pgLoss / updates);
          log.record('train/value_loss', sums.vLoss / updates);
          log.record('train/entropy_loss', -sums.entropy / updates);
          log.record('train/explained_variance', evSum / updates);
          log.record('train/n_updates', net.optimizer.stepCount);
          log.record('train/learning_rate', lr);
        });
        evSum = 0;
        sums = { pgLoss: 0, vLoss: 0, entropy: 0, updates: 0 };
        // Re-entry point: nothing is accumulated between rollouts now.
        await loop.checkpoint((dir) => this.save(dir), () => collector.state());
      }
    }
    return loop.end();
  }
}
