/**
 * The one statistics floor of loopgym (every layer uses these; a formula lives here once): mean, sample
 * standard deviation, the t-based confidence interval of a mean, Welch's unequal-variance t-test with a
 * two-sided p-value, the Student-t CDF and quantile, Pearson correlation, and the normalized score
 * (x - random) / (oracle - random). The Student-t CDF comes from the regularized incomplete beta function
 * (Lentz's continued fraction), so p-values are exact to ~1e-12, not table lookups. Bad input throws a
 * DataError naming what was expected and what was found.
 */
import { mean as ssMean, sampleStandardDeviation } from 'simple-statistics';
import { DataError } from './errors.js';

export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) throw new DataError('Expected at least one value for mean(), but got none.');
  return ssMean(Array.from(values));
}

/** Sample standard deviation (n - 1 in the denominator); 0 for a single value. */
export function std(values: ArrayLike<number>): number {
  if (values.length === 0) throw new DataError('Expected at least one value for std(), but got none.');
  return values.length < 2 ? 0 : sampleStandardDeviation(Array.from(values));
}

export interface MeanCI {
  mean: number;
  std: number;
  n: number;
  /** Lower and upper end of the confidence interval of the mean. */
  low: number;
  high: number;
  /** Half-width: t_{(1+level)/2, n-1} * std / sqrt(n). */
  halfWidth: number;
}

/** The t-based confidence interval of the mean (level 0.95 by default); a zero-width interval for n = 1. */
export function confidenceInterval(values: ArrayLike<number>, level = 0.95): MeanCI {
  if (!(level > 0 && level < 1)) throw new DataError(`Expected a confidence level in (0, 1), but got ${level}.`);
  const n = values.length;
  const m = mean(values);
  const s = std(values);
  const halfWidth = n < 2 ? 0 : studentTQuantile((1 + level) / 2, n - 1) * (s / Math.sqrt(n));
  return { mean: m, std: s, n, low: m - halfWidth, high: m + halfWidth, halfWidth };
}

export interface WelchResult {
  /** (mean(a) - mean(b)) / sqrt(var(a)/na + var(b)/nb). */
  t: number;
  /** Welch-Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided p-value. */
  pValue: number;
  meanDifference: number;
}

/** Welch's t-test of mean(a) = mean(b); needs at least two values per sample. */
export function welchTTest(a: ArrayLike<number>, b: ArrayLike<number>): WelchResult {
  if (a.length < 2 || b.length < 2) throw new DataError(`Expected at least 2 values per sample in welchTTest, but got ${a.length} and ${b.length}.`);
  const ma = mean(a);
  const mb = mean(b);
  const va = std(a) ** 2 / a.length;
  const vb = std(b) ** 2 / b.length;
  const se = Math.sqrt(va + vb);
  const diff = ma - mb;
  if (se === 0) return { t: diff === 0 ? 0 : Math.sign(diff) * Infinity, df: a.length + b.length - 2, pValue: diff === 0 ? 1 : 0, meanDifference: diff };
  const t = diff / se;
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  return { t, df, pValue: 2 * studentTCdf(-Math.abs(t), df), meanDifference: diff };
}

/** P(T <= t) for Student's t with `df` degrees of freedom (df > 0, not necessarily an integer). */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new DataError(`Expected df > 0 in studentTCdf, but got ${df}.`);
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** The t with P(T <= t) = p, by bisection on the CDF (monotone, so 200 halvings reach double precision). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new DataError(`Expected p in (0, 1) in studentTQuantile, but got ${p}.`);
  let low = -1e3;
  let high = 1e3;
  for (let i = 0; i < 200 && high - low > 1e-12; i++) {
    const mid = (low + high) / 2;
    if (studentTCdf(mid, df) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** I_x(a, b), the regularized incomplete beta function. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** ln Gamma(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error ~1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const g = 7;
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const y = x - 1;
  let sum = coefficients[0];
  for (let i = 1; i < g + 2; i++) sum += coefficients[i] / (y + i);
  const t = y + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * Pearson correlation of two equally long samples: NaN for fewer than 2 pairs or a constant sample (no
 * correlation is defined), a DataError for samples of different lengths. One behaviour everywhere.
 */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new DataError(`Expected two samples of equal length, but got ${a.length} and ${b.length}.`);
  const n = a.length;
  if (n < 2) return NaN;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

/**
 * The normalized score (x - random) / (oracle - random): 0 is the random baseline, 1 the oracle. null when
 * a reference is missing or the two coincide (the scale is undefined).
 */
export function normalizedScore(x: number, random: number | undefined, oracle: number | undefined): number | null {
  if (random === undefined || oracle === undefined || oracle === random) return null;
  return (x - random) / (oracle - random);
}

/**
 * Wilson's score interval of a success rate (successes of trials) at `confidence`: unlike the normal
 * interval it stays inside [0, 1] and is honest for small counts and rates near 0 or 1.
 */
export function wilsonInterval(successes: number, trials: number, confidence = 0.95): { rate: number; low: number; high: number } {
  if (!(Number.isInteger(trials) && trials >= 0 && successes >= 0 && successes <= trials)) {
    throw new DataError(`Expected 0 <= successes <= trials (integers), but got ${successes} of ${trials}.`);
  }
  if (trials === 0) return { rate: NaN, low: 0, high: 1 };
  // The normal quantile as Student's t with 1e9 degrees of freedom (equal to ~1e-7).
  const z = studentTQuantile(1 - (1 - confidence) / 2, 1e9);
  const p = successes / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

