/**
 * Bad input on the command line (issue 12 items 9, 10, 13): each case exits 1 with
 * `loopgym: <Name>: <message>` (no stack trace) and leaves nothing behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

function loopgym(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, cwd });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const spec = join(root, 'experiments', 'cartpole-ppo.json');

const cases: Array<[string, string[], RegExp]> = [
  ['a spec path that is a folder', ['train', join(root, 'experiments'), '--steps', '10'], /loopgym: DataError: Expected an experiment spec file at .*experiments, but it is a folder/],
  ['--workers 0', ['train', spec, '--workers', '0'], /loopgym: ConfigError: --workers: Expected a positive integer \(worker processes\), but got 0\./],
  ['--workers -2', ['sweep', spec, '--workers', '-2'], /--workers: Expected a positive integer \(worker processes\), but got -2\./],
  ['--workers abc', ['sweep', spec, '--workers', 'abc'], /--workers: Expected a positive integer \(worker processes\), but got no number/],
  ['--steps with no value', ['train', spec, '--steps'], /loopgym: ConfigError: --steps: Expected a value after --steps, but got none\./],
  ['--seed abc', ['train', spec, '--seed', 'abc'], /--seed: Expected an integer seed in 0\.\.2147483647, but got no number/],
  ['duplicate seeds', ['train', spec, '--set', 'seeds=[0,0]'], /Expected seeds to be distinct \(a repeated seed would train twice into one run folder\), but got \[0,0\]\./],
  ['--out ""', ['train', spec, '--out='], /--out: Expected a folder path, but got an empty string/],
  ['eval --episodes 0', ['eval', 'somewhere', '--episodes', '0'], /--episodes: Expected a positive integer \(episodes\), but got 0\./],
  ['eval --episodes abc', ['eval', 'somewhere', '--episodes', 'abc'], /--episodes: Expected a positive integer \(episodes\), but got no number/],
  ['plugins generate --count 1000000000', ['plugins', 'generate', '--plugin', 'customer_support', '--count', '1000000000'], /--count: Expected a number of tasks in 1\.\.1000000/],
  ['serve --host 999.1.1.1', ['serve', '--policy', 'nowhere', '--host', '999.1.1.1'], /loopgym: (NetworkError: Expected a host name or address that resolves, but 999\.1\.1\.1 does not|DataError: Expected a policy bundle folder)/],
];

describe('bad input on the command line', () => {
  it.each(cases)('%s: exit 1, a named error, nothing written', (_label, args, message) => {
    const cwd = mkdtempSync(join(tmpdir(), 'loopgym-bad-'));
    const result = loopgym(cwd, ...args);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('bad files', () => {
  let run: string;
  let bundle: string;
  beforeAll(() => {
    const out = mkdtempSync(join(tmpdir(), 'loopgym-bad-files-'));
    const trained = loopgym(out, 'train', '--env', 'CartPole-v1', '--agent', 'ppo', '--steps', '256', '--set', 'agent.numSteps=64', '--set', 'agent.batchSize=64', '--set', 'evaluation.episodes=1', '--out', join(out, 'results'), '--quiet');
    expect(trained.status, trained.stderr).toBe(0);
    const experiment = join(out, 'results', 'CartPole-v1-ppo');
    run = join(experiment, readdirSync(experiment).filter((name) => !name.startsWith('report') && !name.endsWith('.lock') && name !== 'plots')[0]);
    bundle = join(out, 'bundle');
    expect(loopgym(out, 'export', run, '--out', bundle, '--no-onnx').status).toBe(0);
  }, 120_000);

  it('a corrupt weights.bin on eval and export: a named error with the byte counts', () => {
    const broken = `${run}-broken`;
    cpSync(run, broken, { recursive: true });
    writeFileSync(join(broken, 'policy', 'policy', 'weights.bin'), 'garbage');
    for (const args of [['eval', broken, '--episodes', '1'], ['export', broken, '--out', `${broken}-bundle`]]) {
      const result = loopgym(root, ...args);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/loopgym: DataError: Expected \d+ bytes of weights in the files named by .*model\.json \(its weightsManifest\), but they hold 7: a truncated or corrupt weights\.bin\./);
    }
    expect(existsSync(`${broken}-bundle`)).toBe(false);
  });

  it("a bundle whose model.json points outside the bundle is refused (it is never read)", () => {
    const escaped = `${bundle}-escaped`;
    cpSync(bundle, escaped, { recursive: true });
    const modelPath = join(escaped, 'model.json');
    const model = JSON.parse(readFileSync(modelPath, 'utf8'));
    model.weightsManifest[0].paths = ['../../../../etc/hostname'];
    const text = JSON.stringify(model);
    writeFileSync(modelPath, text);
    // A crafted bundle also fixes its manifest's checksum, so the path check itself is what refuses it.
    const manifestPath = join(escaped, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest.files['model.json'] = { sha256: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) };
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const result = loopgym(root, 'serve', '--policy', escaped, '--port', '0');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/loopgym: DataError: .*Expected the weights files named in .*model\.json to lie inside .*, but "\.\.\/\.\.\/\.\.\/\.\.\/etc\/hostname" points outside it\./);
  });

  it('a truncated or garbage metrics.jsonl is found by line on eval, export and report', () => {
    const broken = `${run}-metrics`;
    cpSync(run, broken, { recursive: true });
    const metrics = join(broken, 'metrics.jsonl');
    const lines = readFileSync(metrics, 'utf8').split('\n');
    writeFileSync(metrics, `${lines[0]}\n{"step": 12, "train/loss"`);
    for (const args of [['eval', broken, '--episodes', '1'], ['export', broken, '--out', `${broken}-bundle`]]) {
      const result = loopgym(root, ...args);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/corrupt: metrics\.jsonl is truncated \(its last line 2 has no end\)/);
    }
    writeFileSync(metrics, `${lines[0]}\ngarbage\n`);
    const report = loopgym(root, 'report', join(run, '..'));
    expect(report.stderr).toMatch(/skipped .*-metrics: corrupt: metrics\.jsonl line 2 is not valid JSON/);
    rmSync(broken, { recursive: true });
  });

  it('report on a folder that is not a results folder (a bundle) is refused and writes nothing', () => {
    const before = readdirSync(bundle).sort();
    const result = loopgym(root, 'report', bundle);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/loopgym: DataError: Expected a results folder holding run folders .*, but .*bundle holds none; nothing was written\./);
    expect(readdirSync(bundle).sort()).toEqual(before);
  });

  it('report prints data on stdout (json parses) and the skipped runs, with why, on stderr', () => {
    const experiment = join(run, '..');
    const killed = join(experiment, 'deadbeef0000-s9');
    cpSync(run, killed, { recursive: true });
    rmSync(join(killed, 'summary.json'));
    const result = loopgym(root, 'report', experiment, '--format', 'json');
    expect(result.status, result.stderr).toBe(0);
    expect(() => JSON.parse(result.stdout)).not.toThrow();
    expect(result.stderr).toMatch(/skipped .*deadbeef0000-s9: incomplete: summary\.json is missing/);
    expect(result.stderr).not.toMatch(/Hi, looks like you are running TensorFlow\.js/);
    rmSync(killed, { recursive: true });
  });
});

describe('interrupts', () => {
  it('SIGINT exits 130 and says how to continue', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'loopgym-sigint-'));
    const child = spawn(process.execPath, [bin, 'train', '--env', 'CartPole-v1', '--agent', 'ppo', '--steps', '200000', '--out', join(cwd, 'results')], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    while (!stderr.includes('started')) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('exit', (status) => r(status)));
    expect(code).toBe(130);
    expect(stderr).toMatch(/loopgym: interrupted\. Finished runs are kept: run the same command again/);
  }, 60_000);
});
