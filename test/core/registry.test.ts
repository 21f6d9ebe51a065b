import { describe, it, expect, afterEach } from 'vitest';
import {
  BaseEnv,
  Box,
  ConfigError,
  Discrete,
  OrderEnforcing,
  RegistrationError,
  ResetNeededError,
  TimeLimit,
  UnknownEnvError,
  listEnvs,
  make,
  parseEnvId,
  register,
  spec,
  unregister,
  type ResetArgs,
  type ResetResult,
  type StepResult,
} from '../../src/core/index.js';

class ToyEnv extends BaseEnv<Float32Array, number> {
  readonly observationSpace = new Box(0, 1, [1]);
  readonly actionSpace = new Discrete(2);
  constructor(readonly kwargs: Record<string, unknown>) {
    super();
  }
  reset(args: ResetArgs = {}): ResetResult<Float32Array> {
    this.reseed(args.seed);
    return { obs: Float32Array.of(this.rng.random()), info: {} };
  }
  step(): StepResult<Float32Array> {
    return { obs: Float32Array.of(this.rng.random()), reward: 1, terminated: false, truncated: false, info: {} };
  }
}

const ids: string[] = [];
function registerToy(id: string, extra: Partial<Parameters<typeof register>[0]> = {}): void {
  register({ id, entryPoint: (kwargs) => new ToyEnv(kwargs), ...extra });
  ids.push(id);
}

afterEach(() => {
  for (const id of ids.splice(0)) unregister(id);
});

describe('register / make / spec / listEnvs', () => {
  it('builds the env with TimeLimit inside OrderEnforcing and attaches the resolved spec', () => {
    registerToy('RegToy-v0', { maxEpisodeSteps: 3, rewardThreshold: 2, kwargs: { a: 1, b: 2 } });
    const env = make('RegToy-v0', { kwargs: { b: 3 } });
    expect(env).toBeInstanceOf(OrderEnforcing);
    expect((env as OrderEnforcing<unknown, unknown>).env).toBeInstanceOf(TimeLimit);
    expect((env.unwrapped as ToyEnv).kwargs).toEqual({ a: 1, b: 3 });
    expect(env.spec).toMatchObject({ id: 'RegToy-v0', maxEpisodeSteps: 3, rewardThreshold: 2, orderEnforce: true, kwargs: { a: 1, b: 3 } });
    expect(() => env.step(0)).toThrow(ResetNeededError);
    env.reset({ seed: 1 });
    env.step(0);
    env.step(0);
    expect(env.step(0).truncated).toBe(true);
    expect(() => env.step(0)).toThrow(/Expected reset\(\) after the episode ended/);
  });

  it('lets make override or remove the step limit, and validates it', () => {
    registerToy('RegLimit-v0', { maxEpisodeSteps: 3 });
    expect((make('RegLimit-v0', { maxEpisodeSteps: 7 }) as OrderEnforcing<unknown, unknown>).findWrapper(TimeLimit)?.maxEpisodeSteps).toBe(7);
    expect((make('RegLimit-v0', { maxEpisodeSteps: null }) as OrderEnforcing<unknown, unknown>).env).toBeInstanceOf(ToyEnv);
    expect(spec('RegLimit-v0', { maxEpisodeSteps: null }).maxEpisodeSteps).toBeUndefined();
    expect(() => make('RegLimit-v0', { maxEpisodeSteps: 0 })).toThrow(ConfigError);
    registerToy('RegNoOrder-v0', { orderEnforce: false });
    expect(make('RegNoOrder-v0')).toBeInstanceOf(ToyEnv);
  });

  it('lists registered ids in sorted order', () => {
    registerToy('RegB-v0');
    registerToy('RegA-v1');
    registerToy('ns/RegC-v2');
    const listed = listEnvs();
    expect(listed.filter((id) => id.includes('Reg'))).toEqual(['RegA-v1', 'RegB-v0', 'ns/RegC-v2']);
  });

  it('parses ids with and without namespace', () => {
    expect(parseEnvId('CartPole-v1')).toEqual({ namespace: undefined, name: 'CartPole', version: 1 });
    expect(parseEnvId('acme/Router-v12')).toEqual({ namespace: 'acme', name: 'Router', version: 12 });
  });
});

describe('registration errors', () => {
  it('rejects malformed ids', () => {
    for (const bad of ['CartPole', 'CartPole-1', 'Cart Pole-v1', 'CartPole-vX', '']) {
      expect(() => register({ id: bad, entryPoint: (k) => new ToyEnv(k) })).toThrow(RegistrationError);
    }
    expect(() => register({ id: 'CartPole', entryPoint: (k) => new ToyEnv(k) })).toThrow(
      /Expected an env id of the form Name-vN \(e\.g\. CartPole-v1\), but got "CartPole"/,
    );
  });

  it('rejects duplicate ids and bad step limits', () => {
    registerToy('RegDup-v0');
    expect(() => registerToy('RegDup-v0')).toThrow(/Expected a new env id, but RegDup-v0 is already registered/);
    expect(() => register({ id: 'RegBadLimit-v0', entryPoint: (k) => new ToyEnv(k), maxEpisodeSteps: 1.5 })).toThrow(
      /Expected maxEpisodeSteps of RegBadLimit-v0 to be a positive integer, but got 1.5/,
    );
  });

  it('UnknownEnvError lists the nearest ids and the versions that exist', () => {
    registerToy('Pendulum-v1');
    registerToy('Pendulum-v2');
    registerToy('Acrobot-v1');
    expect(() => make('Pendulm-v1')).toThrow(UnknownEnvError);
    expect(() => make('Pendulm-v1')).toThrow(/Expected a registered env id, but got "Pendulm-v1"\. Did you mean Pendulum-v1/);
    expect(() => spec('Pendulum-v0')).toThrow(/Pendulum exists in: Pendulum-v1, Pendulum-v2\./);
    expect(() => make('Acrobot-v9')).toThrow(/Acrobot exists in: Acrobot-v1\. Did you mean Acrobot-v1/);
  });

  it('unregister removes an id', () => {
    registerToy('RegGone-v0');
    expect(unregister('RegGone-v0')).toBe(true);
    expect(unregister('RegGone-v0')).toBe(false);
    expect(() => make('RegGone-v0')).toThrow(UnknownEnvError);
  });
});
