/**
 * The WebAssembly SIMD kernels against float64 references written here, on shapes that exercise every
 * tile and tail path; the trainer's full gradient against float64 backprop; its optimizer against the JS
 * FlatAdam / FlatRmsProp; and the committed .wasm against a rebuild of the sources.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { Rng } from '../../src/core/rng.js';
import { instantiateKernels } from '../../src/nn/kernels/index.js';
import { WasmMlp } from '../../src/nn/wasm-mlp.js';
import { FlatAdam, FlatRmsProp } from '../../src/nn/optim.js';
import { ParamSet } from '../../src/nn/params.js';
import '../../src/nn/backend.js'; // tfjs's production flag: no banner from the ParamSet below

const rng = new Rng('wasm-kernels');
const randoms = (n: number, scale = 1) => Float32Array.from({ length: n }, () => rng.normal() * scale);

/** A memory with float32 buffers placed at 16-byte-aligned addresses from 64 KiB on. */
function arena(...arrays: Float32Array[]) {
  const memory = new WebAssembly.Memory({ initial: 64 });
  const k = instantiateKernels(memory);
  let at = 65536;
  const addresses = arrays.map((a) => {
    const start = at;
    new Float32Array(memory.buffer, start, a.length).set(a);
    at += Math.ceil((a.length * 4) / 16) * 16 + 16;
    return start;
  });
  const read = (i: number) => new Float32Array(memory.buffer, addresses[i], arrays[i].length).slice();
  return { k, addresses, read };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('matmul kernels', () => {
  const shapes: Array<[number, number, number]> = [
    [7, 5, 3],
    [4, 4, 8],
    [9, 3, 13],
    [256, 64, 64],
    [64, 4, 256],
    [5, 100, 10],
  ];
  it.each(shapes)('C = A B + bias for M=%i K=%i N=%i', (M, K, N) => {
    const A = randoms(M * K);
    const B = randoms(K * N);
    const bias = randoms(N);
    const { k, addresses: [a, b, c, bb], read } = arena(A, B, new Float32Array(M * N), bias);
    k.matmul(a, K, 1, b, c, bb, M, K, N);
    const want = new Float64Array(M * N);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < K; p++) s += A[i * K + p] * B[p * N + j];
      want[i * N + j] = s + bias[j];
    }
    expect(maxAbsDiff(read(2), want)).toBeLessThan(1e-5 * Math.sqrt(K));
  });

  it.each(shapes)('dW = X^T dZ (X read by stride) for rows=%i in=%i out=%i', (M, K, N) => {
    const X = randoms(M * K);
    const dZ = randoms(M * N);
    const { k, addresses: [x, dz, dw], read } = arena(X, dZ, new Float32Array(K * N));
    k.matmul(x, 1, K, dz, dw, 0, K, M, N);
    const want = new Float64Array(K * N);
    for (let p = 0; p < K; p++) for (let j = 0; j < N; j++) {
      let s = 0;
      for (let i = 0; i < M; i++) s += X[i * K + p] * dZ[i * N + j];
      want[p * N + j] = s;
    }
    expect(maxAbsDiff(read(2), want)).toBeLessThan(1e-5 * Math.sqrt(M));
  });

  it.each(shapes)('dX = dZ W^T for rows=%i in=%i out=%i', (M, K, N) => {
    const dZ = randoms(M * N);
    const W = randoms(K * N);
    const { k, addresses: [dz, w, dx], read } = arena(dZ, W, new Float32Array(M * K));
    k.matmulNT(dz, w, dx, 0, M, N, K);
    const want = new Float64Array(M * K);
    for (let i = 0; i < M; i++) for (let p = 0; p < K; p++) {
      let s = 0;
      for (let j = 0; j < N; j++) s += dZ[i * N + j] * W[p * N + j];
      want[i * K + p] = s;
    }
    expect(maxAbsDiff(read(2), want)).toBeLessThan(1e-5 * Math.sqrt(N));
  });

  it('gives a cell the same bits from a vector tile and from a scalar tail', () => {
    // In a 5 x 29 product, rows 0-3 of columns 0-15 come from 2x16 tiles, row 4 and columns 16-23 from 8-wide
    // tiles, 24-27 from 4-wide ones, 28 from single cells. Repeating column 0's weights in columns 16, 24
    // and 28 must give identical values.
    const M = 5, K = 37, N = 29;
    const A = randoms(M * K);
    const B = randoms(K * N);
    for (let p = 0; p < K; p++) for (const j of [16, 24, 28]) B[p * N + j] = B[p * N];
    const { k, addresses: [a, b, c], read } = arena(A, B, new Float32Array(M * N));
    k.matmul(a, K, 1, b, c, 0, M, K, N);
    const C = read(2);
    for (let i = 0; i < M; i++) for (const j of [16, 24, 28]) expect(C[i * N + j]).toBe(C[i * N]);
  });
});

describe('elementwise kernels', () => {
  it('tanh is within 2e-7 of float64 tanh over [-12, 12], and exactly odd-symmetric at the clamp', () => {
    const n = 4003;
    const X = Float32Array.from({ length: n }, (_, i) => -12 + (24 * i) / (n - 1));
    const { k, addresses: [x, y], read } = arena(X, new Float32Array(n));
    k.tanhForward(x, y, n);
    const Y = read(1);
    expect(maxAbsDiff(Y, Array.from(X, Math.tanh))).toBeLessThan(2e-7);
    expect(Y[0]).toBe(-1);
    expect(Y[n - 1]).toBe(1);
  });

  it('relu, and the tanh and relu gradients (0 at relu(0))', () => {
    const n = 23;
    const X = randoms(n);
    X[3] = 0;
    const dY = randoms(n);
    const { k, addresses: [x, y, dy, dz], read } = arena(X, new Float32Array(n), dY, new Float32Array(n));
    k.reluForward(x, y, n);
    expect(Array.from(read(1))).toEqual(Array.from(X, (v) => (v > 0 ? v : 0)));
    k.reluBackward(dy, y, dz, n);
    expect(Array.from(read(3))).toEqual(Array.from(X, (v, i) => (v > 0 ? dY[i] : 0)));
    k.tanhForward(x, y, n);
    k.tanhBackward(dy, y, dz, n);
    const Y = read(1);
    expect(maxAbsDiff(read(3), Array.from(dY, (d, i) => d * (1 - Y[i] * Y[i])))).toBeLessThan(1e-6);
  });

  it('column sums and the float64 sum of squares', () => {
    const M = 13, N = 7;
    const X = randoms(M * N);
    const { k, addresses: [x, out], read } = arena(X, new Float32Array(N));
    k.columnSums(x, out, M, N);
    const want = Array.from({ length: N }, (_, j) => Array.from({ length: M }, (_, i) => X[i * N + j]).reduce((s, v) => s + v, 0));
    expect(maxAbsDiff(read(1), want)).toBeLessThan(1e-5);
    const sq = Array.from(X).reduce((s, v) => s + v * v, 0);
    expect(Math.abs(k.sumSquares(x, M * N) - sq)).toBeLessThan(1e-9 * sq);
  });
});

/** Float64 forward + backprop of an MLP in the canonical layout, for a loss sum(out * c). */
function referenceGradient(sizes: number[], act: 'tanh' | 'relu', w: Float32Array, x: Float32Array, rows: number, c: Float32Array): Float64Array {
  const acts: Float64Array[] = [Float64Array.from(x)];
  const offsets: Array<{ k: number; b: number }> = [];
  let at = 0;
  for (let l = 0; l < sizes.length - 1; l++) {
    offsets.push({ k: at, b: at + sizes[l] * sizes[l + 1] });
    at += sizes[l] * sizes[l + 1] + sizes[l + 1];
  }
  for (let l = 0; l < sizes.length - 1; l++) {
    const [I, O] = [sizes[l], sizes[l + 1]];
    const y = new Float64Array(rows * O);
    for (let r = 0; r < rows; r++) for (let o = 0; o < O; o++) {
      let s = w[offsets[l].b + o];
      for (let i = 0; i < I; i++) s += acts[l][r * I + i] * w[offsets[l].k + i * O + o];
      y[r * O + o] = l < sizes.length - 2 ? (act === 'tanh' ? Math.tanh(s) : Math.max(0, s)) : s;
    }
    acts.push(y);
  }
  const grad = new Float64Array(at);
  let dy = Float64Array.from(c);
  for (let l = sizes.length - 2; l >= 0; l--) {
    const [I, O] = [sizes[l], sizes[l + 1]];
    const y = acts[l + 1];
    const dz = l < sizes.length - 2 ? dy.map((d, i) => (act === 'tanh' ? d * (1 - y[i] * y[i]) : y[i] > 0 ? d : 0)) : dy;
    const dx = new Float64Array(rows * I);
    for (let r = 0; r < rows; r++) for (let o = 0; o < O; o++) {
      const g = dz[r * O + o];
      grad[offsets[l].b + o] += g;
      for (let i = 0; i < I; i++) {
        grad[offsets[l].k + i * O + o] += acts[l][r * I + i] * g;
        dx[r * I + i] += g * w[offsets[l].k + i * O + o];
      }
    }
    dy = dx;
  }
  return grad;
}

describe('WasmMlp', () => {
  const cases: Array<[string, number[], 'tanh' | 'relu', number]> = [
    ['PPO zoo net', [4, 64, 64, 3], 'tanh', 256],
    ['DQN zoo net', [4, 256, 256, 2], 'relu', 64],
    ['odd widths', [5, 10, 7, 1], 'tanh', 9],
    ['a wide output layer (the plain path)', [6, 16, 9], 'relu', 12],
  ];
  it.each(cases)('%s: the gradient matches float64 backprop', (_name, sizes, act, rows) => {
    const net = new WasmMlp({ inputDim: sizes[0], hiddenSizes: sizes.slice(1, -1), outputDim: sizes[sizes.length - 1], activation: act, maxRows: rows });
    const w = randoms(net.size, 0.2);
    net.setWeights(w);
    const x = randoms(rows * sizes[0]);
    const c = randoms(rows * sizes[sizes.length - 1], 1 / rows);
    net.input(rows).set(x);
    net.forward(rows);
    net.outputGradient(rows).set(c);
    net.backward(rows);
    const want = referenceGradient(sizes, act, w, x, rows, c);
    const got = net.gradient();
    let scale = 0;
    for (const g of want) scale = Math.max(scale, Math.abs(g));
    expect(maxAbsDiff(got, want)).toBeLessThan(2e-5 * Math.max(scale, 1));
  });

  it('Adam and RMSprop updates match FlatAdam and FlatRmsProp (float64) within 1e-6, clip factor included', () => {
    for (const kind of ['adam', 'rmsprop'] as const) {
      const net = new WasmMlp({ inputDim: 3, hiddenSizes: [6], outputDim: 2, activation: 'tanh', maxRows: 4, optimizerSlots: kind === 'adam' ? 2 : 1 });
      const params = new ParamSet();
      params.add('all', [net.size], randoms(net.size));
      params.build();
      net.setWeights(params.read());
      const opt = kind === 'adam' ? new FlatAdam(params, { eps: 1e-5, maxGradNorm: 0.5 }) : new FlatRmsProp(params, { alpha: 0.99, eps: 1e-5, maxGradNorm: 0.5 });
      for (let t = 1; t <= 5; t++) {
        const g = randoms(net.size);
        net.gradient().set(g);
        let sq = 0;
        for (const v of g) sq += v * v;
        expect(Math.abs(net.gradientSumSquares() - sq)).toBeLessThan(1e-9 * sq);
        const scale = Math.min(1, 0.5 / (Math.sqrt(sq) + 1e-6));
        if (kind === 'adam') net.adamStep(1e-3, 0.9, 0.999, 1e-5, t, scale);
        else net.rmspropStep(1e-3, 0.99, 1e-5, scale);
        opt.step(g.slice(), 1e-3);
      }
      expect(maxAbsDiff(net.getWeights(), params.read())).toBeLessThan(1e-6);
      params.dispose();
    }
  });

  it('refuses more rows than it was built for, and a backward pass without its forward pass', () => {
    const net = new WasmMlp({ inputDim: 2, hiddenSizes: [4], outputDim: 1, activation: 'relu', maxRows: 8 });
    expect(() => net.input(9)).toThrow(/between 1 and 8 rows/);
    net.forward(4);
    expect(() => net.backward(5)).toThrow(/4 rows of the last forward pass/);
  });
});

describe('kernel build', () => {
  it('rebuilding the AssemblyScript sources gives the committed .wasm bytes', () => {
    const out = execFileSync(process.execPath, ['scripts/build-kernels.mjs', '--check'], { encoding: 'utf8' });
    expect(out).toMatch(/up to date/);
  });
});
