/**
 * The four shapes a learning curve is compared against, as functions of the iteration t = 0, 1, ...:
 *
 *   linear       y = a + b t                      constant gain per iteration
 *   exponential  y = a e^(g t)                    constant compound rate d = e^g - 1 per iteration
 *   saturating   y = c - (c - a) e^(-k t), k > 0  the gap to a ceiling c closes by 1 - e^-k per iteration
 *   power        y = a (t + 1)^b                  power law of experience (diminishing returns when |b| < 1)
 *
 * Each is fitted by least squares on the original scale, so residuals (and the AICc built on them) are
 * comparable across models. The linear model has a closed form. The other three are separable: for a
 * fixed nonlinear parameter theta (g, b, or s = ln k) they are linear in the rest, which least squares
 * solves exactly. Their fit is therefore a search over theta alone (variable projection, Golub & Pereyra
 * 1973): the profiled RSS(theta) is scanned on a grid over theta's bounds and refined by golden-section
 * search around the best grid point. This finds the global minimum over the bounds without the slow walk
 * of a local method along the curved valley of a near-linear saturating curve, and a refit on a
 * bootstrap resample can start from a narrow bracket around the full-data theta.
 *
 * Bounds: |g| and |b| span at most a factor e^20 of growth over the data; k runs from "1% of the gap
 * closed over the whole span" (indistinguishable from a line) to "all of it in one iteration". k > 0 is
 * essential: with k < 0 the saturating model would contain the exponential one.
 */

export const GROWTH_MODEL_NAMES = ['linear', 'exponential', 'saturating', 'power'] as const;
export type GrowthModelName = (typeof GROWTH_MODEL_NAMES)[number];

export interface GrowthFit {
  parameters: Float64Array;
  /** Residual sum of squares. */
  rss: number;
}

export interface GrowthModel {
  name: GrowthModelName;
  formula: string;
  /** Number of fitted parameters (the noise variance not counted). */
  parameterCount: number;
  value(p: ArrayLike<number>, t: number): number;
  /** Least-squares fit to (t, y); `near` (a fit to similar data) narrows the search. */
  fit(t: ArrayLike<number>, y: ArrayLike<number>, near?: GrowthFit): GrowthFit;
  /** The parameters by name, with derived quantities (e.g. the compound rate). */
  describe(p: ArrayLike<number>): Record<string, number>;
}

const spanOf = (t: ArrayLike<number>) => Math.max(1, t[t.length - 1] - t[0]);

export function residualSumOfSquares(model: GrowthModel, p: ArrayLike<number>, t: ArrayLike<number>, y: ArrayLike<number>): number {
  let rss = 0;
  for (let i = 0; i < t.length; i++) {
    const r = y[i] - model.value(p, t[i]);
    rss += r * r;
  }
  return rss;
}

export const LINEAR: GrowthModel = {
  name: 'linear',
  formula: 'y = a + b t',
  parameterCount: 2,
  value: (p, t) => p[0] + p[1] * t,
  fit: (t, y) => {
    const n = t.length;
    let st = 0;
    let sy = 0;
    for (let i = 0; i < n; i++) {
      st += t[i];
      sy += y[i];
    }
    const mt = st / n;
    const my = sy / n;
    let stt = 0;
    let sty = 0;
    for (let i = 0; i < n; i++) {
      stt += (t[i] - mt) ** 2;
      sty += (t[i] - mt) * (y[i] - my);
    }
    const b = stt > 0 ? sty / stt : 0;
    const parameters = Float64Array.of(my - b * mt, b);
    return { parameters, rss: residualSumOfSquares(LINEAR, parameters, t, y) };
  },
  describe: (p) => ({ a: p[0], b: p[1] }),
};

/**
 * A model linear in one coefficient (y = a u) or two (y = a u + c (1 - u)) given theta, where
 * u_i = basis(theta) at t_i.
 */
interface Separable {
  twoTerms: boolean;
  bounds(t: ArrayLike<number>): [number, number];
  /** Writes u_i for every t_i into `u`. */
  basis(theta: number, t: ArrayLike<number>, u: Float64Array): void;
  /** The model's parameter vector from the linear coefficients and theta. */
  assemble(a: number, c: number, theta: number): Float64Array;
  /** theta of a parameter vector (for warm starts). */
  theta(p: ArrayLike<number>): number;
}

/** True when t is 0, 1, 2, ...: then e^(theta t) follows the recurrence u_i = u_(i-1) e^theta. */
function isIntegerAxis(t: ArrayLike<number>): boolean {
  for (let i = 0; i < t.length; i++) if (t[i] !== i) return false;
  return true;
}

/** u_i = e^(rate t_i). */
function exponentialBasis(rate: number, t: ArrayLike<number>, u: Float64Array): void {
  if (isIntegerAxis(t)) {
    const q = Math.exp(rate);
    let v = 1;
    for (let i = 0; i < t.length; i++, v *= q) u[i] = v;
  } else {
    for (let i = 0; i < t.length; i++) u[i] = Math.exp(rate * t[i]);
  }
}

/** Profiled least squares at theta: the best linear coefficients and the RSS (Infinity if degenerate). */
function profileAt(model: Separable, theta: number, t: ArrayLike<number>, y: ArrayLike<number>, u: Float64Array, out: { a: number; c: number }): number {
  model.basis(theta, t, u);
  let suu = 0;
  let suy = 0;
  let syy = 0;
  let svv = 0;
  let suv = 0;
  let svy = 0;
  for (let i = 0; i < t.length; i++) {
    const ui = u[i];
    const yi = y[i];
    suu += ui * ui;
    suy += ui * yi;
    syy += yi * yi;
    if (model.twoTerms) {
      const vi = 1 - ui;
      svv += vi * vi;
      suv += ui * vi;
      svy += vi * yi;
    }
  }
  if (!model.twoTerms) {
    if (!(suu > 0) || !Number.isFinite(suu)) return Infinity;
    out.a = suy / suu;
    out.c = 0;
    return Math.max(0, syy - out.a * suy);
  }
  const det = suu * svv - suv * suv;
  if (!(Math.abs(det) > 1e-12 * suu * svv) || !Number.isFinite(det)) return Infinity;
  out.a = (suy * svv - svy * suv) / det;
  out.c = (svy * suu - suy * suv) / det;
  // y'y - 2 beta'X'y + beta'X'X beta; the final RSS is recomputed from residuals (this form loses digits).
  return Math.max(0, syy - 2 * (out.a * suy + out.c * svy) + out.a * out.a * suu + 2 * out.a * out.c * suv + out.c * out.c * svv);
}

const GOLDEN = (Math.sqrt(5) - 1) / 2;

/** Minimizes f over [low, high]: a grid of `points` + 1 values, then golden-section search around the best. */
function gridGolden(f: (x: number) => number, low: number, high: number, points: number, tolerance: number): { x: number; edge: boolean } {
  let bestIndex = 0;
  let bestValue = Infinity;
  for (let i = 0; i <= points; i++) {
    const value = f(low + ((high - low) * i) / points);
    if (value < bestValue) {
      bestValue = value;
      bestIndex = i;
    }
  }
  const gridBest = low + ((high - low) * bestIndex) / points;
  let a = low + ((high - low) * Math.max(0, bestIndex - 1)) / points;
  let b = low + ((high - low) * Math.min(points, bestIndex + 1)) / points;
  let c = b - GOLDEN * (b - a);
  let d = a + GOLDEN * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tolerance) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - GOLDEN * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + GOLDEN * (b - a);
      fd = f(d);
    }
  }
  const refined = (a + b) / 2;
  const x = f(refined) <= bestValue ? refined : gridBest;
  return { x, edge: bestIndex === 0 || bestIndex === points };
}

function separableFit(model: Separable, self: GrowthModel, t: ArrayLike<number>, y: ArrayLike<number>, near?: GrowthFit): GrowthFit {
  const [low, high] = model.bounds(t);
  const u = new Float64Array(t.length);
  const coefficients = { a: 0, c: 0 };
  const rssAt = (theta: number) => profileAt(model, theta, t, y, u, coefficients);
  const tolerance = 1e-9 * (high - low);
  let theta: number | null = null;
  if (near !== undefined && Number.isFinite(near.rss)) {
    // A resample of the same curve: search a bracket of 1/8 of the range around the earlier optimum,
    // and fall back to the whole range if the optimum sits on the bracket's edge.
    const centre = model.theta(near.parameters);
    const half = (high - low) / 16;
    const from = Math.max(low, centre - half);
    const to = Math.min(high, centre + half);
    const local = gridGolden(rssAt, from, to, 8, tolerance);
    const onOuterBound = local.x <= low + tolerance || local.x >= high - tolerance;
    if (!local.edge || onOuterBound) theta = local.x;
  }
  theta ??= gridGolden(rssAt, low, high, 32, tolerance).x;
  const rss = rssAt(theta);
  if (!Number.isFinite(rss)) return { parameters: new Float64Array(self.parameterCount).fill(Number.NaN), rss: Infinity };
  const parameters = model.assemble(coefficients.a, coefficients.c, theta);
  return { parameters, rss: residualSumOfSquares(self, parameters, t, y) };
}

const EXPONENTIAL_FORM: Separable = {
  twoTerms: false,
  bounds: (t) => [-20 / spanOf(t), 20 / spanOf(t)],
  basis: exponentialBasis,
  assemble: (a, _c, g) => Float64Array.of(a, g),
  theta: (p) => p[1],
};

export const EXPONENTIAL: GrowthModel = {
  name: 'exponential',
  formula: 'y = a exp(g t)',
  parameterCount: 2,
  value: (p, t) => p[0] * Math.exp(p[1] * t),
  fit: (t, y, near) => separableFit(EXPONENTIAL_FORM, EXPONENTIAL, t, y, near),
  describe: (p) => ({ a: p[0], g: p[1], rate: Math.exp(p[1]) - 1 }),
};

// Parameters [a, c, s] with k = e^s; the basis is u = e^(-k t), so y = a u + c (1 - u).
const SATURATING_FORM: Separable = {
  twoTerms: true,
  bounds: (t) => [Math.log(0.01 / spanOf(t)), Math.log(20)],
  basis: (s, t, u) => exponentialBasis(-Math.exp(s), t, u),
  assemble: (a, c, s) => Float64Array.of(a, c, s),
  theta: (p) => p[2],
};

export const SATURATING: GrowthModel = {
  name: 'saturating',
  formula: 'y = c - (c - a) exp(-k t)',
  parameterCount: 3,
  value: (p, t) => p[1] - (p[1] - p[0]) * Math.exp(-Math.exp(p[2]) * t),
  fit: (t, y, near) => separableFit(SATURATING_FORM, SATURATING, t, y, near),
  describe: (p) => {
    const k = Math.exp(p[2]);
    return { a: p[0], c: p[1], k, gapClosedPerIteration: 1 - Math.exp(-k) };
  },
};

/** ln(t + 1) per axis, computed once per axis array (a fit evaluates the basis ~50 times). */
const logCache = new WeakMap<object, Float64Array>();
function logsOf(t: ArrayLike<number>): Float64Array {
  let logs = logCache.get(t);
  if (logs === undefined) {
    logs = Float64Array.from({ length: t.length }, (_, i) => Math.log(t[i] + 1));
    logCache.set(t, logs);
  }
  return logs;
}

const POWER_FORM: Separable = {
  twoTerms: false,
  bounds: (t) => {
    const limit = 20 / Math.log(Math.max(2, t[t.length - 1] + 1));
    return [-limit, limit];
  },
  basis: (b, t, u) => {
    const logs = logsOf(t);
    for (let i = 0; i < t.length; i++) u[i] = Math.exp(b * logs[i]);
  },
  assemble: (a, _c, b) => Float64Array.of(a, b),
  theta: (p) => p[1],
};

export const POWER: GrowthModel = {
  name: 'power',
  formula: 'y = a (t + 1)^b',
  parameterCount: 2,
  value: (p, t) => p[0] * Math.pow(t + 1, p[1]),
  fit: (t, y, near) => separableFit(POWER_FORM, POWER, t, y, near),
  describe: (p) => ({ a: p[0], b: p[1] }),
};

export const GROWTH_MODELS: readonly GrowthModel[] = [LINEAR, EXPONENTIAL, SATURATING, POWER];

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
