import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/experiments/spec.js';
import { expandRuns, parseShard } from '../../src/experiments/sweep.js';

const base = { name: 'sw', env: { id: 'CartPole-v1' }, agent: { name: 'ppo' }, totalSteps: 100, seeds: [0, 1] };

describe('sweeps', () => {
  it('expands a grid in axis order times seeds, with stable ids', () => {
    const spec = parseSpec({ ...base, sweep: { axes: { 'agent.learningRate': [1e-3, 3e-4], 'agent.entCoef': [0, 0.01] } } });
    const plans = expandRuns(spec);
    expect(plans).toHaveLength(8);
    expect(plans.map((p) => [p.axes['agent.learningRate'], p.axes['agent.entCoef'], p.seed])).toEqual([
      [1e-3, 0, 0], [1e-3, 0, 1], [1e-3, 0.01, 0], [1e-3, 0.01, 1],
      [3e-4, 0, 0], [3e-4, 0, 1], [3e-4, 0.01, 0], [3e-4, 0.01, 1],
    ]);
    expect(plans[0].spec.agent.learningRate).toBe(1e-3);
    expect(new Set(plans.map((p) => p.runId)).size).toBe(8);
    expect(plans[0].configKey).toBe(plans[1].configKey);
    expect(expandRuns(spec).map((p) => p.runId)).toEqual(plans.map((p) => p.runId));
  });

  it('keeps run ids when only the description or logging changes, and changes them with any setting', () => {
    const ids = (extra: Record<string, unknown>) => expandRuns(parseSpec({ ...base, ...extra })).map((p) => p.runId);
    expect(ids({ description: 'first wording' })).toEqual(ids({ description: 'second wording' }));
    expect(ids({ description: 'first wording' })).toEqual(ids({}));
    expect(ids({ totalSteps: 200 })).not.toEqual(ids({}));
    expect(ids({ logging: { tensorboard: true } })).toEqual(ids({})); // extra outputs change no result
  });

  it('draws random sweeps reproducibly from the experiment name', () => {
    const spec = parseSpec({ ...base, sweep: { mode: 'random', samples: 3, axes: { 'agent.learningRate': { distribution: 'loguniform', low: 1e-5, high: 1e-2 } } } });
    const first = expandRuns(spec).map((p) => p.axes['agent.learningRate'] as number);
    expect(first).toHaveLength(6);
    expect(expandRuns(spec).map((p) => p.axes['agent.learningRate'])).toEqual(first);
    for (const lr of first) expect(lr).toBeGreaterThanOrEqual(1e-5), expect(lr).toBeLessThanOrEqual(1e-2);
  });

  it('splits runs into disjoint shards that cover the sweep', () => {
    const spec = parseSpec({ ...base, seeds: [0, 1, 2, 3, 4] });
    const all = expandRuns(spec).map((p) => p.runId);
    const shard0 = expandRuns(spec, parseShard('0/2')).map((p) => p.runId);
    const shard1 = expandRuns(spec, parseShard('1/2')).map((p) => p.runId);
    expect([...shard0, ...shard1].sort()).toEqual([...all].sort());
    expect(shard0.filter((id) => shard1.includes(id))).toEqual([]);
    expect(() => parseShard('2/2')).toThrow(/Expected --shard i\/n with 0 <= i < n/);
    expect(() => parseShard('a/b')).toThrow(/but got "a\/b"/);
  });
});
