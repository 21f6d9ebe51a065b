/**
 * analyzeLearningCurve on synthetic curves with known truth: interval coverage of the compound rate,
 * the verdict for each growth shape, a flat curve's false-alarm rate, direction for lower-is-better KPIs,
 * named errors, anomalies, milestones, pairing with the frozen arm, day-level histories, world changes
 * and determinism.
 */
import { describe, expect, it } from 'vitest';
import { DataError, UndefinedRatioError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { analyzeLearningCurve, type LearningCurveAnalysis } from '../../src/loop/analyze-curve.js';
import { compoundRate } from '../../src/loop/compound-rate.js';
import { SHAPES, noisyCurve, type Shape } from './synthetic.js';

const fast = { resamples: 400, horizons: [10, 30], backtestOrigins: 5 };

function analyze(shape: Shape, seed: number, extra: Record<string, unknown> = {}): LearningCurveAnalysis {
  const scores = noisyCurve(shape, { replicates: 10, iterations: 40, noise: 0.05, seed: `curve/${seed}` });
  return analyzeLearningCurve({ scores, higherIsBetter: true, seed, ...fast, ...extra });
}

describe('compound rate', () => {
  it('the 95% interval of the rate covers the true rate in >= 90% of 200 seeded simulations', () => {
    const truth = 0.03;
    let covered = 0;
    for (let s = 0; s < 200; s++) {
      const scores = noisyCurve((t) => 0.3 * Math.pow(1 + truth, t), { replicates: 10, iterations: 25, noise: 0.1, seed: `coverage/${s}` });
      const rate = compoundRate({ scores, higherIsBetter: true, resamples: 500, seed: s });
      if (rate.low <= truth && truth <= rate.high) covered++;
    }
    expect(covered / 200).toBeGreaterThanOrEqual(0.9);
    expect(covered / 200).toBeLessThan(0.995); // an interval that always covers is too wide to mean much
  });

  it('is the seeds formula (current / initial)^(1/t) - 1 on the mean curve', () => {
    const scores = [
      [1, 1.5, 2, 4],
      [1, 1.4, 2.2, 4],
    ];
    const rate = compoundRate({ scores, higherIsBetter: true, resamples: 200 });
    expect(rate.estimate).toBeCloseTo(Math.pow(4, 1 / 3) - 1, 12);
  });
});

describe('verdict', () => {
  it('labels exponential growth compounding', () => {
    for (const seed of [0, 1, 2]) {
      const a = analyze(SHAPES.exponential, seed);
      expect(a.verdict.verdict, a.verdict.reason).toBe('compounding');
      expect(a.compoundRate.fitted.low).toBeLessThan(0.03);
      expect(a.compoundRate.fitted.high).toBeGreaterThan(0.03);
    }
  });

  it('does not label power-law, linear or saturating curves compounding', () => {
    const expected: [Shape, string][] = [
      [SHAPES.linear, 'linear'],
      [SHAPES.saturating, 'saturating'],
      [SHAPES.power, 'saturating'],
    ];
    for (const [shape, label] of expected) {
      for (const seed of [0, 1, 2]) {
        const verdict = analyze(shape, seed).verdict;
        expect(verdict.verdict, verdict.reason).not.toBe('compounding');
        expect(verdict.verdict, verdict.reason).toBe(label);
      }
    }
  });

  it('calls a flat noisy curve no-improvement (at most 3 false alarms in 20 seeds) and a falling one declining', () => {
    let alarms = 0;
    for (let seed = 0; seed < 20; seed++) {
      const scores = noisyCurve(SHAPES.flat, { replicates: 8, iterations: 30, noise: 0.1, seed: `flat/${seed}` });
      const a = analyzeLearningCurve({ scores, higherIsBetter: true, seed, ...fast });
      if (a.verdict.verdict !== 'no-improvement') alarms++;
    }
    expect(alarms).toBeLessThanOrEqual(3);
    expect(analyze(SHAPES.declining, 0).verdict.verdict).toBe('declining');
  });

  it('reads a lower-is-better KPI in the better direction: falling latency is improvement', () => {
    const latency = noisyCurve((t) => 10 * Math.pow(0.97, t), { replicates: 10, iterations: 40, noise: 0.05, seed: 'latency' });
    const a = analyzeLearningCurve({ scores: latency, higherIsBetter: false, ...fast });
    expect(a.verdict.verdict).toBe('compounding');
    if (!('points' in a.multiplier.overInitial)) throw new Error('expected a multiplier');
    const final = a.multiplier.overInitial.final;
    // initial / current = 1 / 0.97^39 ~ 3.28; the latency fell by 1 - 0.97^39 ~ 70%.
    expect(final.multiplier.estimate).toBeGreaterThan(2.9);
    expect(final.multiplier.estimate).toBeLessThan(3.7);
    expect(final.improvementPercent.estimate).toBeGreaterThan(65);
    expect(final.improvementPercent.estimate).toBeLessThan(73);
    expect(a.compoundRate.seeds?.estimate).toBeGreaterThan(0);
    expect(analyzeLearningCurve({ scores: latency, higherIsBetter: true, ...fast }).verdict.verdict).toBe('declining');
    // Latency levelling off at a floor of 4: the multiplier saturates at 10 / 4.
    const floor = noisyCurve((t) => 4 + 6 * Math.exp(-0.1 * t), { replicates: 10, iterations: 40, noise: 0.05, seed: 'floor' });
    const b = analyzeLearningCurve({ scores: floor, higherIsBetter: false, ...fast });
    expect(b.verdict.verdict).toBe('saturating');
    expect(b.models.fittedTo).toBe('1/kpi');
    expect(1 / b.models.fits.find((m) => m.model === 'saturating')!.parameters.c).toBeCloseTo(4, 0);
  });
});

describe('refusals', () => {
  it('refuses fewer than 3 iterations with a DataError', () => {
    expect(() => analyzeLearningCurve({ scores: [[1, 2], [1, 2]], higherIsBetter: true })).toThrow(DataError);
    expect(() => analyzeLearningCurve({ scores: [[1, 2], [1, 2]], higherIsBetter: true })).toThrow(/Expected at least 3 iterations.*but got 2/);
  });

  it('refuses a multiplier over a baseline whose interval contains 0 (UndefinedRatioError), or reports it when asked', () => {
    const rng = new Rng('zero');
    const scores = Array.from({ length: 10 }, () => Array.from({ length: 20 }, (_, t) => 0.05 * t + 0.02 * rng.normal()));
    expect(() => analyzeLearningCurve({ scores, higherIsBetter: true, ...fast })).toThrow(UndefinedRatioError);
    expect(() => analyzeLearningCurve({ scores, higherIsBetter: true, ...fast })).toThrow(/iteration 0 .*clearly positive.*CI/);
    const reported = analyzeLearningCurve({ scores, higherIsBetter: true, onUndefinedRatio: 'report', ...fast });
    expect(reported.multiplier.overInitial).toHaveProperty('refused');
    expect(reported.compoundRate.seeds).toBeNull();
    expect(reported.verdict.verdict).toBe('linear');
    const frozen = Array.from({ length: 10 }, () => Array.from({ length: 20 }, () => 0.01 * rng.normal()));
    expect(() => analyzeLearningCurve({ scores: noisyCurve(SHAPES.linear, { replicates: 10, iterations: 20, noise: 0.05, seed: 1 }), frozen, higherIsBetter: true, ...fast })).toThrow(
      /the frozen arm/,
    );
  });

  it('refuses a single history without days, and bad option values by name', () => {
    expect(() => analyzeLearningCurve({ scores: [[1, 2, 3, 4]], higherIsBetter: true })).toThrow(/at least 2 replicates, or day-level KPIs/);
    expect(() => analyzeLearningCurve({ scores: [[1, 2, 3], [1, 2, 3]], higherIsBetter: true, resamples: 5 })).toThrow(/resamples/);
    expect(() => analyzeLearningCurve({ scores: [[1, 2, 3], [1, 2]], higherIsBetter: true })).toThrow(/row 1 has 2/);
  });
});

describe('anomalies', () => {
  it('flags an injected spike, with both the sd and the robust (MAD) rule', () => {
    const scores = noisyCurve(SHAPES.linear, { replicates: 10, iterations: 40, noise: 0.03, seed: 'spike' });
    for (const row of scores) row[25] += 0.15;
    for (const robust of [false, true]) {
      const a = analyzeLearningCurve({ scores, higherIsBetter: true, robust, ...fast });
      const flagged = a.anomalies.iterations.anomalies.map((x) => x.index);
      expect(flagged).toContain(25);
      expect(a.anomalies.iterations.anomalies.find((x) => x.index === 25)?.direction).toBe('better');
      // At 2 sd about 5% of the 37 other points pass by chance; the clipped smoother keeps the spike's
      // neighbours (26, 27: forecasts it dragged up) from being flagged.
      expect(flagged.length).toBeLessThanOrEqual(3);
      expect(flagged).not.toContain(26);
    }
  });
});

describe('milestones and the frozen arm', () => {
  it('finds the first iteration whose lower bound passes 2x, and beats-baseline / share-of-ceiling', () => {
    // Doubling every 10 iterations with little noise: 2x is reached at iteration 10 and the lower bound
    // passes it there or just after.
    const scores = noisyCurve((t) => 0.1 * Math.pow(2, t / 10), { replicates: 10, iterations: 33, noise: 0.01, seed: 'milestone' });
    const a = analyzeLearningCurve({ scores, higherIsBetter: true, baseline: 0.3, ceiling: 0.9, ...fast });
    const at = (name: string) => a.milestones.find((m) => m.name === name)?.iteration;
    expect(at('2x over iteration 0')).toBeGreaterThanOrEqual(10);
    expect(at('2x over iteration 0')).toBeLessThanOrEqual(12);
    expect(at('5x over iteration 0')).toBeGreaterThanOrEqual(24); // 10 log2(5) = 23.2
    expect(at('5x over iteration 0')).toBeLessThanOrEqual(26);
    expect(at('10x over iteration 0')).toBeNull(); // 10x at t = 33.2, after the last iteration (32)
    expect(at('beats greedy')).toBeGreaterThanOrEqual(16); // 0.1 * 2^(t/10) > 0.3 from t = 15.8
    expect(at('beats greedy')).toBeLessThanOrEqual(18);
    expect(at('90% of oracle')).toBeGreaterThanOrEqual(30); // >= 0.81 from t = 30.2
  });

  it('pairs replicates with the frozen arm: shared replicate effects cancel in the multiplier', () => {
    const rng = new Rng('paired');
    const effects = Array.from({ length: 10 }, () => Math.exp(0.5 * rng.normal()));
    const scores = effects.map((e) => Array.from({ length: 20 }, (_, t) => e * (1 + 0.02 * t) * (1 + 0.01 * rng.normal())));
    const frozen = effects.map((e) => Array.from({ length: 20 }, () => e * (1 + 0.01 * rng.normal())));
    const a = analyzeLearningCurve({ scores, frozen, higherIsBetter: true, ...fast });
    if (!('points' in a.multiplier.overFrozen!)) throw new Error('expected a multiplier');
    const final = a.multiplier.overFrozen.final.multiplier;
    expect(final.estimate).toBeCloseTo(1.38, 1);
    // Unpaired, the replicate effects (sd 0.5 on the log scale) would make this interval ~0.5 wide.
    expect(final.high - final.low).toBeLessThan(0.05);
  });
});

describe('histories, world changes, determinism', () => {
  it('analyzes one history from day-level KPIs, resampling days within iterations, and flags a bad day', () => {
    const rng = new Rng('days');
    const days = [Array.from({ length: 30 }, (_, k) => Array.from({ length: 5 }, () => 0.3 * Math.pow(1.03, k) * (1 + 0.05 * rng.normal())))];
    days[0][20][3] = 0.05;
    const a = analyzeLearningCurve({ days, higherIsBetter: true, ...fast });
    expect(a.settings.resamplingUnit).toBe('day');
    expect(a.iterations[10].high).toBeGreaterThan(a.iterations[10].low);
    expect(a.anomalies.days.some((x) => x.iteration === 20 && x.day === 3 && x.direction === 'worse')).toBe(true);
  });

  it('measures forgetting of an earlier world and forward transfer against the scratch arm', () => {
    const rng = new Rng('worlds');
    const noise = () => 0.01 * rng.normal();
    // World 1 starts at iteration 10. Learning keeps 0.1 over scratch on world 1; on world 0 it drops
    // from 0.6 to 0.45 after the change (forgetting 0.15).
    const scores = Array.from({ length: 8 }, () => Array.from({ length: 20 }, (_, t) => (t < 10 ? 0.6 : 0.5) + noise()));
    const scratch = Array.from({ length: 8 }, () => Array.from({ length: 20 }, (_, t) => (t < 10 ? 0.55 : 0.4) + noise()));
    const world0 = Array.from({ length: 8 }, () => Array.from({ length: 20 }, (_, t) => (t < 10 ? Number.NaN : 0.45 + noise())));
    const a = analyzeLearningCurve({ scores, scratch, worldChanges: [10], evaluations: [{ world: 0, scores: world0 }], higherIsBetter: true, ...fast });
    const w = a.worldChanges!;
    expect(w.segments).toEqual([
      { world: 0, from: 0, to: 9 },
      { world: 1, from: 10, to: 19 },
    ]);
    const transfer = w.forwardTransfer[1];
    expect(transfer.meanGain.estimate).toBeCloseTo(0.1, 2);
    expect(transfer.meanGain.low).toBeGreaterThan(0.09);
    const forgotten = w.forgetting[0];
    expect(forgotten.beforeIteration).toBe(9);
    expect(forgotten.beforeSource).toBe('scores');
    const last = forgotten.after[forgotten.after.length - 1];
    expect(last.iteration).toBe(19);
    expect(last.forgetting.low).toBeLessThan(0.15);
    expect(last.forgetting.high).toBeGreaterThan(0.15);
    expect(() => analyzeLearningCurve({ scores, worldChanges: [25], higherIsBetter: true, ...fast })).toThrow(/worldChanges/);
  });

  it('gives identical JSON for the same seed and different intervals for another; the result is plain JSON', () => {
    const once = analyze(SHAPES.saturating, 4);
    const twice = analyze(SHAPES.saturating, 4);
    expect(JSON.stringify(twice)).toBe(JSON.stringify(once));
    const other = analyze(SHAPES.saturating, 4, { seed: 5 });
    expect(other.iterations[5].low).not.toBe(once.iterations[5].low);
    expect(JSON.parse(JSON.stringify(once))).toEqual(once);
  });
});
