/**
 * One reward knob (issue 11 item 4): `reward.mode` decides what the learner trains on; `env.kwargs.rewardMode`
 * is refused with a message pointing to reward.mode; evaluation always scores the gold reward (so baselines
 * evaluated beside a run trained on "none" score exactly as beside a gold run); an env declares in its
 * registration that its users leave feedback.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../envs/index.js';
import { ConfigError } from '../../src/core/errors.js';
import { envProducesFeedback } from '../../src/core/registry.js';
import { runExperiment } from '../../src/experiments/runner.js';
import { parseSpec } from '../../src/experiments/spec.js';

const orchestrator = (mode: string, kwargs: Record<string, unknown> = {}) =>
  parseSpec({
    name: `knob-${mode}`,
    env: { id: 'Orchestrator-v0', numEnvs: 2, kwargs },
    agent: { name: 'ppo', numSteps: 64, batchSize: 64, numEpochs: 1 },
    reward: { mode },
    totalSteps: 256,
    baselines: ['greedy'],
    evaluation: { episodes: 2 },
  });

describe('one reward knob', () => {
  it('refuses env.kwargs.rewardMode and points to reward.mode', () => {
    expect(() => orchestrator('feedback', { rewardMode: 'none' })).toThrow(ConfigError);
    expect(() => orchestrator('feedback', { rewardMode: 'none' })).toThrow(/env\.kwargs\.rewardMode: Expected no rewardMode in env\.kwargs \(set reward\.mode instead/);
  });

  it('refuses a feedback-based mode on an env whose registration declares no feedback', () => {
    expect(envProducesFeedback('Orchestrator-v0')).toBe(true);
    expect(envProducesFeedback('CartPole-v1')).toBe(false);
    const cartpole = { name: 'c', env: { id: 'CartPole-v1' }, agent: { name: 'ppo' }, totalSteps: 100 };
    expect(() => parseSpec({ ...cartpole, reward: { mode: 'learned' } })).toThrow(/reward\.mode: Expected "gold" for CartPole-v1 \(its registration declares no user feedback\), but got "learned"/);
    expect(() => parseSpec({ ...cartpole, reward: { mode: 'gold' } })).not.toThrow();
  });

  it('evaluates on the gold reward whatever the training mode, and records the mode it trained on', async () => {
    const out = mkdtempSync(join(tmpdir(), 'loopgym-knob-'));
    const gold = (await runExperiment(orchestrator('gold'), { outDir: out })).runs[0].summary;
    const none = (await runExperiment(orchestrator('none'), { outDir: out })).runs[0].summary;
    expect(none.rewardMode).toBe('none');
    expect(none.baselines.greedy.meanReturn).toBe(gold.baselines.greedy.meanReturn);
    expect(none.baselines.greedy.returns).toEqual(gold.baselines.greedy.returns);
  }, 120_000);
});
