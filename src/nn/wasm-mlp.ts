/**
 * One MLP trainer over one WebAssembly memory arena: forward, backward from a dLoss/dOutput that JavaScript
 * writes, and the optimizer's update, all in the SIMD kernels (src/nn/kernels), one call per layer.
 *
 * Everything lives in the arena, laid out once at construction and never moved: `weightSets` copies of
 * the weights (DQN's online and target nets are sets 0 and 1), the gradient, the optimizer's moment slots,
 * the activations of every layer for up to `maxRows` rows (layer 0 is the input), two buffers for the
 * backward pass and the output gradient. No step allocates, and the typed-array views handed out stay
 * valid for the trainer's life (the memory never grows).
 *
 * Weights are in the canonical layout: for each layer its [inDim, outDim] kernel (row-major) then its
 * bias, layer by layer, as a ParamSet built layer by layer and as tfjs LayersModel files store them, so
 * saving, loading and ONNX export work on these weights unchanged.
 *
 * Hidden layers use `activation` (tanh or relu), the output layer is linear. Arithmetic is float32 in a
 * fixed order (see the kernels), so the same inputs give the same bits on every machine.
 *
 * A narrow output layer (fewer than NARROW outputs: a policy's few logits, a value, DQN's Q-values) would
 * leave the matmul's column tiles empty and run its scalar tail. Instead its kernel is kept transposed too
 * ([out, in], refreshed before each forward pass), and its three products become vectorizable ones: the
 * output is dot products along the hidden layer (matmulNT with the transposed kernel), dW^T = dZ^T H (a
 * matmul over the hidden width, transposed back into the gradient) and dX = dZ W^T (a matmul reading the
 * transposed kernel). The choice depends only on the shape, so results are still one fixed computation.
 */
import { ConfigError } from '../core/errors.js';
import { instantiateKernels, type Kernels } from './kernels/index.js';

export interface WasmMlpOptions {
  inputDim: number;
  hiddenSizes: readonly number[];
  outputDim: number;
  activation: 'tanh' | 'relu';
  /** Most rows a forward or backward pass takes (the activation buffers' size). */
  maxRows: number;
  /** Copies of the weights (1; DQN: 2, online and target). */
  weightSets?: number;
  /** Moment slots for the optimizer: adam 2, rmsprop 1, none 0. */
  optimizerSlots?: number;
}

interface Layer {
  inDim: number;
  outDim: number;
  /** Offsets (in floats) of the kernel and the bias inside a weight set (and inside the gradient). */
  kernel: number;
  bias: number;
}

/** Output layers narrower than this take the transposed path (see the class comment). */
const NARROW = 8;
const PAGE = 65536;
/** Bytes kept free at the start of memory (the kernels use none, but the first page is theirs by convention). */
const RESERVED = PAGE;

export class WasmMlp {
  readonly layers: readonly Layer[];
  /** Number of weights (one set). */
  readonly size: number;
  readonly maxRows: number;
  readonly options: Readonly<WasmMlpOptions>;
  private readonly k: Kernels;
  private readonly memory: WebAssembly.Memory;
  /** Byte addresses. */
  private readonly weightAt: number[];
  private readonly gradAt: number;
  private readonly slotAt: number[];
  private readonly actAt: number[];
  private readonly backAt: [number, number];
  private readonly dOutAt: number;
  /** The narrow output layer's transposed kernel and transposed weight gradient (0 when not narrow). */
  private readonly outTAt: number;
  private readonly dOutTAt: number;
  private readonly hiddenActivation: 'tanh' | 'relu';
  private disposed = false;
  private rowsForward = -1;

  constructor(options: WasmMlpOptions) {
    const { inputDim, hiddenSizes, outputDim, maxRows } = options;
    for (const [what, v] of [['inputDim', inputDim], ['outputDim', outputDim], ['maxRows', maxRows], ...hiddenSizes.map((h) => ['hiddenSizes entry', h] as const)] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new ConfigError(`Expected ${what} to be a positive integer, but got ${v}.`);
    }
    this.options = { ...options, hiddenSizes: [...hiddenSizes] };
    this.maxRows = maxRows;
    this.hiddenActivation = options.activation;
    const sizes = [inputDim, ...hiddenSizes, outputDim];
    const layers: Layer[] = [];
    let size = 0;
    for (let i = 0; i < sizes.length - 1; i++) {
      const kernel = size;
      size += sizes[i] * sizes[i + 1];
      layers.push({ inDim: sizes[i], outDim: sizes[i + 1], kernel, bias: size });
      size += sizes[i + 1];
    }
    this.layers = layers;
    this.size = size;

    // Lay out the arena: every block starts on a 16-byte boundary.
    let at = RESERVED;
    const take = (floats: number): number => {
      const start = at;
      at += Math.ceil((floats * 4) / 16) * 16;
      return start;
    };
    this.weightAt = Array.from({ length: options.weightSets ?? 1 }, () => take(size));
    this.gradAt = take(size);
    this.slotAt = Array.from({ length: options.optimizerSlots ?? 0 }, () => take(size));
    this.actAt = sizes.map((width) => take(maxRows * width));
    const widest = Math.max(...sizes);
    this.backAt = [take(maxRows * widest), take(maxRows * widest)];
    this.dOutAt = take(maxRows * outputDim);
    const last = layers[layers.length - 1];
    const narrow = outputDim < NARROW;
    this.outTAt = narrow ? take(last.inDim * outputDim) : 0;
    this.dOutTAt = narrow ? take(last.inDim * outputDim) : 0;
    this.memory = new WebAssembly.Memory({ initial: Math.ceil(at / PAGE) });
    this.k = instantiateKernels(this.memory);
  }

  private f32(at: number, length: number): Float32Array {
    if (this.disposed) throw new ConfigError('Expected a live WasmMlp, but it was disposed.');
    return new Float32Array(this.memory.buffer, at, length);
  }

  private checkRows(rows: number): void {
    if (!Number.isInteger(rows) || rows < 1 || rows > this.maxRows) throw new ConfigError(`Expected between 1 and ${this.maxRows} rows (maxRows), but got ${rows}.`);
  }

  private checkSet(set: number): void {
    if (!(set >= 0 && set < this.weightAt.length)) throw new ConfigError(`Expected a weight set in [0, ${this.weightAt.length - 1}], but got ${set}.`);
  }

  /** The input buffer for `rows` rows ([rows, inputDim], row-major): write observations here before forward(). */
  input(rows: number): Float32Array {
    this.checkRows(rows);
    return this.f32(this.actAt[0], rows * this.options.inputDim);
  }

  /**
   * Runs the input buffer's first `rows` rows through weight set `set`; returns the output [rows, outputDim]
   * (a view, valid until the next forward). backward() differentiates the last forward pass of set 0.
   */
  forward(rows: number, set = 0): Float32Array {
    this.checkRows(rows);
    this.checkSet(set);
    const k = this.k;
    const w = this.weightAt[set];
    const last = this.layers.length - 1;
    this.layers.forEach((layer, i) => {
      const x = this.actAt[i];
      const y = this.actAt[i + 1];
      if (i === last && this.outTAt !== 0) {
        this.transposeInto(w + 4 * layer.kernel, this.outTAt, layer.inDim, layer.outDim);
        k.matmulNT(x, this.outTAt, y, w + 4 * layer.bias, rows, layer.inDim, layer.outDim);
      } else k.matmul(x, layer.inDim, 1, w + 4 * layer.kernel, y, w + 4 * layer.bias, rows, layer.inDim, layer.outDim);
      if (i < last) {
        if (this.hiddenActivation === 'tanh') k.tanhForward(y, y, rows * layer.outDim);
        else k.reluForward(y, y, rows * layer.outDim);
      }
    });
    // backward() reads the transposed output kernel of set 0, which this pass refreshed.
    this.rowsForward = set === 0 ? rows : -1;
    return this.f32(this.actAt[this.layers.length], rows * this.options.outputDim);
  }

  /** The buffer for dLoss/dOutput of the last forward pass ([rows, outputDim]); write it, then call backward(). */
  outputGradient(rows: number): Float32Array {
    this.checkRows(rows);
    return this.f32(this.dOutAt, rows * this.options.outputDim);
  }

  /** dLoss/dWeights (into the gradient, overwriting it) of the last forward pass of set 0, from outputGradient(). */
  backward(rows: number): void {
    if (rows !== this.rowsForward) throw new ConfigError(`Expected backward() over the ${this.rowsForward} rows of the last forward pass of weight set 0, but got ${rows}.`);
    const k = this.k;
    const w = this.weightAt[0];
    const g = this.gradAt;
    const last = this.layers.length - 1;
    let dy = this.dOutAt;
    let spare = 0;
    for (let i = last; i >= 0; i--) {
      const layer = this.layers[i];
      const y = this.actAt[i + 1];
      const n = rows * layer.outDim;
      let dz = dy;
      if (i < last) {
        dz = this.backAt[spare];
        spare ^= 1;
        if (this.hiddenActivation === 'tanh') k.tanhBackward(dy, y, dz, n);
        else k.reluBackward(dy, y, dz, n);
      }
      const narrow = i === last && this.outTAt !== 0;
      // dW = X^T dZ (X read transposed by stride), db = column sums of dZ, dX = dZ W^T (not for the input).
      // Narrow output layer: dW^T = dZ^T X, then transposed into place; dX = dZ (W^T) from the kept W^T.
      if (narrow) {
        k.matmul(dz, 1, layer.outDim, this.actAt[i], this.dOutTAt, 0, layer.outDim, rows, layer.inDim);
        this.transposeInto(this.dOutTAt, g + 4 * layer.kernel, layer.outDim, layer.inDim);
      } else k.matmul(this.actAt[i], 1, layer.inDim, dz, g + 4 * layer.kernel, 0, layer.inDim, rows, layer.outDim);
      k.columnSums(dz, g + 4 * layer.bias, rows, layer.outDim);
      if (i > 0) {
        dy = this.backAt[spare];
        spare ^= 1;
        if (narrow) k.matmul(dz, layer.outDim, 1, this.outTAt, dy, 0, rows, layer.outDim, layer.inDim);
        else k.matmulNT(dz, w + 4 * layer.kernel, dy, 0, rows, layer.outDim, layer.inDim);
      }
    }
  }

  /** Writes the [rows, cols] matrix at `from` transposed ([cols, rows]) to `to` (byte addresses). */
  private transposeInto(from: number, to: number, rows: number, cols: number): void {
    const src = this.f32(from, rows * cols);
    const dst = this.f32(to, rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
  }

  /** The gradient of the last backward() (a view, canonical layout). */
  gradient(): Float32Array {
    return this.f32(this.gradAt, this.size);
  }

  /** Sum of squared gradient values, accumulated in float64 (for a global-norm clip across nets). */
  gradientSumSquares(): number {
    return this.k.sumSquares(this.gradAt, this.size);
  }

  /**
   * torch's Adam update of weight set 0 from the gradient times `scale` (the clip factor); `t` is the step
   * number (1 for the first update) for the bias corrections.
   */
  adamStep(lr: number, beta1: number, beta2: number, eps: number, t: number, scale: number): void {
    if (this.slotAt.length < 2) throw new ConfigError(`Expected a WasmMlp built with 2 optimizer slots for Adam, but it has ${this.slotAt.length}.`);
    const stepSize = lr / (1 - beta1 ** t);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
    this.k.adam(this.weightAt[0], this.gradAt, this.slotAt[0], this.slotAt[1], this.size, scale, beta1, beta2, stepSize, bc2Sqrt, eps);
  }

  /** torch's RMSprop update (no momentum, not centred) of weight set 0 from the gradient times `scale`. */
  rmspropStep(lr: number, alpha: number, eps: number, scale: number): void {
    if (this.slotAt.length < 1) throw new ConfigError('Expected a WasmMlp built with 1 optimizer slot for RMSprop, but it has none.');
    this.k.rmsprop(this.weightAt[0], this.gradAt, this.slotAt[0], this.size, scale, alpha, lr, eps);
  }

  /** A copy of weight set `set` (canonical layout). */
  getWeights(set = 0): Float32Array {
    this.checkSet(set);
    return this.f32(this.weightAt[set], this.size).slice();
  }

  setWeights(weights: Float32Array, set = 0): void {
    this.checkSet(set);
    if (weights.length !== this.size) throw new ConfigError(`Expected ${this.size} weights, but got ${weights.length}.`);
    this.f32(this.weightAt[set], this.size).set(weights);
  }

  /** Weight set `to` := weight set `from` (DQN's target update). */
  copyWeights(from: number, to: number): void {
    this.checkSet(from);
    this.checkSet(to);
    this.f32(this.weightAt[to], this.size).set(this.f32(this.weightAt[from], this.size));
  }

  /** Copies of the optimizer's moment slots (Adam: m, v; RMSprop: v). */
  getSlots(): Float32Array[] {
    return this.slotAt.map((at) => this.f32(at, this.size).slice());
  }

  setSlots(slots: readonly Float32Array[]): void {
    if (slots.length !== this.slotAt.length) throw new ConfigError(`Expected ${this.slotAt.length} optimizer slots, but got ${slots.length}.`);
    slots.forEach((values, i) => {
      if (values.length !== this.size) throw new ConfigError(`Expected optimizer slots of ${this.size} values, but got ${values.length}.`);
      this.f32(this.slotAt[i], this.size).set(values);
    });
  }

  /** Releases the arena (views handed out become invalid to use). */
  dispose(): void {
    this.disposed = true;
  }
}
