/**
 * `loopgym curve analyze`: the accepted file shapes, refusals with line and column (exit 1, nothing
 * written), and a report that is byte-identical when run twice.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { curveInput } from '../../src/cli/commands/curve.js';
import { DataError } from '../../src/core/errors.js';
import { parseCurveCsv, parseCurveJsonl } from '../../src/loop/curve-file.js';
import { SHAPES, noisyCurve } from './synthetic.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'loopgym-curve-'));
const bin = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const loopgym = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });

describe('curve files', () => {
  it('reads wide CSV (with or without a header) and wide JSONL into the same scores', () => {
    const rows = [
      [0.1, 0.2, 0.3],
      [0.15, 0.25, 0.35],
    ];
    const plain = parseCurveCsv(rows.map((r) => r.join(',')).join('\n'), 'a.csv');
    const headed = parseCurveCsv(`it0,it1,it2\n${rows.map((r) => r.join(',')).join('\n')}\n`, 'b.csv');
    const jsonl = parseCurveJsonl(rows.map((r) => JSON.stringify(r)).join('\n'), 'c.jsonl');
    for (const file of [plain, headed, jsonl]) {
      expect(file.shape).toBe('wide');
      expect(file.arms.get('learning')?.scores).toEqual(rows);
    }
  });

  it('reads long CSV and JSONL with arms and days (an iteration is the mean of its days)', () => {
    const csv = ['arm,replicate,iteration,day,score', ...[0, 1, 2].flatMap((k) => [0, 1].flatMap((d) => [`learning,a,${k},${d},${k + d}`, `frozen,a,${k},${d},1`]))].join('\n');
    const file = parseCurveCsv(csv, 'long.csv');
    expect(file.shape).toBe('long');
    expect(file.arms.get('learning')?.days).toEqual([[[0, 1], [1, 2], [2, 3]]]);
    expect(file.arms.get('learning')?.scores).toEqual([[0.5, 1.5, 2.5]]);
    expect(file.arms.get('frozen')?.scores).toEqual([[1, 1, 1]]);
    const jsonl = [0, 1, 2].map((k) => JSON.stringify({ replicate: 0, iteration: k, score: k })).join('\n');
    expect(parseCurveJsonl(jsonl, 'long.jsonl').arms.get('learning')?.scores).toEqual([[0, 1, 2]]);
  });

  it('refuses ragged rows, non-numbers, too few iterations, gaps and duplicates with line and column', () => {
    const refuse = (text: string, pattern: RegExp, parse = parseCurveCsv) => {
      expect(() => parse(text, 'x.csv')).toThrow(DataError);
      expect(() => parse(text, 'x.csv')).toThrow(pattern);
    };
    refuse('1,2,3\n4,5\n', /x\.csv:2:3: Expected 3 columns like line 1, but line 2 has 2/);
    refuse('1,2,3\n4,oops,6\n', /x\.csv:2:2: Expected a finite number, but got "oops"/);
    refuse('1,2\n3,4\n', /x\.csv:1:3: Expected at least 3 iterations \(columns\), but got 2/);
    refuse('replicate,iteration,score\n0,0,1\n0,1,1\n', /column 2 \(iteration\): Expected at least 3 iterations/);
    refuse('replicate,iteration,score\n0,0,1\n0,2,1\n0,3,1\n', /arm learning, replicate 0 has no iteration 1/);
    refuse('replicate,iteration,score\n0,0,1\n0,1,1\n0,1,2\n0,2,1\n', /x\.csv:4: Expected one score per iteration, but .*iteration 1 is also on line 3/);
    refuse('replicate,iteration,score,seed\n', /x\.csv:1:4: Expected a column among replicate, iteration, score, arm, day, but got "seed"/);
    refuse('replicate,iteration,score\n0,1.5,1\n', /x\.csv:2:2: Expected an iteration as an integer >= 0/);
    refuse('[1,2,3]\n[1,"x",3]\n', /x\.csv:2:2: Expected a finite number, but got "x"/, parseCurveJsonl);
    refuse('[1,2,3]\n[1,2\n', /x\.csv:2(:\d+)?: Expected valid JSON/, parseCurveJsonl);
  });
});

describe('loopgym curve analyze', () => {
  it('refuses a bad CSV with line and column, exit 1, and writes nothing', () => {
    const dir = scratch();
    for (const [name, text, pattern] of [
      ['ragged.csv', '0.1,0.2,0.3\n0.1,0.2\n', /ragged\.csv:2:3: Expected 3 columns/],
      ['nan.csv', '0.1,0.2,0.3\n0.1,abc,0.3\n', /nan\.csv:2:2: Expected a finite number, but got "abc"/],
      ['short.csv', '0.1,0.2\n0.1,0.2\n', /short\.csv:1:3: Expected at least 3 iterations/],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, text);
      const out = join(dir, `out-${name}`);
      const result = loopgym('curve', 'analyze', path, '--out', out);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/^loopgym: DataError: /);
      expect(result.stderr).toMatch(pattern);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('analyzes a long CSV with arms, prints the verdict, and writes the same report.json twice', () => {
    const dir = scratch();
    const learning = noisyCurve(SHAPES.exponential, { replicates: 5, iterations: 20, noise: 0.05, seed: 'cli' });
    const frozen = noisyCurve(() => 0.2, { replicates: 5, iterations: 20, noise: 0.05, seed: 'cli-frozen' });
    const lines = ['arm,replicate,iteration,score'];
    for (const [arm, matrix] of [['learning', learning], ['frozen', frozen]] as const) {
      matrix.forEach((row, r) => row.forEach((score, k) => lines.push(`${arm},${r},${k},${score}`)));
    }
    const path = join(dir, 'history.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const args = ['curve', 'analyze', path, '--frozen', 'frozen', '--baseline', '0.25', '--resamples', '300', '--horizons', '10,30'];
    const first = loopgym(...args, '--out', join(dir, 'a'));
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Verdict: compounding/);
    expect(first.stdout).toMatch(/Multiplier over the frozen arm at iteration 19/);
    expect(first.stdout).toMatch(/beats greedy/);
    const second = loopgym(...args, '--out', join(dir, 'b'), '--json');
    expect(second.status).toBe(0);
    expect(JSON.parse(second.stdout).analysis.settings.resamples).toBe(300);
    const a = readFileSync(join(dir, 'a', 'report.json'), 'utf8');
    expect(readFileSync(join(dir, 'b', 'report.json'), 'utf8')).toBe(a);
    expect(JSON.parse(a).verdict.verdict).toBe('compounding');
    expect(readFileSync(join(dir, 'a', 'report.md'), 'utf8')).toMatch(/^# Learning-curve analysis/);
  });

  it('names the arms of the file when a flag names another', () => {
    const file = parseCurveCsv('arm,replicate,iteration,score\nlearning,0,0,1\nlearning,0,1,1\nlearning,0,2,1\nfrozen,0,0,1\nfrozen,0,1,1\nfrozen,0,2,1\n', 'h.csv');
    const argv = { file: 'h.csv', lowerIsBetter: false, arm: 'learning', frozen: 'frozn' };
    expect(() => curveInput(file, argv)).toThrow(/Expected --frozen to name an arm of h\.csv \(learning, frozen\), but got "frozn"/);
    expect(curveInput(file, { ...argv, frozen: 'frozen', baseline: '0.3', ceiling: 'frozen' })).toMatchObject({ baseline: 0.3, ceiling: [[1, 1, 1]], ceilingName: 'frozen', higherIsBetter: true });
  });
});
