/**
 * The champion/challenger gate and the drift detectors on synthetic KPI series whose truth is known.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { gateDecision } from '../../src/loop/loop-gate.js';
import { newDetectorState, rebaseDetector, updateDetector, type DetectorOptions } from '../../src/loop/drift-detectors.js';

function days(rng: Rng, n: number, mean: number, std: number): number[] {
  return Array.from({ length: n }, () => rng.normal(mean, std));
}

describe('gate', () => {
  it('promotes a challenger that is clearly better on the same days, and keeps the champion otherwise', () => {
    const rng = new Rng('gate');
    const champion = days(rng, 10, 100, 20);
    const better = champion.map((v) => v + 15 + rng.normal(0, 3));
    const same = champion.map((v) => v + rng.normal(0, 3));
    expect(gateDecision(champion, better, { margin: 0, alpha: 0.05 }).promoted).toBe(true);
    const tie = gateDecision(champion, same, { margin: 0, alpha: 0.05 });
    expect(tie.promoted).toBe(false);
    expect(tie.reason).toMatch(/kept the champion/);
  });

  it('demands the margin: a 5% gain does not pass a 10% margin', () => {
    const champion = [100, 110, 90, 105, 95, 100];
    const challenger = champion.map((v, i) => v * 1.05 + (i % 2 === 0 ? 0.2 : -0.2));
    expect(gateDecision(champion, challenger, { margin: 0, alpha: 0.05 }).promoted).toBe(true);
    const strict = gateDecision(champion, challenger, { margin: 0.1, alpha: 0.05 });
    expect(strict.promoted).toBe(false);
    expect(strict.required).toBeCloseTo(10, 6);
  });

  it('keeps the false-promotion rate near alpha when the challenger is no better', () => {
    const rng = new Rng('gate/false-alarm');
    let promoted = 0;
    for (let trial = 0; trial < 400; trial++) {
      const champion = days(rng, 10, 100, 20);
      const challenger = champion.map((v) => v + rng.normal(0, 5));
      if (gateDecision(champion, challenger, { margin: 0, alpha: 0.1 }).promoted) promoted++;
    }
    expect(promoted / 400).toBeGreaterThan(0.05);
    expect(promoted / 400).toBeLessThan(0.15);
  });
});

describe('drift detectors', () => {
  const options = (detector: DetectorOptions['detector']): DetectorOptions => ({ detector, window: 20, drop: 0.05, delta: 0.05, lambda: 2 });

  for (const detector of ['relative-drop', 'page-hinkley'] as const) {
    it(`${detector}: rarely rings on a stable KPI, alarms within 10 days of a 20% drop`, () => {
      const rng = new Rng(`drift/${detector}`);
      // Runs of 60 stable days (std 3%) with any alarm: at most 10%.
      let runsWithAlarm = 0;
      for (let run = 0; run < 50; run++) {
        const state = newDetectorState();
        let alarmed = false;
        for (const kpi of days(rng, 60, 100, 3)) alarmed = updateDetector(state, kpi, options(detector)) || alarmed;
        if (alarmed) runsWithAlarm++;
      }
      expect(runsWithAlarm).toBeLessThanOrEqual(5);
      const state = newDetectorState();
      for (const kpi of days(rng, 20, 100, 3)) expect(updateDetector(state, kpi, options(detector))).toBe(false);
      let alarmAt = -1;
      const after = days(rng, 30, 80, 3);
      for (let d = 0; d < after.length && alarmAt < 0; d++) if (updateDetector(state, after[d], options(detector))) alarmAt = d;
      expect(alarmAt).toBeGreaterThanOrEqual(0);
      expect(alarmAt).toBeLessThan(10);
    });
  }

  it('after a promotion, the reference is the outgoing champion: a worse policy rings, a better one does not', () => {
    const rng = new Rng('drift/rebase');
    const state = newDetectorState();
    for (const kpi of days(rng, 10, 100, 3)) updateDetector(state, kpi, { ...options('page-hinkley'), window: 10 });
    const worse = rebaseDetector(state, 10);
    expect(days(rng, 5, 60, 3).some((kpi) => updateDetector(worse, kpi, { ...options('page-hinkley'), window: 10 }))).toBe(true);
    const better = rebaseDetector(state, 10);
    expect(days(rng, 30, 120, 3).some((kpi) => updateDetector(better, kpi, { ...options('page-hinkley'), window: 10 }))).toBe(false);
  });
});
