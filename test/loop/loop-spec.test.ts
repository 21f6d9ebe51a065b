/**
 * Loop specs: every bad input is refused by name before anything runs (the CLI exits 1 and writes
 * nothing), and the shipped specs validate.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../envs/index.js';
import { ConfigError } from '../../src/core/errors.js';
import { loadLoopSpec, parseLoopSpec } from '../../src/loop/loop-spec.js';

const base = { name: 'bad', iterations: 5 };

function refusal(spec: Record<string, unknown>): string {
  try {
    parseLoopSpec(spec, 'spec.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('Expected the spec to be refused, but it was accepted.');
}

describe('loop spec validation', () => {
  it('accepts the shipped specs and fills defaults', () => {
    for (const file of ['loop-quick.json', 'loop-drift.json']) {
      const spec = loadLoopSpec(join('experiments', file));
      expect(spec.iterations).toBeGreaterThanOrEqual(3);
      expect(spec.arms).toContain('learning');
    }
    const drift = loadLoopSpec('experiments/loop-drift.json');
    expect(drift.iterations).toBeGreaterThanOrEqual(30);
    expect(drift.replicates).toBeGreaterThanOrEqual(5);
    expect(drift.world.schedule.length).toBeGreaterThan(0);
    expect(parseLoopSpec(base).gate).toEqual({ shadowDays: 10, margin: 0, alpha: 0.1 });
  });

  it('refuses an event at an iteration beyond iterations', () => {
    expect(refusal({ ...base, world: { schedule: [{ kind: 'skill-shift', iteration: 5, scale: 0.5 }] } })).toMatch(/world\.schedule\[0\]\.iteration: Expected an iteration below iterations \(5\), but got 5/);
  });

  it('refuses an unknown kwarg in an event, with did-you-mean', () => {
    expect(refusal({ ...base, world: { schedule: [{ kind: 'kwargs', iteration: 2, kwargs: { arivalRate: 0.5 } }] } })).toMatch(/arivalRate.*arrivalRate/s);
  });

  it('refuses a worker slot the world does not have, and an unknown architecture', () => {
    expect(refusal({ ...base, world: { schedule: [{ kind: 'swap-worker', iteration: 1, slot: 6, architecture: 'planning' }] } })).toMatch(/slot: Expected a worker slot in 0\.\.5, but got 6/);
    expect(refusal({ ...base, world: { schedule: [{ kind: 'swap-worker', iteration: 1, slot: 0, architecture: 'wizard' }] } })).toMatch(/architecture: Expected one of .*but got "wizard"/);
  });

  it('refuses replicates: 0, a negative gate margin, fewer than 3 iterations and a typo key', () => {
    expect(refusal({ ...base, replicates: 0 })).toMatch(/replicates/);
    expect(refusal({ ...base, gate: { margin: -0.1 } })).toMatch(/gate\.margin/);
    expect(refusal({ ...base, iterations: 2 })).toMatch(/iterations/);
    expect(refusal({ ...base, iteratons: 4 })).toMatch(/iteratons.*iterations/s);
  });

  it('refuses rewardMode in world kwargs (learner.reward.mode decides) and a loop without the learning arm', () => {
    expect(refusal({ ...base, world: { kwargs: { rewardMode: 'none' } } })).toMatch(/world\.kwargs\.rewardMode: .*learner\.reward\.mode/);
    expect(refusal({ ...base, arms: ['frozen', 'greedy'] })).toMatch(/arms: Expected the list to include "learning"/);
  });

  it('refuses a kwargs event that changes the observation shape before anything runs (CLI: exit 1, nothing written)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loopgym-loop-spec-'));
    const specPath = join(dir, 'loop.json');
    writeFileSync(specPath, JSON.stringify({ ...base, world: { schedule: [{ kind: 'kwargs', iteration: 2, kwargs: { pluginMix: { customer_support: 1 } } }] } }));
    const out = join(dir, 'results');
    const result = spawnSync(process.execPath, ['dist/src/cli/main.js', 'loop', specPath, '--out', out], { encoding: 'utf8', timeout: 120_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/loopgym: ConfigError: world\.schedule\[0\]\.kwargs: Expected kwargs that keep 6 workers x 13 categories/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual(['loop.json']);
  });
});
