/**
 * TensorBoard event files: the CRC-32C and its mask against published test vectors, a record compared
 * byte for byte with one written by TensorBoard's own Python writer, a JS read-back, a CartPole run whose
 * events hold every logged point, and (when Python's tensorboard is importable) TensorBoard's
 * EventAccumulator reading a loopgym file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.js';
import { crc32c, maskedCrc32c } from '../../src/experiments/tensorboard/crc32c.js';
import { decodeRecords, encodeRecord } from '../../src/experiments/tensorboard/records.js';
import { readEventFile, readScalars } from '../../src/experiments/tensorboard/reader.js';
import { TensorBoardWriter } from '../../src/experiments/tensorboard/writer.js';

const bin = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const scratch = () => mkdtempSync(join(tmpdir(), 'loopgym-tb-'));
const ascii = (text: string) => new TextEncoder().encode(text);

/** A clock that returns the given wall times in turn. */
function clockOf(...times: number[]): () => number {
  let i = 0;
  return () => times[Math.min(i++, times.length - 1)];
}

describe('CRC-32C', () => {
  it('matches the published check value and the RFC 3720 test vectors', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
  });

  it('masks as TensorFlow does: rotate right 15, add 0xa282ead8, modulo 2^32', () => {
    const crc = 0xe3069283;
    const expected = ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) % 2 ** 32;
    expect(maskedCrc32c(ascii('123456789'))).toBe(expected);
  });
});

describe('TensorBoard event files', () => {
  it('writes the same bytes as TensorBoard\'s Python RecordWriter for the same events (golden record)', () => {
    // Bytes from tensorboard 2.21's RecordWriter writing Event(wall_time=1700000000.5, file_version="brain.Event:2")
    // and Event(wall_time=1700000001.25, step=2048, summary={value: [{tag: "rollout/ep_rew_mean", simple_value: 21.5}]}).
    const golden =
      '1800000000000000a37f4b220900002040fc54d9411a0d627261696e2e4576656e743a322b3531102a00000000000000ae8d91f5' +
      '0900005040fc54d9411080102a1c0a1a0a13726f6c6c6f75742f65705f7265775f6d65616e150000ac41c12a36d7';
    const dir = scratch();
    const writer = new TensorBoardWriter(dir, { clock: clockOf(1700000000.5, 1700000001.25), host: 'golden' });
    writer.addScalars(2048, { 'rollout/ep_rew_mean': 21.5 });
    writer.close();
    expect(writer.path).toMatch(/\/events\.out\.tfevents\.1700000000\.golden\.\d+\.\d+$/);
    expect(Buffer.from(readFileSync(writer.path)).toString('hex')).toBe(golden);
  });

  it('reads back what it wrote: file version first, then every scalar with its step and wall time', () => {
    const dir = scratch();
    const writer = new TensorBoardWriter(dir, { clock: clockOf(100, 101, 102, 103) });
    writer.addScalars(10, { 'train/approx_kl': 0.015, 'rollout/ep_rew_mean': 9.5 });
    writer.addScalars(20, [{ tag: 'rollout/ep_rew_mean', value: 12.25 }]);
    writer.addScalars(30, {});
    writer.close();
    const file = readEventFile(writer.path);
    expect(file.truncatedBytes).toBe(0);
    expect(file.events[0]).toEqual({ wallTime: 100, step: 0, fileVersion: 'brain.Event:2' });
    expect(file.events).toHaveLength(3);
    const scalars = readScalars(dir);
    expect(scalars.get('rollout/ep_rew_mean')).toEqual([
      { step: 10, wallTime: 101, value: 9.5 },
      { step: 20, wallTime: 102, value: 12.25 },
    ]);
    expect(scalars.get('train/approx_kl')?.[0].value).toBeCloseTo(0.015, 7); // float32, as TensorBoard stores it
    expect(() => writer.addScalars(40, { x: 1 })).toThrow(DataError);
    const second = new TensorBoardWriter(dir, { clock: clockOf(100) });
    second.close();
    expect(second.path).not.toBe(writer.path);
  });

  it('stops at a record cut short at the end, and refuses a corrupted one with a DataError', () => {
    const records = [ascii('first'), ascii('second record')];
    const bytes = Buffer.concat(records.map((r) => encodeRecord(r)));
    expect(decodeRecords(bytes).records.map((r) => Buffer.from(r).toString())).toEqual(['first', 'second record']);
    const cut = decodeRecords(bytes.subarray(0, bytes.length - 3));
    expect(cut.records).toHaveLength(1);
    expect(cut.truncatedBytes).toBe(encodeRecord(records[1]).length - 3);
    const corrupted = Buffer.from(bytes);
    corrupted[14] ^= 0xff;
    expect(() => decodeRecords(corrupted, 'x.tfevents')).toThrow(/x\.tfevents: Expected the data CRC of record 0 \(offset 0\) to be 0x[0-9A-F]{8}, but got 0x[0-9A-F]{8}\./);
  });

  it('`loopgym train --tensorboard` on CartPole writes rollout/ep_rew_mean at every logged step, plus evaluations', () => {
    const out = scratch();
    const result = spawnSync(
      process.execPath,
      [bin, 'train', '--env', 'CartPole-v1', '--agent', 'ppo', '--steps', '2048', '--seed', '1', '--tensorboard', '--set', 'agent.numSteps=256',
        '--set', 'agent.numEpochs=2', '--set', 'evaluation.everySteps=1024', '--set', 'evaluation.episodes=3', '--out', out, '--quiet'],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(result.status, result.stderr).toBe(0);
    const experimentDir = join(out, 'CartPole-v1-ppo');
    const [runDir] = readdirSync(experimentDir).filter((name) => /-s1$/.test(name)).map((name) => join(experimentDir, name));
    const files = readdirSync(join(runDir, 'tb'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^events\.out\.tfevents\.\d{10}\.[\w.-]+\.\d+\.\d+$/);

    const logged = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, number>);
    const withReturn = logged.filter((row) => row['rollout/ep_rew_mean'] !== undefined);
    expect(withReturn.length).toBeGreaterThanOrEqual(7); // 2048 steps in rollouts of 256, episodes end in every one
    expect(withReturn.length).toBe(logged.length);
    const scalars = readScalars(join(runDir, 'tb'));
    expect(scalars.get('rollout/ep_rew_mean')?.map((p) => [p.step, p.value])).toEqual(withReturn.map((row) => [row.step, Math.fround(row['rollout/ep_rew_mean'])]));
    expect(scalars.get('train/approx_kl')?.map((p) => p.step)).toEqual(logged.map((row) => row.step));
    expect(scalars.get('time/fps')?.length).toBe(logged.length);

    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as { curve: { step: number; meanReturn: number }[]; eval: { meanReturn: number } };
    expect(scalars.get('eval/mean_reward')?.map((p) => [p.step, p.value])).toEqual(summary.curve.map((p) => [p.step, Math.fround(p.meanReturn)]));
    expect(scalars.get('final/mean_reward')?.map((p) => p.value)).toEqual([Math.fround(summary.eval.meanReturn)]);
  });

  const python = spawnSync('python3', ['-c', 'import tensorboard'], { encoding: 'utf8' });
  const hasTensorboard = python.status === 0;
  it.skipIf(!hasTensorboard)(
    hasTensorboard ? 'is read by TensorBoard\'s EventAccumulator (Python)' : 'EventAccumulator check SKIPPED: python3 cannot import tensorboard (pip install tensorboard)',
    () => {
      const dir = scratch();
      const writer = new TensorBoardWriter(dir, { clock: clockOf(1000, 1001, 1002, 1003) });
      writer.addScalars(0, { 'rollout/ep_rew_mean': 20, 'train/value_loss': 3.5 });
      writer.addScalars(512, { 'rollout/ep_rew_mean': 31.25 });
      writer.addScalars(1024, { 'rollout/ep_rew_mean': 47.5, 'eval/mean_reward': 100 });
      writer.close();
      const script = join(dir, 'read.py');
      writeFileSync(
        script,
        [
          'import json, sys',
          'from tensorboard.backend.event_processing.event_accumulator import EventAccumulator',
          'acc = EventAccumulator(sys.argv[1]); acc.Reload()',
          'tags = sorted(acc.Tags()["scalars"])',
          'print(json.dumps({t: [[e.step, e.value, e.wall_time] for e in acc.Scalars(t)] for t in tags}))',
        ].join('\n'),
      );
      const result = spawnSync('python3', [script, dir], { encoding: 'utf8', timeout: 60_000 });
      expect(result.status, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({
        'eval/mean_reward': [[1024, 100, 1003]],
        'rollout/ep_rew_mean': [[0, 20, 1001], [512, 31.25, 1002], [1024, 47.5, 1003]],
        'train/value_loss': [[0, 3.5, 1001]],
      });
    },
  );
});
