/**
 * PPO (Schulman et al. 2017, "Proximal Policy Optimization Algorithms") with the clipped surrogate
 * objective, GAE, optional value clipping, entropy bonus, per-minibatch advantage normalization,
 * global-norm gradient clipping, linear learning-rate and clip-range schedules, epochs x minibatches,
 * target-KL early stopping, action masking, optional observation/reward normalization, vector envs.
 * Defaults are Stable-Baselines3's; PPO_ZOO_CARTPOLE holds rl-baselines3-zoo's CartPole-v1 settings.
 *
 * Reading order: config -> network -> learn() (setup -> rollout -> advantages -> update epochs -> log).
 * act, save, load and weights are the actor-critic learners' shared ones (agents/common/actor-critic-learner.ts);
 * learn() runs in the shared TrainingLoop (hooks, episode statistics, time keys).
 */
import type { LearnArgs, LearnResult } from '../src/core/agent.js';
import type { OptimizerSpec } from '../src/nn/optim.js';
import { ActorCriticLearner } from './common/actor-critic-learner.js';
import type { AgentContext } from './common/context.js';
import { RolloutBuffer } from './common/rollout-buffer.js';
import { TrainingLoop } from './common/training-loop.js';
import { isVectorEnv } from './common/vec.js';
import { z } from 'zod';
import { configDefaults, crossFieldRules, fieldError } from '../src/core/config-schema.js';
import { activationField, backendField, engineField, discountField, hiddenLayers, initField, logDirField, logDirRule, logFormatsField, scheduleField, scheduled } from './common/config.js';
import { explainedVariance, minibatchInputs, actorCriticLoss, MinibatchStorage, RolloutCollector, type CollectorState } from './common/on-policy.js';

// ---------------------------------------------------------------------------------------------- config

export const PpoConfigSchema = crossFieldRules(
  z.strictObject({
    numSteps: z.number().int().min(1).default(2048).describe('Steps per env member per rollout (a rollout is numSteps * numEnvs rows)'),
    batchSize: z.number().int().min(1).default(64).describe('Minibatch size; must divide numSteps * numEnvs'),
    numEpochs: z.number().int().min(1).default(10).describe('Passes over each rollout'),
    learningRate: z.number().gt(0).default(3e-4).describe('Adam learning rate (start value of the schedule)'),
    lrSchedule: scheduleField("Learning-rate schedule: constant, or linear down to 0 over the learn() call (zoo's lin_)"),
    gamma: discountField,
    gaeLambda: z.number().min(0).max(1).default(0.95).describe('GAE lambda'),
    clipRange: z.number().gt(0).default(0.2).describe('Surrogate clip range epsilon (start value of the schedule)'),
    clipRangeSchedule: scheduleField('Clip-range schedule: constant, or linear down to 0'),
    clipRangeVf: z.number().gt(0).nullable().default(null).describe("Value clipping around the rollout values; null disables it (SB3's default)"),
    normalizeAdvantage: z.boolean().default(true).describe('Normalize advantages per minibatch'),
    entCoef: z.number().min(0).default(0).describe('Entropy bonus coefficient'),
    vfCoef: z.number().min(0).default(0.5).describe('Value loss coefficient'),
    maxGradNorm: z.number().gt(0).default(0.5).describe('Global gradient-norm clip'),
    targetKl: z.number().gt(0).nullable().default(null).describe('Stop the epochs of an iteration once approx KL exceeds 1.5 * targetKl; null = never'),
    piLayers: hiddenLayers('Hidden layer sizes of the policy net'),
    vfLayers: hiddenLayers('Hidden layer sizes of the value net'),
    activation: activationField('tanh', "Hidden activation (SB3's tanh)"),
    init: initField('orthogonal', "Weight initialization (SB3's ortho_init)"),
    adamEps: z.number().gt(0).default(1e-5).describe("Adam epsilon (SB3's on-policy value)"),
    normalizeObs: z.boolean().default(false).describe('Normalize observations with running statistics (VecNormalize)'),
    normalizeReward: z.boolean().default(false).describe('Scale rewards by the running std of the discounted return'),
    backend: backendField,
    engine: engineField,
    logFormats: logFormatsField,
    logDir: logDirField,
  }),
  logDirRule,
);

export type PpoConfig = z.output<typeof PpoConfigSchema>;
/** What a user passes: any subset of the fields. */
export type PpoConfigInput = z.input<typeof PpoConfigSchema>;

export const PPO_DEFAULTS: Readonly<PpoConfig> = configDefaults(PpoConfigSchema);

/** rl-baselines3-zoo's CartPole-v1 PPO hyperparameters (train with 8 envs, 1e5 steps). */
export const PPO_ZOO_CARTPOLE: PpoConfigInput = {
  numSteps: 32,
  batchSize: 256,
  gaeLambda: 0.8,
  gamma: 0.98,
  numEpochs: 20,
  entCoef: 0,
  learningRate: 1e-3,
  lrSchedule: 'linear',
  clipRange: 0.2,
  clipRangeSchedule: 'linear',
};

/** The cross-field rule that needs the env: minibatches tile the rollout exactly. */
function checkBatchDivides(c: PpoConfig, numEnvs: number): void {
  if ((c.numSteps * numEnvs) % c.batchSize !== 0) throw fieldError('ppo.batchSize', `to divide numSteps*numEnvs (${c.numSteps * numEnvs})`, c.batchSize);
}

// --------------------------------------------------------------------------------------------- agent

export class PpoAgent extends ActorCriticLearner<PpoConfig, 'shuffle'> {
  /** Streams beside main and act: minibatch order (shuffle). */
  constructor(config: PpoConfigInput, context: AgentContext) {
    super('ppo', config, context, { schema: PpoConfigSchema, streams: ['shuffle'] });
    // With the env known up front, a rollout/minibatch mismatch fails here rather than in learn().
    if (context.env) checkBatchDivides(this.config, isVectorEnv(context.env) ? context.env.numEnvs : 1);
  }

  // -------------------------------------------------------------------------------------- network

  /** One Adam over the policy and value MLPs (the base builds them from piLayers, vfLayers, activation, init). */
  protected optimizerSpec(): OptimizerSpec {
    return { kind: 'adam', eps: this.config.adamEps, maxGradNorm: this.config.maxGradNorm };
  }

  // ---------------------------------------------------------------------------------------- learn

  async learn(args: LearnArgs): Promise<LearnResult> {
    // Setup.
    const c = this.config;
    const loop = await TrainingLoop.begin(this, this.learner, args, { backend: c.backend, kind: 'on-policy' });
    // A resumed call continues with the checkpoint's streams and env state (no new reset draw).
    const resumed = await loop.resume<CollectorState>((dir) => this.load(dir));
    const { venv } = loop;
    const N = venv.numEnvs;
    const { numActions: nA, obsDim: D, rngs } = this.learner;
    checkBatchDivides(c, N);
    const net = this.network();
    const buffer = new RolloutBuffer(c.numSteps, N, D, 1, nA);
    const storage = new MinibatchStorage(c.batchSize, D, nA);
    const collector = new RolloutCollector(venv, nA, this.learner.normalizer!, resumed ?? this.learner.rngs.main.integer(0, 2 ** 31));
    let rolloutMs = 0;
    let updateMs = 0;
    let gradMs = 0;
    let optimizerMs = 0;
    await loop.start();

    while (loop.running) {
      const lr = scheduled(c.learningRate, c.lrSchedule, loop.progress);
      const clip = scheduled(c.clipRange, c.clipRangeSchedule, loop.progress);

      // Rollout: one batched forward pass and one read-back per step; tensors never enter the env loop.
      const rolloutStart = performance.now();
      loop.count(collector.collect(buffer, net, rngs.act, this.learner.episodes));
      rolloutMs += performance.now() - rolloutStart;

      // Advantages: GAE, bootstrapping from V(obs after the last step) and from final obs on truncation.
      const updateStart = performance.now();
      buffer.computeGae(collector.lastValues, c.gamma, c.gaeLambda);

      // Update epochs over minibatches of valid rows. The loss head runs in JavaScript (jsLoss): one
      // read-back of [logits | value] and one upload of its gradient per minibatch, and the statistics
      // (approx KL, clip fraction) come with it for free.
      const indices = buffer.validIndices();
      const sums = { pgLoss: 0, vLoss: 0, approxKl: 0, clipFrac: 0, minibatches: 0 };
      const lossOptions = { numActions: nA, clipRange: clip, clipRangeVf: c.clipRangeVf, vfCoef: c.vfCoef, entCoef: c.entCoef, normalizeAdvantage: false };
      const stats = { pgLoss: 0, vLoss: 0, entropy: 0, approxKl: 0, clipFraction: 0 };
      let stop = false;
      for (let epoch = 0; epoch < c.numEpochs && !stop; epoch++) {
        rngs.shuffle.shuffle(indices);
        for (let start = 0; start < indices.length; start += c.batchSize) {
          const mb = indices.subarray(start, Math.min(start + c.batchSize, indices.length));
          const input = minibatchInputs(buffer, mb, nA, c.normalizeAdvantage, storage);
          const gradStart = performance.now();
          net.gradient(input.obs, mb.length, (out, g) => actorCriticLoss(out, g, input, lossOptions, stats));
          // SB3's rule: once this minibatch's policy has moved too far, skip its step and end the epochs.
          if (c.targetKl !== null && stats.approxKl > 1.5 * c.targetKl) {
            stop = true;
            break;
          }
          const optimizerStart = performance.now();
          gradMs += optimizerStart - gradStart;
          net.step(lr);
          optimizerMs += performance.now() - optimizerStart;
          sums.pgLoss += stats.pgLoss;
          sums.vLoss += stats.vLoss;
          sums.approxKl += stats.approxKl;
          sums.clipFrac += stats.clipFraction;
          sums.minibatches++;
        }
      }
      const m = Math.max(sums.minibatches, 1);
      this.learner.iterations++;
      updateMs += performance.now() - updateStart;

      // Log. Where the time goes: policy forward and env.step (inside rollout), forward+backward+read-back
      // of the gradient and the optimizer step with the weight upload (inside update).
      await loop.log(
        (log) => {
          log.record('train/policy_gradient_loss', sums.pgLoss / m);
          log.record('train/value_loss', sums.vLoss / m);
          log.record('train/entropy_loss', -collector.meanEntropy);
          log.record('train/approx_kl', sums.approxKl / m);
          log.record('train/clip_fraction', sums.clipFrac / m);
          log.record('train/explained_variance', explainedVariance(buffer, indices));
          log.record('train/n_updates', net.optimizer.stepCount);
          log.record('train/learning_rate', lr);
          log.record('train/clip_range', clip);
        },
        {
          rollout_s: rolloutMs / 1000,
          update_s: updateMs / 1000,
          forward_s: collector.forwardMs / 1000,
          env_s: collector.envMs / 1000,
          grad_s: gradMs / 1000,
          optimizer_s: optimizerMs / 1000,
        },
      );
      // Re-entry point: between rollouts, the collector's observations are all the loop carries.
      await loop.checkpoint((dir) => this.save(dir), () => collector.state());
    }
    return loop.end();
  }
}
