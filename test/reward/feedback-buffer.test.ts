import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DataError } from '../../src/core/errors.js';
import { FeedbackBuffer, type FeedbackRecord } from '../../src/reward/feedback-buffer.js';
import { REWARD_FEATURE_DIM } from '../../src/reward/features.js';

const dim = REWARD_FEATURE_DIM;
const features = (v: number) => new Float32Array(dim).fill(v);
const score = (taskId: number, cat: number, truth?: number): FeedbackRecord => ({
  type: 'score',
  taskId,
  tick: taskId,
  cat,
  ratings: { creativity: 3, usefulness: 4, novelty: 2, quality: 5 },
  features: features(taskId / 10),
  ...(truth === undefined ? {} : { trueSatisfaction: truth }),
});
const preference = (a: number, b: number, preferred: 0 | 1): FeedbackRecord => ({
  type: 'preference',
  tick: a,
  taskA: a,
  taskB: b,
  preferred,
  featuresA: features(a / 10),
  featuresB: features(b / 10),
});

describe('FeedbackBuffer', () => {
  it('keeps scores and preferences and turns them into typed arrays', () => {
    const buffer = new FeedbackBuffer();
    buffer.add(score(1, 10, 0.95));
    buffer.add(preference(2, 1, 1));
    buffer.add(score(3, 1));
    expect([buffer.size, buffer.scoreCount, buffer.preferenceCount]).toEqual([3, 2, 1]);
    const data = buffer.toDataset();
    expect(Array.from(data.y)).toEqual([1, 0]); // (cat - 1) / 9
    expect(data.truth![0]).toBeCloseTo(0.95, 6);
    expect(data.truth![1]).toBeNaN();
    expect(data.x.length).toBe(2 * dim);
    expect(data.x[dim]).toBeCloseTo(0.3, 6);
    expect(Array.from(data.preferred)).toEqual([1]);
    expect(data.pairA[0]).toBeCloseTo(0.2, 6);
  });

  it('copies features, drops the oldest beyond capacity and validates records', () => {
    const buffer = new FeedbackBuffer({ capacity: 2 });
    const record = score(1, 5);
    buffer.add(record);
    (record as { features: Float32Array }).features[0] = 99;
    expect((buffer.all()[0] as { features: Float32Array }).features[0]).toBeCloseTo(0.1, 6);
    buffer.add(score(2, 5));
    buffer.add(preference(3, 2, 0));
    expect([buffer.size, buffer.scoreCount, buffer.totalAdded]).toEqual([2, 1, 3]);
    expect(() => buffer.add(score(4, 11))).toThrow(/Expected an integer CAT score 1-10 at record 3, but got 11/);
    expect(() => buffer.add({ ...score(4, 5), features: new Float32Array(3) } as FeedbackRecord)).toThrow(DataError);
    expect(() => new FeedbackBuffer({ capacity: 0 })).toThrow(ConfigError);
  });

  it('round-trips through JSONL with an atomic write', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loopgym-feedback-'));
    const path = join(dir, 'feedback.jsonl');
    const buffer = new FeedbackBuffer();
    buffer.add(score(1, 7, 0.61));
    buffer.add(preference(2, 1, 0));
    buffer.save(path);
    buffer.save(path);
    expect(readdirSync(dir)).toEqual(['feedback.jsonl']);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0])).toMatchObject({ format: 'loopgym-feedback', version: 1, dim });
    const { buffer: loaded, corrupt } = FeedbackBuffer.load(path);
    expect(corrupt).toEqual([]);
    expect(loaded.toDataset()).toEqual(buffer.toDataset());
    expect(loaded.all()).toEqual(buffer.all());
  });

  it('reports corrupt lines with their line numbers, and skips or rejects them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loopgym-feedback-'));
    const path = join(dir, 'feedback.jsonl');
    const good = new FeedbackBuffer();
    good.add(score(1, 7));
    good.add(score(2, 3));
    good.save(path);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    const broken = [
      lines[0],
      lines[1],
      '{"type":"score","taskId":9,', // line 3: truncated JSON
      JSON.stringify({ ...JSON.parse(lines[2]), cat: 0 }), // line 4: CAT out of range
      JSON.stringify({ ...JSON.parse(lines[2]), features: [1, 2] }), // line 5: wrong length
      '',
      lines[2], // line 7: fine
    ];
    writeFileSync(path, broken.join('\n'));
    const warnings: number[] = [];
    const { buffer, corrupt } = FeedbackBuffer.load(path, { onWarning: (c) => warnings.push(c.line) });
    expect(buffer.size).toBe(2);
    expect(corrupt.map((c) => c.line)).toEqual([3, 4, 5]);
    expect(warnings).toEqual([3, 4, 5]);
    expect(corrupt[0].message).toMatch(/line 3 of .*feedback\.jsonl/);
    expect(corrupt[1].message).toMatch(/Expected an integer CAT score 1-10 at line 4 .*but got 0/);
    expect(corrupt[2].message).toMatch(new RegExp(`Expected ${dim} features at line 5 .*but got 2`));
    expect(() => FeedbackBuffer.load(path, { onCorrupt: 'error' })).toThrow(DataError);
    expect(() => FeedbackBuffer.load(path, { onCorrupt: 'error' })).toThrow(/line 3 of/);
    expect(() => FeedbackBuffer.load(join(dir, 'missing.jsonl'))).toThrow(/Expected a readable feedback file at .*missing\.jsonl, but got ENOENT/);
  });
});
