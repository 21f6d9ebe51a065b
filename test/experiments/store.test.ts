import { mkdtempSync, readdirSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.js';
import { writeJsonAtomic } from '../../src/core/atomic-fs.js';
import { canonicalJson, configHash, inspectRun, listRunDirs, RunWriter, runId, toCsv } from '../../src/experiments/store.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'loopgym-store-'));

describe('results store', () => {
  it('hashes configs independently of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(configHash({ a: 1, b: 2 })).toBe(configHash({ b: 2, a: 1 }));
    expect(configHash({ a: 1 })).not.toBe(configHash({ a: 2 }));
    expect(runId({ a: 1 }, 3)).toMatch(/^[0-9a-f]{12}-s3$/);
  });

  it('writes atomically and leaves no temp files', () => {
    const dir = tempDir();
    writeJsonAtomic(join(dir, 'x.json'), { ok: true });
    writeJsonAtomic(join(dir, 'x.json'), { ok: false });
    expect(readdirSync(dir)).toEqual(['x.json']);
  });

  it('refuses an unwritable folder with a named error', () => {
    const dir = tempDir();
    const blocked = join(dir, 'blocked');
    mkdirSync(blocked);
    chmodSync(blocked, 0o500);
    const canWrite = (() => {
      try {
        writeFileSync(join(blocked, 'probe'), '');
        return true;
      } catch {
        return false;
      }
    })();
    if (canWrite) {
      // root ignores permission bits; a path below a regular file is unwritable for everybody.
      writeFileSync(join(dir, 'file'), '');
      expect(() => writeJsonAtomic(join(dir, 'file', 'x.json'), {})).toThrow(DataError);
    } else {
      expect(() => writeJsonAtomic(join(blocked, 'x.json'), {})).toThrow(/Expected a writable folder/);
    }
  });

  it('tells complete, incomplete, corrupt and missing runs apart', async () => {
    const root = tempDir();
    expect(inspectRun(join(root, 'none')).state).toBe('missing');

    const complete = new RunWriter(join(root, 'a'));
    complete.begin();
    complete.writeJson('config.json', {});
    complete.writeText('metrics.jsonl', '');
    complete.writeText('episodes.csv', toCsv(['return'], [[1]]));
    await complete.writeFolder('policy', async (dir) => writeFileSync(join(dir, 'w.bin'), 'x'));
    complete.finish({ score: 1 });
    expect(inspectRun(complete.dir)).toEqual({ state: 'complete', summary: { score: 1 } });
    expect(readdirSync(complete.dir).sort()).toEqual(['config.json', 'episodes.csv', 'metrics.jsonl', 'policy', 'summary.json']);

    const unfinished = new RunWriter(join(root, 'b'));
    unfinished.begin();
    unfinished.writeJson('config.json', {});
    expect(inspectRun(unfinished.dir).state).toBe('incomplete');

    const corrupt = new RunWriter(join(root, 'c'));
    corrupt.begin();
    for (const file of ['config.json', 'metrics.jsonl', 'episodes.csv']) corrupt.writeText(file, '{}');
    corrupt.writeText('summary.json', '{"truncated": ');
    const status = inspectRun(corrupt.dir);
    expect(status.state).toBe('corrupt');
    expect(status.state === 'corrupt' && status.reason).toMatch(/summary\.json is not valid JSON/);

    expect(listRunDirs(root)).toEqual([join(root, 'a'), join(root, 'b'), join(root, 'c')]);
    expect(() => listRunDirs(join(root, 'nope'))).toThrow(/Expected a results folder/);
  });

  it('quotes CSV cells that need it', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], [1, null]])).toBe('a,b\n"x,y","say ""hi"""\n1,\n');
  });
});
