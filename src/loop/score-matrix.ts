/**
 * The shape every learning-curve input takes inside src/loop: a replicate x iteration grid of one KPI,
 * stored row-major in one Float64Array (`data[r * iterations + k]`). Inputs arrive as nested arrays (or
 * arrays of typed arrays) and are checked here once: rectangular, finite, the same shape as the learning
 * arm's scores when they are paired with it.
 */
import { DataError, describeValue } from '../core/errors.js';

/** Rows are replicates (independent runs or companies), columns are iterations 0..K-1. */
export type ScoreMatrix = readonly ArrayLike<number>[];

/**
 * A reference curve: one number for every iteration and replicate, one number per iteration, or a full
 * replicate x iteration matrix paired with the learning arm (same replicate = same worlds).
 */
export type ReferenceInput = number | ArrayLike<number> | ScoreMatrix;

export interface Grid {
  readonly replicates: number;
  readonly iterations: number;
  /** Row-major: `data[r * iterations + k]`. */
  readonly data: Float64Array;
}

export interface GridOptions {
  /** Name used in error messages, e.g. "scores" or "frozen". */
  name: string;
  /** Allow NaN entries (an evaluation that was not run); defaults to false. */
  allowMissing?: boolean;
}

/** Checks that `matrix` is a non-empty rectangle of finite numbers and copies it into a Grid. */
export function toGrid(matrix: ScoreMatrix, options: GridOptions): Grid {
  const { name } = options;
  if (!Array.isArray(matrix) || matrix.length === 0) {
    throw new DataError(`Expected ${name} as a non-empty array of replicate rows (replicate x iteration), but got ${describeValue(matrix)}.`);
  }
  const first = matrix[0];
  if (first === null || typeof first !== 'object' || typeof first.length !== 'number') {
    throw new DataError(`Expected ${name}[0] to be an array of scores (one per iteration), but got ${describeValue(first)}.`);
  }
  const iterations = first.length;
  const data = new Float64Array(matrix.length * iterations);
  for (let r = 0; r < matrix.length; r++) {
    const row = matrix[r];
    if (row === null || typeof row !== 'object' || row.length !== iterations) {
      throw new DataError(`Expected every row of ${name} to have ${iterations} iterations like row 0, but row ${r} has ${row?.length ?? describeValue(row)}.`);
    }
    for (let k = 0; k < iterations; k++) {
      const value = row[k];
      const missing = options.allowMissing === true && Number.isNaN(value);
      if (typeof value !== 'number' || (!Number.isFinite(value) && !missing)) {
        throw new DataError(`Expected a finite number at ${name}[${r}][${k}], but got ${describeValue(value)}.`);
      }
      data[r * iterations + k] = value;
    }
  }
  return { replicates: matrix.length, iterations, data };
}

/** A Grid paired with the learning arm: same replicates and iterations, or an error that says which differs. */
export function toPairedGrid(matrix: ScoreMatrix, like: Grid, options: GridOptions): Grid {
  const grid = toGrid(matrix, options);
  if (grid.replicates !== like.replicates || grid.iterations !== like.iterations) {
    throw new DataError(
      `Expected ${options.name} to be paired with the scores (${like.replicates} replicates x ${like.iterations} iterations), but got ${grid.replicates} x ${grid.iterations}.`,
    );
  }
  return grid;
}

/** A reference (number, per-iteration row, or paired matrix) broadcast to the learning arm's shape. */
export function referenceGrid(reference: ReferenceInput, like: Grid, name: string): Grid {
  const { replicates, iterations } = like;
  if (typeof reference === 'number') {
    if (!Number.isFinite(reference)) throw new DataError(`Expected ${name} to be a finite number, but got ${describeValue(reference)}.`);
    return { replicates, iterations, data: new Float64Array(replicates * iterations).fill(reference) };
  }
  const nested = Array.isArray(reference) && reference.length > 0 && typeof reference[0] === 'object';
  if (nested) return toPairedGrid(reference as ScoreMatrix, like, { name });
  const row = reference as ArrayLike<number>;
  if (row.length !== iterations) {
    throw new DataError(`Expected ${name} to give one value per iteration (${iterations}), but got ${row.length}.`);
  }
  const data = new Float64Array(replicates * iterations);
  for (let k = 0; k < iterations; k++) {
    const value = row[k];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new DataError(`Expected a finite number at ${name}[${k}], but got ${describeValue(value)}.`);
    for (let r = 0; r < replicates; r++) data[r * iterations + k] = value;
  }
  return { replicates, iterations, data };
}

/** Mean over replicates at each iteration, skipping NaN (missing) entries; NaN where all are missing. */
export function meanCurve(grid: Grid): Float64Array {
  const { replicates, iterations, data } = grid;
  const curve = new Float64Array(iterations);
  for (let k = 0; k < iterations; k++) {
    let sum = 0;
    let count = 0;
    for (let r = 0; r < replicates; r++) {
      const value = data[r * iterations + k];
      if (!Number.isNaN(value)) {
        sum += value;
        count++;
      }
    }
    curve[k] = count > 0 ? sum / count : Number.NaN;
  }
  return curve;
}
