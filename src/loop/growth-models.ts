/**
 * The four shapes a learning curve is compared against, as functions of the iteration t = 0, 1, ...:
 *
 *   linear       y = a + b t                      constant gain per iteration
 *   exponential  y = a e^(g t)                    constant compound rate d = e^g - 1 per iteration
 *   saturating   y = c - (c - a) e^(-k t), k > 0  the gap to a ceiling c closes by 1 - e^-k per iteration
 *   power        y = a (t + 1)^b                  power law of experience (diminishing returns when |b| < 1)
 *
 * Each is fitted by least squares on the original scale (so residuals, and the AICc built on them, are
 * comparable across models): linear in closed form, the others by Levenberg-Marquardt from starts that
 * solve the linear part exactly (log-linear fits; for the saturating model a grid over k with the linear
 * parameters solved at each k). k is fitted as s = ln k so it stays positive: a saturating model with
 * k < 0 would contain the exponential one and the comparison would mean nothing.
 */
import { linearRegression } from 'simple-statistics';
import { levenbergMarquardt, residualSumOfSquares, type LeastSquaresProblem } from './least-squares.js';

export const GROWTH_MODEL_NAMES = ['linear', 'exponential', 'saturating', 'power'] as const;
export type GrowthModelName = (typeof GROWTH_MODEL_NAMES)[number];

export interface GrowthModel {
  name: GrowthModelName;
  formula: string;
  /** Number of fitted parameters (the noise variance not counted). */
  parameterCount: number;
  value(p: ArrayLike<number>, t: number): number;
  gradient(p: ArrayLike<number>, t: number, out: Float64Array): void;
  /** Bounds of the parameters for data on the iterations t (none when absent). */
  bounds?(t: ArrayLike<number>): { lower: number[]; upper: number[] };
  /** An exact fit that replaces the local search from starts, when the model has one. */
  fit?(t: ArrayLike<number>, y: ArrayLike<number>): GrowthFit;
  /** Starting points for the fit, from the data. */
  starts(t: ArrayLike<number>, y: ArrayLike<number>): ArrayLike<number>[];
  /** The parameters by name, with derived quantities (e.g. the compound rate). */
  describe(p: ArrayLike<number>): Record<string, number>;
}

const allPositive = (y: ArrayLike<number>) => Array.from(y).every((v) => v > 0);
const meanOf = (y: ArrayLike<number>) => Array.from(y).reduce((s, v) => s + v, 0) / y.length;
const spanOf = (t: ArrayLike<number>) => Math.max(1, t[t.length - 1] - t[0]);
const ols = (x: ArrayLike<number>, y: ArrayLike<number>) => linearRegression(Array.from({ length: x.length }, (_, i) => [x[i], y[i]]));

export const LINEAR: GrowthModel = {
  name: 'linear',
  formula: 'y = a + b t',
  parameterCount: 2,
  value: (p, t) => p[0] + p[1] * t,
  gradient: (_p, t, out) => {
    out[0] = 1;
    out[1] = t;
  },
  starts: (t, y) => {
    const { b, m } = ols(t, y);
    return [[b, m]];
  },
  describe: (p) => ({ a: p[0], b: p[1] }),
};

export const EXPONENTIAL: GrowthModel = {
  name: 'exponential',
  formula: 'y = a exp(g t)',
  parameterCount: 2,
  value: (p, t) => p[0] * Math.exp(p[1] * t),
  gradient: (p, t, out) => {
    const e = Math.exp(p[1] * t);
    out[0] = e;
    out[1] = p[0] * t * e;
  },
  starts: (t, y) => {
    const starts: number[][] = [[meanOf(y), 0]];
    if (allPositive(y)) {
      const { b, m } = ols(t, Array.from(y, Math.log));
      starts.unshift([Math.exp(b), m]);
    }
    return starts;
  },
  describe: (p) => ({ a: p[0], g: p[1], rate: Math.exp(p[1]) - 1 }),
};

export const SATURATING: GrowthModel = {
  name: 'saturating',
  formula: 'y = c - (c - a) exp(-k t)',
  parameterCount: 3,
  value: (p, t) => {
    const decay = Math.exp(-Math.exp(p[2]) * t);
    return p[1] - (p[1] - p[0]) * decay;
  },
  gradient: (p, t, out) => {
    const k = Math.exp(p[2]);
    const decay = Math.exp(-k * t);
    out[0] = decay;
    out[1] = 1 - decay;
    out[2] = (p[1] - p[0]) * t * k * decay;
  },
  // k from "1% of the gap closed over the whole span" (indistinguishable from a line) to "all of it in one step".
  bounds: (t) => ({ lower: [-Infinity, -Infinity, Math.log(0.01 / spanOf(t))], upper: [Infinity, Infinity, Math.log(20)] }),
  starts: (t, y) => [profileSaturating(t, y).parameters],
  // No local search: profileSaturating is the exact fit (up to the golden-section tolerance).
  fit: (t, y) => profileSaturating(t, y),
  describe: (p) => {
    const k = Math.exp(p[2]);
    return { a: p[0], c: p[1], k, gapClosedPerIteration: 1 - Math.exp(-k) };
  },
};

/**
 * The saturating fit by variable projection: for a fixed k the model is linear in (a, c),
 * y = a u + c (1 - u) with u = e^(-k t), so the RSS profiled over s = ln k is a function of one variable.
 * It is scanned on a grid over the bounds and refined by golden-section search around the best point.
 * (A local search from a start walks slowly along the curved valley of a near-linear curve.)
 */
function profileSaturating(t: ArrayLike<number>, y: ArrayLike<number>): GrowthFit {
  const { lower, upper } = SATURATING.bounds?.(t) ?? { lower: [0, 0, -10], upper: [0, 0, 3] };
  const best = new Float64Array(3);
  const rssAt = (s: number) => saturatingLinearPart(t, y, s, best);
  const low = lower[2];
  const high = upper[2];
  const points = 32;
  let bestIndex = 0;
  let bestRss = Infinity;
  for (let i = 0; i <= points; i++) {
    const rss = rssAt(low + ((high - low) * i) / points);
    if (rss < bestRss) {
      bestRss = rss;
      bestIndex = i;
    }
  }
  let a = low + ((high - low) * Math.max(0, bestIndex - 1)) / points;
  let b = low + ((high - low) * Math.min(points, bestIndex + 1)) / points;
  const ratio = (Math.sqrt(5) - 1) / 2;
  let c = b - ratio * (b - a);
  let d = a + ratio * (b - a);
  let fc = rssAt(c);
  let fd = rssAt(d);
  while (b - a > 1e-9) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - ratio * (b - a);
      fc = rssAt(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + ratio * (b - a);
      fd = rssAt(d);
    }
  }
  const candidates = [low + ((high - low) * bestIndex) / points, (a + b) / 2];
  let fit: GrowthFit = { parameters: new Float64Array(3).fill(Number.NaN), rss: Infinity };
  for (const s of candidates) {
    const rss = rssAt(s);
    if (rss < fit.rss) fit = { parameters: Float64Array.from(best), rss };
  }
  // The profiled RSS above is the normal-equation form, which loses digits when the fit is close; the
  // reported RSS sums the residuals.
  fit.rss = residualSumOfSquares({ x: t, y, value: SATURATING.value, gradient: SATURATING.gradient }, fit.parameters);
  return fit;
}

/** The RSS of the best (a, c) at s = ln k, written with s into `out` as [a, c, s]; Infinity if degenerate. */
function saturatingLinearPart(t: ArrayLike<number>, y: ArrayLike<number>, s: number, out: Float64Array): number {
  const k = Math.exp(s);
  let suu = 0;
  let suv = 0;
  let svv = 0;
  let suy = 0;
  let svy = 0;
  let syy = 0;
  for (let i = 0; i < t.length; i++) {
    const u = Math.exp(-k * t[i]);
    const v = 1 - u;
    suu += u * u;
    suv += u * v;
    svv += v * v;
    suy += u * y[i];
    svy += v * y[i];
    syy += y[i] * y[i];
  }
  const det = suu * svv - suv * suv;
  if (!(Math.abs(det) > 1e-12 * (suu * svv + 1e-300))) return Infinity;
  const a = (suy * svv - svy * suv) / det;
  const c = (svy * suu - suy * suv) / det;
  out[0] = a;
  out[1] = c;
  out[2] = s;
  // RSS = y'y - 2 beta'X'y + beta'X'X beta, with beta = (a, c); clamped at 0 against rounding.
  return Math.max(0, syy - 2 * (a * suy + c * svy) + (a * a * suu + 2 * a * c * suv + c * c * svv));
}

export const POWER: GrowthModel = {
  name: 'power',
  formula: 'y = a (t + 1)^b',
  parameterCount: 2,
  value: (p, t) => p[0] * Math.pow(t + 1, p[1]),
  gradient: (p, t, out) => {
    const v = Math.pow(t + 1, p[1]);
    out[0] = v;
    out[1] = p[0] * v * Math.log(t + 1);
  },
  starts: (t, y) => {
    const starts: number[][] = [[meanOf(y), 0]];
    if (allPositive(y)) {
      const { b, m } = ols(Array.from(t, (v) => Math.log(v + 1)), Array.from(y, Math.log));
      starts.unshift([Math.exp(b), m]);
    }
    return starts;
  },
  describe: (p) => ({ a: p[0], b: p[1] }),
};

export const GROWTH_MODELS: readonly GrowthModel[] = [LINEAR, EXPONENTIAL, SATURATING, POWER];

export interface GrowthFit {
  parameters: Float64Array;
  rss: number;
}

/** Least-squares fit of `model` to (t, y), from the given starts (default: the model's own); the best one wins. */
export function fitGrowthModel(model: GrowthModel, t: ArrayLike<number>, y: ArrayLike<number>, starts?: readonly ArrayLike<number>[]): GrowthFit {
  if (model.fit !== undefined) return model.fit(t, y);
  const problem: LeastSquaresProblem = { x: t, y, value: model.value, gradient: model.gradient, ...model.bounds?.(t) };
  let best: GrowthFit = { parameters: new Float64Array(model.parameterCount).fill(Number.NaN), rss: Infinity };
  for (const start of starts ?? model.starts(t, y)) {
    const fit = levenbergMarquardt(problem, start);
    if (fit.rss < best.rss) best = { parameters: fit.parameters, rss: fit.rss };
  }
  return best;
}

/**
 * The small-sample Akaike criterion of a least-squares fit with Gaussian errors of unknown variance:
 * n ln(RSS/n) + 2q + 2q(q+1)/(n-q-1), with q = parameters + 1 (the variance). Null when n <= q + 1,
 * where it is undefined. `floor` keeps a perfect fit's RSS from giving -Infinity.
 */
export function aicc(rss: number, n: number, parameterCount: number, floor = 0): number | null {
  const q = parameterCount + 1;
  if (n - q - 1 <= 0 || !Number.isFinite(rss)) return null;
  return n * Math.log(Math.max(rss, floor) / n) + 2 * q + (2 * q * (q + 1)) / (n - q - 1);
}
