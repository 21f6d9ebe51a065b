/**
 * Prototype pollution (security): `--set` paths, sweep axis keys, loadSpec overrides and JSON documents
 * cannot write to Object.prototype; each is refused by name, and a seeded fuzz of paths leaves every
 * built-in prototype untouched.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { parseJsonSafely } from '../../src/core/safe-json.js';
import { applyOverride, loadSpec, parseSpec } from '../../src/experiments/spec.js';
import { expandRuns } from '../../src/experiments/sweep.js';

const clean = () => {
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('isAdmin');
  expect(Object.getOwnPropertyNames(Array.prototype)).not.toContain('isAdmin');
};

afterEach(() => {
  delete (Object.prototype as Record<string, unknown>).isAdmin;
});

describe('prototype keys are refused everywhere paths are applied', () => {
  it('loadSpec overrides', () => {
    for (const path of ['__proto__.isAdmin', 'agent.__proto__.isAdmin', 'constructor.prototype.isAdmin', 'env.kwargs.constructor.prototype.isAdmin']) {
      expect(() => loadSpec('experiments/default.json', [`${path}=true`])).toThrow(ConfigError);
      expect(() => loadSpec('experiments/default.json', [`${path}=true`])).toThrow(/could reach an object prototype/);
      clean();
    }
  });

  it('a --set value that is a JSON object with a prototype key', () => {
    const raw = JSON.parse(readFileSync('experiments/default.json', 'utf8'));
    expect(() => applyOverride(raw, 'agent={"__proto__": {"isAdmin": true}}')).toThrow(/--set agent: .*"__proto__"/);
    clean();
  });

  it('sweep axis keys, refused when the spec is read', () => {
    const raw = JSON.parse(readFileSync('experiments/default.json', 'utf8'));
    raw.sweep = { axes: { '__proto__.isAdmin': [true, false] } };
    expect(() => parseSpec(raw)).toThrow(/sweep\.axes/);
    clean();
    const ok = parseSpec({ ...raw, sweep: { axes: { 'agent.learningRate': [0.001] } } });
    expect(expandRuns(ok)).toHaveLength(ok.seeds.length);
  });

  it('JSON documents: a spec file with a "__proto__" or "constructor" key anywhere', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loopgym-proto-'));
    const path = join(dir, 'spec.json');
    writeFileSync(path, '{"name": "x", "env": {"id": "CartPole-v1", "kwargs": {"__proto__": {"isAdmin": true}}}, "agent": {"name": "ppo"}}');
    expect(() => loadSpec(path)).toThrow(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: Expected plain field names, but got the key "__proto__"`));
    expect(() => parseJsonSafely('[{"a": {"constructor": {"prototype": {"isAdmin": 1}}}}]', 'body')).toThrow(/body: .*"constructor"|"prototype"/);
    clean();
  });

  it('a seeded fuzz of 2,000 override paths leaves Object.prototype untouched', () => {
    const rng = new Rng('proto-fuzz');
    const segments = ['__proto__', 'prototype', 'constructor', 'agent', 'env', 'kwargs', 'isAdmin', 'toString', 'valueOf', '0', 'hasOwnProperty'];
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      const raw = JSON.parse(readFileSync('experiments/default.json', 'utf8'));
      const path = Array.from({ length: rng.integer(1, 5) }, () => rng.choice(segments)).join('.');
      try {
        applyOverride(raw, `${path}=${rng.bernoulli(0.5) ? 'true' : '{"isAdmin": true}'}`);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        refused++;
      }
      clean();
      expect(typeof ({} as Record<string, unknown>).toString).toBe('function');
    }
    expect(refused).toBeGreaterThan(500);
  });
});
