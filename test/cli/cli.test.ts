/**
 * The CLI as a user meets it: the built `loopgym` binary (npm test builds dist/ first), its output and
 * its exit codes.
 */
import { spawnSync } from 'node:child_process';
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
