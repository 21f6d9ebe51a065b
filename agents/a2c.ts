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
import * as tf from '@tensorflow/tfjs';
import type { LearnArgs, LearnResult } from '../src/core/agent.js';
import { ConfigError } from '../src/core/errors.js';
import type { BackendName } from '../src/nn/backend.js';
import { jsLoss } from '../src/nn/js-loss.js';
import { FlatRmsProp, FlatAdam } from '../src/nn/optim.js';
import type { Activation } from '../src/nn/mlp.js';
import type { InitName } from '../src/nn/init.js';
import type { ActorCritic } from './common/actor-critic.js';
import { ActorCriticLearner } from './common/actor-critic-learner.js';
import type { AgentContext } from './common/context.js';
import type { LogFormat } from './common/logger.js';
import { RolloutBuffer } from './common/rollout-buffer.js';
import { TrainingLoop } from './common/training-loop.js';
import { checkNumber, checkChoice, checkLayers, scheduled } from './common/config.js';
import { explainedVariance, minibatchInputs, actorCriticLoss, RolloutCollector } from './common/on-policy.js';

// ---------------------------------------------------------------------------------------------- config

export interface A2cConfig {
  /** Steps per env member per update. Default 5. */
  numSteps: number;
  /** Learning rate (start value of the schedule). Default 7e-4. */
  learningRate: number;
  /** Default constant. */
  lrSchedule: 'constant' | 'linear';
  /** Discount. Default 0.99. */
  gamma: number;
  /** GAE lambda; 1 gives n-step returns (SB3's default). Default 1. */
  gaeLambda: number;
  /** Entropy bonus coefficient. Default 0. */
  entCoef: number;
  /** Value loss coefficient. Default 0.5. */
  vfCoef: number;
  /** Global gradient-norm clip. Default 0.5. */
  maxGradNorm: number;
  /** Normalize advantages over the rollout. Default false. */
  normalizeAdvantage: boolean;
  /** `rmsprop` (SB3: alpha 0.99, eps 1e-5) or `adam`. Default rmsprop. */
  optimizer: 'rmsprop' | 'adam';
  /** RMSprop/Adam epsilon. Default 1e-5. */
  optimizerEps: number;
  /** Hidden layers of the policy net. Default [64, 64]. */
  piLayers: number[];
  /** Hidden layers of the value net. Default [64, 64]. */
  vfLayers: number[];
  /** Default tanh. */
  activation: Activation;
  /** Default orthogonal. */
  init: InitName;
  /** Default false. */
  normalizeObs: boolean;
  /** Default false. */
  normalizeReward: boolean;
  /** Log (and call hooks) every this many updates. Default 100 (SB3's log_interval). */
  logInterval: number;
  /** tfjs backend. Default auto. */
  backend: BackendName;
  /** Default none. */
  logFormats: LogFormat[];
  /** Default null. */
  logDir: string | null;
}

export const A2C_DEFAULTS: A2cConfig = {
  numSteps: 5,
  learningRate: 7e-4,
  lrSchedule: 'constant',
  gamma: 0.99,
  gaeLambda: 1,
  entCoef: 0,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
  normalizeAdvantage: false,
  optimizer: 'rmsprop',
  optimizerEps: 1e-5,
  piLayers: [64, 64],
  vfLayers: [64, 64],
  activation: 'tanh',
  init: 'orthogonal',
  normalizeObs: false,
  normalizeReward: false,
  logInterval: 100,
  backend: 'auto',
  logFormats: [],
  logDir: null,
};

/** rl-baselines3-zoo's CartPole-v1 A2C settings: 8 envs, 5e5 steps, ent_coef 0 (the rest SB3 defaults). */
export const A2C_ZOO_CARTPOLE: Partial<A2cConfig> = { entCoef: 0 };

export function validateA2cConfig(c: A2cConfig): void {
  checkNumber(c, 'numSteps', { integer: true, min: 1 });
  checkNumber(c, 'learningRate', { above: 0 });
  checkNumber(c, 'gamma', { min: 0, max: 1 });
  checkNumber(c, 'gaeLambda', { min: 0, max: 1 });
  checkNumber(c, 'entCoef', { min: 0 });
  checkNumber(c, 'vfCoef', { min: 0 });
  checkNumber(c, 'maxGradNorm', { above: 0 });
  checkNumber(c, 'optimizerEps', { above: 0 });
  checkNumber(c, 'logInterval', { integer: true, min: 1 });
  checkChoice(c, 'lrSchedule', ['constant', 'linear']);
  checkChoice(c, 'optimizer', ['rmsprop', 'adam']);
  checkChoice(c, 'activation', ['tanh', 'relu']);
  checkChoice(c, 'init', ['orthogonal', 'glorot', 'torch']);
  checkChoice(c, 'backend', ['auto', 'node', 'wasm', 'cpu']);
  checkChoice(c, 'normalizeAdvantage', [true, false]);
  checkChoice(c, 'normalizeObs', [true, false]);
  checkChoice(c, 'normalizeReward', [true, false]);
  checkLayers(c, 'piLayers');
  checkLayers(c, 'vfLayers');
  if (c.logFormats.some((f) => f !== 'stdout') && !c.logDir) throw new ConfigError('Expected logDir to be set for the jsonl/csv log formats, but got null.');
}

// --------------------------------------------------------------------------------------------- agent

export class A2cAgent extends ActorCriticLearner<A2cConfig, FlatRmsProp | FlatAdam> {
  constructor(config: Partial<A2cConfig>, context: AgentContext) {
    super('a2c', config, context, { defaults: A2C_DEFAULTS, validate: validateA2cConfig });
  }

  // -------------------------------------------------------------------------------------- network

  /** RMSprop (SB3: alpha 0.99) or Adam over the policy and value MLPs. */
  protected newOptimizer(net: ActorCritic): FlatRmsProp | FlatAdam {
    const c = this.config;
    return c.optimizer === 'rmsprop'
      ? new FlatRmsProp(net.params, { alpha: 0.99, eps: c.optimizerEps, maxGradNorm: c.maxGradNorm })
      : new FlatAdam(net.params, { eps: c.optimizerEps, maxGradNorm: c.maxGradNorm });
  }

  // ---------------------------------------------------------------------------------------- learn

  async learn(args: LearnArgs): Promise<LearnResult> {
    // Setup.
    const c = this.config;
    const loop = await TrainingLoop.begin(this, this.learner, args, { backend: c.backend, kind: 'on-policy' });
    const N = loop.venv.numEnvs;
    const { numActions: nA, obsDim: D, rngs } = this.learner;
    const { net, optimizer } = this.network();
    const buffer = new RolloutBuffer(c.numSteps, N, D, 1, nA);
    const collector = new RolloutCollector(loop.venv, nA, this.learner.normalizer!, rngs.main.integer(0, 2 ** 31));
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
      this.learner.iterations++;

      // Log every logInterval updates.
      if (this.learner.iterations % c.logInterval === 0 || loop.budgetSpent) {
        const updates = Math.max(sums.updates, 1);
        await loop.log((log) => {
          log.record('train/policy_loss', sums.pgLoss / updates);
          log.record('train/value_loss', sums.vLoss / updates);
          log.record('train/entropy_loss', -sums.entropy / updates);
          log.record('train/explained_variance', evSum / updates);
          log.record('train/n_updates', optimizer.stepCount);
          log.record('train/learning_rate', lr);
        });
        evSum = 0;
        sums = { pgLoss: 0, vLoss: 0, entropy: 0, updates: 0 };
      }
    }
    return loop.end();
  }
}
