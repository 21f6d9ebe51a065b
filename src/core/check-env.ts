/**
 * `checkEnv(env)` runs the checks of Gymnasium's env checker and throws EnvCheckError naming the first
 * broken rule: valid spaces; reset and step return the documented shapes; observations lie in the
 * observation space; reset with one seed is deterministic and a different seed differs; stepping is
 * deterministic from a seed; rewards and observations are finite; close can be called twice.
 *
 * It steps with actions sampled from a private Rng (respecting `info.actionMask`), never the env's own.
 */
import { EnvCheckError, describeValue } from './errors.js';
import type { Env, Info, StepResult } from './env.js';
import { Rng } from './rng.js';
import { Space } from './spaces.js';

export interface CheckEnvOptions {
  /** Steps taken in the determinism and finiteness checks. */
  steps?: number;
  /** Seed used for the determinism checks. */
  seed?: number;
  /** Skip the "a different seed gives a different first observation" check (for envs with one start state). */
  skipSeedVariation?: boolean;
}

export function checkEnv(env: Env<unknown, unknown>, options: CheckEnvOptions = {}): void {
  const steps = options.steps ?? 50;
  const seed = options.seed ?? 123;
  checkSpaces(env);

  const first = env.reset({ seed });
  checkResetShape(first, env);
  const repeat = env.reset({ seed });
  if (!sameValue(first.obs, repeat.obs)) {
    throw new EnvCheckError('Expected reset({seed}) twice with the same seed to give the same observation, but they differ.');
  }
  if (!options.skipSeedVariation && !env.spec?.nondeterministic) {
    const other = env.reset({ seed: seed + 1 });
    if (sameValue(first.obs, other.obs)) {
      throw new EnvCheckError(`Expected reset with seeds ${seed} and ${seed + 1} to give different observations, but they are equal.`);
    }
  }

  const trajectoryA = rollout(env, seed, steps);
  const trajectoryB = rollout(env, seed, steps);
  if (!env.spec?.nondeterministic) {
    for (let t = 0; t < trajectoryA.length; t++) {
      const a = trajectoryA[t];
      const b = trajectoryB[t];
      if (!b || !sameValue(a.obs, b.obs) || !Object.is(a.reward, b.reward) || a.terminated !== b.terminated || a.truncated !== b.truncated) {
        throw new EnvCheckError(`Expected the same seed and actions to give the same step results, but step ${t} differs.`);
      }
    }
  }

  env.close();
  try {
    env.close();
  } catch (error) {
    throw new EnvCheckError(`Expected close() to be callable twice, but the second call threw: ${(error as Error).message}`);
  }
}

function checkSpaces(env: Env<unknown, unknown>): void {
  if (!(env.observationSpace instanceof Space)) {
    throw new EnvCheckError(`Expected observationSpace to be a Space, but got ${describeValue(env.observationSpace)}.`);
  }
  if (!(env.actionSpace instanceof Space)) {
    throw new EnvCheckError(`Expected actionSpace to be a Space, but got ${describeValue(env.actionSpace)}.`);
  }
  if (!env.metadata || !Array.isArray(env.metadata.renderModes)) {
    throw new EnvCheckError('Expected metadata.renderModes to be an array of render modes, but it is missing.');
  }
}

function checkResetShape(result: { obs: unknown; info: Info } | undefined, env: Env<unknown, unknown>): void {
  if (!result || typeof result !== 'object' || !('obs' in result) || !('info' in result)) {
    throw new EnvCheckError(`Expected reset() to return {obs, info}, but got ${describeValue(result)}.`);
  }
  checkInfo(result.info, 'reset');
  checkObservation(result.obs, env, 'reset');
}

function checkInfo(info: unknown, where: string): void {
  if (typeof info !== 'object' || info === null || Array.isArray(info)) {
    throw new EnvCheckError(`Expected ${where}() info to be a plain object, but got ${describeValue(info)}.`);
  }
}

function checkObservation(obs: unknown, env: Env<unknown, unknown>, where: string): void {
  const flat = env.observationSpace.contains(obs) ? env.observationSpace.flatten(obs) : undefined;
  if (!flat) {
    throw new EnvCheckError(`Expected the ${where}() observation to lie in ${env.observationSpace}, but got ${describeValue(obs)}.`);
  }
  for (let i = 0; i < flat.length; i++) {
    if (!Number.isFinite(flat[i])) throw new EnvCheckError(`Expected finite observations, but ${where}() gave ${flat[i]} at flat index ${i}.`);
  }
}

function rollout(env: Env<unknown, unknown>, seed: number, steps: number): StepResult<unknown>[] {
  const actionRng = new Rng(`check-env/${seed}`);
  const results: StepResult<unknown>[] = [];
  let { info } = env.reset({ seed });
  for (let t = 0; t < steps; t++) {
    const mask = info.actionMask instanceof Uint8Array ? info.actionMask : undefined;
    const action = env.actionSpace.sample(actionRng, mask);
    if (!env.actionSpace.contains(action)) {
      throw new EnvCheckError(`Expected actionSpace.sample() to return a member of the space, but got ${describeValue(action)}.`);
    }
    const result = env.step(action);
    if (!result || typeof result !== 'object') throw new EnvCheckError(`Expected step() to return an object, but got ${describeValue(result)}.`);
    if (typeof result.reward !== 'number' || !Number.isFinite(result.reward)) {
      throw new EnvCheckError(`Expected step() reward to be a finite number, but got ${describeValue(result.reward)}.`);
    }
    if (typeof result.terminated !== 'boolean' || typeof result.truncated !== 'boolean') {
      throw new EnvCheckError(
        `Expected step() terminated and truncated to be booleans, but got ${describeValue(result.terminated)} and ${describeValue(result.truncated)}.`,
      );
    }
    checkInfo(result.info, 'step');
    checkObservation(result.obs, env, 'step');
    results.push({ ...result, obs: cloneValue(result.obs) });
    info = result.info;
    if (result.terminated || result.truncated) info = env.reset().info;
  }
  return results;
}

function cloneValue(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return (value as unknown as Float32Array).slice();
  if (Array.isArray(value)) return value.map(cloneValue);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneValue(v)]));
  }
  return value;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b);
}
