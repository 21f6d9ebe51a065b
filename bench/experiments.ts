/**
 * Experiment-runner benchmarks, one JSON line each:
 * - `main-job`: wall seconds of `loopgym sweep experiments/default.json` (what `npm start` runs);
 * - `sweep-speedup`: wall seconds of a 4-run sweep with 1 and with 2 worker processes, and their ratio.
 *
 *   npm run bench -- experiments [--skip-main] [--steps 60000]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const skipMain = args.includes('--skip-main');
const stepsIndex = args.indexOf('--steps');
const sweepSteps = stepsIndex >= 0 ? Number(args[stepsIndex + 1]) : 60_000;

function timeCli(cliArgs: string[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [cli, ...cliArgs, '--quiet'], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`Expected loopgym ${cliArgs.join(' ')} to succeed, but it exited with ${result.status}: ${result.stderr}`);
  return (performance.now() - start) / 1000;
}

const scratch = mkdtempSync(join(tmpdir(), 'loopgym-bench-'));
const machine = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length };
try {
  if (!skipMain) {
    const seconds = timeCli(['sweep', 'experiments/default.json', '--out', join(scratch, 'main')]);
    console.log(JSON.stringify({ bench: 'main-job', spec: 'experiments/default.json', seconds: Math.round(seconds * 10) / 10, ...machine }));
  }
  const spec = {
    name: 'speedup',
    env: { id: 'Orchestrator-v0', numEnvs: 4 },
    agent: { name: 'ppo', numSteps: 512, batchSize: 256, numEpochs: 4, normalizeObs: true, normalizeReward: true },
    totalSteps: sweepSteps,
    seeds: [0, 1, 2, 3],
    evaluation: { episodes: 5 },
  };
  const specPath = join(scratch, 'speedup.json');
  writeFileSync(specPath, JSON.stringify(spec));
  const serial = timeCli(['sweep', specPath, '--workers', '1', '--out', join(scratch, 'w1')]);
  const parallel = timeCli(['sweep', specPath, '--workers', '2', '--out', join(scratch, 'w2')]);
  console.log(JSON.stringify({ bench: 'sweep-speedup', runs: 4, stepsPerRun: sweepSteps, serialSeconds: Math.round(serial * 10) / 10, twoWorkerSeconds: Math.round(parallel * 10) / 10, speedup: Math.round((serial / parallel) * 100) / 100, ...machine }));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
