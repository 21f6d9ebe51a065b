/**
 * REINFORCE (Williams 1992) with a learned value baseline: Monte-Carlo returns of complete episodes,
 * policy gradient on (G_t - V(s_t)), a value regression on G_t, one gradient step per batch of
 * `episodesPerUpdate` finished episodes. A truncated episode's return is bootstrapped from V(final obs);
 * a terminated one's is not. Episodes still running at an update carry over to the next batch (their
 * first steps were then sampled by a slightly older policy: the usual approximation with vector envs).
 *
 * Reading order: config -> network -> learn() (setup -> collect episodes -> returns -> update -> log).
 */
import * as tf from '@tensorflow/tfjs';
import type { Agent, ActOptions, LearnArgs, LearnResult, TrainingState } from '../src/core/agent.js';
import { ConfigError } from '../src/core/errors.js';
import { Rng } from '../src/core/rng.js';
import { ensureBackend } from '../src/nn/backend.js';
import { MaskedCategorical } from '../src/nn/distributions.js';
import { jsLoss } from '../src/nn/js-loss.js';
import { FlatAdam } from '../src/nn/optim.js';
import { ActorCritic } from './common/actor-critic.js';
import { Logger } from './common/logger.js';
import { EpisodeStats } from './common/episodes.js';
import { Normalizer } from './common/normalize.js';
import { runHooks, endHooks } from './common/hooks.js';
import { toVectorEnv, discreteActions } from './common/vec.js';
import { z } from 'zod';
import { configDefaults, crossFieldRules, resolveConfig } from '../src/core/config-schema.js';
import { activationField, backendField, checkTotalSteps, discountField, hiddenLayers, initField, logDirField, logDirRule, logFormatsField } from './common/config.js';
import { saveOnPolicy, readSavedOnPolicy, loadNetworkAndOptimizer, actorCriticLoss, type AgentContext, type MinibatchInputs } from './common/on-policy.js';

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

export class ReinforceAgent implements Agent {
  readonly name = 'reinforce';
  config: ReinforceConfig;
  readonly logger: Logger;
  private net: ActorCritic | null = null;
  private optimizer: FlatAdam | null = null;
  private readonly obsDim: number;
  private readonly numActions: number;
  private rng: Rng;
  private actRng: Rng;
  private normalizer: Normalizer;
  private episodes = new EpisodeStats();
  stepsDone = 0;
  iterations = 0;

  constructor(config: ReinforceConfigInput, private readonly context: AgentContext) {
    this.config = resolveConfig(ReinforceConfigSchema, config, 'reinforce');
    this.obsDim = context.observationSpace.flatDim;
    this.numActions = discreteActions(context.actionSpace, 'reinforce');
    this.rng = context.rng ?? new Rng(context.seed ?? 0);
    this.actRng = this.rng.fork('act');
    this.normalizer = new Normalizer(this.obsDim, this.config.normalizeObs, false, this.config.gamma);
    this.logger = new Logger({ formats: this.config.logFormats, ...(this.config.logDir ? { dir: this.config.logDir } : {}) });
  }

  // -------------------------------------------------------------------------------------- network

  private network(): { net: ActorCritic; optimizer: FlatAdam } {
    if (!this.net || !this.optimizer) {
      const c = this.config;
      this.net = new ActorCritic(
        { obsDim: this.obsDim, numActions: this.numActions, piHidden: c.piLayers, vfHidden: c.vfLayers, activation: c.activation, init: c.init },
        this.rng.fork('init'),
      );
      this.optimizer = new FlatAdam(this.net.params, { maxGradNorm: c.maxGradNorm });
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
    const obs = new Float32Array(N * D);
    const logits = new Float32Array(N * nA);
    const values = new Float32Array(N);
    const actions = new Int32Array(N);
    const first = venv.reset({ seed: this.rng.integer(0, 2 ** 31) });
    this.normalizer.observations(first.obs, N, obs, true);
    let masks = first.actionMasks;
    let anyMasks = masks !== undefined;
    const running: Trajectory[] = Array.from({ length: N }, emptyTrajectory);
    /** Finished episodes waiting for the next update, with their bootstrap value (0 unless truncated). */
    let finished: Array<{ trajectory: Trajectory; bootstrap: number }> = [];
    const startTime = performance.now();
    let stepsThisCall = 0;
    let stoppedEarly = false;
    const state = (): TrainingState => ({
      stepsDone: this.stepsDone, totalSteps, iteration: this.iterations, newEpisodes: this.episodes.takeNew(), metrics: this.logger.latest, agent: this,
    });
    if (!(await runHooks(hooks, 'onStart', state()))) stoppedEarly = true;

    while (!stoppedEarly && stepsThisCall < totalSteps) {
      // Collect until enough episodes finished. The forward pass also yields V(obs), which is the
      // bootstrap value of a truncated episode on the step after it ended (the final observation).
      const pendingTruncated: Array<{ member: number; entry: { trajectory: Trajectory; bootstrap: number } }> = [];
      while (finished.length < c.episodesPerUpdate || pendingTruncated.length > 0) {
        net.forward(obs, N, logits, values);
        for (const { member, entry } of pendingTruncated.splice(0)) entry.bootstrap = values[member];
        if (finished.length >= c.episodesPerUpdate) break;
        for (let i = 0; i < N; i++) actions[i] = MaskedCategorical.sample(logits, i, nA, this.actRng, masks).action;
        const result = venv.step(actions);
        for (let i = 0; i < N; i++) {
          if (result.autoreset[i]) continue;
          const t = running[i];
          for (let k = 0; k < D; k++) t.obs.push(obs[i * D + k]);
          t.actions.push(actions[i]);
          for (let a = 0; a < nA; a++) t.masks.push(masks ? masks[i * nA + a] : 1);
          t.rewards.push(result.rewards[i]);
          stepsThisCall++;
          this.stepsDone++;
          if (result.terminated[i] || result.truncated[i]) {
            const entry = { trajectory: t, bootstrap: 0 };
            finished.push(entry);
            if (!result.terminated[i]) pendingTruncated.push({ member: i, entry });
            running[i] = emptyTrajectory();
          }
        }
        this.episodes.add(result.episodes);
        this.normalizer.observations(result.obs, N, obs, true);
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
      const grad = net.params.gradient((...views: tf.Tensor[]) =>
        jsLoss(net.output(tf.tensor2d(input.obs, [B, D]), views), (out, g) => actorCriticLoss(out, g, input, lossOptions, stats)),
      );
      optimizer.step(grad, c.learningRate);
      this.iterations++;

      // Log.
      if (this.iterations % c.logInterval === 0 || stepsThisCall >= totalSteps) {
        const elapsed = (performance.now() - startTime) / 1000;
        const log = this.logger;
        this.episodes.record((k, v) => log.record(k, v));
        log.record('train/policy_loss', stats.pgLoss);
        log.record('train/value_loss', stats.vLoss);
        log.record('train/entropy_loss', -stats.entropy);
        log.record('train/batch_size', B);
        log.record('train/n_updates', optimizer.stepCount);
        log.record('time/iterations', this.iterations);
        log.record('time/fps', Math.round(stepsThisCall / Math.max(elapsed, 1e-9)));
        log.record('time/time_elapsed', elapsed);
        log.dump(this.stepsDone);
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
    const saved = await readSavedOnPolicy<ReinforceConfig>(dir, this.name, this.context);
    this.config = resolveConfig(ReinforceConfigSchema, saved.config, 'reinforce');
    await ensureBackend(this.config.backend);
    this.dispose();
    const { net, optimizer } = this.network();
    await loadNetworkAndOptimizer(dir, net, optimizer, saved);
    this.rng = Rng.fromState(saved.rng.main);
    this.actRng = Rng.fromState(saved.rng.act);
    this.normalizer = new Normalizer(this.obsDim, this.config.normalizeObs, false, this.config.gamma);
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
