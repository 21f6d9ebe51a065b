import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidActionError, ResetNeededError, Rng, makeVec, type VectorEnv } from '../../src/core/index.js';
import '../../envs/orchestrator/register.js';
import { OrchestratorEnv } from '../../envs/orchestrator/env.js';
import { OrchestratorVectorEnv } from '../../envs/orchestrator/vector-env.js';
import type { FeedbackEvent, TaskOutcome } from '../../envs/orchestrator/feedback.js';

/** Steps a vector env with actions drawn from its masks and records everything it reports. */
function play(vec: VectorEnv, steps: number) {
  const rng = new Rng('vec');
  const n = vec.numEnvs;
  const numActions = 15;
  let { obs, actionMasks } = vec.reset({ seed: 3 });
  const trace: number[][] = [Array.from(obs)];
  const actions = new Int32Array(n);
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < n; i++) {
      const allowed: number[] = [];
      for (let a = 0; a < numActions; a++) if (actionMasks![i * numActions + a]) allowed.push(a);
      actions[i] = rng.choice(allowed);
    }
    const result = vec.step(actions);
    ({ obs, actionMasks } = result);
    trace.push([...obs, ...result.rewards, ...result.terminated, ...result.truncated, ...result.autoreset, ...actionMasks!]);
    for (const episode of result.episodes) trace.push([episode.envIndex, episode.return, episode.length]);
  }
  vec.close();
  return trace;
}

describe('Orchestrator-v0 in vector envs', () => {
  it('runs in SyncVectorEnv and AsyncVectorEnv with identical results and masks', () => {
    const sync = play(makeVec('Orchestrator-v0', { numEnvs: 2, vectorizationMode: 'sync' }), 450);
    const again = play(makeVec('Orchestrator-v0', { numEnvs: 2, vectorizationMode: 'sync' }), 450);
    expect(again).toEqual(sync);
    const parallel = play(makeVec('Orchestrator-v0', { numEnvs: 2, vectorizationMode: 'async' }), 450);
    expect(parallel).toEqual(sync);
  });
});

describe('OrchestratorVectorEnv (native)', () => {
  it('is what makeVec builds by default, and matches SyncVectorEnv number for number', () => {
    for (const id of ['Orchestrator-v0', 'Orchestrator-drift-v0']) {
      // 450 steps cross two 200-tick workdays, so autoreset and episode records are compared too.
      for (const kwargs of [{}, { preset: 'hard', rewardMode: 'feedback' }]) {
        const native = makeVec(id, { numEnvs: 3, kwargs });
        expect(native).toBeInstanceOf(OrchestratorVectorEnv);
        const sync = play(makeVec(id, { numEnvs: 3, vectorizationMode: 'sync', kwargs }), 450);
        expect(play(native, 450)).toEqual(sync);
      }
    }
  });

  it('rewrites the same buffers in place and reports empty infos', () => {
    const vec = makeVec('Orchestrator-v0', { numEnvs: 2 });
    const first = vec.reset({ seed: 1 });
    const step = vec.step(Int32Array.from([13, 14]));
    expect(step.obs).toBe(first.obs);
    expect(step.actionMasks).toBe(first.actionMasks);
    expect(vec.step(Int32Array.from([13, 13]))).toBe(step);
    expect(step.infos).toEqual([{}, {}]);
  });

  it('refuses bad input with named errors and leaves every member untouched', () => {
    expect(() => new OrchestratorVectorEnv({ numEnvs: 0 })).toThrow(ConfigError);
    expect(() => makeVec('Orchestrator-v0', { numEnvs: 2, kwargs: { arrivalRate: -1 } })).toThrow(/arrivalRate/);
    const vec = makeVec('Orchestrator-v0', { numEnvs: 2 });
    expect(() => vec.step(Int32Array.from([13, 13]))).toThrow(ResetNeededError);
    let { obs, actionMasks } = vec.reset({ seed: 2 });
    expect(() => vec.step(Int32Array.from([13]))).toThrow(/Expected 2 actions/);
    expect(() => vec.step(Int32Array.from([13, 99]))).toThrow(InvalidActionError);
    // A member-1 action its mask forbids (monitor, 13, is always allowed, so monitoring finds one).
    let forbidden = -1;
    for (let t = 0; t < 200 && forbidden < 0; t++) {
      for (let a = 0; a < 15 && forbidden < 0; a++) if (actionMasks![15 + a] === 0) forbidden = a;
      if (forbidden < 0) ({ obs, actionMasks } = vec.step(Int32Array.from([13, 13])));
    }
    expect(forbidden).toBeGreaterThanOrEqual(0);
    const before = Array.from(obs);
    expect(() => vec.step(Int32Array.from([13, forbidden]))).toThrow(/member 1.*forbids/);
    expect(Array.from(obs)).toEqual(before);
    // Nothing moved: the next valid step equals that of a twin that never saw the bad action.
    const twin = makeVec('Orchestrator-v0', { numEnvs: 2 });
    let twinResult = twin.reset({ seed: 2 });
    for (let t = 0; t < 200 && Array.from(twinResult.obs).join() !== before.join(); t++) twinResult = twin.step(Int32Array.from([13, 13]));
    expect(Array.from(vec.step(Int32Array.from([13, 13])).obs)).toEqual(Array.from(twin.step(Int32Array.from([13, 13])).obs));
  });
});

describe('OrchestratorEnv.stepInPlace and stopCollectingEvents', () => {
  it('gives the transitions, rewards and masks of step() while building no records or events', () => {
    const reference = new OrchestratorEnv({ rewardMode: 'feedback' });
    const quiet = new OrchestratorEnv({ rewardMode: 'feedback' });
    quiet.stopCollectingEvents();
    const inPlace = new OrchestratorEnv({ rewardMode: 'feedback' });
    inPlace.stopCollectingEvents();
    let { info } = reference.reset({ seed: 4 });
    quiet.reset({ seed: 4 });
    inPlace.reset({ seed: 4 });
    const obs = new Float32Array(reference.observationSpace.flatDim + 3);
    const mask = new Uint8Array(15 + 2);
    const rng = new Rng('in-place');
    let events = 0;
    for (let t = 0; t < 600; t++) {
      const action = reference.actionSpace.sample(rng, info.actionMask as Uint8Array);
      const a = reference.step(action);
      const b = quiet.step(action);
      const reward = inPlace.stepInPlace(action, obs, 3, mask, 2);
      expect(b.reward).toBe(a.reward);
      expect(Array.from(b.obs)).toEqual(Array.from(a.obs));
      expect(reward).toBe(a.reward);
      expect(Array.from(obs.subarray(3))).toEqual(Array.from(a.obs));
      expect(Array.from(mask.subarray(2))).toEqual(Array.from(a.info.actionMask as Uint8Array));
      expect(b.info.goldReward).toBe(a.info.goldReward);
      expect(b.info.finished as TaskOutcome[]).toHaveLength(0);
      expect(b.info.feedback as FeedbackEvent[]).toHaveLength(0);
      events += (a.info.feedback as FeedbackEvent[]).length;
      info = a.info;
      if (t % 200 === 199) {
        ({ info } = reference.reset());
        quiet.reset();
        inPlace.reset();
      }
    }
    expect(events).toBeGreaterThan(50);
  });
});

