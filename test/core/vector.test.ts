import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as core from '../../src/core/index.js';
import {
  AsyncVectorEnv,
  ConfigError,
  InvalidActionError,
  Rng,
  ResetNeededError,
  SyncVectorEnv,
  UnknownEnvError,
  make,
  makeVec,
  register,
  unregister,
  type Env,
  type Info,
  type VectorEnv,
  type VectorStepResult,
} from '../../src/core/index.js';
import { COUNTER_ID, registerCounterEnv, type CounterEnvKwargs } from './fixtures/counter-env.mjs';

const CounterEnv = registerCounterEnv(core);
const workerModules = [new URL('./fixtures/register-counter-env.mjs', import.meta.url).href];

function syncCounter(numEnvs: number, kwargs: CounterEnvKwargs = {}): SyncVectorEnv {
  return makeVec(COUNTER_ID, { numEnvs, vectorizationMode: 'sync', kwargs: { ...kwargs } }) as SyncVectorEnv;
}

function asyncCounter(numEnvs: number, kwargs: CounterEnvKwargs = {}, numWorkers?: number): AsyncVectorEnv {
  return makeVec(COUNTER_ID, { numEnvs, vectorizationMode: 'async', kwargs: { ...kwargs }, numWorkers, registrationModules: workerModules }) as AsyncVectorEnv;
}

/** A deep copy of everything a step reports, since the arrays are rewritten by the next step. */
function snapshot(r: VectorStepResult) {
  return {
    obs: Array.from(r.obs),
    rewards: Array.from(r.rewards),
    terminated: Array.from(r.terminated),
    truncated: Array.from(r.truncated),
    autoreset: Array.from(r.autoreset),
    masks: r.actionMasks ? Array.from(r.actionMasks) : undefined,
    episodes: r.episodes.map((e) => ({ ...e })),
    infos: r.infos.map((info) => JSON.stringify(info, (_, v) => (v instanceof Uint8Array ? Array.from(v) : v))),
  };
}

/** Random actions that respect the masks (so the env never rejects them). */
function maskedActions(rng: Rng, vec: VectorEnv, masks: Uint8Array | undefined): Int32Array {
  const actions = new Int32Array(vec.numEnvs);
  const space = vec.singleActionSpace as core.Discrete;
  for (let i = 0; i < vec.numEnvs; i++) actions[i] = space.sample(rng, masks?.subarray(i * 3, i * 3 + 3));
  return actions;
}

function rollout(vec: VectorEnv, seed: number, steps: number) {
  const rng = new Rng(`actions/${seed}`);
  const reset = vec.reset({ seed });
  const out: ReturnType<typeof snapshot>[] = [];
  let masks = reset.actionMasks ? reset.actionMasks.slice() : undefined;
  out.push({ ...snapshot({ ...reset, rewards: new Float32Array(0), terminated: new Uint8Array(0), truncated: new Uint8Array(0), autoreset: new Uint8Array(0), episodes: [] }) });
  for (let t = 0; t < steps; t++) {
    const r = vec.step(maskedActions(rng, vec, masks));
    out.push(snapshot(r));
    masks = r.actionMasks ? r.actionMasks.slice() : undefined;
  }
  return out;
}

describe('SyncVectorEnv', () => {
  it('seeds member i with seed + i and reports flat observations', () => {
    const vec = syncCounter(4);
    expect(vec.obsDim).toBe(2);
    const { obs } = vec.reset({ seed: 10 });
    for (let i = 0; i < 4; i++) {
      const single = make<Float32Array, number>(COUNTER_ID).reset({ seed: 10 + i }).obs;
      expect(Array.from(obs.subarray(2 * i, 2 * i + 2))).toEqual(Array.from(single));
    }
    vec.close();
  });

  it('autoresets on the step after an episode ends, ignoring that step\'s action', () => {
    const vec = syncCounter(2, { length: 2 });
    vec.reset({ seed: 0 });
    const actions = Int32Array.of(1, 1);
    let r = vec.step(actions);
    expect(Array.from(r.terminated)).toEqual([0, 0]);
    r = vec.step(Int32Array.of(2, 2));
    expect(Array.from(r.terminated)).toEqual([1, 1]);
    expect(r.episodes.map((e) => [e.envIndex, e.length])).toEqual([
      [0, 2],
      [1, 2],
    ]);
    // An invalid action is fine here: it is ignored because every member is being reset.
    r = vec.step(Int32Array.of(99, 99));
    expect(Array.from(r.autoreset)).toEqual([1, 1]);
    expect(Array.from(r.rewards)).toEqual([0, 0]);
    expect(Array.from(r.terminated)).toEqual([0, 0]);
    expect(r.obs[0]).toBe(0); // count is back to 0: a reset observation
    expect(r.episodes).toEqual([]);
    r = vec.step(actions);
    expect(Array.from(r.autoreset)).toEqual([0, 0]);
    expect(r.obs[0]).toBe(1);
    expect(() => vec.step(Int32Array.of(99, 0))).toThrow(InvalidActionError);
    vec.close();
  });

  it('reports episode returns as the float64 sum of the member rewards, and truncation by TimeLimit', () => {
    const vec = syncCounter(1, { length: 100 }); // TestCounter-v0 has maxEpisodeSteps 6
    const single = make<Float32Array, number>(COUNTER_ID, { kwargs: { length: 100 } });
    vec.reset({ seed: 5 });
    single.reset({ seed: 5 });
    let total = 0;
    let r: VectorStepResult | undefined;
    for (let t = 0; t < 6; t++) {
      r = vec.step(Int32Array.of(t % 3 === 2 ? 0 : 2));
      const s = single.step(t % 3 === 2 ? 0 : 2);
      total += s.reward;
      expect(r.rewards[0]).toBe(Math.fround(s.reward));
    }
    expect(r!.truncated[0]).toBe(1);
    expect(r!.terminated[0]).toBe(0);
    expect(r!.episodes).toEqual([{ envIndex: 0, return: total, length: 6 }]);
    vec.close();
  });

  it('gathers action masks from info.actionMask and omits them when members report none', () => {
    const vec = syncCounter(2);
    const reset = vec.reset({ seed: 1 });
    expect(Array.from(reset.actionMasks!)).toEqual([0, 1, 1, 0, 1, 1]);
    const r = vec.step(Int32Array.of(1, 2));
    expect(Array.from(r.actionMasks!)).toEqual([1, 0, 1, 1, 0, 1]);
    expect(r.infos[0].count).toBe(1);
    vec.close();
    const plain = syncCounter(2, { emptyInfo: true });
    expect(plain.reset().actionMasks).toBeUndefined();
    expect(plain.step(Int32Array.of(0, 0)).actionMasks).toBeUndefined();
    plain.close();
  });

  it('rewrites the same buffers every step and allocates no episode list when none ends', () => {
    const vec = syncCounter(3, { length: 50 });
    vec.reset({ seed: 0 });
    const first = vec.step(new Int32Array(3).fill(1));
    const obs = first.obs;
    const episodes = first.episodes;
    const second = vec.step(new Int32Array(3).fill(2));
    expect(second).toBe(first);
    expect(second.obs).toBe(obs);
    expect(second.episodes).toBe(episodes);
    vec.close();
  });

  it('fails loudly on misuse', () => {
    const vec = syncCounter(2);
    expect(() => vec.step(new Int32Array(2))).toThrow(ResetNeededError);
    vec.reset();
    expect(() => vec.step(new Int32Array(3))).toThrow(/Expected 2 actions \(2 envs x 1\), but got 3/);
    vec.close();
    vec.close();
    expect(vec.envs.every((e) => (e.unwrapped as unknown as { closed: number }).closed === 1)).toBe(true);
    expect(() => vec.reset()).toThrow(/Expected an open vector env/);
    expect(() => new SyncVectorEnv([])).toThrow(ConfigError);
    expect(
      () => new SyncVectorEnv([() => new CounterEnv(), () => ({ ...new CounterEnv(), observationSpace: new core.Box(0, 1, [3]) }) as unknown as Env<unknown, unknown>]),
    ).toThrow(/Expected every member of a vector env to have observation space .*but member 1 has/);
  });
});

describe('makeVec', () => {
  it('uses the native implementation by default when registered, else sync', () => {
    let nativeCalls = 0;
    register({
      id: 'TestNativeVec-v0',
      entryPoint: () => new CounterEnv(),
      vectorEntryPoint: (numEnvs, kwargs, maxEpisodeSteps) => {
        nativeCalls++;
        expect([numEnvs, kwargs.length, maxEpisodeSteps]).toEqual([3, 4, 9]);
        return new SyncVectorEnv(Array.from({ length: numEnvs }, () => () => new CounterEnv()));
      },
      maxEpisodeSteps: 9,
      kwargs: { length: 4 },
    });
    try {
      makeVec('TestNativeVec-v0', { numEnvs: 3 }).close();
      expect(nativeCalls).toBe(1);
      const sync = makeVec('TestNativeVec-v0', { numEnvs: 3, vectorizationMode: 'sync' });
      expect(sync).toBeInstanceOf(SyncVectorEnv);
      expect(sync.spec?.maxEpisodeSteps).toBe(9);
      sync.close();
      expect(makeVec(COUNTER_ID, { numEnvs: 2 })).toBeInstanceOf(SyncVectorEnv);
    } finally {
      unregister('TestNativeVec-v0');
    }
  });

  it('validates numEnvs and the mode', () => {
    expect(() => makeVec(COUNTER_ID, { numEnvs: 0 })).toThrow(/Expected numEnvs to be a positive integer, but got 0/);
    expect(() => makeVec(COUNTER_ID, { numEnvs: 2, vectorizationMode: 'threads' as never })).toThrow(/Expected vectorizationMode native, sync or async, but got "threads"/);
    expect(() => makeVec('Nope-v0', { numEnvs: 2 })).toThrow(UnknownEnvError);
  });
});

describe('AsyncVectorEnv', () => {
  beforeAll(() => {
    const worker = fileURLToPath(new URL('../../dist/src/core/vector-envs/worker.js', import.meta.url));
    if (!existsSync(worker)) throw new Error(`Expected the compiled worker at ${worker}; run npm run build (npm test does) before the async tests.`);
  });

  const opened: VectorEnv[] = [];
  afterAll(() => {
    for (const vec of opened) vec.close();
  });
  function track<T extends VectorEnv>(vec: T): T {
    opened.push(vec);
    return vec;
  }

  it('gives bit-identical results to SyncVectorEnv for the same seed and actions', () => {
    for (const numWorkers of [1, 2, 3]) {
      const sync = syncCounter(5);
      const asyncVec = track(asyncCounter(5, {}, numWorkers));
      expect(asyncVec.numWorkers).toBe(numWorkers);
      expect(asyncVec.singleObservationSpace.equals(sync.singleObservationSpace)).toBe(true);
      expect(asyncVec.singleActionSpace.equals(sync.singleActionSpace)).toBe(true);
      expect(asyncVec.spec).toEqual(sync.spec);
      for (const seed of [0, 17]) expect(rollout(asyncVec, seed, 40)).toEqual(rollout(sync, seed, 40));
      sync.close();
    }
  });

  it('matches sync with empty infos and with kwargs and step-limit overrides', () => {
    const options = { numEnvs: 3, kwargs: { emptyInfo: true, length: 100 }, maxEpisodeSteps: 4 };
    const sync = makeVec(COUNTER_ID, { ...options, vectorizationMode: 'sync' });
    const asyncVec = track(makeVec(COUNTER_ID, { ...options, vectorizationMode: 'async', registrationModules: workerModules }));
    const a = rollout(asyncVec, 3, 12);
    expect(a).toEqual(rollout(sync, 3, 12));
    expect(a[4].truncated).toEqual([1, 1, 1]);
    expect(a[5].autoreset).toEqual([1, 1, 1]);
    expect(a[2].masks).toBeUndefined();
    const step = asyncVec.step(new Int32Array(3));
    expect(step.infos).toHaveLength(3);
    for (const info of step.infos) expect(info).toEqual({});
    sync.close();
  });

  it('matches sync with Box actions, copying each member\'s slice of the action array', () => {
    const sync = syncCounter(3, { continuous: true, length: 5 });
    const asyncVec = track(asyncCounter(3, { continuous: true, length: 5 }, 2));
    expect(sync.singleActionSpace).toBeInstanceOf(core.Box);
    for (const vec of [sync, asyncVec]) vec.reset({ seed: 2 });
    const rng = new Rng('box-actions');
    for (let t = 0; t < 12; t++) {
      const actions = Float32Array.from({ length: 6 }, () => rng.uniform(-1, 1));
      const a = snapshot(asyncVec.step(actions));
      const s = snapshot(sync.step(actions));
      expect(a).toEqual(s);
      expect(s.masks).toBeUndefined();
    }
    expect(() => sync.step(new Float32Array(3))).toThrow(/Expected 6 actions \(3 envs x 2\), but got 3/);
    sync.close();
  });

  it('surfaces an error thrown inside a worker with its class and original message', () => {
    const vec = track(asyncCounter(4, { throwAt: 2 }, 2));
    vec.reset({ seed: 0 });
    vec.step(new Int32Array([1, 1, 1, 1]).map((_, i) => (i === 0 ? 2 : 1)));
    let caught: unknown;
    try {
      vec.step(Int32Array.of(2, 0, 0, 0));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).toBe('Expected the counter to stay below throwAt=2, but it reached 2.');
    expect((caught as Error).stack).toMatch(/in AsyncVectorEnv worker/);
  });

  it('reports an id the workers do not know, and infos that cannot cross threads', () => {
    expect(() => new AsyncVectorEnv(COUNTER_ID, { numEnvs: 2, registrationModules: [] })).toThrow(
      /Expected a registered env id, but got "TestCounter-v0".*registrationModules \(\[\]\)/,
    );
    const vec = track(asyncCounter(2, { uncloneableInfo: true }, 1));
    expect(() => vec.reset()).toThrow(/Expected infos that can be copied between threads/);
    const plain = track(asyncCounter(2, {}, 1));
    expect(() => plain.reset({ options: { callback: () => 0 } })).toThrow(/Expected reset options that can be copied to worker threads/);
    expect(plain.reset({ seed: 1 }).obs).toHaveLength(4);
    expect(() => makeVec(COUNTER_ID, { numEnvs: 1, vectorizationMode: 'async', kwargs: { f: () => 0 }, registrationModules: workerModules })).toThrow(
      /Expected kwargs that can be copied to worker threads/,
    );
  });

  it('validates its options and refuses use after close', () => {
    expect(() => new AsyncVectorEnv(COUNTER_ID, { numEnvs: 2, numWorkers: 3, registrationModules: workerModules })).toThrow(
      /Expected numWorkers to be an integer in \[1, numEnvs=2\], but got 3/,
    );
    expect(() => new AsyncVectorEnv(COUNTER_ID, { numEnvs: 2, registrationModules: ['./no/such/module.ts'] })).toThrow(/compiled JavaScript twin/);
    const vec = asyncCounter(2);
    expect(() => vec.step(new Int32Array(2))).toThrow(ResetNeededError);
    vec.reset();
    expect(() => vec.step(new Int32Array(1))).toThrow(InvalidActionError);
    vec.close();
    vec.close();
    expect(() => vec.step(new Int32Array(2))).toThrow(/Expected an open vector env, but close\(\) was already called/);
  });

  it('keeps infos per member, with empty infos as {}', () => {
    const vec = track(asyncCounter(3, {}, 2));
    const reset = vec.reset({ seed: 4 });
    expect(reset.infos.map((i: Info) => i.count)).toEqual([0, 0, 0]);
    const r = vec.step(maskedActions(new Rng(0), vec, reset.actionMasks));
    expect(r.infos.map((i: Info) => i.count)).toEqual([1, 1, 1]);
    expect(r.infos[2].actionMask).toBeInstanceOf(Uint8Array);
  });
});
