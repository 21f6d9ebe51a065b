import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DataError } from '../../src/core/errors.js';
import { applyOverride, loadSpec, parseSpec } from '../../src/experiments/spec.js';

const minimal = { name: 'tiny', env: { id: 'CartPole-v1' }, agent: { name: 'ppo' }, totalSteps: 1000 };

function writeSpec(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'loopgym-spec-'));
  const path = join(dir, 'spec.json');
  writeFileSync(path, text);
  return path;
}

describe('experiment specs', () => {
  it('fills documented defaults', () => {
    const spec = parseSpec(minimal);
    expect(spec.seeds).toEqual([0]);
    expect(spec.env.numEnvs).toBe(1);
    expect(spec.reward.mode).toBe('gold');
    expect(spec.evaluation).toEqual({ episodes: 20, deterministic: true });
    expect(spec.backend).toBe('auto');
  });

  it('keeps agent hyperparameters for the agent to validate', () => {
    expect(parseSpec({ ...minimal, agent: { name: 'ppo', learningRate: 3e-4 } }).agent).toEqual({ name: 'ppo', learningRate: 3e-4 });
  });

  it('rejects unknown keys, naming the path', () => {
    expect(() => parseSpec({ ...minimal, totalStep: 5 })).toThrow(/Expected one of the experiment spec options, but got "totalStep" at totalStep\. Did you mean totalSteps\?/);
    expect(() => parseSpec({ ...minimal, env: { id: 'CartPole-v1', numEnv: 2 } })).toThrow(/but got "numEnv" at env\.numEnv\. Did you mean numEnvs\?/);
  });

  it('reports the field path, what is allowed and what was given', () => {
    const attempt = () => parseSpec({ ...minimal, totalSteps: -5, reward: { mode: 'magic' } });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/Expected totalSteps to be an integer > 0, but got -5\./);
    expect(attempt).toThrow(/Expected reward\.mode to be one of "gold", "learned", "feedback", "none", but got "magic"\./);
  });

  it('reports malformed JSON with line and column', () => {
    const path = writeSpec('{\n  "name": "x",\n  "env": { "id": "CartPole-v1" },,\n}');
    expect(() => loadSpec(path)).toThrow(/spec\.json:3:\d+: Expected valid JSON/);
  });

  it('reports a missing file as a DataError', () => {
    expect(() => loadSpec('/nonexistent/spec.json')).toThrow(DataError);
    expect(() => loadSpec('/nonexistent/spec.json')).toThrow(/Expected an experiment spec file at \/nonexistent\/spec\.json, but it does not exist/);
  });

  it('applies --set overrides as JSON values or strings', () => {
    const path = writeSpec(JSON.stringify(minimal));
    const spec = loadSpec(path, ['agent.learningRate=3e-4', 'env.kwargs.preset=hard', 'seeds=[1,2]']);
    expect(spec.agent.learningRate).toBe(3e-4);
    expect(spec.env.kwargs).toEqual({ preset: 'hard' });
    expect(spec.seeds).toEqual([1, 2]);
    expect(() => applyOverride({}, 'noequals')).toThrow(/Expected --set path=value/);
  });

  it('requires samples for a random sweep', () => {
    expect(() => parseSpec({ ...minimal, sweep: { mode: 'random', axes: { 'agent.learningRate': [1, 2] } } })).toThrow(/sweep\.samples/);
  });
});
