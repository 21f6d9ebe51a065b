/**
 * The experiment runner's promises, on tiny budgets: same spec twice -> byte-identical summaries; serial
 * equals parallel workers; two shards equal the whole sweep; a sweep killed mid-run and resumed equals an
 * uninterrupted one; bad input fails before anything is written.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import '../../envs/index.js';
import { ConfigError, UnknownEnvError } from '../../src/core/errors.js';
import { runExperiment, runSweep } from '../../src/experiments/runner.js';
import { parseSpec, type ExperimentSpecInput } from '../../src/experiments/spec.js';
import { parseShard } from '../../src/experiments/sweep.js';
import { writeReport } from '../../src/experiments/report.js';

const bin = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

const tinySweep: ExperimentSpecInput = {
  name: 'tiny',
  env: { id: 'CartPole-v1', numEnvs: 2 },
  agent: { name: 'ppo', numSteps: 64, batchSize: 64, numEpochs: 2, piLayers: [16], vfLayers: [16] },
  totalSteps: 512,
  seeds: [0, 1],
  evaluation: { episodes: 3, everySteps: 256, deterministic: true },
  backend: 'cpu',
  sweep: { axes: { 'agent.learningRate': [0.001, 0.0003] } },
};

const tempRoot = () => mkdtempSync(join(tmpdir(), 'loopgym-runner-'));

/** Every summary.json of an experiment folder, by run id, as raw bytes. */
function summaries(experimentDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const run of readdirSync(experimentDir).filter((n) => !n.startsWith('.')).sort()) {
    const file = join(experimentDir, run, 'summary.json');
    if (existsSync(file)) out[run] = readFileSync(file, 'utf8');
  }
  return out;
}

describe('experiment runner', () => {
  it('writes the documented run folder, and the same spec twice gives byte-identical summaries', async () => {
    const spec = parseSpec({ ...tinySweep, sweep: undefined, seeds: [3] });
    const first = await runExperiment(spec, { outDir: tempRoot() });
    const second = await runExperiment(spec, { outDir: tempRoot() });
    const run = first.runs[0];
    expect(readdirSync(run.dir).sort()).toEqual(['config.json', 'episodes.csv', 'metrics.jsonl', 'policy', 'summary.json', 'timing.json']);
    const config = JSON.parse(readFileSync(join(run.dir, 'config.json'), 'utf8'));
    expect(config.provenance).toMatchObject({ tfjsBackend: 'cpu', node: process.version, engine: 'wasm-simd' });
    expect(config.provenance.kernelsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(run.summary.backend).toBe('cpu');
    expect(run.summary.curve.length).toBeGreaterThanOrEqual(2);
    expect(readFileSync(join(run.dir, 'summary.json'), 'utf8')).toBe(readFileSync(join(second.runs[0].dir, 'summary.json'), 'utf8'));
    expect(readFileSync(join(run.dir, 'metrics.jsonl'), 'utf8')).toBe(readFileSync(join(second.runs[0].dir, 'metrics.jsonl'), 'utf8'));
  });

  it('gives identical results serially and with 2 worker processes, and shards cover the sweep', async () => {
    const spec = parseSpec(tinySweep);
    const serial = await runSweep(spec, { outDir: tempRoot(), workers: 1 });
    const parallel = await runSweep(spec, { outDir: tempRoot(), workers: 2 });
    expect(Object.keys(summaries(serial.experimentDir))).toHaveLength(4);
    expect(summaries(parallel.experimentDir)).toEqual(summaries(serial.experimentDir));

    const shardRoot = tempRoot();
    const shard0 = await runSweep(spec, { outDir: join(shardRoot, 'a'), shard: parseShard('0/2') });
    const shard1 = await runSweep(spec, { outDir: join(shardRoot, 'b'), shard: parseShard('1/2') });
    expect({ ...summaries(shard0.experimentDir), ...summaries(shard1.experimentDir) }).toEqual(summaries(serial.experimentDir));
    const merged = writeReport([shard0.experimentDir, shard1.experimentDir], { outDir: join(shardRoot, 'report') });
    const whole = writeReport(serial.experimentDir, { outDir: join(shardRoot, 'whole') });
    expect(readFileSync(merged.jsonPath, 'utf8')).toBe(readFileSync(whole.jsonPath, 'utf8'));
  }, 240_000);

  it('resumes a sweep killed with SIGKILL to the same aggregate as an uninterrupted run', async () => {
    const root = tempRoot();
    const specPath = join(root, 'spec.json');
    writeFileSync(specPath, JSON.stringify(tinySweep));
    const killedOut = join(root, 'killed');
    const child = spawn(process.execPath, [bin, 'sweep', specPath, '--workers', '1', '--out', killedOut, '--quiet'], { stdio: 'ignore' });
    const experimentDir = join(killedOut, 'tiny');
    // Kill once the first run finished and the second has started writing.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const done = existsSync(experimentDir) ? Object.keys(summaries(experimentDir)).length : 0;
        const started = existsSync(experimentDir) ? readdirSync(experimentDir).length : 0;
        if (done >= 1 && started >= 2) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(timer);
        reject(new Error('the sweep finished before it could be killed'));
      });
    });
    await new Promise((resolve) => child.once('exit', resolve));
    const before = Object.keys(summaries(experimentDir)).length;
    expect(before).toBeGreaterThanOrEqual(1);
    expect(before).toBeLessThan(4);

    const resumed = await runSweep(parseSpec(tinySweep), { outDir: killedOut, resume: true });
    expect(resumed.runs.filter((r) => r.skipped).length).toBe(before);
    const fresh = await runSweep(parseSpec(tinySweep), { outDir: join(root, 'fresh') });
    expect(summaries(experimentDir)).toEqual(summaries(fresh.experimentDir));
    const a = writeReport(experimentDir, { outDir: join(root, 'ra') });
    const b = writeReport(fresh.experimentDir, { outDir: join(root, 'rb') });
    expect(readFileSync(a.jsonPath, 'utf8')).toBe(readFileSync(b.jsonPath, 'utf8'));
  }, 240_000);

  it('fails before writing anything on an unknown env, unknown agent or bad hyperparameter', async () => {
    const out = tempRoot();
    await expect(runExperiment(parseSpec({ ...tinySweep, sweep: undefined, env: { id: 'CartPol-v1' } }), { outDir: out })).rejects.toThrow(UnknownEnvError);
    await expect(runExperiment(parseSpec({ ...tinySweep, sweep: undefined, agent: { name: 'ppx' } }), { outDir: out })).rejects.toThrow(/Expected a registered agent name .*ppo.*but got "ppx"/);
    await expect(runExperiment(parseSpec({ ...tinySweep, sweep: undefined, agent: { name: 'ppo', batchSize: 100 } }), { outDir: out })).rejects.toThrow(ConfigError);
    expect(readdirSync(out)).toEqual([]);
  });
});
