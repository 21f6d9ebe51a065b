/**
 * Running mean and variance of a stream of vectors, merged batch by batch with the parallel update of
 * Chan et al. (the formula of Gymnasium's and SB3's RunningMeanStd). Observation and reward normalization
 * (single-env wrappers, vector code, agents) share this one implementation so that statistics saved by one
 * can be loaded by another.
 *
 * Statistics are kept in float64 whatever the observation dtype, so long runs do not drift.
 */
import { DataError, describeValue } from './errors.js';

/** The serializable form of a RunningMeanStd: plain numbers, safe for JSON and for policy bundles. */
export interface RunningStatsJSON {
  mean: number[];
  var: number[];
  count: number;
}

/**
 * Gymnasium starts `count` at a small epsilon (not 0) so the first update does not divide by zero and the
 * initial unit variance is forgotten after a handful of samples.
 */
export const RUNNING_STATS_INITIAL_COUNT = 1e-4;

export class RunningMeanStd {
  readonly mean: Float64Array;
  readonly var: Float64Array;
  count: number;

  constructor(readonly size: number, initialCount = RUNNING_STATS_INITIAL_COUNT) {
    if (!Number.isInteger(size) || size <= 0) throw new DataError(`Expected a positive integer size for RunningMeanStd, but got ${describeValue(size)}.`);
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
    this.count = initialCount;
  }

  /** Adds one sample (a batch of one: batch mean = x, batch variance = 0). Allocates nothing. */
  update(x: ArrayLike<number>, offset = 0): void {
    // Same operation order as Gymnasium's update_from_moments with batch_count = 1, batch_var = 0.
    const total = this.count + 1;
    for (let i = 0; i < this.size; i++) {
      const delta = x[offset + i] - this.mean[i];
      this.mean[i] += delta / total;
      this.var[i] = (this.var[i] * this.count + (delta * delta * this.count) / total) / total;
    }
    this.count = total;
  }

  /** Adds `batchSize` samples stored row after row in `batch` (length batchSize * size). */
  updateBatch(batch: ArrayLike<number>, batchSize: number): void {
    if (batch.length < batchSize * this.size) {
      throw new DataError(`Expected a batch of at least ${batchSize * this.size} values (${batchSize} x ${this.size}), but got ${batch.length}.`);
    }
    if (batchSize === 0) return;
    if (batchSize === 1) {
      this.update(batch, 0);
      return;
    }
    // One pass per element keeps this allocation-free; the batch moments are the population ones (ddof 0).
    const total = this.count + batchSize;
    for (let i = 0; i < this.size; i++) {
      let sum = 0;
      for (let b = 0; b < batchSize; b++) sum += batch[b * this.size + i];
      const batchMean = sum / batchSize;
      let squares = 0;
      for (let b = 0; b < batchSize; b++) {
        const d = batch[b * this.size + i] - batchMean;
        squares += d * d;
      }
      const batchVar = squares / batchSize;
      const delta = batchMean - this.mean[i];
      this.mean[i] += (delta * batchSize) / total;
      this.var[i] = (this.var[i] * this.count + batchVar * batchSize + (delta * delta * this.count * batchSize) / total) / total;
    }
    this.count = total;
  }

  /** Merges statistics computed elsewhere (another worker, another process) into these. */
  updateFromMoments(batchMean: ArrayLike<number>, batchVar: ArrayLike<number>, batchCount: number): void {
    if (batchMean.length !== this.size || batchVar.length !== this.size) {
      throw new DataError(`Expected batch moments of length ${this.size}, but got mean length ${batchMean.length} and var length ${batchVar.length}.`);
    }
    if (!(batchCount > 0)) return;
    const total = this.count + batchCount;
    for (let i = 0; i < this.size; i++) {
      const delta = batchMean[i] - this.mean[i];
      this.mean[i] += (delta * batchCount) / total;
      this.var[i] = (this.var[i] * this.count + batchVar[i] * batchCount + (delta * delta * this.count * batchCount) / total) / total;
    }
    this.count = total;
  }

  /**
   * Writes `clip((x - mean) / sqrt(var + epsilon), -clip, clip)` for `size` values of `x` at `offset` into
   * `out` at `outOffset`. `out` may be `x` itself.
   */
  normalizeInto(x: ArrayLike<number>, out: { [i: number]: number }, epsilon: number, clip: number, offset = 0, outOffset = 0): void {
    for (let i = 0; i < this.size; i++) {
      const z = (x[offset + i] - this.mean[i]) / Math.sqrt(this.var[i] + epsilon);
      out[outOffset + i] = z > clip ? clip : z < -clip ? -clip : z;
    }
  }

  toJSON(): RunningStatsJSON {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  /** Replaces these statistics with saved ones, after checking their shape and values. */
  load(json: RunningStatsJSON): void {
    validateRunningStats(json, this.size);
    this.mean.set(json.mean);
    this.var.set(json.var);
    this.count = json.count;
  }

  static fromJSON(json: RunningStatsJSON): RunningMeanStd {
    const size = Array.isArray(json?.mean) ? json.mean.length : 0;
    const stats = new RunningMeanStd(Math.max(size, 1));
    stats.load(json);
    return stats;
  }
}

function validateRunningStats(json: RunningStatsJSON, size: number): void {
  if (typeof json !== 'object' || json === null) throw new DataError(`Expected running statistics {mean, var, count}, but got ${describeValue(json)}.`);
  for (const key of ['mean', 'var'] as const) {
    const values = json[key];
    if (!Array.isArray(values) || values.length !== size) {
      throw new DataError(`Expected statistics ${key} to be an array of ${size} numbers, but got ${describeValue(values)}.`);
    }
    for (let i = 0; i < size; i++) {
      const v = values[i];
      if (typeof v !== 'number' || !Number.isFinite(v) || (key === 'var' && v < 0)) {
        throw new DataError(`Expected statistics ${key}[${i}] to be a finite${key === 'var' ? ' non-negative' : ''} number, but got ${describeValue(v)}.`);
      }
    }
  }
  if (typeof json.count !== 'number' || !Number.isFinite(json.count) || json.count <= 0) {
    throw new DataError(`Expected statistics count to be a positive finite number, but got ${describeValue(json.count)}.`);
  }
}
