/**
 * The data side of a learning-curve analysis: checks the inputs, turns day-level KPIs into iteration
 * scores, and draws the shared bootstrap resamples of every arm (curve-bootstrap.ts).
 *
 * Accepted data (all arms paired with the learning arm's replicates, i.e. run on the same worlds):
 * - `scores`: replicate x iteration matrix of the learning arm's KPI; or instead
 * - `days`: replicate x iteration x day KPIs; an iteration's score is the mean of its days;
 * - `frozen`, `scratch`: the same shape, from the frozen initial policy and the retrain-from-scratch arm;
 * - `baseline`, `ceiling`: e.g. greedy and oracle, as a number, one number per iteration or a matrix;
 * - `evaluations`: scores of the deployed policy on an earlier world (NaN where not evaluated).
 *
 * Resampling unit: replicates when there are 2 or more; with one replicate (a single real history), the
 * days within each iteration (then the other arms count as known without error).
 */
import { DataError, describeValue } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { dayBootstrap, fixedSamples, replicateBootstrap } from './curve-bootstrap.js';
import type { CurveWithSamples } from './multiplier.js';
import { meanCurve, referenceGrid, toGrid, toPairedGrid, type Grid, type ReferenceInput, type ScoreMatrix } from './score-matrix.js';

/** Day-level KPIs: `days[replicate][iteration]` lists that iteration's daily values (at least one). */
export type DayKpis = readonly (readonly ArrayLike<number>[])[];

export interface WorldEvaluationInput {
  /** The world evaluated: 0 = the world before the first change, j = the one after change j. */
  world: number;
  /** Replicate x iteration scores on that world; NaN where it was not evaluated. */
  scores: ScoreMatrix;
}

export interface LearningCurveData {
  scores?: ScoreMatrix;
  days?: DayKpis;
  frozen?: ScoreMatrix;
  scratch?: ScoreMatrix;
  baseline?: ReferenceInput;
  ceiling?: ReferenceInput;
  evaluations?: readonly WorldEvaluationInput[];
}

export const MIN_ITERATIONS = 3;

export interface PreparedEvaluation {
  world: number;
  arm: CurveWithSamples;
  /** Per iteration: every replicate was evaluated there. */
  complete: boolean[];
}

export interface PreparedCurve {
  replicates: number;
  iterations: number;
  unit: 'replicate' | 'day';
  /** Number of resampling units (replicates, or the fewest days in an iteration). */
  units: number;
  learning: CurveWithSamples;
  frozen?: CurveWithSamples;
  scratch?: CurveWithSamples;
  baseline?: CurveWithSamples;
  ceiling?: CurveWithSamples;
  evaluations: PreparedEvaluation[];
  /** Each replicate's day-level history in order, with the iteration and day of every entry. */
  dayHistories?: { values: Float64Array; iteration: Int32Array; day: Int32Array }[];
}

export function prepareCurve(data: LearningCurveData, resamples: number, seed: number): PreparedCurve {
  if ((data.scores === undefined) === (data.days === undefined)) {
    throw new DataError(`Expected exactly one of scores (replicate x iteration) or days (replicate x iteration x day), but got ${data.scores === undefined ? 'neither' : 'both'}.`);
  }
  const learningGrid = data.days !== undefined ? gridFromDays(data.days) : toGrid(data.scores as ScoreMatrix, { name: 'scores' });
  const { replicates, iterations } = learningGrid;
  if (iterations < MIN_ITERATIONS) {
    throw new DataError(`Expected at least ${MIN_ITERATIONS} iterations to analyze a learning curve, but got ${iterations}.`);
  }
  const named: [keyof LearningCurveData & ('frozen' | 'scratch' | 'baseline' | 'ceiling'), Grid][] = [];
  if (data.frozen !== undefined) named.push(['frozen', toPairedGrid(data.frozen, learningGrid, { name: 'frozen' })]);
  if (data.scratch !== undefined) named.push(['scratch', toPairedGrid(data.scratch, learningGrid, { name: 'scratch' })]);
  if (data.baseline !== undefined) named.push(['baseline', referenceGrid(data.baseline, learningGrid, 'baseline')]);
  if (data.ceiling !== undefined) named.push(['ceiling', referenceGrid(data.ceiling, learningGrid, 'ceiling')]);
  const evaluationGrids = (data.evaluations ?? []).map((e, i) => {
    if (!Number.isInteger(e.world) || e.world < 0) throw new DataError(`Expected evaluations[${i}].world to be a world index >= 0, but got ${describeValue(e.world)}.`);
    return toPairedGrid(e.scores, learningGrid, { name: `evaluations[${i}].scores`, allowMissing: true });
  });

  const rng = new Rng(seed).fork('bootstrap');
  let unit: PreparedCurve['unit'];
  let units: number;
  let samples;
  if (replicates >= 2) {
    unit = 'replicate';
    units = replicates;
    samples = replicateBootstrap([learningGrid, ...named.map(([, g]) => g), ...evaluationGrids], resamples, rng);
  } else {
    const days = data.days?.[0];
    const fewest = days === undefined ? 0 : Math.min(...days.map((d) => d.length));
    if (fewest < 2) {
      throw new DataError(
        `Expected at least 2 replicates, or day-level KPIs with at least 2 days in every iteration, to resample for confidence intervals, but got 1 replicate${days === undefined ? ' and no days' : ` and an iteration with ${fewest} day`}.`,
      );
    }
    unit = 'day';
    units = fewest;
    const rest = [...named.map(([, g]) => g), ...evaluationGrids].map((g) => fixedSamples(meanCurve(g), resamples));
    samples = [dayBootstrap(days as readonly ArrayLike<number>[], resamples, rng), ...rest];
  }
  const withSamples = (grid: Grid, i: number): CurveWithSamples => ({ curve: meanCurve(grid), samples: samples[i] });
  const prepared: PreparedCurve = {
    replicates,
    iterations,
    unit,
    units,
    learning: withSamples(learningGrid, 0),
    evaluations: evaluationGrids.map((grid, i) => ({
      world: (data.evaluations as WorldEvaluationInput[])[i].world,
      arm: withSamples(grid, 1 + named.length + i),
      complete: Array.from({ length: iterations }, (_, k) => Array.from({ length: replicates }, (_, r) => grid.data[r * iterations + k]).every((v) => !Number.isNaN(v))),
    })),
  };
  named.forEach(([name, grid], i) => {
    prepared[name] = withSamples(grid, 1 + i);
  });
  if (data.days !== undefined) prepared.dayHistories = data.days.map(dayHistory);
  return prepared;
}

function gridFromDays(days: DayKpis): Grid {
  if (!Array.isArray(days) || days.length === 0) throw new DataError(`Expected days as a non-empty array (replicate x iteration x day), but got ${describeValue(days)}.`);
  const scores = days.map((replicate, r) => {
    if (!Array.isArray(replicate)) throw new DataError(`Expected days[${r}] to be an array of iterations, but got ${describeValue(replicate)}.`);
    return replicate.map((values, k) => {
      if (values === null || typeof values !== 'object' || values.length === 0) {
        throw new DataError(`Expected days[${r}][${k}] to list at least one day's KPI, but got ${describeValue(values)}.`);
      }
      let sum = 0;
      for (let d = 0; d < values.length; d++) {
        if (typeof values[d] !== 'number' || !Number.isFinite(values[d])) throw new DataError(`Expected a finite number at days[${r}][${k}][${d}], but got ${describeValue(values[d])}.`);
        sum += values[d];
      }
      return sum / values.length;
    });
  });
  return toGrid(scores, { name: 'days (iteration means)' });
}

function dayHistory(replicate: readonly ArrayLike<number>[]): { values: Float64Array; iteration: Int32Array; day: Int32Array } {
  const total = replicate.reduce((s, d) => s + d.length, 0);
  const values = new Float64Array(total);
  const iteration = new Int32Array(total);
  const day = new Int32Array(total);
  let i = 0;
  replicate.forEach((days, k) => {
    for (let d = 0; d < days.length; d++, i++) {
      values[i] = days[d];
      iteration[i] = k;
      day[i] = d;
    }
  });
  return { values, iteration, day };
}
