/**
 * The shipped loop-quick spec at full size, behind LOOPGYM_LONG (npm run test:long): twice gives the same
 * report.json byte for byte, and a run killed (SIGKILL) after some iterations and resumed gives it too.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const long = !!process.env.LOOPGYM_LONG;
const cli = (args: string[]) => spawnSync(process.execPath, ['dist/src/cli/main.js', ...args, '--quiet'], { encoding: 'utf8', timeout: 900_000 });

describe.skipIf(!long)('loop-quick at full size (LOOPGYM_LONG)', () => {
  it('twice and after SIGKILL + --resume gives a byte-identical report.json', async () => {
    const root = mkdtempSync(join(tmpdir(), 'loopgym-loop-quick-'));
    for (const out of ['a', 'b']) expect(cli(['loop', 'experiments/loop-quick.json', '--out', join(root, out)]).status).toBe(0);
    const report = (out: string) => readFileSync(join(root, out, 'loop-quick', 'report.json'), 'utf8');
    expect(report('b')).toBe(report('a'));

    const killed = join(root, 'killed');
    const child = spawn(process.execPath, ['dist/src/cli/main.js', 'loop', 'experiments/loop-quick.json', '--out', killed, '--quiet'], { stdio: 'ignore' });
    const iterations = join(killed, 'loop-quick', 'replicate-0', 'iterations');
    while (!(existsSync(iterations) && readdirSync(iterations).includes('2.json'))) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(join(killed, 'loop-quick', 'report.json'))).toBe(false);
    expect(cli(['loop', 'experiments/loop-quick.json', '--out', killed, '--resume']).status).toBe(0);
    expect(report('killed')).toBe(report('a'));
  }, 1_800_000);
});
