/**
 * Nothing lost (issue 12 items 1, 2 and part of 4): a finished run is never overwritten by a rerun, even
 * one killed mid-way; `fresh` names what it deletes and recomputes the same bytes; a run without its
 * policy/ is not finished; a per-run lock stops a second writer by name and is taken over when stale.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../envs/index.js';
import { runSweep } from '../../src/experiments/runner.js';
import { acquireRunLock, RunLockedError } from '../../src/experiments/run-lock.js';
import { parseSpec } from '../../src/experiments/spec.js';
import { inspectRun, RUN_FILES } from '../../src/experiments/store.js';
import { DivergenceError } from '../../src/core/errors.js';

const spec = parseSpec({
  name: 'safety',
  env: { id: 'CartPole-v1', numEnvs: 2 },
  agent: { name: 'ppo', numSteps: 64, batchSize: 64, numEpochs: 1 },
  totalSteps: 512,
  seeds: [0, 1, 2],
  evaluation: { episodes: 2 },
});

/** Every file of every run, by relative path, with its bytes. */
function snapshot(experimentDir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else if (entry.name !== 'timing.json') files.set(`${prefix}${entry.name}`, readFileSync(join(dir, entry.name), 'latin1'));
    }
  };
  walk(experimentDir, '');
  return files;
}

/** The files that reproduce byte for byte (RUN_FILES; tfjs model.json names its layers by a process counter). */
function results(files: Map<string, string>): Map<string, string> {
  return new Map([...files].filter(([path]) => RUN_FILES.some((name) => path.endsWith(`/${name}`) && path.split('/').length === 2)));
}

describe('finished runs are never destroyed', () => {
  it('a rerun skips finished runs and leaves every file as it was, even when killed mid-way', async () => {
    const out = mkdtempSync(join(tmpdir(), 'loopgym-safety-'));
    const first = await runSweep(spec, { outDir: out });
    const before = snapshot(first.experimentDir);
    const again = await runSweep(spec, { outDir: out });
    expect(again.runs.every((run) => run.skipped)).toBe(true);
    expect(snapshot(first.experimentDir)).toEqual(before);

    // The CLI rerun, SIGKILLed shortly after it starts: nothing finished is touched.
    const specPath = join(out, 'spec.json');
    writeFileSync(specPath, JSON.stringify({ ...spec, seeds: [0, 1, 2, 3] }));
    const child = spawn(process.execPath, ['dist/src/cli/main.js', 'sweep', specPath, '--out', out, '--quiet'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 2500));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const after = snapshot(first.experimentDir);
    for (const [file, bytes] of before) expect(after.get(file), file).toBe(bytes);
  }, 120_000);

  it('fresh names the finished runs it deletes and recomputes the same bytes; a run without policy/ is not finished', async () => {
    const out = mkdtempSync(join(tmpdir(), 'loopgym-fresh-'));
    const first = await runSweep(spec, { outDir: out });
    const before = snapshot(first.experimentDir);
    let deleted: readonly string[] = [];
    const fresh = await runSweep(spec, { outDir: out, fresh: true, onDelete: (dirs) => (deleted = dirs) });
    expect(deleted.map((dir) => dir.slice(first.experimentDir.length + 1)).sort()).toEqual(first.runs.map((r) => r.plan.runId).sort());
    expect(fresh.runs.some((run) => run.skipped)).toBe(false);
    expect(results(snapshot(first.experimentDir))).toEqual(results(before));
    expect(results(before).size).toBe(12);

    rmSync(join(first.runs[1].dir, 'policy'), { recursive: true });
    const repaired = await runSweep(spec, { outDir: out });
    expect(repaired.runs.map((run) => run.skipped)).toEqual([true, false, true]);
    expect(results(snapshot(first.experimentDir))).toEqual(results(before));
    expect(existsSync(join(first.runs[1].dir, 'policy', 'agent.json'))).toBe(true);
  }, 120_000);
});

describe('run locks', () => {
  it('a live lock stops a second writer with RunLockedError naming the owner; nothing is written', async () => {
    const out = mkdtempSync(join(tmpdir(), 'loopgym-lock-'));
    const plans = (await runSweep({ ...spec, seeds: [0] }, { outDir: out })).runs;
    const dir = plans[0].dir;
    rmSync(dir, { recursive: true });
    const held = acquireRunLock(dir);
    try {
      await expect(runSweep({ ...spec, seeds: [0] }, { outDir: out })).rejects.toThrow(RunLockedError);
      await expect(runSweep({ ...spec, seeds: [0] }, { outDir: out })).rejects.toThrow(new RegExp(`being written by process ${process.pid} on ${hostname()}`));
      expect(existsSync(dir)).toBe(false);
    } finally {
      held.release();
    }
    expect(existsSync(`${dir}.lock`)).toBe(false);
  }, 120_000);

  it('a stale lock (its process is gone, or too old) is taken over', async () => {
    const out = mkdtempSync(join(tmpdir(), 'loopgym-stale-'));
    const dir = join(out, 'run');
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), started: new Date().toISOString() }));
    const stale: string[] = [];
    const lock = acquireRunLock(dir, { onStale: (reason) => stale.push(reason) });
    expect(stale[0]).toMatch(/process \d+ is gone; taking it over/);
    lock.release();
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid: process.pid, host: 'elsewhere', started: '2020-01-01T00:00:00.000Z' }));
    acquireRunLock(dir, { onStale: (reason) => stale.push(reason) }).release();
    expect(stale[1]).toMatch(/older than 168 h/);
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid: process.pid, host: 'elsewhere', started: new Date().toISOString() }));
    expect(() => acquireRunLock(dir)).toThrow(/being written by process \d+ on elsewhere/);
  });
});

describe('divergence is never silent', () => {
  it('a run whose losses go NaN stops with DivergenceError (step and quantity) and stays, marked failed', async () => {
    const out = mkdtempSync(join(tmpdir(), 'loopgym-diverge-'));
    const diverging = parseSpec({ ...spec, name: 'diverge', seeds: [0], agent: { ...spec.agent, learningRate: 1e308 } });
    await expect(runSweep(diverging, { outDir: out })).rejects.toThrow(DivergenceError);
    const experiment = join(out, 'diverge');
    const [runId] = readdirSync(experiment).filter((name) => !name.endsWith('.lock'));
    const dir = join(experiment, runId);
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'failed.json']);
    const failed = JSON.parse(readFileSync(join(dir, 'failed.json'), 'utf8'));
    expect(failed.message).toMatch(/Expected finite training values, but train\/\w+ is (NaN|-?Infinity) at step \d+/);
    const status = inspectRun(dir);
    expect(status.state).toBe('incomplete');
    expect(status.state === 'incomplete' && status.reason).toMatch(/^the run failed: Expected finite training values/);
  }, 60_000);
});
