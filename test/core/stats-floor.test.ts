/**
 * One statistics floor (issue 11 item 3): one pearson, one normalized score, one Student-t, used by every
 * layer; bad input throws a LoopgymError subclass.
 */
import { describe, expect, it } from 'vitest';
import { DataError, LoopgymError } from '../../src/core/errors.js';
import { confidenceInterval, normalizedScore, pearson, studentTQuantile } from '../../src/core/stats.js';
import * as api from '../../src/index.js';
import { spearman } from '../../src/reward/metrics.js';
import { meanInterval95 } from '../../envs/orchestrator/evaluate.js';
import { normalizedScoreOf } from '../../src/experiments/aggregate.js';
import { Rng } from '../../src/core/rng.js';

describe('one statistics floor', () => {
  it('pearson of one pair (or a constant sample) is NaN everywhere; different lengths are a DataError', () => {
    expect(pearson([1], [2])).toBeNaN();
    expect(api.pearson([1], [2])).toBeNaN();
    expect(spearman([1], [2])).toBeNaN();
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(() => pearson([1, 2], [1])).toThrow(DataError);
    expect(api.pearson).toBe(pearson);
    expect(pearson([1, 2, 3, 4], [2, 4, 6, 8])).toBeCloseTo(1, 12);
  });

  it('the normalized score is one formula: 0 at random, 1 at the oracle, null without a scale', () => {
    expect(normalizedScore(50, 50, 150)).toBe(0);
    expect(normalizedScore(150, 50, 150)).toBe(1);
    expect(normalizedScore(100, 50, 150)).toBe(0.5);
    expect(normalizedScore(100, 50, 50)).toBeNull();
    expect(normalizedScore(100, undefined, 150)).toBeNull();
    const summary = { eval: { meanReturn: 100 }, baselines: { random: { meanReturn: 50 }, oracle: { meanReturn: 150 } }, normalizedScore: null } as unknown as Parameters<typeof normalizedScoreOf>[0];
    expect(normalizedScoreOf(summary)).toBe(0.5);
  });

  it("the orchestrator's baseline interval is the core t-interval (one Student-t)", () => {
    const rng = new Rng('stats-floor');
    const values = Array.from({ length: 12 }, () => rng.normal(3, 2));
    const core = confidenceInterval(values);
    expect(meanInterval95(values)).toEqual({ mean: core.mean, std: core.std, low: core.low, high: core.high });
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062047, 6);
  });

  it('library errors are LoopgymError subclasses (Rng, statistics)', () => {
    expect(() => new Rng(Number.NaN)).toThrow(LoopgymError);
    expect(() => new Rng(1).integer(3, 3)).toThrow(LoopgymError);
    expect(() => new Rng(1).choice([])).toThrow(LoopgymError);
    expect(() => confidenceInterval([1, 2], 1.5)).toThrow(LoopgymError);
  });
});
