/**
 * What the actor-critic learners (PPO, A2C, REINFORCE, behaviour cloning) need of their policy and value
 * networks, whatever engine computes them: SB3's separate `pi` and `vf` MLPs with ONE optimizer over both.
 *
 * Two engines implement it:
 *  - `wasm-simd` (default, wasm-actor-critic.ts): the nets run in WebAssembly SIMD kernels over one memory
 *    arena (src/nn/wasm-mlp.ts); the optimizer runs there too.
 *  - `tfjs` (actor-critic.ts): the nets are tfjs ops on the configured backend, the optimizer a JS loop
 *    (src/nn/optim.ts). Kept as the reference the new engine is tested against.
 * Both draw the same initial weights from the same stream and save the same files (policy/ and value/ as
 * tfjs LayersModels), so a saved policy exports and loads the same way. Results are bit-identical within an
 * engine, not across engines (float32 sums in a different order).
 *
 * Training is two calls: `gradient(obs, rows, lossHead)` runs the forward pass on `rows` observations, hands
 * the [logits | value] rows to the loss head (written in JavaScript, as jsLoss), and back-propagates the
 * dLoss/dOutput it fills in; `step(lr)` then applies one optimizer update (global-norm clip first). An
 * algorithm may look at the loss head's statistics in between and skip the step (PPO's target KL).
 */
import type { Rng } from '../../src/core/rng.js';
import type { OptimizerSpec, StatefulOptimizer } from '../../src/nn/optim.js';
import type { Activation } from '../../src/nn/mlp.js';
import type { InitName } from '../../src/nn/init.js';
import type * as tf from '@tensorflow/tfjs';

export const ENGINES = ['wasm-simd', 'tfjs'] as const;
export type Engine = (typeof ENGINES)[number];

export interface ActorCriticOptions {
  obsDim: number;
  numActions: number;
  piHidden: readonly number[];
  vfHidden: readonly number[];
  activation: Activation;
  /** `orthogonal` (SB3's ortho_init: gains sqrt(2), 0.01 for the policy head, 1 for the value head), `glorot` or `torch`. */
  init: InitName;
}

/**
 * A loss computed in JavaScript: gets the output rows [logits (numActions) | value] of every row, fills
 * `grad` (same layout, zeroed) with dLoss/dOutput and returns the loss.
 */
export type LossHead = (out: Float32Array, grad: Float32Array) => number;

export interface PolicyValueNet {
  readonly engine: Engine;
  readonly options: ActorCriticOptions;
  /** Its state is what the learner saves (agent-folder.ts); the update itself is step(). */
  readonly optimizer: StatefulOptimizer;
  /** Logits (rows * numActions) and values (rows) of `rows` observations: the rollout path. */
  forward(obs: Float32Array, rows: number, logits: Float32Array, values: Float32Array): void;
  /** Values only (bootstrapping after a rollout). */
  values(obs: Float32Array, rows: number, out: Float32Array): void;
  /** Logits only (act()). */
  logits(obs: Float32Array, rows: number): Float32Array;
  /** dLoss/dParams of `lossHead` on the outputs of `rows` observations, kept for the next step(). */
  gradient(obs: Float32Array, rows: number, lossHead: LossHead): void;
  /** One optimizer update from the last gradient, at learning rate `lr`. */
  step(lr: number): void;
  /** A copy of every weight, in the engine's own flat layout (equal layouts only within one engine). */
  getWeights(): Float32Array;
  /** Puts back weights getWeights() returned. */
  setWeights(weights: Float32Array): void;
  /** One sub-net's layers as plain arrays ([inDim, outDim] kernels, row-major). */
  subnet(which: 'pi' | 'vf'): Array<{ kernel: Float32Array; bias: Float32Array; outDim: number }>;
  /** The policy as a standalone tfjs LayersModel (observation -> logits), for export. */
  policyModel(): tf.Sequential;
  /** Writes `policy/` and `value/` as tfjs LayersModels. */
  save(dir: string): Promise<void>;
  /** Reads `policy/` and `value/` (as save() writes them, from either engine). */
  load(dir: string): Promise<void>;
  dispose(): void;
}

/** How a PolicyValueNet is built: the architecture, the optimizer and the stream its initial weights come from. */
export type PolicyValueNetFactory = (options: ActorCriticOptions, optimizer: OptimizerSpec, rng: Rng) => PolicyValueNet;
