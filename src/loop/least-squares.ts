/**
 * Nonlinear least squares by Levenberg-Marquardt (Marquardt's scaling: the damping multiplies the
 * diagonal of J'J), for the few-parameter growth models of the learning-curve analysis. The caller gives
 * the model's value and gradient per point, and optional box bounds (a trial point is clamped into them,
 * so a parameter that runs to a bound stops there). The normal equations are p x p (p <= 3 here), solved
 * by Gaussian elimination in place: this runs thousands of times per analysis (one refit per bootstrap
 * resample and model), where a matrix library's allocations would dominate.
 */

export interface LeastSquaresProblem {
  /** x values (here: iterations). */
  x: ArrayLike<number>;
  /** Observed values, one per x. */
  y: ArrayLike<number>;
  /** Model value at x for parameters p. */
  value(p: Float64Array, x: number): number;
  /** Writes d value / d p_j at x into `gradient`. */
  gradient(p: Float64Array, x: number, gradient: Float64Array): void;
  /** Optional bounds per parameter (use -Infinity / Infinity for none). */
  lower?: ArrayLike<number>;
  upper?: ArrayLike<number>;
}

export interface LeastSquaresOptions {
  maxIterations?: number;
  /** Stop when an accepted step lowers the RSS by less than this fraction. */
  tolerance?: number;
}

export interface LeastSquaresFit {
  parameters: Float64Array;
  /** Residual sum of squares at the solution. */
  rss: number;
  iterations: number;
  converged: boolean;
}

export function residualSumOfSquares(problem: LeastSquaresProblem, p: Float64Array): number {
  let rss = 0;
  for (let i = 0; i < problem.x.length; i++) {
    const r = problem.y[i] - problem.value(p, problem.x[i]);
    rss += r * r;
  }
  return rss;
}

/** Minimizes sum_i (y_i - f(x_i; p))^2 from `start`. Non-finite trial points are rejected like worse ones. */
export function levenbergMarquardt(problem: LeastSquaresProblem, start: ArrayLike<number>, options: LeastSquaresOptions = {}): LeastSquaresFit {
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.tolerance ?? 1e-10;
  const n = problem.x.length;
  const m = start.length;
  let p = Float64Array.from(start);
  clampInto(p, problem);
  let rss = residualSumOfSquares(problem, p);
  if (!Number.isFinite(rss)) return { parameters: p, rss, iterations: 0, converged: false };
  let lambda = 1e-3;
  const gradient = new Float64Array(m);
  const jtj = new Float64Array(m * m);
  const jtr = new Float64Array(m);
  const system = new Float64Array(m * m);
  const step = new Float64Array(m);
  const active = new Uint8Array(m);
  let trial = new Float64Array(m);
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    jtj.fill(0);
    jtr.fill(0);
    for (let i = 0; i < n; i++) {
      const x = problem.x[i];
      const r = problem.y[i] - problem.value(p, x);
      problem.gradient(p, x, gradient);
      for (let a = 0; a < m; a++) {
        jtr[a] += gradient[a] * r;
        for (let b = 0; b <= a; b++) jtj[a * m + b] += gradient[a] * gradient[b];
      }
    }
    for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) jtj[a * m + b] = jtj[b * m + a];
    let accepted = false;
    // Raise the damping until a step lowers the RSS (or the step vanishes: a minimum to working precision).
    while (lambda < 1e16) {
      dampedStep(jtj, jtr, lambda, m, system, step, null);
      // A parameter at a bound that the step pushes outwards is held there (an active set), and the
      // step re-solved for the others; otherwise each clamped step would gain almost nothing.
      let held = 0;
      for (let a = 0; a < m; a++) {
        active[a] = (problem.lower !== undefined && p[a] <= problem.lower[a] && step[a] < 0) || (problem.upper !== undefined && p[a] >= problem.upper[a] && step[a] > 0) ? 1 : 0;
        held += active[a];
      }
      if (held > 0) dampedStep(jtj, jtr, lambda, m, system, step, active);
      for (let a = 0; a < m; a++) trial[a] = p[a] + step[a];
      clampInto(trial, problem);
      let stepSize = 0;
      for (let a = 0; a < m; a++) stepSize = Math.max(stepSize, Math.abs(trial[a] - p[a]) / (Math.abs(p[a]) + 1e-12));
      const trialRss = residualSumOfSquares(problem, trial);
      if (Number.isFinite(trialRss) && trialRss < rss) {
        const gain = (rss - trialRss) / Math.max(rss, Number.MIN_VALUE);
        const previous = p;
        p = trial;
        trial = previous;
        rss = trialRss;
        lambda = Math.max(lambda / 10, 1e-12);
        accepted = true;
        if (gain < tolerance) return { parameters: p, rss, iterations: iteration, converged: true };
        break;
      }
      if (stepSize < 1e-14) return { parameters: p, rss, iterations: iteration, converged: true };
      lambda *= 10;
    }
    if (!accepted) return { parameters: p, rss, iterations: iteration, converged: true };
  }
  return { parameters: p, rss, iterations: maxIterations, converged: false };
}

/** Solves (J'J + lambda diag(J'J)) step = J'r into `step`; parameters marked in `held` get a zero step. */
function dampedStep(jtj: Float64Array, jtr: Float64Array, lambda: number, m: number, system: Float64Array, step: Float64Array, held: Uint8Array | null): void {
  system.set(jtj);
  step.set(jtr);
  for (let a = 0; a < m; a++) {
    system[a * m + a] = jtj[a * m + a] * (1 + lambda) + 1e-300;
    if (held !== null && held[a] === 1) {
      for (let b = 0; b < m; b++) system[a * m + b] = system[b * m + a] = 0;
      system[a * m + a] = 1;
      step[a] = 0;
    }
  }
  solveInPlace(system, step, m);
}

function clampInto(p: Float64Array, { lower, upper }: LeastSquaresProblem): void {
  for (let a = 0; a < p.length; a++) {
    if (lower !== undefined && p[a] < lower[a]) p[a] = lower[a];
    if (upper !== undefined && p[a] > upper[a]) p[a] = upper[a];
  }
}

/** Solves A x = b for a small dense m x m system (row-major A), by elimination with partial pivoting; b becomes x. */
export function solveInPlace(a: Float64Array, b: Float64Array, m: number): void {
  for (let col = 0; col < m; col++) {
    let pivot = col;
    for (let row = col + 1; row < m; row++) if (Math.abs(a[row * m + col]) > Math.abs(a[pivot * m + col])) pivot = row;
    if (pivot !== col) {
      for (let c = 0; c < m; c++) {
        const tmp = a[col * m + c];
        a[col * m + c] = a[pivot * m + c];
        a[pivot * m + c] = tmp;
      }
      const tmp = b[col];
      b[col] = b[pivot];
      b[pivot] = tmp;
    }
    const diagonal = a[col * m + col];
    for (let row = col + 1; row < m; row++) {
      const factor = a[row * m + col] / diagonal;
      if (factor === 0) continue;
      for (let c = col; c < m; c++) a[row * m + c] -= factor * a[col * m + c];
      b[row] -= factor * b[col];
    }
  }
  for (let row = m - 1; row >= 0; row--) {
    let sum = b[row];
    for (let c = row + 1; c < m; c++) sum -= a[row * m + c] * b[c];
    b[row] = sum / a[row * m + row];
  }
}
