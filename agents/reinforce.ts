/**
 * REINFORCE (Williams 1992) with a learned value baseline: Monte-Carlo returns of complete episodes,
 * policy gradient on (G_t - V(s_t)), a value regression on G_t, one gradient step per batch of
 * `episodesPerUpdate` finished episodes. A truncated episode's return is bootstrapped from V(final obs);
 * a terminated one's is not. Episodes still running at an update carry over to the next batch (their
 * first steps were then sampled by a slightly older policy: the usual approximation with vector envs).
 *
 * Reading order: config -> network -> learn() (setup -> collect episodes -> returns -> update -> log).
 * act, save, load and weights are the actor-critic learners' shared ones (agents/common/actor-critic-learner.ts);
 * learn() runs in the shared TrainingLoop (hooks, episode statistics, time keys).
 */
import type { LearnArgs, LearnResult } from '../src/core/agent.js';
import { MaskedCategorical } from '../src/nn/distributions.js';
import type { OptimizerSpec } from '../src/nn/optim.js';
import { ActorCriticLearner } from './common/actor-critic-learner.js';
import type { AgentContext } from './common/context.js';
import { TrainingLoop } from './common/training-loop.js';
import { z } from 'zod';
import { configDefaults, crossFieldRules } from '../src/core/config-schema.js';
import { activationField, backendField, engineField, discountField, hiddenLayers, initField, logDirField, logDirRule, logFormatsField } from './common/config.js';
import { actorCriticLoss, type MinibatchInputs } from './common/on-policy.js';

// ---------------------------------------------------------------------------------------------- config

export const ReinforceConfigSchema = crossFieldRules(
  z.strictObject({
    episodesPerUpdate: z.number().int().min(1).default(8).describe('Finished episodes per gradient step'),
    learningRate: z.number().gt(0).default(1e-3).describe('Adam learning rate'),
    gamma: discountField,
    vfCoef: z.number().min(0).default(0.5).describe('Value (baseline) loss coefficient'),
    entCoef: z.number().min(0).default(0).describe('Entropy bonus coefficient'),
    normalizeAdvantage: z.boolean().default(true).describe('Normalize advantages over the batch'),
    maxGradNorm: z.number().gt(0).nullable().default(0.5).describe('Global gradient-norm clip; null disables it'),
    piLayers: hiddenLayers('Hidden layer sizes of the policy net'),
    vfLayers: hiddenLayers('Hidden layer sizes of the value (baseline) net'),
    activation: activationField('tanh', 'Hidden activation'),
    init: initField('orthogonal', 'Weight initialization'),
    normalizeObs: z.boolean().default(false).describe('Normalize observations with running statistics'),
    logInterval: z.number().int().min(1).default(1).describe('Log (and call hooks) every this many updates'),
    backend: backendField,
    engine: engineField,
    logFormats: logFormatsField,
    logDir: logDirField,
  }),
  logDirRule,
);

export type ReinforceConfig = z.output<typeof ReinforceConfigSchema>;
/** What a user passes: any subset of the fields. */
export type ReinforceConfigInput = z.input<typeof ReinforceConfigSchema>;

export const REINFORCE_DEFAULTS: Readonly<ReinforceConfig> = configDefaults(ReinforceConfigSchema);

/** One member's episode in progress: flat observations, actions, masks, rewards. */
interface Trajectory {
  obs: number[];
  actions: number[];
  masks: number[];
  rewards: number[];
}

const emptyTrajectory = (): Trajectory => ({ obs: [], actions: [], masks: [], rewards: [] });

// --------------------------------------------------------------------------------------------- agent

export class ReinforceAgent extends ActorCriticLearner<ReinforceConfig> {
  constructor(config: ReinforceConfigInput, context: AgentContext) {
    super('reinforce', config, context, { schema: ReinforceConfigSchema });
  }

  // -------------------------------------------------------------------------------------- network

  /** Adam over the policy and value MLPs. */
  protected optimizerSpec(): OptimizerSpec {
    return { kind: 'adam', eps: 1e-8, maxGradNorm: this.config.maxGradNorm };
  }

  // ---------------------------------------------------------------------------------------- learn

  async learn(args: LearnArgs): Promise<LearnResult> {
    // Setup.
    const c = this.config;
    const loop = await TrainingLoop.begin(this, this.learner, args, { backend: c.backend, kind: 'on-policy' });
    const { venv } = loop;
    const N = venv.numEnvs;
    const { numActions: nA, obsDim: D, rngs, episodes } = this.learner;
    const normalizer = this.learner.normalizer!;
    const net = this.network();
    const obs = new Float32Array(N * D);
    const logits = new Float32Array(N * nA);
    const values = new Float32Array(N);
    const actions = new Int32Array(N);
    const first = venv.reset({ seed: rngs.main.integer(0, 2 ** 31) });
    normalizer.observations(first.obs, N, obs, true);
    let masks = first.actionMasks;
    let anyMasks = masks !== undefined;
    const running: Trajectory[] = Array.from({ length: N }, emptyTrajectory);
    /** Finished episodes waiting for the next update, with their bootstrap value (0 unless truncated). */
    let finished: Array<{ trajectory: Trajectory; bootstrap: number }> = [];
    await loop.start();

    const stepMasks = new Uint8Array(N * nA);
    while (loop.running) {
      // Collect until enough episodes finished. The forward pass also yields V(obs), which is the
      // bootstrap value of a truncated episode on the step after it ended (the final observation).
      const pendingTruncated: Array<{ member: number; entry: { trajectory: Trajectory; bootstrap: number } }> = [];
      while (finished.length < c.episodesPerUpdate || pendingTruncated.length > 0) {
        net.forward(obs, N, logits, values);
        for (const { member, entry } of pendingTruncated.splice(0)) entry.bootstrap = values[member];
        if (finished.length >= c.episodesPerUpdate) break;
        for (let i = 0; i < N; i++) actions[i] = MaskedCategorical.sample(logits, i, nA, rngs.act, masks).action;
        // The masks the actions were sampled under: a vector env may rewrite its mask buffer on step().
        if (masks) stepMasks.set(masks);
        const result = venv.step(actions);
        for (let i = 0; i < N; i++) {
          if (result.autoreset[i]) continue;
          const t = running[i];
          for (let k = 0; k < D; k++) t.obs.push(obs[i * D + k]);
          t.actions.push(actions[i]);
          for (let a = 0; a < nA; a++) t.masks.push(masks ? stepMasks[i * nA + a] : 1);
          t.rewards.push(result.rewards[i]);
          loop.count(1);
          if (result.terminated[i] || result.truncated[i]) {
            const entry = { trajectory: t, bootstrap: 0 };
            finished.push(entry);
            if (!result.terminated[i]) pendingTruncated.push({ member: i, entry });
            running[i] = emptyTrajectory();
          }
        }
        episodes.add(result.episodes);
        normalizer.observations(result.obs, N, obs, true);
        masks = result.actionMasks;
        anyMasks ||= masks !== undefined;
      }

      // Returns: G_t = r_t + gamma * G_{t+1}, from the bootstrap value at the end of each episode.
      const B = finished.reduce((n, e) => n + e.trajectory.rewards.length, 0);
      const input: MinibatchInputs = {
        obs: new Float32Array(B * D),
        actions: new Int32Array(B),
        masks: anyMasks ? new Uint8Array(B * nA) : null,
        logProbs: new Float32Array(B),
        // null: the advantage is G_t - V(s_t) from the very forward pass being differentiated, as a constant.
        advantages: null,
        returns: new Float32Array(B),
        values: new Float32Array(B),
      };
      let row = 0;
      for (const { trajectory: t, bootstrap } of finished) {
        const T = t.rewards.length;
        let g = bootstrap;
        for (let k = T - 1; k >= 0; k--) {
          g = t.rewards[k] + c.gamma * g;
          input.returns[row + k] = g;
        }
        for (let k = 0; k < T; k++) {
          for (let d = 0; d < D; d++) input.obs[(row + k) * D + d] = t.obs[k * D + d];
          input.actions[row + k] = t.actions[k];
          if (input.masks) for (let a = 0; a < nA; a++) input.masks[(row + k) * nA + a] = t.masks[k * nA + a];
        }
        row += T;
      }
      finished = [];

      // Update: one gradient step on -mean((G - V) log pi) + vfCoef * mean((G - V)^2) - entCoef * H.
      const stats = { pgLoss: 0, vLoss: 0, entropy: 0, approxKl: 0, clipFraction: 0 };
      const lossOptions = { numActions: nA, clipRange: null, clipRangeVf: null, vfCoef: c.vfCoef, entCoef: c.entCoef, normalizeAdvantage: c.normalizeAdvantage };
      net.gradient(input.obs, B, (out, g) => actorCriticLoss(out, g, input, lossOptions, stats));
      net.step(c.learningRate);
      this.learner.iterations++;

      // Log.
      if (this.learner.iterations % c.logInterval === 0 || loop.budgetSpent) {
        await loop.log((log) => {
          log.record('train/policy_loss', stats.pgLoss);
          log.record('train/value_loss', stats.vLoss);
          log.record('train/entropy_loss', -stats.entropy);
          log.record('train/batch_size', B);
          log.record('train/n_updates', net.optimizer.stepCount);
        });
      }
    }
    return loop.end();
  }
}
