/**
 * The `tfjs` engine of QNet (q-net.ts): the online and target nets as two ParamSets of one Mlp layout,
 * Adam as a JS loop (src/nn/optim.ts). A relu net takes the lean path (src/nn/lean-mlp.ts: one fused matMul
 * per layer forward, the hand-chained backward), other activations tfjs's gradient tape with jsLoss.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../src/core/rng.js';
import { DataError } from '../../src/core/errors.js';
import { jsLoss } from '../../src/nn/js-loss.js';
import { leanForward, leanGradient } from '../../src/nn/lean-mlp.js';
import { Mlp } from '../../src/nn/mlp.js';
import { FlatAdam } from '../../src/nn/optim.js';
import { ParamSet } from '../../src/nn/params.js';
import type { LossHead } from './policy-value-net.js';
import type { QNet, QNetOptions, QNetRole } from './q-net.js';

export class TfjsQNet implements QNet {
  readonly engine = 'tfjs' as const;
  readonly optimizer: FlatAdam;
  private readonly params: Record<QNetRole, ParamSet> = { online: new ParamSet(), target: new ParamSet() };
  private readonly mlp: Mlp;
  /** Reused gradient array of the lean (relu) path. */
  private readonly gradBuffer: Float32Array;
  private grad: Float32Array | null = null;

  /** Both nets start from the same draws of `rng` (two forks of one state). */
  constructor(readonly options: QNetOptions, rng: Rng) {
    const mlpOptions = {
      name: 'q',
      inputDim: options.obsDim,
      hiddenSizes: options.hidden,
      outputDim: options.numActions,
      activation: options.activation,
      init: options.init,
      hiddenGain: options.init === 'orthogonal' ? Math.SQRT2 : 1,
      outputGain: 1,
    };
    this.mlp = new Mlp(mlpOptions, this.params.online, rng.fork('init'));
    new Mlp(mlpOptions, this.params.target, rng.fork('init'));
    this.params.online.build();
    this.params.target.build();
    this.optimizer = new FlatAdam(this.params.online, { maxGradNorm: options.maxGradNorm });
    this.gradBuffer = new Float32Array(this.params.online.size);
  }

  qValues(role: QNetRole, obs: Float32Array, rows: number): Float32Array {
    const params = this.params[role];
    if (this.options.activation === 'relu') return leanForward(this.mlp, params, obs, rows);
    const out = tf.tidy(() => this.mlp.apply(tf.tensor2d(obs.subarray(0, rows * this.options.obsDim), [rows, this.options.obsDim]), params));
    const data = out.dataSync() as Float32Array;
    out.dispose();
    return data;
  }

  gradient(obs: Float32Array, rows: number, lossHead: LossHead): void {
    const online = this.params.online;
    if (this.options.activation === 'relu') {
      this.grad = leanGradient(this.mlp, online, obs, rows, lossHead, this.gradBuffer);
      return;
    }
    const x = obs.subarray(0, rows * this.options.obsDim);
    this.grad = online.gradient((...views: tf.Tensor[]) => jsLoss(this.mlp.apply(tf.tensor2d(x, [rows, this.options.obsDim]), online, views), lossHead));
  }

  step(lr: number): void {
    if (!this.grad) throw new DataError('Expected gradient() before step(), but no gradient has been computed.');
    this.optimizer.step(this.grad, lr);
    this.grad = null;
  }

  syncTarget(): void {
    this.params.target.copyFrom(this.params.online);
  }

  getWeights(role: QNetRole): Float32Array {
    return this.params[role].read();
  }

  setWeights(role: QNetRole, weights: Float32Array): void {
    const params = this.params[role];
    if (weights.length !== params.size) throw new DataError(`Expected ${params.size} weights for the ${role} Q net, but got ${weights.length}.`);
    params.assign(weights);
  }

  layersModel(role: QNetRole): tf.Sequential {
    return this.mlp.toLayersModel(this.params[role]);
  }

  dispose(): void {
    this.params.online.dispose();
    this.params.target.dispose();
  }
}
