/**
 * The wasm-simd engine's kernels at the shapes the agents use, so a V8 or kernel regression shows up.
 * One JSON line per case: `{bench, kernel, shape, gflops | msPerCall, runs, node, cpu}` (median of `runs`
 * timed runs, each long enough to take ~50 ms, after a warm-up run).
 *
 *   npm run bench -- kernels [--runs 7] [--only <substring of kernel/shape>]
 *
 * Cases: the matmul forward (A B + bias) and both backward shapes (X^T dZ, dZ W^T) for PPO's zoo net
 * (256 rows, 4 -> 64 -> 64) and DQN's (64 rows, 4 -> 256 -> 256); tanh forward; Adam over 10k and 70k
 * weights; and one whole gradient step (forward, backward, clip, Adam) of each net through WasmMlp.
 */
import { cpus } from 'node:os';
import { ConfigError } from '../src/core/errors.js';
import { Rng } from '../src/core/rng.js';
import { instantiateKernels } from '../src/nn/kernels/index.js';
import { WasmMlp } from '../src/nn/wasm-mlp.js';

interface Options {
  runs: number;
  only: string | null;
}

function parse(argv: string[]): Options {
  const out: Options = { runs: 7, only: null };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--runs' && Number.isInteger(Number(value)) && Number(value) > 0) out.runs = Number(value);
    else if (flag === '--only' && value !== undefined) out.only = value;
    else throw new ConfigError(`Expected --runs <positive integer> or --only <text>, but got ${JSON.stringify(flag)}${value === undefined ? '' : ` ${JSON.stringify(value)}`}.`);
  }
  return out;
}

/** Median seconds per call of `fn` over `runs` timed runs (calls per run chosen so a run takes ~50 ms). */
function timePerCall(fn: () => void, runs: number): number {
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    if (performance.now() - t0 > 50) break;
    calls *= 2;
  }
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    samples.push((performance.now() - t0) / 1000 / calls);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const rng = new Rng('bench/kernels');
const memory = new WebAssembly.Memory({ initial: 512 });
const k = instantiateKernels(memory);
let next = 65536;
/** A buffer of n random floats in the bench's memory; returns its byte address. */
function buffer(n: number): number {
  const at = next;
  const view = new Float32Array(memory.buffer, at, n);
  for (let i = 0; i < n; i++) view[i] = rng.normal() * 0.1;
  next += Math.ceil((n * 4) / 16) * 16;
  return at;
}

interface Case {
  kernel: string;
  shape: string;
  /** Floating-point operations per call (for GFLOP/s), or 0 to report ms per call. */
  flops: number;
  run: () => void;
}

function matmulCases(rows: number, inDim: number, outDim: number, label: string): Case[] {
  const x = buffer(rows * inDim);
  const w = buffer(inDim * outDim);
  const b = buffer(outDim);
  const y = buffer(rows * outDim);
  const dz = buffer(rows * outDim);
  const dw = buffer(inDim * outDim);
  const dx = buffer(rows * inDim);
  const flops = 2 * rows * inDim * outDim;
  const shape = `${label} ${rows}x${inDim}x${outDim}`;
  return [
    { kernel: 'matmul (x W + b)', shape, flops, run: () => k.matmul(x, inDim, 1, w, y, b, rows, inDim, outDim) },
    { kernel: 'matmul (X^T dZ)', shape, flops, run: () => k.matmul(x, 1, inDim, dz, dw, 0, inDim, rows, outDim) },
    { kernel: 'matmulNT (dZ W^T)', shape, flops, run: () => k.matmulNT(dz, w, dx, 0, rows, outDim, inDim) },
  ];
}

function stepCase(label: string, sizes: number[], activation: 'tanh' | 'relu', rows: number): Case {
  const net = new WasmMlp({ inputDim: sizes[0], hiddenSizes: sizes.slice(1, -1), outputDim: sizes[sizes.length - 1], activation, maxRows: rows, optimizerSlots: 2 });
  net.input(rows).set(Float32Array.from({ length: rows * sizes[0] }, () => rng.normal()));
  let t = 0;
  return {
    kernel: 'gradient step (forward, backward, clip, Adam)',
    shape: `${label} [${sizes.join(', ')}] ${activation}, ${rows} rows`,
    flops: 0,
    run: () => {
      const out = net.forward(rows);
      const g = net.outputGradient(rows);
      for (let i = 0; i < g.length; i++) g[i] = out[i] / rows;
      net.backward(rows);
      net.adamStep(1e-4, 0.9, 0.999, 1e-5, ++t, Math.min(1, 0.5 / Math.sqrt(net.gradientSumSquares())));
    },
  };
}

function main(): void {
  const options = parse(process.argv.slice(2));
  const tanhIn = buffer(256 * 64);
  const tanhOut = buffer(256 * 64);
  const adamCase = (n: number): Case => {
    const [p, g, m, v] = [buffer(n), buffer(n), buffer(n), buffer(n)];
    return { kernel: 'adam', shape: `${n} weights`, flops: 0, run: () => k.adam(p, g, m, v, n, 1, 0.9, 0.999, 1e-4, 0.03, 1e-8) };
  };
  const cases: Case[] = [
    ...matmulCases(256, 4, 64, 'PPO zoo layer 1'),
    ...matmulCases(256, 64, 64, 'PPO zoo layer 2'),
    ...matmulCases(64, 4, 256, 'DQN zoo layer 1'),
    ...matmulCases(64, 256, 256, 'DQN zoo layer 2'),
    { kernel: 'tanh', shape: '256x64', flops: 0, run: () => k.tanhForward(tanhIn, tanhOut, 256 * 64) },
    adamCase(10_000),
    adamCase(70_000),
    stepCase('PPO zoo policy net', [4, 64, 64, 2], 'tanh', 256),
    stepCase('DQN zoo net', [4, 256, 256, 2], 'relu', 64),
  ];
  const cpu = cpus()[0]?.model ?? 'unknown';
  for (const c of cases) {
    if (options.only && !`${c.kernel} ${c.shape}`.includes(options.only)) continue;
    const seconds = timePerCall(c.run, options.runs);
    const figure = c.flops > 0 ? { gflops: Number((c.flops / seconds / 1e9).toFixed(2)) } : { msPerCall: Number((seconds * 1000).toFixed(4)) };
    console.log(JSON.stringify({ bench: 'kernels', kernel: c.kernel, shape: c.shape, ...figure, runs: options.runs, node: process.version, cpu }));
  }
}

main();
