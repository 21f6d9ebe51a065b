import { describe, expect, it } from 'vitest';
import { Box, ConfigError, Discrete, InvalidActionError, Rng, make } from '../../src/core/index.js';
import '../../envs/orchestrator/register.js';
import { ContextualRoutingEnv } from '../../envs/orchestrator/contextual-routing.js';

describe('ContextualRouting-v0', () => {
  it('shows a task context and routes it to one of the workers in a one-step episode', () => {
    const env = make<Float32Array, number>('ContextualRouting-v0');
    const inner = env.unwrapped as ContextualRoutingEnv;
    expect(env.actionSpace).toBeInstanceOf(Discrete);
    expect((env.actionSpace as Discrete).n).toBe(6);
    expect(inner.actionNames[0]).toBe('route:react#0');
    expect(env.observationSpace).toBeInstanceOf(Box);
    expect(inner.observationLabels).toHaveLength(13 + 8);
    const { obs } = env.reset({ seed: 1 });
    expect(obs.slice(0, 13).reduce((a, b) => a + b, 0)).toBe(1);
    const step = env.step(2);
    expect(step.terminated).toBe(true);
    expect(step.info.regret as number).toBeGreaterThanOrEqual(0);
    expect(() => env.step(0)).toThrow(/reset/);
    env.reset();
    expect(() => env.step(6)).toThrow(InvalidActionError);
    expect(() => new ContextualRoutingEnv({ arrivalRate: 1 })).toThrow(ConfigError);
  });

  it('rewards routing by the hidden skills: the best expected arm beats a random arm', () => {
    const env = new ContextualRoutingEnv({ worldSeed: 4 });
    const rng = new Rng('arms');
    let best = 0;
    let random = 0;
    let regret = 0;
    env.reset({ seed: 0 });
    const twin = new ContextualRoutingEnv({ worldSeed: 4 });
    twin.reset({ seed: 0 });
    for (let t = 0; t < 3000; t++) {
      let arm = 0;
      for (let w = 1; w < 6; w++) if (env.expectedReward(w) > env.expectedReward(arm)) arm = w;
      best += env.step(arm).reward;
      const step = twin.step(rng.integer(0, 6));
      random += step.reward;
      regret += step.info.regret as number;
      env.reset();
      twin.reset();
    }
    expect(best / 3000).toBeGreaterThan(random / 3000 + 0.3);
    expect(regret / 3000).toBeGreaterThan(0.3);
  });

  it('keeps one company per worldSeed and is deterministic per seed', () => {
    const a = new ContextualRoutingEnv({ worldSeed: 1 });
    const b = new ContextualRoutingEnv({ worldSeed: 1 });
    const c = new ContextualRoutingEnv({ worldSeed: 2 });
    expect(Array.from(a.company.logit)).toEqual(Array.from(b.company.logit));
    expect(Array.from(a.company.logit)).not.toEqual(Array.from(c.company.logit));
    const run = (env: ContextualRoutingEnv) => {
      const out: number[] = [];
      env.reset({ seed: 7 });
      for (let t = 0; t < 50; t++) {
        out.push(env.step(t % 6).reward);
        out.push(...env.reset().obs);
      }
      return out;
    };
    expect(run(a)).toEqual(run(b));
  });
});
