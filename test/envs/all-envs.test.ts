/** Every registered env passes checkEnv, through `make` (with its standard wrappers). */
import { describe, expect, it } from 'vitest';
import '../../envs/index.js';
import { checkEnv } from '../../src/core/check-env.js';
import { listEnvs, make } from '../../src/core/registry.js';

/** Envs whose observation is the same for every seed by design (documented in their files). */
const CONSTANT_OBSERVATION = new Set(['Bandit-v0']);

describe('registered envs', () => {
  it('registers the built-in ids', () => {
    expect(listEnvs()).toEqual(expect.arrayContaining(['CartPole-v1', 'Bandit-v0', 'Orchestrator-v0', 'Orchestrator-drift-v0', 'ContextualRouting-v0']));
  });

  it.each(listEnvs())('%s passes checkEnv', (id) => {
    expect(() => checkEnv(make(id), { steps: 300, skipSeedVariation: CONSTANT_OBSERVATION.has(id) })).not.toThrow();
  });
});
