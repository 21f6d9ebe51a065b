import { describe, expect, it } from 'vitest';
import { confidenceInterval, logGamma, mean, pearson, std, studentTCdf, studentTQuantile, welchTTest } from '../../src/core/stats.js';
import { meanInterval95 } from '../../envs/orchestrator/evaluate.js';

/** P(T <= t) by Simpson integration of the Student-t density from 0, an independent check of the CDF. */
function integratedCdf(t: number, df: number): number {
  const density = (x: number) => Math.exp(logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI) - ((df + 1) / 2) * Math.log(1 + (x * x) / df));
  const n = 20000;
  const h = t / n;
  let sum = density(0) + density(t);
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * density(i * h);
  return 0.5 + (sum * h) / 3;
}

describe('experiment statistics', () => {
  it('computes mean, sample std and Pearson correlation', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(std([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138089935, 8);
    expect(std([3])).toBe(0);
    expect(pearson([1, 2, 3], [2, 4, 6.5])).toBeCloseTo(0.9979487, 6);
    expect(() => mean([])).toThrow(/at least one value/);
  });

  it('has a Student-t CDF that matches numerical integration and tables', () => {
    for (const df of [1, 2.5, 5, 10, 30, 200]) {
      for (const t of [0.1, 0.7, 1.5, 2.2, 4]) {
        expect(studentTCdf(t, df)).toBeCloseTo(integratedCdf(t, df), 9);
        expect(studentTCdf(-t, df)).toBeCloseTo(1 - integratedCdf(t, df), 9);
      }
    }
    expect(studentTCdf(0, 3)).toBeCloseTo(0.5, 12);
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062047, 5);
    expect(studentTQuantile(0.975, 9)).toBeCloseTo(2.2621572, 6);
    expect(studentTQuantile(0.975, 1e7)).toBeCloseTo(1.959964, 5);
  });

  it('gives the t-based 95% confidence interval of a mean', () => {
    const ci = confidenceInterval([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(ci.mean).toBe(5.5);
    expect(ci.halfWidth).toBeCloseTo(2.2621572 * (3.0276504 / Math.sqrt(10)), 5);
    expect(ci.low).toBeCloseTo(5.5 - ci.halfWidth, 12);
    expect(confidenceInterval([4]).halfWidth).toBe(0);
  });

  it("runs Welch's t-test with a two-sided p-value", () => {
    const result = welchTTest([1, 2, 3, 4, 5], [2, 4, 6, 8, 10]);
    expect(result.t).toBeCloseTo(-1.8973666, 6);
    expect(result.df).toBeCloseTo(5.8823529, 6);
    expect(result.pValue).toBeCloseTo(2 * integratedCdf(-1.8973666, 5.8823529) , 6);
    expect(result.pValue).toBeGreaterThan(0.1);
    expect(result.pValue).toBeLessThan(0.11);
    expect(welchTTest([1, 1, 1], [1, 1, 1]).pValue).toBe(1);
    expect(welchTTest([0, 0.1, 0.2, 0.1], [5, 5.1, 5.2, 5.1]).pValue).toBeLessThan(1e-6);
  });

  it('is the interval envs/orchestrator/evaluate.ts uses (one Student-t in the library)', () => {
    for (const df of [1, 2, 3, 4, 7, 10, 29, 99, 499]) expect(studentTCdf(studentTQuantile(0.975, df), df)).toBeCloseTo(0.975, 10);
    const values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
    const exact = confidenceInterval(values);
    const closed = meanInterval95(values);
    expect(closed.low).toBeCloseTo(exact.low, 9);
    expect(closed.high).toBeCloseTo(exact.high, 9);
    expect(closed.std).toBeCloseTo(exact.std, 12);
  });
});
