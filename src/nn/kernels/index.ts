/**
 * The WebAssembly SIMD kernels (sources in ./assembly, AssemblyScript; bytes in ./kernels-wasm.ts, built by
 * scripts/build-kernels.mjs): compiled once per process, instantiated once per memory arena.
 *
 * Every kernel takes byte addresses into the memory it was instantiated with and sizes; see the sources for
 * each one's arithmetic order (fixed, exactly rounded float32 operations, so results are the same bits on
 * every machine).
 */
import { ConfigError } from '../../core/errors.js';
import { KERNELS_WASM_BASE64 } from './kernels-wasm.js';

export interface Kernels {
  /** C[M,N] = A @ B (+ bias; 0 = none), A's (i, p) at a + 4 (i aRow + p aCol). */
  matmul(a: number, aRow: number, aCol: number, b: number, c: number, bias: number, M: number, K: number, N: number): void;
  /** C[M,K] = A[M,N] @ B[K,N]^T (+ bias; 0 = none). */
  matmulNT(a: number, b: number, c: number, bias: number, M: number, N: number, K: number): void;
  tanhForward(x: number, y: number, n: number): void;
  reluForward(x: number, y: number, n: number): void;
  tanhBackward(dy: number, y: number, dz: number, n: number): void;
  reluBackward(dy: number, y: number, dz: number, n: number): void;
  columnSums(x: number, out: number, M: number, N: number): void;
  sumSquares(x: number, n: number): number;
  adam(p: number, g: number, m: number, v: number, n: number, scale: number, b1: number, b2: number, stepSize: number, bc2Sqrt: number, eps: number): void;
  rmsprop(p: number, g: number, v: number, n: number, scale: number, alpha: number, lr: number, eps: number): void;
}

let compiled: WebAssembly.Module | null = null;

/** The compiled kernel module (compiled on first use; the bytes are ~10 KB). */
function kernelModule(): WebAssembly.Module {
  if (!compiled) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
    } catch (error) {
      throw new ConfigError(`Expected this JavaScript engine to compile WebAssembly SIMD (Node >= 16.4), but it failed: ${(error as Error).message}. Use engine "tfjs".`);
    }
  }
  return compiled;
}

/** The kernels bound to `memory` (which they read and write; they allocate nothing). */
export function instantiateKernels(memory: WebAssembly.Memory): Kernels {
  const instance = new WebAssembly.Instance(kernelModule(), {
    env: {
      memory,
      abort: () => {
        throw new ConfigError('Expected the WebAssembly kernels to run, but one aborted.');
      },
    },
  });
  return instance.exports as unknown as Kernels;
}
