/**
 * Learning loops end to end on tiny budgets: determinism (twice and in parallel workers give the same
 * report.json), every arm serves the same hidden world each iteration, a killed loop resumes to the same
 * bytes, an existing folder is never overwritten, the gate rejects a corrupted challenger, and a forced bad
 * promotion is caught by the drift detector and rolled back.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../envs/index.js';
import { ConfigError } from '../../src/core/errors.js';
import { runLoop } from '../../src/loop/loop-runner.js';
import { exportLoopPolicy } from '../../src/export/export-loop.js';
import { parseLoopSpec, type LoopSpecInput } from '../../src/loop/loop-spec.js';
import { LoopWorld } from '../../src/loop/loop-world.js';

const tiny: LoopSpecInput = {
  name: 'tiny',
  iterations: 3,
  replicates: 2,
  daysPerIteration: 2,
  world: { skillDrift: 0.3, schedule: [{ kind: 'swap-worker', iteration: 2, slot: 0, architecture: 'planning' }] },
  learner: { initialSteps: 1024, steps: 1024, numEnvs: 2, agent: { name: 'ppo', numSteps: 128, batchSize: 128, numEpochs: 2 } },
  gate: { shadowDays: 2 },
  drift: { window: 2 },
  analysis: { resamples: 200, horizons: [10] },
};

const tmp = (label: string) => mkdtempSync(join(tmpdir(), `loopgym-loop-${label}-`));
const reportOf = (dir: string) => readFileSync(join(dir, 'report.json'), 'utf8');

describe('learning loop runner', () => {
  it('gives byte-identical report.json twice, serially and in 2 workers, with every arm on the same world', async () => {
    const a = await runLoop(tiny, { out: tmp('a') });
    const b = await runLoop({ ...tiny, workers: 2 }, { out: tmp('b') });
    expect(reportOf(b.dir)).toBe(reportOf(a.dir));
    for (const replicate of a.records) {
      const world = new LoopWorld(parseLoopSpec(tiny), replicate[0].replicate);
      const hashes = replicate.map((record) => {
        const companies = new Set(Object.values(record.arms).map((arm) => arm.company));
        expect(companies).toEqual(new Set([world.at(record.iteration).companyHash]));
        return [...companies][0];
      });
      expect(new Set(hashes).size).toBe(hashes.length);
    }
    expect(a.records[0][0].worldHash).not.toBe(a.records[1][0].worldHash);
    const report = JSON.parse(reportOf(a.dir));
    expect(Object.keys(report.arms)).toEqual(['learning', 'frozen', 'scratch', 'greedy', 'oracle']);
    expect(report.claims.map((c: { claim: string }) => c.claim)).toHaveLength(3);
    expect(readFileSync(join(a.dir, 'report.md'), 'utf8')).toMatch(/## The claims, checked/);
    expect(readFileSync(join(a.dir, 'kpi.csv'), 'utf8').split('\n')[0]).toBe('arm,replicate,iteration,day,score');
    expect(existsSync(join(a.dir, 'plots', 'kpi.svg'))).toBe(true);
    // Champions are agent folders that export to policy bundles like a run's policy.
    const bundle = await exportLoopPolicy(join(a.dir, 'replicate-0', 'policies', 'initial'), join(tmp('bundle'), 'b'));
    expect(bundle.manifest.env.id).toBe('Orchestrator-v0');
    expect(bundle.manifest.training).toMatchObject({ loop: 'tiny', replicate: 0, policy: 'initial' });
    await expect(exportLoopPolicy(a.dir, join(tmp('bundle'), 'c'))).rejects.toThrow(/Expected a loop policy folder/);
  }, 300_000);

  it('refuses to start over an existing loop folder, and to resume it with another spec (nothing changed)', async () => {
    const out = tmp('existing');
    const first = await runLoop(tiny, { out });
    const before = reportOf(first.dir);
    await expect(runLoop(tiny, { out })).rejects.toThrow(ConfigError);
    await expect(runLoop({ ...tiny, iterations: 4 }, { out, resume: true })).rejects.toThrow(/given spec differs/);
    expect(reportOf(first.dir)).toBe(before);
    const resumed = await runLoop(tiny, { out, resume: true });
    expect(reportOf(resumed.dir)).toBe(before);
  }, 300_000);

  it('resumes a loop killed mid-way (SIGKILL) to the same report.json', async () => {
    const dir = tmp('kill');
    const specPath = join(dir, 'spec.json');
    writeFileSync(specPath, JSON.stringify({ ...tiny, replicates: 1, iterations: 4 }));
    const reference = spawnSync(process.execPath, ['dist/src/cli/main.js', 'loop', specPath, '--out', join(dir, 'ref'), '--quiet'], { encoding: 'utf8', timeout: 300_000 });
    expect(reference.status, reference.stderr).toBe(0);
    const out = join(dir, 'killed');
    const child = spawn(process.execPath, ['dist/src/cli/main.js', 'loop', specPath, '--out', out, '--quiet'], { stdio: 'ignore' });
    const iterations = join(out, 'tiny', 'replicate-0', 'iterations');
    const deadline = Date.now() + 240_000;
    while (!(existsSync(iterations) && readdirSync(iterations).includes('1.json')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(join(out, 'tiny', 'report.json'))).toBe(false);
    const resumed = spawnSync(process.execPath, ['dist/src/cli/main.js', 'loop', specPath, '--out', out, '--resume', '--quiet'], { encoding: 'utf8', timeout: 300_000 });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(reportOf(join(out, 'tiny'))).toBe(reportOf(join(dir, 'ref', 'tiny')));
  }, 600_000);

  it('gate rejects a challenger trained on a corrupted (inverted) reward; a forced bad promotion is rolled back by the detector', async () => {
    const faults: LoopSpecInput = {
      ...tiny,
      name: 'faults',
      replicates: 1,
      iterations: 4,
      daysPerIteration: 3,
      world: {},
      arms: ['learning', 'frozen'],
      learner: { ...tiny.learner, initialSteps: 4096, steps: 4096 },
      gate: { shadowDays: 4, alpha: 0.1 },
      drift: { detector: 'page-hinkley', window: 3 },
    };
    const rejected = await runLoop({ ...faults, faults: [{ kind: 'invert-reward', iteration: 1 }] }, { out: tmp('reject') });
    const gate = rejected.records[0][1].gate!;
    expect(gate.promoted).toBe(false);
    expect(gate.challengerMean).toBeLessThan(gate.championMean);

    const forced = await runLoop(
      { ...faults, faults: [{ kind: 'invert-reward', iteration: 1 }, { kind: 'force-promote', iteration: 1 }] },
      { out: tmp('rollback') },
    );
    const [, k1, k2, k3] = forced.records[0];
    expect(k1.gate!.forced).toBe(true);
    expect(k2.arms.learning!.policy).toBe('iteration-1');
    expect(k2.drift?.rolledBack).toBe(true);
    expect(k3.arms.learning!.policy).not.toBe('iteration-1');
    expect(k3.arms.learning!.kpi).toBeGreaterThan(k2.arms.learning!.kpi);
  }, 600_000);

  it('learns from feedback with a learned reward model refitted on all feedback so far', async () => {
    const result = await runLoop(
      { ...tiny, name: 'learned', replicates: 1, arms: ['learning', 'frozen'], learner: { ...tiny.learner, reward: { mode: 'learned', model: { kind: 'random-forest', minFeedback: 20 } } } },
      { out: tmp('learned') },
    );
    const counts = result.records[0].map((record) => record.feedback ?? 0);
    expect(counts[0]).toBeGreaterThan(0);
    for (let k = 1; k < counts.length; k++) expect(counts[k]).toBeGreaterThan(counts[k - 1]);
  }, 300_000);
});
