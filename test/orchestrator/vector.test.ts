import { describe, expect, it } from 'vitest';
import { Rng, makeVec, type VectorEnv } from '../../src/core/index.js';
import '../../envs/orchestrator/register.js';

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
    trace.push([...obs, ...result.rewards, ...result.truncated, ...actionMasks!]);
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
