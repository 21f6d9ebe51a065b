/**
 * The CLI as a user meets it: the built `loopgym` binary (npm test builds dist/ first), its output and
 * its exit codes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export function loopgym(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('loopgym CLI', () => {
  it('lists the registered envs, as a table and as JSON', () => {
    const table = loopgym('envs');
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/CartPole-v1\s+Box\(4\)\s+Discrete\(2\)\s+500\s+475/);
    const json = loopgym('envs', '--json');
    const envs = JSON.parse(json.stdout) as { id: string }[];
    expect(envs.map((e) => e.id)).toContain('CartPole-v1');
  });

  it('documents an agent, an env and a reward model from their schemas, as a table and as JSON', () => {
    const table = loopgym('agents', 'ppo');
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/learningRate\s+number > 0\s+0\.0003\s+Adam learning rate/);
    const env = JSON.parse(loopgym('envs', 'Orchestrator-v0', '--json').stdout) as { id: string; kwargs: { field: string; type: string; default?: unknown }[] };
    expect(env.kwargs.find((f) => f.field === 'arrivalRate')).toMatchObject({ type: 'number in [0, 5]', default: 0.46 });
    expect(env.kwargs.find((f) => f.field === 'rewardWeights.cost')?.default).toBe(0.04);
    const model = loopgym('reward-models', 'tfjs-mlp');
    expect(model.stdout).toMatch(/ensembleSize\s+integer >= 1\s+5\s/);
  });

  it('checks a registered env', () => {
    const result = loopgym('check-env', 'CartPole-v1');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/CartPole-v1: all checks passed/);
  });

  it('fails on an unknown env id with suggestions and exit code 1', () => {
    const result = loopgym('check-env', 'CartPol-v1');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/UnknownEnvError: Expected a registered env id, but got "CartPol-v1"\..*Did you mean CartPole-v1/);
  });

  it('fails on an unknown command with exit code 2', () => {
    const result = loopgym('trian');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/Unknown argument|Did you mean/);
  });

  it('has --help', () => {
    const result = loopgym('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/loopgym <command>/);
    expect(result.stdout).toMatch(/check-env <id>/);
  });
});

describe('loopgym train: bad input fails clearly and writes nothing', () => {
  const scratch = () => mkdtempSync(join(tmpdir(), 'loopgym-cli-'));

  it('reports malformed JSON with line and column', () => {
    const dir = scratch();
    const spec = join(dir, 'bad.json');
    writeFileSync(spec, '{\n  "name": "x",\n  "env": { "id": "CartPole-v1" }\n  "agent": { "name": "ppo" }\n}');
    const result = loopgym('train', spec, '--out', join(dir, 'results'));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/ConfigError: .*bad\.json:4:\d+: Expected valid JSON/);
    expect(existsSync(join(dir, 'results'))).toBe(false);
  });

  it('refuses an out-of-range hyperparameter before writing anything', () => {
    const dir = scratch();
    const result = loopgym('train', '--env', 'CartPole-v1', '--agent', 'ppo', '--steps', '1000', '--set', 'agent.gamma=1.5', '--out', join(dir, 'results'));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/ConfigError: .*gamma/);
    expect(existsSync(join(dir, 'results'))).toBe(false);
  });

  it('suggests near agent names for an unknown one', () => {
    const result = loopgym('train', '--env', 'CartPole-v1', '--agent', 'ppx', '--steps', '1000', '--out', join(scratch(), 'results'));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Expected a registered agent name.*but got "ppx"\..*Did you mean ppo/);
  });

  it('refuses an unwritable results folder with a named error', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'file'), '');
    const result = loopgym('train', '--env', 'CartPole-v1', '--agent', 'ppo', '--steps', '1000', '--out', join(dir, 'file', 'results'));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/DataError: Expected a writable folder at .*file\/results\/CartPole-v1-ppo/);
  });
});
