import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { averageRanks, meanAbsoluteError, preferenceAccuracy, ProxyGoldTracker, rewardModelMetrics, rSquared, spearman } from '../../src/reward/metrics.js';

describe('reward metrics', () => {
  it('ranks ties by their average rank and computes Spearman on ranks', () => {
    expect(Array.from(averageRanks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // Monotone but non-linear: still a perfect rank correlation.
    expect(spearman([1, 2, 3, 4, 5], [1, 8, 27, 64, 125])).toBeCloseTo(1, 12);
    // Hand-computed with tied ranks: x ranks [1, 2.5, 2.5, 4], y ranks [1, 3, 2, 4] -> r = 4.5 / sqrt(4.5 * 5).
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(4.5 / Math.sqrt(4.5 * 5), 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
  });

  it('computes R^2, MAE and preference accuracy', () => {
    expect(rSquared([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(rSquared([2, 2, 2], [1, 2, 3])).toBe(0);
    expect(meanAbsoluteError([0, 1], [1, 1])).toBe(0.5);
    // preferred 0 = A won, 1 = B won; a tie counts half.
    expect(preferenceAccuracy([1, 0, 5], [0, 1, 5], [0, 1, 0])).toBeCloseTo(2.5 / 3, 12);
    expect(preferenceAccuracy([], [], [])).toBeNaN();
    const m = rewardModelMetrics([0.1, 0.5, 0.9], [0.2, 0.5, 0.8]);
    expect(m.spearman).toBeCloseTo(1, 12);
    expect(m.preferenceAccuracy).toBeNaN();
    expect(() => rSquared([1], [1, 2])).toThrow(ConfigError);
    expect(() => rSquared([1], [1, 2])).toThrow(/Expected predictions and truth of equal length, but got 1 and 2/);
  });

  it('tracks proxy and gold returns per episode and their gap', () => {
    const tracker = new ProxyGoldTracker(2);
    tracker.add(1, 0.5, false);
    tracker.add(1, 0.5, true); // episode: proxy 2, gold 1
    tracker.addEpisode(4, 4);
    tracker.addEpisode(6, 2); // window 2 keeps the last two
    expect(tracker.summary()).toEqual({ episodes: 3, proxyReturn: 5, goldReturn: 3, gap: 2 });
    expect(() => new ProxyGoldTracker(0)).toThrow(/Expected window to be a positive integer, but got 0/);
  });
});
