/**
 * `npm run test:slurm`: a real Slurm on this machine runs an emitted job array. A 4-run sweep is emitted
 * with `loopgym sweep --emit slurm --shards 2`, submitted with the emitted submit.sh (the array, then the
 * report job after it), and the merged report.json must be byte-identical to a serial run's. Skipped in
 * `npm test` (it installs packages and starts daemons); LOOPGYM_SLURM=1 runs it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureInstalled, run, startLocalSlurm, unavailableReason, type LocalSlurm } from './local-slurm.js';

const bin = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const enabled = process.env.LOOPGYM_SLURM === '1';
const reason = enabled ? unavailableReason() : 'set LOOPGYM_SLURM=1 (npm run test:slurm) to run it';

const spec = {
  name: 'slurm-sweep',
  env: { id: 'CartPole-v1', numEnvs: 2 },
  agent: { name: 'ppo', numSteps: 64, batchSize: 64, numEpochs: 2, piLayers: [16], vfLayers: [16] },
  totalSteps: 1024,
  seeds: [0, 1],
  evaluation: { episodes: 3, everySteps: 512, deterministic: true },
  sweep: { axes: { 'agent.learningRate': [0.001, 0.0003] } },
};

function loopgym(args: string[]): string {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 600_000 });
  if (result.status !== 0) throw new Error(`loopgym ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

describe.skipIf(reason !== null)(`Slurm job array on a local single-node Slurm${reason ? ` (SKIPPED: ${reason})` : ''}`, () => {
  let slurm: LocalSlurm | undefined;
  afterAll(async () => {
    await slurm?.stop();
  });

  it('runs the emitted 2-shard array and report job; the merged report.json equals a serial run\'s byte for byte', async () => {
    const timings: Record<string, number> = {};
    timings.installSeconds = ensureInstalled();
    slurm = await startLocalSlurm();
    timings.daemonsToIdleSeconds = slurm.startSeconds;

    const root = mkdtempSync(join(tmpdir(), 'loopgym-slurm-run-'));
    const specPath = join(root, 'spec.json');
    writeFileSync(specPath, JSON.stringify(spec));
    const clusterResults = join(root, 'cluster');
    loopgym(['sweep', specPath, '--emit', 'slurm', '--shards', '2', '--cpus', '1', '--memory', '1G', '--time', '00:20:00', '--out', clusterResults]);
    const jobDir = join(clusterResults, spec.name, 'slurm');

    const submitted = performance.now();
    const submit = run('bash', [join(jobDir, 'submit.sh')], slurm.env);
    expect(submit.status, submit.stderr).toBe(0);
    const ids = /sweep: job array (\d+) .*report: job (\d+)/.exec(submit.stdout);
    expect(ids, submit.stdout).not.toBeNull();
    const [sweepJob, reportJob] = [ids![1], ids![2]];
    const deadline = performance.now() + 20 * 60_000;
    while (run('squeue', ['-h', '-j', `${sweepJob},${reportJob}`], slurm.env).stdout.trim() !== '') {
      if (performance.now() > deadline) throw new Error(`Expected the jobs to finish within 20 minutes; squeue: ${run('squeue', [], slurm.env).stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    timings.submitToReportSeconds = (performance.now() - submitted) / 1000;

    const state = (job: string) => /JobState=(\w+)/.exec(run('scontrol', ['show', 'job', job], slurm!.env).stdout)?.[1];
    const logs = () => readdirSync(join(jobDir, 'logs')).map((name) => `--- ${name}\n${readFileSync(join(jobDir, 'logs', name), 'utf8')}`).join('\n');
    expect(state(`${sweepJob}_0`), logs()).toBe('COMPLETED');
    expect(state(`${sweepJob}_1`), logs()).toBe('COMPLETED');
    expect(state(reportJob), logs()).toBe('COMPLETED');
    expect(readdirSync(join(jobDir, 'logs')).sort()).toEqual([`report-${reportJob}.out`, `sweep-${sweepJob}_0.out`, `sweep-${sweepJob}_1.out`]);

    const serialStarted = performance.now();
    loopgym(['sweep', specPath, '--workers', '1', '--out', join(root, 'serial')]);
    timings.serialSeconds = (performance.now() - serialStarted) / 1000;

    const merged = join(clusterResults, spec.name, 'report.json');
    expect(existsSync(merged), logs()).toBe(true);
    const mergedReport = JSON.parse(readFileSync(merged, 'utf8')) as { runCount: number; problems: unknown[] };
    expect(mergedReport.runCount).toBe(4);
    expect(mergedReport.problems).toEqual([]);
    expect(readFileSync(merged, 'utf8')).toBe(readFileSync(join(root, 'serial', spec.name, 'report.json'), 'utf8'));
    expect(readFileSync(join(clusterResults, spec.name, 'report.md'), 'utf8')).toBe(readFileSync(join(root, 'serial', spec.name, 'report.md'), 'utf8'));
    console.log(`test:slurm ${JSON.stringify({ node: slurm.node, cpus: slurm.cpus, ...Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v * 10) / 10])) })}`);
  }, 45 * 60_000);
});
