/**
 * The fitting pieces on known truth: growth models recover their own parameters, AICc is the textbook
 * formula, Holt's recursion matches a worked example computed by hand, its h-step variance matches a
 * simulation of the state-space model, and its backtested intervals cover at the nominal rate on data
 * from that model.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { EXPONENTIAL, GROWTH_MODELS, LINEAR, POWER, SATURATING, aicc, type GrowthModel } from '../../src/loop/growth-models.js';
import { fitHolt, holtBacktest, holtFilter, holtForecast, holtSigma, holtVarianceFactor } from '../../src/loop/holt.js';
import { normalQuantile } from '../../src/loop/intervals.js';

const axis = (n: number) => Float64Array.from({ length: n }, (_, k) => k);

describe('growth models', () => {
  const cases: [GrowthModel, number[]][] = [
    [LINEAR, [0.2, 0.01]],
    [EXPONENTIAL, [0.3, 0.03]],
    [SATURATING, [0.2, 0.8, Math.log(0.1)]],
    [POWER, [0.2, 0.5]],
  ];
  for (const [model, truth] of cases) {
    it(`the ${model.name} model recovers its own parameters from noise-free data`, () => {
      const t = axis(40);
      const y = Float64Array.from(t, (x) => model.value(truth, x));
      const fit = model.fit(t, y);
      truth.forEach((value, i) => expect(fit.parameters[i]).toBeCloseTo(value, 6));
      expect(fit.rss).toBeLessThan(1e-12);
    });
  }

  it('a warm-started refit (a bootstrap resample) lands where a fresh fit does', () => {
    const t = axis(60);
    const rng = new Rng('warm');
    for (const model of GROWTH_MODELS) {
      const y = Float64Array.from(t, (x) => 0.3 * Math.pow(1.02, x) + 0.01 * rng.normal());
      const first = model.fit(t, y);
      const y2 = Float64Array.from(y, (v) => v + 0.005 * rng.normal());
      const warm = model.fit(t, y2, first);
      const fresh = model.fit(t, y2);
      expect(warm.rss).toBeCloseTo(fresh.rss, 10);
    }
  });

  it('the saturating rate k stays positive, so a convex curve is not passed off as saturating', () => {
    const t = axis(40);
    const fit = SATURATING.fit(t, Float64Array.from(t, (x) => 0.2 * Math.pow(1.05, x)));
    expect(SATURATING.describe(fit.parameters).k).toBeGreaterThan(0);
    expect(fit.rss).toBeGreaterThan(EXPONENTIAL.fit(t, Float64Array.from(t, (x) => 0.2 * Math.pow(1.05, x))).rss);
  });

  it('AICc is n ln(RSS/n) + 2q + 2q(q+1)/(n-q-1) with q = parameters + 1, and undefined for small n', () => {
    // n = 20, RSS = 2, 2 parameters: q = 3 -> 20 ln(0.1) + 6 + 24/16.
    expect(aicc(2, 20, 2)).toBeCloseTo(20 * Math.log(0.1) + 6 + 1.5, 12);
    expect(aicc(1, 4, 2)).toBeNull();
    expect(aicc(1, 5, 2)).not.toBeNull();
    expect(aicc(1, 5, 3)).toBeNull();
  });
});

describe("Holt's linear exponential smoothing", () => {
  it('matches a worked example computed by hand (alpha 0.5, beta 0.4)', () => {
    // l0 = 10, b0 = 12 - 10 = 2.
    // t=1: f = 12, e = 0,      l = 12,      b = 0.4*2 + 0.6*2 = 2
    // t=2: f = 14, e = -1,     l = 13.5,    b = 0.4*1.5 + 0.6*2 = 1.8
    // t=3: f = 15.3, e = -0.3, l = 15.15,   b = 0.4*1.65 + 0.6*1.8 = 1.74
    // t=4: f = 16.89, e = -0.89, l = 16.445, b = 0.4*1.295 + 0.6*1.74 = 1.562
    // t=5: f = 18.007, e = -0.007, l = 18.0035, b = 0.4*1.5585 + 0.6*1.562 = 1.5606
    const y = [10, 12, 13, 15, 16, 18];
    const parameters = { alpha: 0.5, beta: 0.4 };
    const run = holtFilter(y, parameters);
    expect(Array.from(run.forecasts).slice(1)).toEqual([12, 14, 15.3, 16.89, 18.007].map((v) => expect.closeTo(v, 10)));
    expect(run.level).toBeCloseTo(18.0035, 10);
    expect(run.trend).toBeCloseTo(1.5606, 10);
    // SSE over t >= 2: 1 + 0.09 + 0.7921 + 0.000049; sigma^2 = SSE / (4 - 2).
    expect(run.sse).toBeCloseTo(1.882149, 10);
    const sigma = holtSigma(run);
    expect(sigma).toBeCloseTo(Math.sqrt(1.882149 / 2), 10);
    // h = 3: mean 18.0035 + 3 * 1.5606; variance factor 1 + 2 (0.25 + 0.5*0.2*3 + 0.04*3*5/6) = 2.3.
    expect(holtVarianceFactor(3, parameters)).toBeCloseTo(2.3, 12);
    const [forecast] = holtForecast(run, parameters, sigma, [3], 0.95);
    expect(forecast.mean).toBeCloseTo(22.6853, 10);
    expect(forecast.high - forecast.mean).toBeCloseTo(normalQuantile(0.975) * sigma * Math.sqrt(2.3), 10);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
  });

  it('the h-step variance factor matches a simulation of the ETS(A,A,N) model', () => {
    const parameters = { alpha: 0.4, beta: 0.3 };
    const stateBeta = parameters.alpha * parameters.beta;
    const rng = new Rng('ets');
    const h = 6;
    const paths = 40_000;
    let sumSquares = 0;
    for (let p = 0; p < paths; p++) {
      // From a known state (level 0, trend 0): the h-step forecast is 0, so the value is the error.
      let level = 0;
      let trend = 0;
      let y = 0;
      for (let step = 1; step <= h; step++) {
        const e = rng.normal();
        y = level + trend + e;
        level = level + trend + parameters.alpha * e;
        trend = trend + stateBeta * e;
      }
      sumSquares += y * y;
    }
    expect(sumSquares / paths / holtVarianceFactor(h, parameters)).toBeCloseTo(1, 1);
  });

  it('fits alpha and beta near the truth and backtests near-nominal coverage on data from its own model', () => {
    let coverage = 0;
    let alphas = 0;
    const series = 12;
    for (let s = 0; s < series; s++) {
      const rng = new Rng(`holt/${s}`);
      const alpha = 0.3;
      const stateBeta = 0.06;
      let level = 10;
      let trend = 0.5;
      const y: number[] = [];
      for (let t = 0; t < 100; t++) {
        const e = rng.normal();
        y.push(level + trend + e);
        level += trend + alpha * e;
        trend += stateBeta * e;
      }
      alphas += fitHolt(y).alpha;
      coverage += holtBacktest(y, 0.95, 20, 10).coverage;
    }
    expect(alphas / series).toBeGreaterThan(0.15);
    expect(alphas / series).toBeLessThan(0.5);
    expect(coverage / series).toBeGreaterThan(0.88);
    expect(coverage / series).toBeLessThan(0.995);
  });
});
