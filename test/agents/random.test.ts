/** The random baseline (agents/random.ts): uniform over the allowed actions, its own seeded stream, saved state. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Box, Discrete } from '../../src/core/index.js';
import { createAgent, listAgents } from '../../agents/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'loopgym-random-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const spaces = { observationSpace: new Box(-1, 1, [3]), actionSpace: new Discrete(5) };
const obs = new Float32Array(3);

describe('random agent', () => {
  it('is registered and picks each allowed action about equally often, never a masked one', () => {
    expect(listAgents()).toContain('random');
    const agent = createAgent('random', {}, spaces);
    const mask = Uint8Array.from([1, 0, 1, 1, 0]);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 6000; i++) counts[agent.act(obs, { mask })]++;
    expect(counts[1] + counts[4]).toBe(0);
    // 2000 expected per allowed action; binomial sd ~37, so +-200 fails only on a broken sampler.
    for (const a of [0, 2, 3]) expect(Math.abs(counts[a] - 2000)).toBeLessThan(200);
    const unmasked = new Set(Array.from({ length: 200 }, () => agent.act(obs)));
    expect(unmasked.size).toBe(5);
  });

  it('draws from its config seed, not the context\'s, and save/load continues its draws', async () => {
    const a = createAgent('random', { seed: 7 }, { ...spaces, seed: 1 });
    const b = createAgent('random', { seed: 7 }, { ...spaces, seed: 2 });
    const c = createAgent('random', { seed: 8 }, spaces);
    const draws = (agent: typeof a) => Array.from({ length: 40 }, () => agent.act(obs));
    const first = draws(a);
    expect(draws(b)).toEqual(first);
    expect(draws(c)).not.toEqual(first);
    await a.save(scratch);
    const restored = createAgent('random', {}, spaces);
    await restored.load(scratch);
    expect(draws(restored)).toEqual(draws(a));
  });

  it('needs a Discrete action space', () => {
    expect(() => createAgent('random', {}, { ...spaces, actionSpace: new Box(-1, 1, [2]) })).toThrow(/Discrete action space for the random baseline/);
  });
});
