/**
 * TfjsRewardModel: an ensemble of k small MLPs that regress the normalized CAT score (MSE) and, with
 * `preferenceWeight` > 0, also fit the preferences with a Bradley-Terry loss, as in Christiano et al. (2017):
 * P(B preferred to A) = sigmoid(beta * (r(B) - r(A))), trained by cross-entropy, with a learned inverse
 * temperature beta per member so the preference loss and the score regression share one [0, 1] scale.
 *
 * Each member trains on its own bootstrap resample of the scores and of the pairs (drawn with the Rng) from
 * its own initialization; the members' mean is the prediction and their standard deviation the
 * uncertainty (a bootstrapped ensemble, as Christiano et al. use for their query selection).
 *
 * How it is built, and why:
 * - The k members are trained together: every weight is a [k, in, out] variable and one batched matMul
 *   runs all members on their own minibatches, so a training step costs one set of tfjs dispatches
 *   instead of k. (This is why it does not use a per-member LayersModel.)
 * - Training is synchronous, because the LearnedRewardWrapper refits inside `step`. With `engine:
 *   "wasm-simd"` (the default) each member trains in the WebAssembly kernels (wasm-ensemble-trainer.ts: the
 *   same loss and the same minibatches); with "tfjs", as below, by `optimizer.minimize`.
 * - Predictions run in plain JS on a Float32 snapshot of the weights taken after each fit, update or load:
 *   the wrapper predicts one or two tasks per env step, where the fixed cost of a tfjs call would dominate.
 *   Every prediction (single row or batch) takes this one path, so numbers never depend on batch size.
 * - Initial weights are Glorot-uniform draws from the model's Rng (no tfjs randomness), so a seed fixes
 *   the weights on every backend; training is bit-reproducible within one backend.
 * - `update` continues from the current weights (warm start) with a fresh Adam, so an update after
 *   `load` matches the update the saved model would have made.
 * - Saved as a tfjs weights folder (model.json + weights.bin, src/nn/io.ts) plus reward-model.json
 *   (config, input standardization, Rng state).
 * - Inputs are standardized with the mean and std of the first `fit`'s data; `update` keeps them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ConfigError, DataError, describeValue } from '../core/errors.js';
import { Rng, type RngState } from '../core/rng.js';
import { resolveConfig } from '../core/config-schema.js';
import { AUTO_WEIGHT_DECAY_ROWS, TfjsRewardModelConfigSchema, type TfjsRewardModelConfig, type TfjsRewardModelConfigInput } from './config.js';
import { glorotUniform } from '../nn/init.js';
import { loadWeights, saveWeights } from '../nn/io.js';
import { writeFileAtomic } from '../core/atomic-fs.js';
import type { RewardModelMetrics } from './metrics.js';
import { WasmEnsembleTrainer, stackMemberBatch, type EnsembleWeights } from './wasm-ensemble-trainer.js';
import {
  checkDataset,
  checkRows,
  evaluateModel,
  readRewardModelMeta,
  REWARD_MODEL_FORMAT,
  REWARD_MODEL_META_FILE,
  type Prediction,
  type RewardDataset,
  type RewardModel,
  type UpdateOptions,
} from './reward-model.js';

export { AUTO_WEIGHT_DECAY_ROWS, type TfjsRewardModelConfig, type TfjsRewardModelConfigInput } from './config.js';

const FORMAT = REWARD_MODEL_FORMAT;
const META_FILE = REWARD_MODEL_META_FILE;
/**
 * The variable holds log(beta) / BETA_RATE: Adam moves every parameter by about the learning rate per
 * step, too slow for the one temperature that sets the scale of the whole preference loss; scaling it
 * lets beta find its level within the first epochs.
 */
const BETA_RATE = 20;

interface Snapshot {
  /** Per layer: weights [k, in, out] and biases [k, out], flat. */
  weights: Float32Array[];
  biases: Float32Array[];
  beta: Float32Array;
}

export class TfjsRewardModel implements RewardModel {
  readonly kind = 'tfjs-mlp';
  readonly warmStarts = true;
  readonly config: Readonly<TfjsRewardModelConfig>;
  readonly dim: number;
  /** Mean training loss of the last step of the latest fit or update (MSE + weighted BT + L2). */
  lastLoss = NaN;
  private rng: Rng;
  private sizes: number[];
  private weightVars: tf.Variable[] = [];
  private biasVars: tf.Variable[] = [];
  private logBeta: tf.Variable | null = null;
  /** The weights on the wasm-simd engine (the tfjs engine keeps them in the variables above). */
  private master: EnsembleWeights | null = null;
  private inputMean: Float32Array;
  private inputStd: Float32Array;
  private snapshot: Snapshot | null = null;
  private disposed = false;

  constructor(config: TfjsRewardModelConfigInput = {}) {
    this.config = resolveConfig(TfjsRewardModelConfigSchema, config, 'tfjs-mlp');
    this.dim = this.config.dim;
    this.rng = new Rng(this.config.seed).fork('tfjs-reward-model');
    this.sizes = [this.dim, ...this.config.hiddenSizes, 1];
    this.inputMean = new Float32Array(this.dim);
    this.inputStd = new Float32Array(this.dim).fill(1);
  }

  get fitted(): boolean {
    return this.snapshot !== null;
  }

  fit(data: RewardDataset): void {
    this.assertUsable();
    checkDataset(data, this.dim);
    requireData(data);
    this.setStandardization(data);
    this.initializeVariables(data);
    this.train(data, this.config.epochs);
  }

  update(data: RewardDataset, options: UpdateOptions = {}): void {
    this.assertUsable();
    if (!this.fitted) return this.fit(data);
    checkDataset(data, this.dim);
    requireData(data);
    const epochs = options.epochs ?? this.config.updateEpochs;
    if (!Number.isInteger(epochs) || epochs < 0) throw new ConfigError(`Expected epochs to be a non-negative integer, but got ${describeValue(epochs)}.`);
    this.train(data, epochs);
  }

  predict(x: Float32Array): Float32Array {
    return this.predictWithUncertainty(x).mean;
  }

  predictWithUncertainty(x: Float32Array): Prediction {
    this.assertUsable();
    const snapshot = this.snapshot;
    if (!snapshot) throw new ConfigError('Expected a fitted reward model (call fit or load first), but got an unfitted one.');
    const rows = checkRows(x, this.dim);
    const k = this.config.ensembleSize;
    const mean = new Float32Array(rows);
    const std = new Float32Array(rows);
    const widest = Math.max(...this.sizes);
    let current = new Float64Array(widest);
    let next = new Float64Array(widest);
    const outputs = new Float64Array(k);
    const relu = this.config.activation === 'relu';
    const layers = this.sizes.length - 1;
    for (let r = 0; r < rows; r++) {
      for (let m = 0; m < k; m++) {
        for (let i = 0; i < this.dim; i++) current[i] = (x[r * this.dim + i] - this.inputMean[i]) / this.inputStd[i];
        for (let l = 0; l < layers; l++) {
          const fanIn = this.sizes[l];
          const fanOut = this.sizes[l + 1];
          const w = snapshot.weights[l];
          const b = snapshot.biases[l];
          const wBase = m * fanIn * fanOut;
          for (let o = 0; o < fanOut; o++) next[o] = b[m * fanOut + o];
          for (let i = 0; i < fanIn; i++) {
            const v = current[i];
            if (v === 0) continue;
            const row = wBase + i * fanOut;
            for (let o = 0; o < fanOut; o++) next[o] += v * w[row + o];
          }
          if (l < layers - 1) {
            for (let o = 0; o < fanOut; o++) next[o] = relu ? (next[o] > 0 ? next[o] : 0) : Math.tanh(next[o]);
          }
          const swap = current;
          current = next;
          next = swap;
        }
        outputs[m] = current[0];
      }
      let sum = 0;
      for (let m = 0; m < k; m++) sum += outputs[m];
      const avg = sum / k;
      let sq = 0;
      for (let m = 0; m < k; m++) sq += (outputs[m] - avg) ** 2;
      mean[r] = avg;
      std[r] = Math.sqrt(sq / k);
    }
    return { mean, std };
  }

  evaluate(data: RewardDataset): RewardModelMetrics {
    return evaluateModel(this, data);
  }

  /** The learned Bradley-Terry inverse temperature of each member. */
  betas(): Float32Array {
    return this.snapshot ? this.snapshot.beta.slice() : new Float32Array(0);
  }

  /** All weights as one flat array (layer by layer: weights then biases, then log-betas), for comparisons. */
  weightsFlat(): Float32Array {
    if (!this.snapshot) return new Float32Array(0);
    return concat([...this.snapshot.weights.flatMap((w, l) => [w, this.snapshot!.biases[l]]), this.rawLogBeta()]);
  }

  async save(dir: string): Promise<void> {
    this.assertUsable();
    if (!this.snapshot) throw new ConfigError('Expected a fitted reward model to save, but got an unfitted one.');
    const k = this.config.ensembleSize;
    const named: Array<{ name: string; shape: number[]; values: Float32Array }> = [];
    for (let l = 0; l < this.sizes.length - 1; l++) {
      named.push({ name: `member_dense_${l}/kernel`, shape: [k, this.sizes[l], this.sizes[l + 1]], values: this.snapshot.weights[l] });
      named.push({ name: `member_dense_${l}/bias`, shape: [k, 1, this.sizes[l + 1]], values: this.snapshot.biases[l] });
    }
    named.push({ name: 'log_beta', shape: [k, 1, 1], values: this.rawLogBeta() });
    await saveWeights(dir, named);
    const meta = {
      format: FORMAT,
      version: 1,
      kind: this.kind,
      config: this.config,
      sizes: this.sizes,
      inputMean: Array.from(this.inputMean),
      inputStd: Array.from(this.inputStd),
      rng: this.rng.state(),
    };
    writeFileAtomic(join(dir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  }

  async load(dir: string): Promise<void> {
    this.assertUsable();
    const meta = readRewardModelMeta(dir);
    if (meta.kind !== this.kind) throw new DataError(`Expected a ${this.kind} reward model in ${dir}, but got ${describeValue(meta.kind)}.`);
    const config = resolveConfig(TfjsRewardModelConfigSchema, meta.config, 'tfjs-mlp');
    (this as { config: Readonly<TfjsRewardModelConfig> }).config = config;
    (this as { dim: number }).dim = config.dim;
    this.sizes = meta.sizes as number[];
    this.inputMean = Float32Array.from(meta.inputMean as number[]);
    this.inputStd = Float32Array.from(meta.inputStd as number[]);
    this.rng = Rng.fromState(meta.rng as RngState);
    const named = await loadWeights(dir);
    const layers = this.sizes.length - 1;
    if (named.length !== 2 * layers + 1) throw new DataError(`Expected ${2 * layers + 1} weight tensors in ${dir}, but got ${named.length}.`);
    const k = config.ensembleSize;
    this.disposeVariables();
    const at = (i: number, size: number) => {
      if (named[i].values.length !== size) throw new DataError(`Expected ${size} values in weight tensor ${i} of ${dir}, but got ${named[i].values.length}.`);
      return named[i].values.slice();
    };
    this.setWeights({
      weights: Array.from({ length: layers }, (_, l) => at(2 * l, k * this.sizes[l] * this.sizes[l + 1])),
      biases: Array.from({ length: layers }, (_, l) => at(2 * l + 1, k * this.sizes[l + 1])),
      rawLogBeta: at(2 * layers, k),
    });
    this.takeSnapshot();
  }

  dispose(): void {
    this.disposeVariables();
    this.snapshot = null;
    this.disposed = true;
  }

  private assertUsable(): void {
    if (this.disposed) throw new ConfigError('Expected a live reward model, but dispose() was already called.');
  }

  private setStandardization(data: RewardDataset): void {
    // Scored rows and both sides of every pair all describe tasks; together they set the input scale.
    const d = this.dim;
    const sources = [data.x, data.pairA, data.pairB];
    let rows = 0;
    const sum = new Float64Array(d);
    const sumSq = new Float64Array(d);
    for (const src of sources) {
      for (let r = 0; r < src.length / d; r++) {
        for (let i = 0; i < d; i++) {
          const v = src[r * d + i];
          sum[i] += v;
          sumSq[i] += v * v;
        }
        rows++;
      }
    }
    for (let i = 0; i < d; i++) {
      const mean = sum[i] / rows;
      const variance = Math.max(0, sumSq[i] / rows - mean * mean);
      this.inputMean[i] = mean;
      // A floor keeps rare one-hot entries from being blown up to huge values.
      this.inputStd[i] = Math.max(Math.sqrt(variance), 0.1);
    }
  }

  private initializeVariables(data: RewardDataset): void {
    this.disposeVariables();
    const k = this.config.ensembleSize;
    const initRng = this.rng.fork(`init-${this.rng.uint32()}`);
    let meanY = 0.5;
    if (data.y.length > 0) {
      meanY = 0;
      for (let i = 0; i < data.y.length; i++) meanY += data.y[i];
      meanY /= data.y.length;
    }
    const initial: EnsembleWeights = { weights: [], biases: [], rawLogBeta: new Float32Array(k).fill(Math.log(this.config.initialBeta) / BETA_RATE) };
    for (let l = 0; l < this.sizes.length - 1; l++) {
      const fanIn = this.sizes[l];
      const fanOut = this.sizes[l + 1];
      const w = new Float32Array(k * fanIn * fanOut);
      for (let m = 0; m < k; m++) w.set(glorotUniform(fanIn, fanOut, 1, initRng), m * fanIn * fanOut);
      initial.weights.push(w);
      // The output starts at the mean score, so early BT-only gradients do not drag the level around.
      initial.biases.push(new Float32Array(k * fanOut).fill(l === this.sizes.length - 2 ? meanY : 0));
    }
    this.setWeights(initial);
  }

  /** Puts weights in place on the configured engine: the master arrays, or tfjs variables. */
  private setWeights(weights: EnsembleWeights): void {
    const k = this.config.ensembleSize;
    if (this.config.engine === 'wasm-simd') {
      this.master = weights;
      return;
    }
    for (let l = 0; l < this.sizes.length - 1; l++) {
      this.weightVars.push(variableFrom(tf.tensor3d(weights.weights[l], [k, this.sizes[l], this.sizes[l + 1]])));
      this.biasVars.push(variableFrom(tf.tensor3d(weights.biases[l], [k, 1, this.sizes[l + 1]])));
    }
    this.logBeta = variableFrom(tf.tensor3d(weights.rawLogBeta, [k, 1, 1]));
  }

  private disposeVariables(): void {
    for (const v of [...this.weightVars, ...this.biasVars]) v.dispose();
    this.logBeta?.dispose();
    this.weightVars = [];
    this.biasVars = [];
    this.logBeta = null;
    this.master = null;
  }

  private forward(x: tf.Tensor3D): tf.Tensor3D {
    let h: tf.Tensor3D = x;
    const layers = this.weightVars.length;
    for (let l = 0; l < layers; l++) {
      h = batchedDense(h, this.weightVars[l] as tf.Tensor3D, this.biasVars[l] as tf.Tensor3D);
      if (l < layers - 1) h = this.config.activation === 'relu' ? tf.relu(h) : tf.tanh(h);
    }
    return h;
  }

  private train(data: RewardDataset, epochs: number): void {
    const { ensembleSize: k, batchSize, bootstrap } = this.config;
    const d = this.dim;
    const n = data.y.length;
    const usePairs = this.config.preferenceWeight > 0 && data.preferred.length > 0;
    const m = usePairs ? data.preferred.length : 0;
    const weightDecay = this.config.weightDecay === 'auto' ? AUTO_WEIGHT_DECAY_ROWS / Math.max(1, n + m) : this.config.weightDecay;
    const trainRng = this.rng.fork(`train-${this.rng.uint32()}`);
    // Each member's sample: a bootstrap resample (or the full data), reshuffled every epoch.
    const scoreSets = Array.from({ length: k }, () => memberSample(trainRng, n, bootstrap));
    const pairSets = Array.from({ length: k }, () => memberSample(trainRng, m, bootstrap));
    const stepsPerEpoch = Math.max(1, Math.ceil(Math.max(n, usePairs ? m : 0) / batchSize));
    const scoreBatch = Math.min(batchSize, n);
    const pairBatch = usePairs ? Math.min(m, Math.max(8, Math.ceil(m / stepsPerEpoch))) : 0;
    const xs = new Float32Array(k * scoreBatch * d);
    const ys = new Float32Array(k * scoreBatch);
    const as = new Float32Array(k * pairBatch * d);
    const bs = new Float32Array(k * pairBatch * d);
    const labels = new Float32Array(k * pairBatch);
    const scoreCursor = new Int32Array(k);
    const pairCursor = new Int32Array(k);
    const wasm = this.master
      ? new WasmEnsembleTrainer(this.master, { sizes: this.sizes, activation: this.config.activation, k, scoreRows: scoreBatch, pairRows: pairBatch, learningRate: this.config.learningRate, weightDecay, preferenceWeight: usePairs ? this.config.preferenceWeight : 0, betaRate: BETA_RATE })
      : null;
    const memberBatches = wasm ? Array.from({ length: k }, () => ({ x: new Float32Array((scoreBatch + 2 * pairBatch) * d), y: new Float32Array(scoreBatch), labels: new Float32Array(pairBatch) })) : [];
    const optimizer = tf.train.adam(this.config.learningRate);
    const varList = [...this.weightVars, ...this.biasVars, ...(this.logBeta ? [this.logBeta] : [])];
    const mean = tf.tensor1d(this.inputMean);
    const std = tf.tensor1d(this.inputStd);
    let lastCost = null as tf.Scalar | null;
    try {
      for (let epoch = 0; epoch < epochs; epoch++) {
        for (let s = 0; s < k; s++) {
          trainRng.shuffle(scoreSets[s]);
          trainRng.shuffle(pairSets[s]);
          scoreCursor[s] = 0;
          pairCursor[s] = 0;
        }
        for (let step = 0; step < stepsPerEpoch; step++) {
          for (let s = 0; s < k; s++) {
            for (let j = 0; j < scoreBatch; j++) {
              if (scoreCursor[s] >= n) scoreCursor[s] = 0;
              const row = scoreSets[s][scoreCursor[s]++];
              xs.set(data.x.subarray(row * d, row * d + d), (s * scoreBatch + j) * d);
              ys[s * scoreBatch + j] = data.y[row];
            }
            for (let j = 0; j < pairBatch; j++) {
              if (pairCursor[s] >= m) pairCursor[s] = 0;
              const row = pairSets[s][pairCursor[s]++];
              as.set(data.pairA.subarray(row * d, row * d + d), (s * pairBatch + j) * d);
              bs.set(data.pairB.subarray(row * d, row * d + d), (s * pairBatch + j) * d);
              labels[s * pairBatch + j] = data.preferred[row];
            }
          }
          const last = epoch === epochs - 1 && step === stepsPerEpoch - 1;
          if (wasm) {
            memberBatches.forEach((batch, s) => stackMemberBatch(batch, s, { xs, ys, as, bs, labels }, scoreBatch, pairBatch, this.inputMean, this.inputStd));
            wasm.step(memberBatches);
            if (last) this.lastLoss = wasm.lastLoss;
            continue;
          }
          tf.tidy(() => {
            const standardize = (t: tf.Tensor3D) => tf.div(tf.sub(t, mean), std) as tf.Tensor3D;
            const xT = scoreBatch > 0 ? standardize(tf.tensor3d(xs, [k, scoreBatch, d])) : null;
            const yT = scoreBatch > 0 ? tf.tensor3d(ys, [k, scoreBatch, 1]) : null;
            const aT = pairBatch > 0 ? standardize(tf.tensor3d(as, [k, pairBatch, d])) : null;
            const bT = pairBatch > 0 ? standardize(tf.tensor3d(bs, [k, pairBatch, d])) : null;
            const lT = pairBatch > 0 ? tf.tensor3d(labels, [k, pairBatch, 1]) : null;
            const cost = optimizer.minimize(
              () => {
                let loss = tf.scalar(0);
                if (xT && yT) loss = tf.add(loss, tf.mean(tf.square(tf.sub(this.forward(xT), yT))));
                if (aT && bT && lT) {
                  // Logit of "B preferred": beta * (r(B) - r(A)); label 1 when B won.
                  const logits = tf.mul(tf.exp(tf.mul(this.logBeta!, BETA_RATE)), tf.sub(this.forward(bT), this.forward(aT)));
                  loss = tf.add(loss, tf.mul(this.config.preferenceWeight, tf.losses.sigmoidCrossEntropy(lT, logits)));
                }
                if (weightDecay > 0) {
                  for (const w of this.weightVars) loss = tf.add(loss, tf.mul(weightDecay / k, tf.sum(tf.square(w))));
                }
                return loss as tf.Scalar;
              },
              last,
              varList,
            );
            if (cost) lastCost = tf.keep(cost);
          });
        }
      }
      if (lastCost) this.lastLoss = lastCost.dataSync()[0];
      wasm?.finish();
    } finally {
      lastCost?.dispose();
      mean.dispose();
      std.dispose();
      optimizer.dispose();
    }
    this.takeSnapshot();
  }

  /** log(beta) / BETA_RATE per member, as stored in the variable. */
  private rawLogBeta(): Float32Array {
    if (this.master) return this.master.rawLogBeta.slice();
    return this.logBeta ? (this.logBeta.dataSync() as Float32Array).slice() : new Float32Array(this.config.ensembleSize);
  }

  private takeSnapshot(): void {
    if (this.master) {
      this.snapshot = { weights: this.master.weights.map((w) => w.slice()), biases: this.master.biases.map((b) => b.slice()), beta: this.rawLogBeta().map((v) => Math.exp(v * BETA_RATE)) };
      return;
    }
    this.snapshot = {
      weights: this.weightVars.map((v) => (v.dataSync() as Float32Array).slice()),
      biases: this.biasVars.map((v) => (v.dataSync() as Float32Array).slice()),
      beta: this.rawLogBeta().map((v) => Math.exp(v * BETA_RATE)),
    };
  }
}

/**
 * x [k, B, in] @ w [k, in, out] + b [k, 1, out], with a gradient that transposes explicitly: on the wasm
 * backend a matMul with a transposed operand (what tfjs's own matMul gradient emits) is several times
 * slower than a transpose followed by a plain matMul (the same trick as src/nn/mlp.ts, for batched weights).
 */
const batchedDense = tf.customGrad(((x: tf.Tensor3D, w: tf.Tensor3D, b: tf.Tensor3D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor3D, tf.Tensor3D];
      return [tf.matMul(dy, tf.transpose(sw, [0, 2, 1])), tf.matMul(tf.transpose(sx, [0, 2, 1]), dy), tf.sum(dy, 1, true)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor3D, w: tf.Tensor3D, b: tf.Tensor3D) => tf.Tensor3D;

/** A trainable variable holding `initial`'s values; `initial` is disposed (tf.variable copies it). */
function variableFrom(initial: tf.Tensor): tf.Variable {
  const v = tf.variable(initial, true, undefined, 'float32');
  initial.dispose();
  return v;
}

function memberSample(rng: Rng, n: number, bootstrap: boolean): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = bootstrap ? rng.integer(0, n) : i;
  return out;
}

function requireData(data: RewardDataset): void {
  if (data.y.length === 0 && data.preferred.length === 0) {
    throw new ConfigError('Expected at least one scored task or preference to fit on, but got an empty dataset.');
  }
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

