/**
 * DQN's Q network and its target copy, whatever engine computes them (policy-value-net.ts describes the
 * engines): an MLP from observations to one Q-value per action, a target net of the same layout that
 * only changes when `syncTarget()` copies the online weights into it, and Adam on the online net.
 *
 * Training is two calls, as for the actor-critic nets: `gradient(obs, rows, lossHead)` (the loss head,
 * written in JavaScript, gets the online Q-values and fills in dLoss/dQ) and `step(lr)`. Saved as two tfjs
 * LayersModels (q/ is what export reads, target/), the same files from either engine.
 */
import type { StatefulOptimizer } from '../../src/nn/optim.js';
import type { Activation } from '../../src/nn/mlp.js';
import type { InitName } from '../../src/nn/init.js';
import type * as tf from '@tensorflow/tfjs';
import type { Engine, LossHead } from './policy-value-net.js';

export interface QNetOptions {
  obsDim: number;
  numActions: number;
  hidden: readonly number[];
  activation: Activation;
  init: InitName;
  /** Global-norm gradient clip of the Adam step. */
  maxGradNorm: number;
}

export type QNetRole = 'online' | 'target';

export interface QNet {
  readonly engine: Engine;
  readonly options: QNetOptions;
  readonly optimizer: StatefulOptimizer;
  /** Q-values ([rows, numActions], row-major) of `rows` observations under the online or target weights: a new array. */
  qValues(role: QNetRole, obs: Float32Array, rows: number): Float32Array;
  /** dLoss/dParams of the online net for `lossHead` on its Q-values, kept for the next step(). */
  gradient(obs: Float32Array, rows: number, lossHead: LossHead): void;
  /** One Adam update of the online net from the last gradient. */
  step(lr: number): void;
  /** target := online. */
  syncTarget(): void;
  /** A copy of one net's weights: each layer's [in, out] kernel then its bias, layer by layer. */
  getWeights(role: QNetRole): Float32Array;
  setWeights(role: QNetRole, weights: Float32Array): void;
  /** One net as a tfjs LayersModel (for saving and export). */
  layersModel(role: QNetRole): tf.Sequential;
  dispose(): void;
}
