import { describe, it, expect } from 'vitest';
import { Rng } from '../../src/core/index.js';

function draws(rng: Rng, n = 20): number[] {
  return Array.from({ length: n }, () => rng.random());
}

describe('Rng', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    expect(draws(new Rng(42))).toEqual(draws(new Rng(42)));
    expect(draws(new Rng('42'))).toEqual(draws(new Rng(42)));
    expect(draws(new Rng(42))).not.toEqual(draws(new Rng(43)));
  });

  it('forks reproducibly, independently of each other and of the parent', () => {
    const parent = new Rng(1);
    const a = parent.fork('env');
    const b = parent.fork('agent');
    expect(a.seedPath).toBe('1/env');
    expect(draws(a)).not.toEqual(draws(b));
    expect(draws(new Rng(1).fork('env'))).toEqual(draws(new Rng(1).fork('env')));
    expect(draws(new Rng(1).fork('env'))).not.toEqual(draws(new Rng(1)));
  });

  it('forks do not depend on how much the parent has drawn', () => {
    const fresh = new Rng(5);
    const used = new Rng(5);
    draws(used, 1000);
    used.normal();
    expect(draws(used.fork(3))).toEqual(draws(fresh.fork(3)));
    expect(draws(used.fork('x').fork('y'))).toEqual(draws(fresh.fork('x').fork('y')));
  });

  it('restores a saved state and continues exactly, including the spare normal', () => {
    const rng = new Rng(11);
    draws(rng, 37);
    rng.normal(); // leaves a spare normal behind
    const saved = JSON.parse(JSON.stringify(rng.state()));
    const restored = Rng.fromState(saved);
    expect(restored.seedPath).toBe(rng.seedPath);
    const seqA = [rng.normal(), ...draws(rng), rng.integer(0, 100), rng.uint32()];
    const seqB = [restored.normal(), ...draws(restored), restored.integer(0, 100), restored.uint32()];
    expect(seqB).toEqual(seqA);
    expect(draws(restored.fork('k'))).toEqual(draws(rng.fork('k')));
  });

  it('draws within the documented ranges', () => {
    const rng = new Rng(2);
    for (let i = 0; i < 1000; i++) {
      const u = rng.uniform(-2, 3);
      expect(u).toBeGreaterThanOrEqual(-2);
      expect(u).toBeLessThan(3);
      const k = rng.integer(5, 8);
      expect([5, 6, 7]).toContain(k);
      expect(rng.exponential(2)).toBeGreaterThanOrEqual(0);
      expect(rng.poisson(3)).toBeGreaterThanOrEqual(0);
      expect(rng.uint32()).toBeLessThan(2 ** 32);
    }
    expect(rng.choice(['only'])).toBe('only');
    expect(rng.weightedIndex([0, 0, 1])).toBe(2);
    expect(rng.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('has roughly standard normal moments', () => {
    const rng = new Rng(8);
    const xs = Array.from({ length: 20000 }, () => rng.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('refuses bad arguments with expected-vs-actual messages', () => {
    expect(() => new Rng(Number.NaN)).toThrow(/Expected a finite seed, but got NaN/);
    expect(() => new Rng(0).integer(3, 3)).toThrow(/Expected high > low.*low=3, high=3/);
    expect(() => new Rng(0).choice([])).toThrow(/non-empty list/);
    expect(() => new Rng(0).weightedIndex([0, 0])).toThrow(/positive sum/);
  });
});
