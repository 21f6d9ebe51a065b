/**
 * The one training-loop frame (agents/common/training-loop.ts) every network learner runs in: the same hook
 * calls, the same row layout of episode statistics and `time/*` keys, the same budget and stop rules.
 */
import { describe, expect, it } from 'vitest';
import '../../envs/index.js';
import { make, makeVec } from '../../src/core/index.js';
import type { TrainingState } from '../../src/core/agent.js';
import { createAgent } from '../../agents/index.js';
import type { LogRow } from '../../agents/common/logger.js';

const probe = make<Float32Array, number>('CartPole-v1');
const SMALL: Record<string, Record<string, unknown>> = {
  ppo: { numSteps: 8, batchSize: 16, numEpochs: 1 },
  a2c: { logInterval: 2 },
  reinforce: { episodesPerUpdate: 1 },
  dqn: { layers: [8], learningStarts: 16, batchSize: 8, logInterval: 16 },
};

type Learner = ReturnType<typeof createAgent> & { logger: { history: LogRow[] }; dispose(): void };

describe.each(Object.keys(SMALL))('%s runs in the shared training loop', (name) => {
  it('rows lead with episode statistics and end with the time keys; hooks see each row', async () => {
    const agent = createAgent(name, { ...SMALL[name], backend: 'wasm' }, { seed: 1, observationSpace: probe.observationSpace, actionSpace: probe.actionSpace }) as Learner;
    const calls: string[] = [];
    const seen: TrainingState[] = [];
    const result = await agent.learn({
      env: makeVec('CartPole-v1', { numEnvs: 2 }),
      totalSteps: 200,
      hooks: [{ onStart: () => void calls.push('start'), onStep: (s) => void (calls.push('step'), seen.push({ ...s })), onEnd: () => void calls.push('end') }],
    });
    expect(calls[0]).toBe('start');
    expect(calls.at(-1)).toBe('end');
    const rows = agent.logger.history;
    expect(calls.filter((c) => c === 'step')).toHaveLength(rows.length);
    expect(result.stepsDone).toBeGreaterThanOrEqual(200);
    expect(result.stoppedEarly).toBe(false);
    const counter = name === 'dqn' ? 'time/episodes' : 'time/iterations';
    for (const [i, row] of rows.entries()) {
      const keys = Object.keys(row);
      expect(keys[0]).toBe('time/total_timesteps');
      expect(row['time/total_timesteps']).toBe(seen[i].stepsDone);
      const time = keys.slice(keys.indexOf(counter));
      expect(time.slice(0, 3)).toEqual([counter, 'time/fps', 'time/time_elapsed']);
      expect(time.every((k) => k.startsWith('time/'))).toBe(true);
      if ('rollout/ep_rew_mean' in row) expect(keys.slice(1, 3)).toEqual(['rollout/ep_rew_mean', 'rollout/ep_len_mean']);
    }
    expect(rows.some((row) => 'rollout/ep_rew_mean' in row)).toBe(true);
    agent.dispose();
  });

  it('stops when a hook returns false, and refuses a bad budget', async () => {
    const agent = createAgent(name, { ...SMALL[name], backend: 'wasm' }, { seed: 1, observationSpace: probe.observationSpace, actionSpace: probe.actionSpace }) as Learner;
    const result = await agent.learn({ env: makeVec('CartPole-v1', { numEnvs: 2 }), totalSteps: 10_000, hooks: [{ onStep: () => false }] });
    expect(result.stoppedEarly).toBe(true);
    expect(agent.logger.history).toHaveLength(1);
    await expect(agent.learn({ env: probe, totalSteps: 0 })).rejects.toThrow(/Expected totalSteps to be an integer >= 1/);
    await expect(agent.learn({ env: make('Bandit-v0'), totalSteps: 10 })).rejects.toThrow(/Expected an env with observations of length 4/);
    agent.dispose();
  });
});
