import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import {
  aggregate,
  iqm,
  loadResults,
  probabilityOfImprovement,
  probabilityOfImprovementCI,
  quantileSorted,
  readRun,
  RunFolderError,
  stratifiedBootstrap,
  taskMean,
  trimmedMean,
} from '../../src/experiments/aggregate.js';
import { compareRuns, renderComparison } from '../../src/experiments/compare.js';
import { confidenceInterval, mean, welchTTest } from '../../src/core/stats.js';
import { fakeSummary, tempDir, writeFakeRun, writeUnfinishedRun, type FakeRun } from '../helpers/fake-runs.js';

const boot = (seed: string | number = 'test', resamples = 2000, confidence = 0.95) => ({ resamples, confidence, rng: new Rng(seed) });

describe('robust statistics', () => {
  it('computes the IQM as scipy trim_mean(x, 0.25)', () => {
    expect(iqm([1, 2, 3, 4, 5, 6, 7, 8])).toBe(4.5); // drops 2 per end
    expect(iqm([100, 1, 4, 2, 3])).toBe(3); // floor(1.25) = 1 per end: mean(2, 3, 4)
    expect(iqm([5, 1, 3])).toBe(3); // floor(0.75) = 0: the plain mean
    expect(iqm([7])).toBe(7);
    expect(trimmedMean([1, 2, 3, 4, 100], 0)).toBe(22);
    expect(() => iqm([])).toThrow(/Expected at least one value/);
    expect(() => trimmedMean([1], 0.5)).toThrow(/Expected a proportion in \[0, 0.5\)/);
  });

  it('takes quantiles with numpy\'s linear rule and task means as rliable does', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0.025)).toBeCloseTo(1.075, 12);
    expect(quantileSorted([1, 2, 3, 4], 0.975)).toBeCloseTo(3.925, 12);
    expect(quantileSorted([1, 2, 3, 4], 1)).toBe(4);
    expect(taskMean([[1, 2], [10, 20, 30]])).toBe(10.75); // mean(1.5, 20), not the pooled 12.6
  });

  it('computes the probability of improvement as Mann-Whitney U / (n_x n_y), averaged over tasks', () => {
    expect(probabilityOfImprovement([[3, 4]], [[1, 2, 3]])).toBeCloseTo(5.5 / 6, 15);
    expect(probabilityOfImprovement([[1, 2, 3]], [[2, 2, 2]])).toBe(0.5);
    expect(probabilityOfImprovement([[1, 1]], [[1, 1]])).toBe(0.5);
    // Task 1: 2/4; task 2: 1/4.
    expect(probabilityOfImprovement([[1, 2], [10, 20]], [[0, 3], [15, 25]])).toBe(0.375);
    expect(() => probabilityOfImprovement([[1]], [[1], [2]])).toThrow(/same non-zero number of tasks/);
  });

  it('gives the bootstrap percentile intervals the resampling distribution implies', () => {
    // One run: every resample is that run.
    expect(stratifiedBootstrap([[4.5]], [taskMean], boot())).toEqual([{ low: 4.5, high: 4.5 }]);
    // [0, 1]: resample means are 0, 1/2, 1 with probabilities 1/4, 1/2, 1/4, so the 95% interval is [0, 1].
    expect(stratifiedBootstrap([[0, 1]], [taskMean], boot())).toEqual([{ low: 0, high: 1 }]);
    // [0, 0, 1]: the number of ones is Binomial(3, 1/3): P(0) = 8/27, P(<= 2) = 26/27 = 0.963.
    // 95%: [0, 1] (0.975 > 0.963); 90%: [0, 2/3] (0.95 < 0.963).
    expect(stratifiedBootstrap([[0, 0, 1]], [taskMean], boot('x', 2000, 0.95))).toEqual([{ low: 0, high: 1 }]);
    const [ci90] = stratifiedBootstrap([[0, 0, 1]], [taskMean], boot('x', 2000, 0.9));
    expect(ci90.low).toBe(0);
    expect(ci90.high).toBeCloseTo(2 / 3, 15);
  });

  it('resamples within each task (stratified), never across tasks', () => {
    // Any stratified resample keeps three runs per task: the task mean is always 5 and the pooled IQM
    // always mean(0, 0, 10, 10) = 5; an unstratified bootstrap would spread both.
    const strata = [
      [0, 0, 0],
      [10, 10, 10],
    ];
    const [meanCI, iqmCI] = stratifiedBootstrap(strata, [taskMean, (s) => iqm(s.flat())], boot());
    expect(meanCI).toEqual({ low: 5, high: 5 });
    expect(iqmCI).toEqual({ low: 5, high: 5 });
  });

  it('is reproducible for a seed and close to the t interval for a normal sample', () => {
    const rng = new Rng('sample');
    const sample = Array.from({ length: 40 }, () => rng.normal(3, 2));
    const a = stratifiedBootstrap([sample], [taskMean], boot('s'));
    expect(stratifiedBootstrap([sample], [taskMean], boot('s'))).toEqual(a);
    expect(stratifiedBootstrap([sample], [taskMean], boot('other'))).not.toEqual(a);
    const t = confidenceInterval(sample);
    const width = a[0].high - a[0].low;
    expect(width / (t.high - t.low)).toBeGreaterThan(0.85);
    expect(width / (t.high - t.low)).toBeLessThan(1.1);
    expect(a[0].low).toBeLessThan(mean(sample));
    expect(a[0].high).toBeGreaterThan(mean(sample));
  });

  it('bootstraps the probability of improvement by resampling both sides', () => {
    expect(probabilityOfImprovementCI([[5, 6, 7]], [[1, 2, 3]], boot())).toEqual({ low: 1, high: 1 });
    const ci = probabilityOfImprovementCI([[1, 4, 6]], [[2, 3, 5]], boot());
    expect(ci.low).toBeLessThan(probabilityOfImprovement([[1, 4, 6]], [[2, 3, 5]]));
    expect(ci.high).toBeGreaterThan(probabilityOfImprovement([[1, 4, 6]], [[2, 3, 5]]));
    expect(() => stratifiedBootstrap([[1]], [taskMean], { ...boot(), resamples: 0 })).toThrow(/positive integer number of resamples/);
  });
});

/** Two configurations of a sweep, five seeds each, with hand-checked statistics. */
const RETURNS_A = [10, 12, 11, 30, 9];
const RETURNS_B = [8, 8, 9, 10, 7];
function sweepRuns(): FakeRun[] {
  const runs: FakeRun[] = [];
  RETURNS_A.forEach((value, seed) =>
    runs.push({
      config: 'aaaaaaaaaaaa',
      seed,
      axes: { 'agent.learningRate': 0.001 },
      env: 'Orchestrator-v0',
      meanReturn: value,
      baselines: { random: 0, oracle: 20 },
      metrics: { successRate: 0.5 + seed / 10 },
      curve: [
        { step: 100, meanReturn: seed },
        { step: 200, meanReturn: 2 * seed },
      ],
    }),
  );
  RETURNS_B.forEach((value, seed) =>
    runs.push({ config: 'bbbbbbbbbbbb', seed, axes: { 'agent.learningRate': 0.0003 }, env: 'Orchestrator-v0', meanReturn: value, baselines: { random: 0, oracle: 20 }, metrics: { successRate: 0.4 } }),
  );
  return runs;
}

describe('aggregate', () => {
  it('computes per-configuration statistics over seeds', () => {
    const dir = tempDir();
    for (const run of sweepRuns()) writeFakeRun(join(dir, 'exp'), run);
    const report = aggregate(dir);
    expect(report.runCount).toBe(10);
    expect(report.problems).toEqual([]);
    // Sorted by axis value: learningRate 0.0003 (B) before 0.001 (A).
    expect(report.configurations.map((c) => c.label)).toEqual(['learningRate=0.0003', 'learningRate=0.001']);
    const a = report.configurations[1];
    expect(a.key).toBe('aaaaaaaaaaaa');
    expect(a.seeds).toEqual([0, 1, 2, 3, 4]);
    expect(a.return.n).toBe(5);
    expect(a.return.mean).toBeCloseTo(14.4, 12);
    expect(a.return.std).toBeCloseTo(Math.sqrt(309.2 / 4), 12);
    expect(a.return.median).toBe(11);
    expect(a.return.iqm).toBe(11); // mean(10, 11, 12)
    expect(a.return.meanCI.low).toBeLessThan(14.4);
    expect(a.return.meanCI.high).toBeGreaterThan(14.4);
    expect(a.return.meanCI.low).toBeGreaterThanOrEqual(9);
    expect(a.return.meanCI.high).toBeLessThanOrEqual(30);
    expect(a.return.iqmCI.low).toBeLessThanOrEqual(11);
    expect(a.return.iqmCI.high).toBeGreaterThanOrEqual(11);
    // Normalized: return / 20.
    expect(a.normalized?.mean).toBeCloseTo(14.4 / 20, 12);
    expect(a.normalized?.iqm).toBeCloseTo(11 / 20, 12);
    expect(a.baselines.oracle.mean).toBe(20);
    expect(a.metrics.successRate.mean).toBeCloseTo(0.7, 12);
    // Curves: mean over seeds per step.
    expect(a.curve.map((p) => [p.step, p.n, p.mean])).toEqual([
      [100, 5, 2],
      [200, 5, 4],
    ]);
    for (const p of a.curve) expect(p.low <= p.mean && p.mean <= p.high).toBe(true);
    expect(report.configurations[0].curve).toEqual([]);

    // Between configurations: normalized scores (both have random + oracle), P(A > B) hand-counted = 23/25.
    expect(report.comparisonMetric).toBe('normalized');
    expect(report.comparisons).toHaveLength(1);
    const [comparison] = report.comparisons;
    expect([comparison.aLabel, comparison.bLabel]).toEqual(['learningRate=0.0003', 'learningRate=0.001']);
    expect(comparison.probabilityOfImprovement).toBeCloseTo(1 - 23 / 25, 12);
    expect(comparison.meanDifference).toBeCloseTo((8.4 - 14.4) / 20, 12);
    const welch = welchTTest(RETURNS_B, RETURNS_A);
    expect(comparison.welch?.t).toBeCloseTo(welch.t, 10);
    expect(comparison.welch?.pValue).toBeCloseTo(welch.pValue, 10);
  });

  it('aligns learning curves by evaluation index when seeds evaluate at slightly different steps', () => {
    const dir = tempDir();
    const curves = [
      [[1093, 10], [2126, 20], [3211, 30]],
      [[1040, 12], [2076, 22], [3095, 32]],
      [[1050, 14], [2033, 24]],
    ];
    curves.forEach((curve, seed) => writeFakeRun(dir, { config: 'aaaaaaaaaaaa', seed, meanReturn: 1, curve: curve.map(([step, meanReturn]) => ({ step, meanReturn })) }));
    const [config] = aggregate(dir).configurations;
    expect(config.curve.map((p) => [p.step, p.n, p.mean])).toEqual([
      [1061, 3, 12], // mean(1093, 1040, 1050) = 1061
      [2078, 3, 22],
      [3153, 2, 31],
    ]);
  });

  it('is deterministic for a seed, and a configuration\'s numbers do not depend on the others', () => {
    const dir = tempDir();
    for (const run of sweepRuns()) writeFakeRun(dir, run);
    const first = aggregate(dir);
    expect(aggregate(dir)).toEqual(first);
    expect(aggregate(dir, { seed: 1 }).configurations).not.toEqual(first.configurations);

    const alone = tempDir();
    for (const run of sweepRuns().filter((r) => r.config === 'aaaaaaaaaaaa')) writeFakeRun(alone, run);
    expect(aggregate(alone).configurations[0].return).toEqual(first.configurations[1].return);
  });

  it('reports incomplete and corrupt runs separately and never aggregates them', () => {
    const dir = tempDir();
    for (const run of sweepRuns()) writeFakeRun(dir, run);
    const clean = aggregate(dir);

    writeUnfinishedRun(dir, 'aaaaaaaaaaaa', 9);
    const badJson = writeFakeRun(dir, { config: 'aaaaaaaaaaaa', seed: 10, meanReturn: 1000 });
    writeFileSync(join(badJson, 'summary.json'), '{"runId": ');
    const badField = writeFakeRun(dir, { config: 'aaaaaaaaaaaa', seed: 11, meanReturn: 1000 });
    writeFileSync(join(badField, 'summary.json'), JSON.stringify({ ...fakeSummary({ config: 'aaaaaaaaaaaa', seed: 11, meanReturn: 0 }), eval: { meanReturn: 'high', returns: [] } }));
    const mismatched = writeFakeRun(dir, { config: 'aaaaaaaaaaaa', seed: 12, meanReturn: 1000 });
    writeFileSync(join(mismatched, 'config.json'), JSON.stringify({ runId: 'ffffffffffff-s12' }));
    const missingFile = writeFakeRun(dir, { config: 'aaaaaaaaaaaa', seed: 13, meanReturn: 1000 });
    rmSync(join(missingFile, 'episodes.csv'));

    const loaded = loadResults(dir);
    expect(loaded.runs).toHaveLength(10);
    expect(loaded.problems.map((p) => [p.dir.slice(dir.length + 1), p.state])).toEqual([
      ['aaaaaaaaaaaa-s10', 'corrupt'],
      ['aaaaaaaaaaaa-s11', 'corrupt'],
      ['aaaaaaaaaaaa-s12', 'corrupt'],
      ['aaaaaaaaaaaa-s13', 'corrupt'],
      ['aaaaaaaaaaaa-s9', 'incomplete'],
    ]);
    expect(loaded.problems[0].reason).toMatch(/summary\.json is not valid JSON/);
    expect(loaded.problems[1].reason).toBe('summary.json eval.meanReturn should be a number, not "high"');
    expect(loaded.problems[2].reason).toMatch(/config\.json runId "ffffffffffff-s12" does not match summary\.json runId "aaaaaaaaaaaa-s12"/);
    expect(loaded.problems[3].reason).toMatch(/missing episodes\.csv/);

    const report = aggregate(dir);
    expect(report.configurations).toEqual(clean.configurations);
    expect(report.comparisons).toEqual(clean.comparisons);
    expect(report.problems).toHaveLength(5);

    expect(() => readRun(join(dir, 'aaaaaaaaaaaa-s9'))).toThrow(RunFolderError);
    expect(() => readRun(join(dir, 'aaaaaaaaaaaa-s9'))).toThrow(/Expected a finished run in .*, but summary\.json is missing/);
    expect(() => readRun(badJson)).toThrow(DataError);
    expect(() => loadResults(join(dir, 'nope'))).toThrow(/Expected a results folder at .*nope, but it does not exist/);
    expect(() => loadResults([])).toThrow(DataError);
  });

  it('merges shard folders into the same aggregate as the whole sweep', () => {
    const runs = sweepRuns();
    const whole = tempDir();
    const shards = [tempDir(), tempDir()];
    runs.forEach((run, index) => {
      writeFakeRun(join(whole, 'exp'), run);
      writeFakeRun(join(shards[index % 2], 'exp'), run);
    });
    const expected = aggregate(whole);
    const merged = aggregate(shards);
    expect(merged.runCount).toBe(10);
    expect(merged.configurations).toEqual(expected.configurations);
    expect(merged.comparisons).toEqual(expected.comparisons);
    // A run that landed in both shards (e.g. a rerun) counts once...
    cpSync(join(shards[0], 'exp', 'aaaaaaaaaaaa-s0'), join(shards[1], 'exp', 'aaaaaaaaaaaa-s0'), { recursive: true });
    const overlapping = aggregate(shards);
    expect(overlapping.duplicates).toBe(1);
    expect(overlapping.configurations).toEqual(expected.configurations);
    // ...unless the copies disagree: then neither is used.
    writeFakeRun(join(shards[1], 'exp'), { ...runs[0], meanReturn: 99 });
    const conflicting = aggregate(shards);
    expect(conflicting.problems.map((p) => p.state)).toEqual(['conflict', 'conflict']);
    expect(conflicting.configurations.find((c) => c.key === 'aaaaaaaaaaaa')?.seeds).toEqual([1, 2, 3, 4]);
  });

  it('pools configurations as tasks with groupBy (stratified over the other axes)', () => {
    const dir = tempDir();
    const data: Record<string, Record<string, number[]>> = { x: { easy: [1, 2], hard: [10, 20] }, y: { easy: [0, 3], hard: [15, 25] } };
    let config = 0;
    for (const [algo, presets] of Object.entries(data)) {
      for (const [preset, values] of Object.entries(presets)) {
        const key = `c${String(config++).padStart(11, '0')}`;
        values.forEach((value, seed) => writeFakeRun(dir, { config: key, seed, axes: { algo, preset }, meanReturn: value }));
      }
    }
    const report = aggregate(dir, { groupBy: ['algo'] });
    expect(report.configurations.map((c) => c.label)).toEqual(['algo=x', 'algo=y']);
    const x = report.configurations[0];
    expect(x.return.tasks).toBe(2);
    expect(x.return.mean).toBe(8.25); // mean(1.5, 15)
    expect(x.return.iqm).toBe(6); // pooled [1, 2, 10, 20] -> mean(2, 10)
    expect(report.comparisons[0].tasks).toBe(2);
    expect(report.comparisons[0].probabilityOfImprovement).toBe(0.375);
    expect(aggregate(dir).configurations).toHaveLength(4);
    expect(() => aggregate(dir, { groupBy: ['algorithm'] })).toThrow(/Expected groupBy axes among the sweep axes \(algo, preset\), but got "algorithm"/);
    expect(() => aggregate(dir, { pairs: 'some' as never })).toThrow(/Expected pairs to be all, best or none, but got "some"/);
  });

  it('compares against the best configuration when asked', () => {
    const dir = tempDir();
    for (let c = 0; c < 4; c++) for (let seed = 0; seed < 3; seed++) writeFakeRun(dir, { config: `d${String(c).padStart(11, '0')}`, seed, axes: { lr: c }, meanReturn: c * 10 + seed });
    expect(aggregate(dir).comparisons).toHaveLength(6);
    const best = aggregate(dir, { pairs: 'best' });
    expect(best.comparisons.map((c) => [c.aLabel, c.bLabel])).toEqual([
      ['lr=3', 'lr=0'],
      ['lr=3', 'lr=1'],
      ['lr=3', 'lr=2'],
    ]);
    expect(best.comparisons.every((c) => c.probabilityOfImprovement === 1)).toBe(true);
    expect(aggregate(dir, { pairs: 'none' }).comparisons).toEqual([]);
  });
});

describe('compareRuns', () => {
  it('says "no significant difference" when Welch disagrees with the bootstrap (2 vs 3 seeds), and states the evidence', () => {
    const [dirA, dirB] = [tempDir(), tempDir()];
    [10, 14].forEach((value, seed) => writeFakeRun(dirA, { experiment: 'a', config: 'aaaaaaaaaaaa', seed, meanReturn: value }));
    [15, 16, 30].forEach((value, seed) => writeFakeRun(dirB, { experiment: 'b', config: 'bbbbbbbbbbbb', seed, meanReturn: value }));
    const [row] = compareRuns(dirA, dirB).rows;
    expect(row.probabilityOfImprovementCI.high).toBeLessThan(0.5);
    expect(row.welch!.pValue).toBeGreaterThan(0.05);
    expect(row.verdict).toBe('no significant difference');
    expect(row.evidence).toMatch(/^P\(A > B\) 95% CI \[0\.000, 0\.\d{3}\]; Welch p = 0\.\d+$/);
    expect(renderComparison(compareRuns(dirA, dirB))).toContain('no significant difference (P(A > B) 95% CI');
  });

  it('compares two experiment folders over seeds', () => {
    const [dirA, dirB] = [tempDir(), tempDir()];
    RETURNS_A.forEach((value, seed) => writeFakeRun(dirA, { experiment: 'a', config: 'aaaaaaaaaaaa', seed, meanReturn: value }));
    RETURNS_B.forEach((value, seed) => writeFakeRun(dirB, { experiment: 'b', config: 'bbbbbbbbbbbb', seed, meanReturn: value }));
    const result = compareRuns(dirA, dirB);
    expect(result.rows).toHaveLength(1);
    const [row] = result.rows;
    expect(row.unit).toBe('seed');
    expect(row.metric).toBe('return');
    expect(row.probabilityOfImprovement).toBeCloseTo(23 / 25, 12);
    expect(row.a.stats.iqm).toBe(11);
    expect(row.welch?.t).toBeCloseTo(welchTTest(RETURNS_A, RETURNS_B).t, 10);
    expect(row.verdict).toMatch(/^(A better|no significant difference)$/);
    expect(compareRuns(dirA, dirB)).toEqual(result);
    const text = renderComparison(result);
    expect(text).toContain('P(A > B)');
    expect(text).toContain('0.9200');
    expect(renderComparison(result, 'csv').trim().split('\n')).toHaveLength(2);
    expect(JSON.parse(renderComparison(result, 'json')).rows[0].probabilityOfImprovement).toBeCloseTo(0.92, 12);
  });

  it('falls back to evaluation episodes for single runs, and says so', () => {
    const dir = tempDir();
    const a = writeFakeRun(dir, { config: 'aaaaaaaaaaaa', seed: 0, meanReturn: 5, returns: [5, 6, 4, 5] });
    const b = writeFakeRun(dir, { config: 'bbbbbbbbbbbb', seed: 0, meanReturn: 1, returns: [1, 2, 0, 1] });
    const result = compareRuns(a, b);
    expect(result.rows[0].unit).toBe('episode');
    expect(result.rows[0].probabilityOfImprovement).toBe(1);
    expect(result.rows[0].a.stats.n).toBe(4);
    expect(renderComparison(result)).toMatch(/samples are evaluation episodes/);
  });

  it('matches sweep configurations by their axes and lists the unmatched', () => {
    const [dirA, dirB] = [tempDir(), tempDir()];
    for (const [dir, offset] of [[dirA, 0], [dirB, 1]] as const) {
      for (const lr of [1, 2, 3]) {
        if (dir === dirB && lr === 3) continue;
        for (let seed = 0; seed < 3; seed++) writeFakeRun(dir, { experiment: dir === dirA ? 'a' : 'b', config: `${dir === dirA ? 'a' : 'b'}${String(lr).padStart(11, '0')}`, seed, axes: { lr }, meanReturn: lr + seed + offset });
      }
    }
    mkdirSync(join(dirB, 'empty'));
    const result = compareRuns(dirA, dirB);
    expect(result.rows.map((r) => [r.a.label, r.b.label])).toEqual([
      ['lr=1', 'lr=1'],
      ['lr=2', 'lr=2'],
    ]);
    expect(result.unmatchedA).toEqual(['lr=3']);
    expect(result.unmatchedB).toEqual([]);
    expect(renderComparison(result)).toContain('Only in A: lr=3.');
    // One configuration against a sweep: compared with each.
    const reference = tempDir();
    for (let seed = 0; seed < 3; seed++) writeFakeRun(reference, { experiment: 'ref', config: 'rrrrrrrrrrrr', seed, meanReturn: 2 });
    expect(compareRuns(reference, dirA).rows.map((r) => [r.a.label, r.b.label])).toEqual([
      ['ppo', 'lr=1'],
      ['ppo', 'lr=2'],
      ['ppo', 'lr=3'],
    ]);
  });
});
