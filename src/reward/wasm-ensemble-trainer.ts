/**
 * The reward model's training on the wasm-simd engine: each ensemble member is one WasmMlp (src/nn/wasm-mlp.ts)
 * and takes, per step, ONE forward and backward pass over its scored rows and both sides of its pairs
 * stacked ([scores; A; B]), with the loss computed here in float64:
 *   MSE      mean over all members' scored rows of (r(x) - y)^2
 *   BT       preferenceWeight x mean over all members' pairs of the sigmoid cross-entropy of
 *            z = beta (r(B) - r(A)) against "B preferred", beta = exp(BETA_RATE x raw) per member
 *   L2       weightDecay / k x the sum of squared kernel weights (not biases) of all members
 * which is the tfjs engine's loss term for term (tfjs-reward-model.ts), so both engines fit the same
 * model; they differ in float32 summation order only. Adam follows tf.train.adam (epsilon 1e-7) with fresh
 * state per fit or update, for the weights (in the kernels) and for each member's raw log-beta (here).
 *
 * The master weights are the model's [k, in, out] / [k, 1, out] arrays; each call copies a member in,
 * trains, and copies it back.
 */
import { WasmMlp } from '../nn/wasm-mlp.js';

export interface EnsembleWeights {
  /** Per layer: kernels [k, in, out] and biases [k, 1, out], flat. */
  weights: Float32Array[];
  biases: Float32Array[];
  /** Raw log-beta per member (log(beta) / betaRate). */
  rawLogBeta: Float32Array;
}

/** One member's minibatch for one step: its scored rows and pairs, standardized, as the tfjs engine draws them. */
export interface MemberBatch {
  /** [scoreRows + 2 pairRows, dim]: scored rows, then the A sides, then the B sides. */
  x: Float32Array;
  y: Float32Array;
  labels: Float32Array;
}

export interface EnsembleTrainerOptions {
  sizes: readonly number[];
  activation: 'relu' | 'tanh';
  k: number;
  scoreRows: number;
  pairRows: number;
  learningRate: number;
  weightDecay: number;
  preferenceWeight: number;
  betaRate: number;
}

/**
 * Member s's standardized [scores; A; B] rows and its targets, from one step's draws for all members
 * ([k, S, d] scored rows, [k, P, d] pair sides, as the tfjs engine lays them out).
 */
export function stackMemberBatch(
  batch: MemberBatch,
  s: number,
  draws: { xs: Float32Array; ys: Float32Array; as: Float32Array; bs: Float32Array; labels: Float32Array },
  S: number,
  P: number,
  mean: Float32Array,
  std: Float32Array,
): void {
  const d = mean.length;
  const put = (src: Float32Array, from: number, rows: number, at: number) => {
    for (let i = 0; i < rows * d; i++) batch.x[at * d + i] = (src[from * d + i] - mean[i % d]) / std[i % d];
  };
  put(draws.xs, s * S, S, 0);
  put(draws.as, s * P, P, S);
  put(draws.bs, s * P, P, S + P);
  batch.y.set(draws.ys.subarray(s * S, (s + 1) * S));
  batch.labels.set(draws.labels.subarray(s * P, (s + 1) * P));
}

const BETA1 = 0.9;
const BETA2 = 0.999;
/** tf.train.adam's epsilon on float32 backends. */
const EPSILON = 1e-7;

export class WasmEnsembleTrainer {
  private readonly nets: WasmMlp[];
  private readonly betaM: Float64Array;
  private readonly betaV: Float64Array;
  private t = 0;
  /** Total loss of the last step (all members' terms, as one scalar). */
  lastLoss = NaN;

  constructor(private readonly master: EnsembleWeights, private readonly o: EnsembleTrainerOptions) {
    const rows = Math.max(1, o.scoreRows + 2 * o.pairRows);
    const [inputDim, ...rest] = o.sizes;
    this.nets = Array.from({ length: o.k }, (_, m) => {
      const net = new WasmMlp({ inputDim, hiddenSizes: rest.slice(0, -1), outputDim: 1, activation: o.activation, maxRows: rows, optimizerSlots: 2 });
      net.setWeights(this.memberWeights(net, m));
      return net;
    });
    this.betaM = new Float64Array(o.k);
    this.betaV = new Float64Array(o.k);
  }

  /** Member m's weights in the canonical layout, from the master arrays. */
  private memberWeights(net: WasmMlp, m: number): Float32Array {
    const flat = new Float32Array(net.size);
    net.layers.forEach((layer, l) => {
      const size = layer.inDim * layer.outDim;
      flat.set(this.master.weights[l].subarray(m * size, (m + 1) * size), layer.kernel);
      flat.set(this.master.biases[l].subarray(m * layer.outDim, (m + 1) * layer.outDim), layer.bias);
    });
    return flat;
  }

  /** One Adam step of every member on its batch (batches[m]). */
  step(batches: readonly MemberBatch[]): void {
    const { k, scoreRows: S, pairRows: P, preferenceWeight: pw, weightDecay: wd, betaRate } = this.o;
    const rows = S + 2 * P;
    this.t++;
    let mse = 0;
    let bt = 0;
    let l2 = 0;
    const betaGrad = new Float64Array(k);
    for (let m = 0; m < k; m++) {
      const net = this.nets[m];
      const batch = batches[m];
      net.input(rows).set(batch.x.subarray(0, rows * this.o.sizes[0]));
      const r = net.forward(rows);
      const d = net.outputGradient(rows);
      d.fill(0);
      for (let j = 0; j < S; j++) {
        const err = r[j] - batch.y[j];
        mse += err * err;
        d[j] = (2 * err) / (k * S);
      }
      if (P > 0 && pw > 0) {
        const beta = Math.exp(betaRate * this.master.rawLogBeta[m]);
        for (let j = 0; j < P; j++) {
          const diff = r[S + P + j] - r[S + j];
          const z = beta * diff;
          const label = batch.labels[j];
          bt += Math.max(z, 0) - z * label + Math.log1p(Math.exp(-Math.abs(z)));
          const dz = ((1 / (1 + Math.exp(-z)) - label) * pw) / (k * P);
          d[S + P + j] = dz * beta;
          d[S + j] = -dz * beta;
          betaGrad[m] += dz * z * betaRate;
        }
      }
      net.backward(rows);
      if (wd > 0) {
        const weights = net.getWeights();
        const grad = net.gradient();
        for (const layer of net.layers) {
          for (let i = layer.kernel; i < layer.kernel + layer.inDim * layer.outDim; i++) {
            l2 += weights[i] * weights[i];
            grad[i] += ((2 * wd) / k) * weights[i];
          }
        }
      }
      net.adamStep(this.o.learningRate, BETA1, BETA2, EPSILON, this.t, 1);
    }
    if (P > 0 && pw > 0) {
      const lr = this.o.learningRate;
      for (let m = 0; m < k; m++) {
        this.betaM[m] = BETA1 * this.betaM[m] + (1 - BETA1) * betaGrad[m];
        this.betaV[m] = BETA2 * this.betaV[m] + (1 - BETA2) * betaGrad[m] * betaGrad[m];
        const mHat = this.betaM[m] / (1 - BETA1 ** this.t);
        const vHat = this.betaV[m] / (1 - BETA2 ** this.t);
        this.master.rawLogBeta[m] -= (lr * mHat) / (Math.sqrt(vHat) + EPSILON);
      }
    }
    this.lastLoss = (S > 0 ? mse / (k * S) : 0) + (P > 0 && pw > 0 ? (pw * bt) / (k * P) : 0) + (wd / k) * l2;
  }

  /** Copies every member's trained weights back into the master arrays and releases the arenas. */
  finish(): void {
    this.nets.forEach((net, m) => {
      const flat = net.getWeights();
      net.layers.forEach((layer, l) => {
        const size = layer.inDim * layer.outDim;
        this.master.weights[l].set(flat.subarray(layer.kernel, layer.kernel + size), m * size);
        this.master.biases[l].set(flat.subarray(layer.bias, layer.bias + layer.outDim), m * layer.outDim);
      });
      net.dispose();
    });
  }
}
