/**
 * Behaviour cloning: a policy trained by supervised learning on recorded transitions (an OfflineDataset,
 * which the runner reads from the spec's `dataset` folder), to take the action the dataset's policy took.
 * The loss is the masked cross-entropy -log pi(a | s) over the actions the row's mask allows, plus an
 * optional entropy bonus. Whole episodes are held out for validation (`validationFraction`); after every
 * epoch the validation loss decides early stopping (`patience` epochs without an improvement of at least
 * `minDelta`), and the best epoch's weights are kept. The step budget of learn() counts training samples
 * (rows x epochs); the env is only checked for shape, never stepped.
 *
 * Reading order: config -> learn() (setup -> split -> epochs: shuffle, minibatch updates, validate, log ->
 * best weights). act, save, load, weights and export are the actor-critic learners' (a value head is kept
 * untrained so the saved folder is the same as PPO's: export reads policy/).
 */
import type { LearnArgs, LearnResult, OfflineDataset } from '../src/core/agent.js';
import { ConfigError, DataError } from '../src/core/errors.js';
import { rowLogSoftmax } from '../src/nn/js-loss.js';
import type { OptimizerSpec } from '../src/nn/optim.js';
import type { PolicyValueNet } from './common/policy-value-net.js';
import { ActorCriticLearner } from './common/actor-critic-learner.js';
import type { AgentContext } from './common/context.js';
import { TrainingLoop } from './common/training-loop.js';
import { z } from 'zod';
import { configDefaults, crossFieldRules } from '../src/core/config-schema.js';
import { activationField, backendField, engineField, initField, logDirField, logDirRule, logFormatsField } from './common/config.js';
import { actorCriticLoss, type MinibatchInputs } from './common/on-policy.js';

// ---------------------------------------------------------------------------------------------- config

export const BcConfigSchema = crossFieldRules(
  z.strictObject({
    learningRate: z.number().gt(0).default(1e-3).describe('Adam learning rate'),
    batchSize: z.number().int().min(1).default(256).describe('Transitions per gradient step'),
    maxEpochs: z.number().int().min(1).default(200).describe('Most passes over the training episodes'),
    validationFraction: z.number().min(0).lt(1).default(0.2).describe('Share of episodes held out for validation and early stopping (0: none, train for the budget)'),
    patience: z.number().int().min(1).default(10).describe('Epochs without a validation improvement before stopping'),
    minDelta: z.number().min(0).default(1e-4).describe('Smallest drop of the validation loss that counts as an improvement'),
    entCoef: z.number().min(0).default(0).describe('Entropy bonus coefficient'),
    maxGradNorm: z.number().gt(0).nullable().default(null).describe('Global gradient-norm clip; null disables it'),
    piLayers: z.array(z.number().int().min(1)).default([64, 64]).describe('Hidden layer sizes of the policy net'),
    vfLayers: z.array(z.number().int().min(1)).default([]).describe('Hidden layer sizes of the (untrained) value head kept for the shared folder format'),
    activation: activationField('tanh', 'Hidden activation'),
    init: initField('orthogonal', 'Weight initialization'),
    normalizeObs: z.boolean().default(false).describe('Normalize observations with the training rows\' statistics'),
    backend: backendField,
    engine: engineField,
    logFormats: logFormatsField,
    logDir: logDirField,
  }),
  logDirRule,
);

export type BcConfig = z.output<typeof BcConfigSchema>;
/** What a user passes: any subset of the fields. */
export type BcConfigInput = z.input<typeof BcConfigSchema>;

export const BC_DEFAULTS: Readonly<BcConfig> = configDefaults(BcConfigSchema);

/** Rows of a dataset, gathered: observations (normalized), actions, masks. */
interface Rows {
  obs: Float32Array;
  actions: Int32Array;
  masks: Uint8Array | null;
}

// --------------------------------------------------------------------------------------------- agent

export class BcAgent extends ActorCriticLearner<BcConfig, 'split' | 'shuffle'> {
  /** Validation loss and accuracy of the kept (best) epoch, after learn(). */
  best: { epoch: number; loss: number; accuracy: number } | null = null;

  constructor(config: BcConfigInput, context: AgentContext) {
    super('bc', config, context, { schema: BcConfigSchema, streams: ['split', 'shuffle'] });
  }

  protected optimizerSpec(): OptimizerSpec {
    return { kind: 'adam', eps: 1e-8, maxGradNorm: this.config.maxGradNorm };
  }

  async learn(args: LearnArgs): Promise<LearnResult> {
    // Setup.
    const c = this.config;
    const loop = await TrainingLoop.begin(this, this.learner, args, { backend: c.backend, kind: 'offline' });
    const dataset = checkDataset(args.dataset, this.learner.obsDim, this.learner.numActions);
    const net = this.network();
    const { numActions: nA, obsDim: D, rngs } = this.learner;

    // Split by whole episodes (steps of one episode are correlated): the last `validationFraction` of a
    // seeded permutation is held out.
    const episodes = dataset.episodeStarts.length - 1;
    const order = rngs.split.shuffle(Int32Array.from({ length: episodes }, (_, i) => i));
    const held = c.validationFraction > 0 && episodes >= 2 ? Math.min(episodes - 1, Math.max(1, Math.round(c.validationFraction * episodes))) : 0;
    const normalizer = this.learner.normalizer!;
    const train = gather(dataset, order.slice(0, episodes - held));
    const validation = held > 0 ? gather(dataset, order.slice(episodes - held)) : null;
    const trainRows = train.actions.length;
    normalizer.observations(train.obs, trainRows, train.obs, true);
    if (validation) normalizer.observations(validation.obs, validation.actions.length, validation.obs, false);
    await loop.start();

    const B = Math.min(c.batchSize, trainRows);
    const batch: MinibatchInputs = {
      obs: new Float32Array(B * D),
      actions: new Int32Array(B),
      masks: train.masks ? new Uint8Array(B * nA) : null,
      logProbs: new Float32Array(B),
      // Advantage 1 and no clipping make the policy-gradient term -mean(log pi(a|s)): the cross-entropy.
      advantages: new Float32Array(B).fill(1),
      returns: new Float32Array(B),
      values: new Float32Array(B),
    };
    const lossOptions = { numActions: nA, clipRange: null, clipRangeVf: null, vfCoef: 0, entCoef: c.entCoef, normalizeAdvantage: false };
    const stats = { pgLoss: 0, vLoss: 0, entropy: 0, approxKl: 0, clipFraction: 0 };
    let bestWeights: Float32Array | null = null;
    let bestLoss = Infinity;
    let sinceBest = 0;

    while (loop.running && this.learner.iterations < c.maxEpochs) {
      // One epoch: shuffled minibatches of B rows (the last partial one is dropped, as SB3 does).
      const perm = rngs.shuffle.shuffle(Int32Array.from({ length: trainRows }, (_, i) => i));
      let lossSum = 0;
      let updates = 0;
      for (let start = 0; start + B <= trainRows && loop.running; start += B) {
        for (let j = 0; j < B; j++) {
          const r = perm[start + j];
          batch.obs.set(train.obs.subarray(r * D, (r + 1) * D), j * D);
          batch.actions[j] = train.actions[r];
          if (batch.masks && train.masks) batch.masks.set(train.masks.subarray(r * nA, (r + 1) * nA), j * nA);
        }
        net.gradient(batch.obs, B, (out, g) => actorCriticLoss(out, g, batch, lossOptions, stats));
        net.step(c.learningRate);
        lossSum += stats.pgLoss;
        updates++;
        loop.count(B);
      }
      this.learner.iterations++;

      // Validate; keep the best epoch's weights.
      const score = validation ? crossEntropy(net, validation, nA, D) : { loss: lossSum / Math.max(updates, 1), accuracy: NaN };
      if (score.loss < bestLoss - c.minDelta || bestWeights === null) {
        bestLoss = score.loss;
        bestWeights = net.getWeights();
        this.best = { epoch: this.learner.iterations, loss: score.loss, accuracy: score.accuracy };
        sinceBest = 0;
      } else {
        sinceBest++;
      }
      const stopping = validation !== null && sinceBest >= c.patience;

      // Log.
      await loop.log((log) => {
        log.record('train/loss', lossSum / Math.max(updates, 1));
        log.record('train/entropy_loss', -stats.entropy);
        if (validation) {
          log.record('train/val_loss', score.loss);
          log.record('train/val_accuracy', score.accuracy);
        }
        log.record('train/best_epoch', this.best!.epoch);
        log.record('train/n_updates', net.optimizer.stepCount);
      });
      if (stopping) break;
    }
    if (bestWeights) {
      net.setWeights(bestWeights);
    }
    return loop.end();
  }
}

/** The dataset learn() was given, checked against the agent's spaces. */
function checkDataset(dataset: OfflineDataset | undefined, obsDim: number, numActions: number): OfflineDataset {
  if (!dataset) throw new ConfigError('Expected a dataset for bc (a spec\'s "dataset": "<dir>/<id>", or learn({dataset})), but got none.');
  if (dataset.obsDim !== obsDim || dataset.numActions !== numActions) {
    throw new DataError(`Expected dataset ${dataset.id} to have observations of ${obsDim} values and ${numActions} actions (the env's), but it has ${dataset.obsDim} and ${dataset.numActions}.`);
  }
  if (dataset.actions.length === 0) throw new DataError(`Expected dataset ${dataset.id} to hold transitions, but it holds none.`);
  return dataset;
}

/** The rows of the given episodes, copied out (observations are normalized in place later). */
function gather(dataset: OfflineDataset, episodes: Int32Array | number[]): Rows {
  const { obsDim: D, numActions: A, episodeStarts } = dataset;
  const rows = Array.from(episodes, (e) => episodeStarts[e + 1] - episodeStarts[e]).reduce((a, b) => a + b, 0);
  const out: Rows = { obs: new Float32Array(rows * D), actions: new Int32Array(rows), masks: dataset.masks ? new Uint8Array(rows * A) : null };
  let row = 0;
  for (const e of episodes) {
    const from = episodeStarts[e];
    const to = episodeStarts[e + 1];
    out.obs.set(dataset.observations.subarray(from * D, to * D), row * D);
    out.actions.set(dataset.actions.subarray(from, to), row);
    if (out.masks && dataset.masks) out.masks.set(dataset.masks.subarray(from * A, to * A), row * A);
    row += to - from;
  }
  return out;
}

/** Mean masked cross-entropy and the share of rows whose most probable allowed action is the recorded one. */
function crossEntropy(net: PolicyValueNet, rows: Rows, nA: number, D: number): { loss: number; accuracy: number } {
  const n = rows.actions.length;
  const chunk = 4096;
  const logits = new Float32Array(chunk * nA);
  const values = new Float32Array(chunk);
  const logp = new Float64Array(nA);
  let loss = 0;
  let hits = 0;
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    net.forward(rows.obs.subarray(start * D, (start + m) * D), m, logits, values);
    for (let j = 0; j < m; j++) {
      rowLogSoftmax(logits, j * nA, nA, logp, rows.masks, (start + j) * nA);
      const a = rows.actions[start + j];
      loss -= logp[a];
      let best = 0;
      for (let k = 1; k < nA; k++) if (logp[k] > logp[best]) best = k;
      if (best === a) hits++;
    }
  }
  return { loss: loss / n, accuracy: hits / n };
}
