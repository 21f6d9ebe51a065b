import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, make } from '../../src/core/index.js';
import '../../envs/orchestrator/register.js';
import { BASELINE_NAMES, GreedyBaseline, OracleBaseline, createBaseline } from '../../envs/orchestrator/baselines.js';
import { evaluateBaselines } from '../../envs/orchestrator/evaluate.js';
import { createBaselineAgent } from '../../src/experiments/builtin-agents.js';
import { ORCHESTRATOR_VERBS } from '../../envs/orchestrator/config.js';
import { welchTTest } from '../../src/core/stats.js';

describe('Orchestrator baselines', () => {
  it('order oracle > greedy > round_robin > random on default, each gap Welch p < 0.01 over 100 episodes', () => {
    const results = evaluateBaselines('Orchestrator-v0', { episodes: 100, seed: 0, createAgent: createBaselineAgent });
    const order = ['oracle', 'greedy', 'round_robin', 'random'];
    const lines = order.map((name) => {
      const r = results[name];
      return `${name}: ${r.meanReturn.toFixed(1)} [${r.ci95[0].toFixed(1)}, ${r.ci95[1].toFixed(1)}] normalized ${r.normalizedScore.toFixed(3)} success ${r.successRate.toFixed(3)} latency ${r.meanLatency.toFixed(1)} cost ${r.cost.toFixed(0)} satisfaction ${r.satisfaction.toFixed(3)}`;
    });
    for (let i = 0; i < 3; i++) {
      const better = results[order[i]];
      const worse = results[order[i + 1]];
      const test = welchTTest(better.returns, worse.returns);
      lines.push(`${order[i]} > ${order[i + 1]}: t ${test.t.toFixed(2)}, p ${test.pValue.toExponential(2)}`);
      expect(better.meanReturn).toBeGreaterThan(worse.meanReturn);
      expect(test.pValue).toBeLessThan(0.01);
    }
    console.log(`Orchestrator-v0 default, 100 episodes, seeds 0-99:\n  ${lines.join('\n  ')}`);
    expect(results.random.normalizedScore).toBe(0);
    expect(results.oracle.normalizedScore).toBe(1);
    // Room to learn above the greedy heuristic.
    expect(results.greedy.normalizedScore).toBeLessThanOrEqual(0.7);
    for (const r of Object.values(results)) {
      expect(r.returns).toHaveLength(100);
      expect(r.ci95[0]).toBeLessThan(r.meanReturn);
      expect(r.successRate > 0 && r.successRate < 1).toBe(true);
    }
  });

  it('need every verb: disabling one costs the oracle or greedy at least 3% of its return on default', () => {
    const episodes = 60;
    const base = evaluateBaselines('Orchestrator-v0', { episodes, seed: 0, baselines: ['greedy', 'oracle'] });
    const lines: string[] = [];
    for (const verb of ORCHESTRATOR_VERBS) {
      const ablated = evaluateBaselines('Orchestrator-v0', { episodes, seed: 0, kwargs: { disabledVerbs: [verb] }, baselines: ['greedy', 'oracle'] });
      const loss = (name: string) => 1 - ablated[name].meanReturn / base[name].meanReturn;
      lines.push(`without ${verb}: oracle ${signed(-100 * loss('oracle'))}%, greedy ${signed(-100 * loss('greedy'))}%`);
      expect(Math.max(loss('oracle'), loss('greedy'))).toBeGreaterThanOrEqual(0.03);
    }
    console.log(`OrchestratorVerb ablations (default, ${episodes} episodes):\n  ${lines.join('\n  ')}`);
  });

  it('act only through allowed actions, on every preset and with disabled verbs', () => {
    for (const kwargs of [{ preset: 'easy' }, { preset: 'hard' }, { disabledVerbs: ['dispatch', 'scan'] }, { disabledVerbs: ['monitor', 'coordinate'] }]) {
      const env = make<Float32Array, number>('Orchestrator-drift-v0', { kwargs });
      for (const name of BASELINE_NAMES) {
        const agent = createBaselineAgent(name, env, {});
        let { obs, info } = env.reset({ seed: 1 });
        for (let t = 0; t < 200; t++) {
          const mask = info.actionMask as Uint8Array;
          const action = agent.act(obs, { mask });
          expect(mask[action]).toBe(1);
          const step = env.step(action);
          ({ obs, info } = step);
          if (step.truncated) break;
        }
      }
    }
  });

  it('need the orchestrator env and a mask, and save and load their options', async () => {
    expect(() => new GreedyBaseline(make('ContextualRouting-v0'))).toThrow(ConfigError);
    expect(() => createBaseline('smart', make('Orchestrator-v0'))).toThrow(/Orchestrator baseline name \(round_robin, greedy, oracle\)/);
    expect(() => createBaseline('random', make('Orchestrator-v0'))).toThrow(/agents\/random\.ts/);
    const oracle = new OracleBaseline(make('Orchestrator-v0'), { optimizeAbove: 0.3 });
    expect(() => oracle.act(new Float32Array(73))).toThrow(/options.mask/);
    const dir = await mkdtemp(join(tmpdir(), 'loopgym-baseline-'));
    try {
      await oracle.save(dir);
      const loaded = new OracleBaseline(make('Orchestrator-v0'));
      await loaded.load(dir);
      expect((loaded as unknown as { options: object }).options).toEqual({ optimizeAbove: 0.3 });
      await expect(new GreedyBaseline(make('Orchestrator-v0')).load(dir)).rejects.toThrow(DataError);
      expect(await oracle.learn({ env: make('Orchestrator-v0'), totalSteps: 10 })).toEqual({ stepsDone: 0, iterations: 0, stoppedEarly: false });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
}
