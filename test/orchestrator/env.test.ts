import { describe, expect, it } from 'vitest';
import { Box, ConfigError, Discrete, InvalidActionError, Rng, checkEnv, make, type Env } from '../../src/core/index.js';
import '../../envs/orchestrator/register.js';
import { OrchestratorEnv } from '../../envs/orchestrator/env.js';
import { TASK_OUTCOME_FEATURE_DIM, TASK_OUTCOME_FEATURE_LABELS, taskOutcomeFeatures, type FeedbackEvent, type TaskOutcome } from '../../envs/orchestrator/feedback.js';
import type { RewardComponents } from '../../envs/orchestrator/env.js';

function rollout(env: Env<Float32Array, number>, seed: number, steps: number, actionSeed = 'a') {
  const rng = new Rng(actionSeed);
  let { obs, info } = env.reset({ seed });
  const trace: { obs: number[]; reward: number; action: number; mask: number[] }[] = [{ obs: Array.from(obs), reward: 0, action: -1, mask: Array.from(info.actionMask as Uint8Array) }];
  for (let t = 0; t < steps; t++) {
    const action = env.actionSpace.sample(rng, info.actionMask as Uint8Array);
    const step = env.step(action);
    obs = step.obs;
    info = step.info;
    trace.push({ obs: Array.from(obs), reward: step.reward, action, mask: Array.from(info.actionMask as Uint8Array) });
    if (step.truncated || step.terminated) ({ obs, info } = env.reset());
  }
  return trace;
}

describe('Orchestrator-v0', () => {
  it('names its actions and observation entries', () => {
    const env = make<Float32Array, number>('Orchestrator-v0');
    const inner = env.unwrapped as OrchestratorEnv;
    expect(env.actionSpace).toBeInstanceOf(Discrete);
    expect((env.actionSpace as Discrete).n).toBe(15);
    expect(inner.actionNames[0]).toBe('scan');
    expect(inner.actionNames[1]).toBe('dispatch:react#0');
    expect(inner.actionNames[7]).toBe('coordinate:react#0');
    expect(inner.actionNames.slice(-2)).toEqual(['monitor', 'optimize']);
    expect(env.observationSpace).toBeInstanceOf(Box);
    expect(inner.observationLabels).toHaveLength(env.observationSpace.flatDim);
    expect(inner.observationLabels.length).toBe(24 + 13 + 6 * 6);
    expect(new Set(inner.observationLabels).size).toBe(inner.observationLabels.length);
    expect(inner.observationLabels[inner.tailObsOffset + 2]).toBe('degradation_signal');
    expect(inner.observationLabels[inner.workerObsOffset + 3]).toBe('worker0:head_success_rate');
    expect(env.spec?.maxEpisodeSteps).toBe(200);
  });

  it('passes checkEnv, as do the drift variant and ContextualRouting-v0', () => {
    for (const id of ['Orchestrator-v0', 'Orchestrator-drift-v0', 'ContextualRouting-v0']) {
      expect(() => checkEnv(make(id), { steps: 300 })).not.toThrow();
    }
    for (const preset of ['easy', 'hard']) expect(() => checkEnv(make('Orchestrator-v0', { kwargs: { preset } }), { steps: 300 })).not.toThrow();
  });

  it('gives identical trajectories for the same seed and actions, and keeps observations inside the space', () => {
    const a = rollout(make('Orchestrator-v0'), 42, 700);
    const b = rollout(make('Orchestrator-v0'), 42, 700);
    expect(b).toEqual(a);
    const space = make<Float32Array, number>('Orchestrator-v0').observationSpace as Box;
    for (const { obs } of a) expect(space.contains(Float32Array.from(obs))).toBe(true);
    const c = rollout(make('Orchestrator-v0'), 43, 700);
    expect(c.map((s) => s.reward)).not.toEqual(a.map((s) => s.reward));
  });

  it('draws the same company from the same seed and different companies from different seeds', () => {
    const env = new OrchestratorEnv();
    const company = (seed: number) => {
      env.reset({ seed });
      const c = env.hidden().company;
      return { logit: Array.from(c.logit), capacity: Array.from(c.capacity), cost: Array.from(c.cost) };
    };
    expect(company(1)).toEqual(company(1));
    expect(company(1).logit).not.toEqual(company(2).logit);
    // An unseeded reset starts a new workday with a new company; a pinned worldSeed keeps one company.
    env.reset({ seed: 1 });
    const first = Array.from(env.hidden().company.logit);
    env.reset();
    expect(Array.from(env.hidden().company.logit)).not.toEqual(first);
    const pinned = new OrchestratorEnv({ worldSeed: 9 });
    pinned.reset({ seed: 1 });
    const kept = Array.from(pinned.hidden().company.logit);
    pinned.reset({ seed: 2 });
    expect(Array.from(pinned.hidden().company.logit)).toEqual(kept);
  });

  it('reports an action mask on every reset and step, with always at least one allowed action', () => {
    const env = make<Float32Array, number>('Orchestrator-v0', { kwargs: { preset: 'hard' } });
    const inner = env.unwrapped as OrchestratorEnv;
    const trace = rollout(env, 5, 400);
    for (const { mask } of trace) {
      expect(mask).toHaveLength(15);
      expect(mask.reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
      expect(mask[inner.monitorAction]).toBe(1);
      expect(mask[inner.optimizeAction]).toBe(1);
    }
    // The first observation of an episode has an unscanned queue head, so scanning is allowed.
    expect(trace[0].mask[0]).toBe(trace[0].obs[4] === 1 ? 1 : 0);
  });

  it('throws InvalidActionError naming the action and the reason', () => {
    const env = new OrchestratorEnv({ arrivalRate: 0 });
    env.reset({ seed: 0 });
    expect(() => env.step(15)).toThrow(InvalidActionError);
    expect(() => env.step(-1)).toThrow(/Expected an action in \[0, 14\]/);
    expect(() => env.step(1.5)).toThrow(InvalidActionError);
    expect(() => env.step(1)).toThrow(/dispatch:react#0.*queue is empty/);
    expect(() => env.step(0)).toThrow(/scan.*no unscanned task/);
    const disabled = new OrchestratorEnv({ disabledVerbs: ['optimize'] });
    disabled.reset({ seed: 0 });
    expect(() => disabled.step(disabled.optimizeAction)).toThrow(/optimize.*disabledVerbs/);
    expect(() => new OrchestratorEnv({ disabledVerbs: ['monitor', 'optimize'] })).toThrow(ConfigError);
  });

  it('validates kwargs with messages naming the field', () => {
    expect(() => new OrchestratorEnv({ preset: 'extreme' })).toThrow(/preset to be one of "easy", "default", "hard", but got "extreme"/);
    expect(() => new OrchestratorEnv({ arivalRate: 1 })).toThrow(/Orchestrator-v0 options, but got "arivalRate" at Orchestrator-v0\.arivalRate\. Did you mean arrivalRate\?/);
    expect(() => new OrchestratorEnv({ arrivalRate: -1 })).toThrow(/arrivalRate to be a number in \[0, 5\]/);
    expect(() => new OrchestratorEnv({ workers: ['react', 'gpt'] })).toThrow(/workers\[1\] to be one of "react", .*but got "gpt"/);
    expect(() => new OrchestratorEnv({ rewardMode: 'learned' })).toThrow(/rewardMode to be one of "gold", "feedback", "none", but got "learned"/);
    expect(() => new OrchestratorEnv({ disabledVerbs: ['dance'] })).toThrow(/disabledVerbs\[0\] to be one of "scan", .*but got "dance"/);
    expect(() => new OrchestratorEnv({ rewardWeights: { cost: Number.NaN } })).toThrow(/rewardWeights.cost/);
    const drawn = new OrchestratorEnv({ workers: 9, poolSeed: 3 });
    expect(drawn.workerArchitectures).toHaveLength(9);
    expect(new Set(drawn.workerArchitectures).size).toBe(9);
    expect((drawn.actionSpace as Discrete).n).toBe(21);
  });

  it('splits the reward into documented components, keeps the gold reward in every mode and records finished tasks', () => {
    for (const rewardMode of ['gold', 'feedback', 'none'] as const) {
      const env = new OrchestratorEnv({ rewardMode });
      let { info } = env.reset({ seed: 8 });
      const rng = new Rng('r');
      let feedbackSeen = 0;
      for (let t = 0; t < 400; t++) {
        const step = env.step(env.actionSpace.sample(rng, info.actionMask as Uint8Array));
        info = step.info;
        const c = info.rewardComponents as RewardComponents;
        expect(step.reward).toBeCloseTo(c.success + c.latency + c.cost + c.satisfaction, 10);
        const finished = info.finished as TaskOutcome[];
        const goldSatisfaction = finished.reduce((sum, r) => sum + r.satisfactionTerm, 0);
        expect(info.goldReward as number).toBeCloseTo(c.success + c.latency + c.cost + goldSatisfaction, 10);
        if (rewardMode === 'gold') expect(c.satisfaction).toBeCloseTo(goldSatisfaction, 10);
        if (rewardMode === 'none') expect(c.satisfaction).toBe(0);
        if (rewardMode === 'feedback' && (info.feedback as FeedbackEvent[]).length === 0) expect(c.satisfaction).toBe(0);
        expect(c.cost).toBeLessThanOrEqual(0);
        expect(c.latency).toBeLessThanOrEqual(0);
        for (const record of finished) {
          expect(record.features).toHaveLength(TASK_OUTCOME_FEATURE_DIM);
          expect(record.trueSatisfaction >= 0 && record.trueSatisfaction <= 1).toBe(true);
          expect(record.features[0]).toBe(record.success ? 1 : 0);
        }
        feedbackSeen += (info.feedback as FeedbackEvent[]).length;
      }
      expect(feedbackSeen).toBeGreaterThan(10);
    }
  });

  it('documents the task outcome features and computes them the same way as the env', () => {
    expect(TASK_OUTCOME_FEATURE_LABELS).toHaveLength(TASK_OUTCOME_FEATURE_DIM);
    expect(TASK_OUTCOME_FEATURE_LABELS.slice(0, 3)).toEqual(['success', 'sla_met', 'latency_ratio']);
    const env = new OrchestratorEnv();
    let { info } = env.reset({ seed: 4 });
    const rng = new Rng('f');
    let checked = 0;
    for (let t = 0; t < 300; t++) {
      info = env.step(env.actionSpace.sample(rng, info.actionMask as Uint8Array)).info;
      for (const r of info.finished as TaskOutcome[]) {
        const features = taskOutcomeFeatures({ ...r, taskFeatures: r.features.slice(7, 13) });
        expect(Array.from(features)).toEqual(Array.from(r.features));
        for (const x of features) expect(x >= 0 && x <= 1).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('drifts hidden skills during the day in Orchestrator-drift-v0 only', () => {
    const skillsChange = (id: string) => {
      const env = make<Float32Array, number>(id);
      const inner = env.unwrapped as OrchestratorEnv;
      let { info } = env.reset({ seed: 2 });
      const before = Array.from(inner.hidden().company.logit);
      const rng = new Rng('d');
      for (let t = 0; t < 199; t++) info = env.step(env.actionSpace.sample(rng, info.actionMask as Uint8Array)).info;
      return Array.from(inner.hidden().company.logit).some((x, i) => x !== before[i]);
    };
    expect(skillsChange('Orchestrator-drift-v0')).toBe(true);
    expect(skillsChange('Orchestrator-v0')).toBe(false);
  });

  it('turns arrivals away at a full queue and abandons tasks that wait too long', () => {
    const env = make<Float32Array, number>('Orchestrator-v0', { kwargs: { arrivalRate: 3, queueCapacity: 5 } });
    const space = env.observationSpace as Box;
    let { info } = env.reset({ seed: 1 });
    const rng = new Rng('o');
    const kinds = new Map<string, number>();
    for (let t = 0; t < 200; t++) {
      const step = env.step(env.actionSpace.sample(rng, info.actionMask as Uint8Array));
      info = step.info;
      expect(space.contains(step.obs)).toBe(true);
      for (const r of info.finished as TaskOutcome[]) {
        kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
        if (r.kind === 'abandoned') {
          expect(r.worker).toBe(-1);
          expect(r.slaMet).toBe(false);
        }
      }
    }
    expect(kinds.get('abandoned')).toBeGreaterThan(100);
    expect(kinds.get('succeeded')).toBeGreaterThan(10);
    expect((env.unwrapped as OrchestratorEnv).episodeTotals().abandoned).toBe(kinds.get('abandoned'));
  });

  it('renders a readable summary', () => {
    const env = new OrchestratorEnv();
    env.reset({ seed: 0 });
    expect(env.render()).toMatch(/tick 0 {2}queue \d+/);
    expect(env.render()).toMatch(/react#0/);
  });
});
