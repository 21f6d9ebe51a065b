/**
 * The contract every reward model keeps, and the dataset it learns from.
 *
 * A reward model maps a finished task's feature vector (src/reward/features.ts) to a predicted user
 * satisfaction on the [0, 1] scale of the env's true satisfaction. It learns from two kinds of feedback:
 * scored tasks (the CAT score 1-10, normalized to (cat - 1) / 9, which is how the simulated users produce
 * it from satisfaction) and pairwise preferences (which of two tasks the user liked better).
 *
 * `fit`, `update` and `predict` are synchronous: the LearnedRewardWrapper calls them inside `step`, which
 * the Env contract makes synchronous. `save` and `load` are asynchronous (file and tfjs IO).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, DataError, describeValue } from '../core/errors.js';
import { rewardModelMetrics, type RewardModelMetrics } from './metrics.js';

/**
 * Feedback as typed arrays, row-major. `x`/`y`: scored tasks, `y` in [0, 1]. `pairA`/`pairB`/`preferred`:
 * preferences, `preferred[i]` 0 when A won, 1 when B won. `truth` (optional, one per scored row, NaN where
 * unknown) is the hidden true satisfaction: evaluation uses it, training never does.
 */
export interface RewardDataset {
  dim: number;
  x: Float32Array;
  y: Float32Array;
  pairA: Float32Array;
  pairB: Float32Array;
  preferred: Uint8Array;
  truth?: Float32Array;
}

export interface Prediction {
  /** Predicted satisfaction per row. */
  mean: Float32Array;
  /** Spread of the prediction (std across ensemble members or trees); 0 for a single deterministic model. */
  std: Float32Array;
}

export interface UpdateOptions {
  /** Passes over the data for this update; each model documents its default. */
  epochs?: number;
}

export interface RewardModel {
  /** `tfjs-mlp`, `random-forest`, `ensemble`, ... (recorded in saved folders). */
  readonly kind: string;
  /** Input length. */
  readonly dim: number;
  /** True once `fit` (or `load`) has produced a usable model. */
  readonly fitted: boolean;
  /** True when `update` continues from the current parameters; false when it refits from scratch. */
  readonly warmStarts: boolean;
  /** Trains from scratch on `data`. */
  fit(data: RewardDataset): void;
  /**
   * Continues training from the current parameters (warm start) on `data`, usually the whole buffer
   * again with a few epochs. A model that cannot warm-start (a forest) refits and says so in its docs.
   * Before the first `fit`, `update` is a `fit`.
   */
  update(data: RewardDataset, options?: UpdateOptions): void;
  /** Predicted satisfaction for `n = x.length / dim` rows. */
  predict(x: Float32Array): Float32Array;
  predictWithUncertainty(x: Float32Array): Prediction;
  /** Fit metrics on `data`, against `truth` where it is known, else against the normalized scores `y`. */
  evaluate(data: RewardDataset): RewardModelMetrics;
  /** Writes the model to a folder (created if needed); `load` on a fresh instance restores predictions exactly. */
  save(dir: string): Promise<void>;
  load(dir: string): Promise<void>;
  /** Releases tensors (tfjs models); the model is unusable afterwards. */
  dispose(): void;
}

/** The CAT score 1-10 on the satisfaction scale: the simulated users emit round(1 + 9 * satisfaction + noise). */
export function normalizeCat(cat: number): number {
  return (cat - 1) / 9;
}

export function datasetSize(data: RewardDataset): { scores: number; preferences: number } {
  return { scores: data.y.length, preferences: data.preferred.length };
}

/** Checks that the arrays of a dataset agree with each other and with the model's input length. */
export function checkDataset(data: RewardDataset, dim: number): void {
  if (data.dim !== dim) throw new ConfigError(`Expected a dataset with ${dim} features per row, but got ${data.dim}.`);
  if (data.x.length !== data.y.length * dim) {
    throw new ConfigError(`Expected x to hold ${data.y.length} rows of ${dim} (${data.y.length * dim} numbers), but got ${data.x.length}.`);
  }
  const pairs = data.preferred.length;
  if (data.pairA.length !== pairs * dim || data.pairB.length !== pairs * dim) {
    throw new ConfigError(`Expected pairA and pairB to hold ${pairs} rows of ${dim}, but got ${data.pairA.length} and ${data.pairB.length} numbers.`);
  }
  if (data.truth && data.truth.length !== data.y.length) {
    throw new ConfigError(`Expected one truth value per scored row (${data.y.length}), but got ${data.truth.length}.`);
  }
}

export function checkRows(x: Float32Array, dim: number): number {
  if (x.length % dim !== 0) throw new ConfigError(`Expected a multiple of ${dim} numbers (rows of ${dim} features), but got ${x.length}.`);
  return x.length / dim;
}

export function emptyDataset(dim: number): RewardDataset {
  return { dim, x: new Float32Array(0), y: new Float32Array(0), pairA: new Float32Array(0), pairB: new Float32Array(0), preferred: new Uint8Array(0) };
}

/** Rows `indices` of a row-major matrix with `dim` columns. */
export function gatherRows(x: Float32Array, dim: number, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * dim);
  for (let i = 0; i < indices.length; i++) out.set(x.subarray(indices[i] * dim, indices[i] * dim + dim), i * dim);
  return out;
}

/** The shared body of `evaluate`: predictions against truth (or y), plus pair accuracy. */
export function evaluateModel(model: Pick<RewardModel, 'predict' | 'dim'>, data: RewardDataset): RewardModelMetrics {
  checkDataset(data, model.dim);
  const predicted = data.y.length > 0 ? model.predict(data.x) : new Float32Array(0);
  let target: ArrayLike<number> = data.y;
  let predictedKept: ArrayLike<number> = predicted;
  if (data.truth) {
    // Rows without a known truth are left out rather than scored against the noisy CAT score.
    const keep: number[] = [];
    for (let i = 0; i < data.truth.length; i++) if (Number.isFinite(data.truth[i])) keep.push(i);
    target = keep.map((i) => data.truth![i]);
    predictedKept = keep.map((i) => predicted[i]);
  }
  const pairs = data.preferred.length;
  return rewardModelMetrics(
    predictedKept,
    target,
    pairs > 0 ? { scoreA: model.predict(data.pairA), scoreB: model.predict(data.pairB), preferred: data.preferred } : undefined,
  );
}

/** The format and metadata file every saved reward model folder carries. */
export const REWARD_MODEL_FORMAT = 'loopgym-reward-model';
export const REWARD_MODEL_META_FILE = 'reward-model.json';

/** Reads a reward model folder's metadata (reward-model.json), checking its format. */
export function readRewardModelMeta(dir: string): Record<string, unknown> {
  const path = join(dir, REWARD_MODEL_META_FILE);
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new DataError(`Expected a readable ${REWARD_MODEL_META_FILE} in ${dir}, but got ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  if (meta.format !== REWARD_MODEL_FORMAT) throw new DataError(`Expected format ${REWARD_MODEL_FORMAT} in ${path}, but got ${describeValue(meta.format)}.`);
  return meta;
}

