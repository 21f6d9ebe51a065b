/**
 * Backend selection for TensorFlow.js. `auto` prefers tfjs-node (native TensorFlow, when its optional
 * install succeeded), then the wasm backend (XNNPACK with SIMD), then the pure-JS cpu backend. The backend
 * actually in use and the tfjs version are returned so every run can record them: results are
 * bit-reproducible within one backend, not across backends.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';

// tfjs's production flag: no "Hi, looks like you are running TensorFlow.js in Node.js" banner on stdout/stderr
// (it broke `--quiet` and JSON output) and no debug-only checks; the arithmetic is the same.
tf.env().set('PROD', true);

export type BackendName = 'auto' | 'node' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** The tfjs backend in use: `tensorflow` (tfjs-node), `wasm` or `cpu`. */
  backend: string;
  tfjsVersion: string;
}

export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'node', 'wasm', 'cpu'];

let wasmRegistered = false;
let nodeTried: boolean | undefined;
/** True once initBackend has run: an agent configured with `auto` then keeps the caller's choice. */
let chosen = false;

async function tryNode(): Promise<boolean> {
  if (nodeTried !== undefined) return nodeTried && (await tf.setBackend('tensorflow'));
  try {
    // A variable specifier keeps TypeScript from requiring the optional package's types at build time.
    const specifier = '@tensorflow/tfjs-node';
    await import(specifier);
    nodeTried = true;
    return await tf.setBackend('tensorflow');
  } catch {
    nodeTried = false;
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    if (!wasmRegistered) {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // In Node the .wasm binaries must be located explicitly: they sit beside the package's entry file.
      const require = createRequire(import.meta.url);
      const distDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
      wasm.setWasmPaths(distDir + path.sep);
      // The threaded build needs cross-origin isolation, which Node lacks; the networks here are too small
      // for threads to pay off anyway (SB3 is also fastest on one thread on this class of machine).
      wasm.setThreadsCount(1);
      wasmRegistered = true;
    }
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

/**
 * Selects and initializes a backend. `node` and `wasm` fail with a ConfigError when unavailable; `auto`
 * falls back silently (the returned info says what it got).
 */
export async function initBackend(name: BackendName = 'auto'): Promise<BackendInfo> {
  if (!BACKEND_NAMES.includes(name)) {
    throw new ConfigError(`Expected backend to be one of ${BACKEND_NAMES.join(', ')}, but got ${JSON.stringify(name)}.`);
  }
  let ok = false;
  if (name === 'node' || name === 'auto') ok = await tryNode();
  if (name === 'node' && !ok) throw new ConfigError('Expected @tensorflow/tfjs-node to load for backend "node", but it is not installed or failed to load; use "wasm" or "auto".');
  if (!ok && (name === 'wasm' || name === 'auto')) ok = await tryWasm();
  if (name === 'wasm' && !ok) throw new ConfigError('Expected the tfjs wasm backend to initialize for backend "wasm", but it failed; use "cpu" or "auto".');
  if (!ok) ok = await tf.setBackend('cpu');
  await tf.ready();
  chosen = true;
  return backendInfo();
}

/** The backend currently active (whatever selected it). */
export function backendInfo(): BackendInfo {
  return { backend: tf.getBackend(), tfjsVersion: tf.version.tfjs };
}

/**
 * What agents call before training: a named backend is selected if it is not already active; `auto`
 * keeps whatever initBackend selected before, and otherwise runs the `auto` selection once.
 */
export async function ensureBackend(name: BackendName = 'auto'): Promise<BackendInfo> {
  const current = tf.getBackend();
  if (name === 'auto' ? chosen : current === (name === 'node' ? 'tensorflow' : name)) return backendInfo();
  return initBackend(name);
}
