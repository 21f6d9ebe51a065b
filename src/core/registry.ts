/**
 * The env registry is data: `register({id, entryPoint, maxEpisodeSteps, rewardThreshold})` records how
 * to build an env, `make(id, overrides)` builds it with its standard wrappers (TimeLimit when the spec has
 * a step limit, then OrderEnforcing outside it), `makeVec(id, {numEnvs})` builds a vector env. Ids are
 * `Name-vN` (optionally `namespace/Name-vN`).
 */
import type { z } from 'zod';
import { ConfigError, RegistrationError, UnknownEnvError } from './errors.js';
import { closestNames } from './names.js';
import type { Env, EnvSpec } from './env.js';
import type { VectorEnv } from './vector.js';
import { TimeLimit } from './wrappers/time-limit.js';
import { OrderEnforcing } from './wrappers/order-enforcing.js';
import { SyncVectorEnv } from './vector-envs/sync-vector-env.js';
import { AsyncVectorEnv } from './vector-envs/async-vector-env.js';

export type EnvFactory = (kwargs: Record<string, unknown>) => Env<unknown, unknown>;
export type VectorEnvFactory = (numEnvs: number, kwargs: Record<string, unknown>, maxEpisodeSteps: number | undefined) => VectorEnv;

export interface EnvRegistration {
  id: string;
  entryPoint: EnvFactory;
  /** A natively vectorized implementation, used by `makeVec` in the default `native` mode when present. */
  vectorEntryPoint?: VectorEnvFactory;
  maxEpisodeSteps?: number;
  rewardThreshold?: number;
  nondeterministic?: boolean;
  orderEnforce?: boolean;
  kwargs?: Record<string, unknown>;
  description?: string;
  /**
   * The zod schema of the env's kwargs (defaults, ranges, descriptions): `loopgym envs <id>` prints it and
   * an experiment spec's `env.kwargs` is checked against it before anything runs.
   */
  kwargsSchema?: z.ZodType;
  /**
   * The env's simulated users leave feedback: it takes a `rewardMode` kwarg (`gold`, `feedback`, `none`)
   * and reports `info.finished` and `info.feedback`, so an experiment may train on feedback or a learned
   * reward (`reward.mode`) while evaluation scores the gold reward.
   */
  producesFeedback?: boolean;
}

export interface MakeOptions {
  /** Overrides the spec's step limit; `null` removes the TimeLimit wrapper. */
  maxEpisodeSteps?: number | null;
  /** Constructor arguments, merged over the spec's `kwargs`. */
  kwargs?: Record<string, unknown>;
}

export type VectorizationMode = 'native' | 'sync' | 'async';

export interface MakeVecOptions extends MakeOptions {
  numEnvs: number;
  /** `native` (default) uses the env's own vector implementation if it has one, else `sync`. */
  vectorizationMode?: VectorizationMode;
  /** `async` only: worker threads (default min(numEnvs, available cores)). */
  numWorkers?: number;
  /**
   * `async` only: modules each worker imports so the id is registered there (default: the modules added
   * with `addDefaultRegistrationModule`, which include loopgym's built-in envs).
   */
  registrationModules?: readonly string[];
}

const ID_PATTERN = /^(?:([\w:.-]+)\/)?([\w:.-]+?)-v(\d+)$/;

const registry = new Map<string, EnvRegistration>();

export function parseEnvId(id: string): { namespace?: string; name: string; version: number } {
  const match = ID_PATTERN.exec(id);
  if (!match) throw new RegistrationError(`Expected an env id of the form Name-vN (e.g. CartPole-v1), but got ${JSON.stringify(id)}.`);
  return { namespace: match[1], name: match[2], version: Number(match[3]) };
}

export function register(registration: EnvRegistration): void {
  parseEnvId(registration.id);
  if (registry.has(registration.id)) {
    throw new RegistrationError(`Expected a new env id, but ${registration.id} is already registered.`);
  }
  if (registration.maxEpisodeSteps !== undefined && (!Number.isInteger(registration.maxEpisodeSteps) || registration.maxEpisodeSteps <= 0)) {
    throw new RegistrationError(`Expected maxEpisodeSteps of ${registration.id} to be a positive integer, but got ${registration.maxEpisodeSteps}.`);
  }
  registry.set(registration.id, { ...registration });
}

/** Removes a registration (for tests and for users replacing an env of their own). */
export function unregister(id: string): boolean {
  return registry.delete(id);
}

export function listEnvs(): string[] {
  return [...registry.keys()].sort();
}

function lookup(id: string): EnvRegistration {
  const found = registry.get(id);
  if (found) return found;
  throw new UnknownEnvError(unknownIdMessage(id));
}

function unknownIdMessage(id: string): string {
  const known = listEnvs();
  let versionsNote = '';
  const parsed = ID_PATTERN.exec(id);
  if (parsed) {
    const sameName = known.filter((k) => ID_PATTERN.exec(k)?.[2] === parsed[2]);
    if (sameName.length > 0) versionsNote = ` ${parsed[2]} exists in: ${sameName.join(', ')}.`;
  }
  const nearest = closestNames(id, known);
  const suggestion = nearest.length > 0 ? ` Did you mean ${nearest.join(', ')}?` : ' No envs are registered.';
  return `Expected a registered env id, but got ${JSON.stringify(id)}.${versionsNote}${suggestion}`;
}

/** Whether env `id` declares that its users leave feedback (see EnvRegistration.producesFeedback). */
export function envProducesFeedback(id: string): boolean {
  return lookup(id).producesFeedback === true;
}

/** The kwargs schema a registration declares (undefined when it declares none); throws for unknown ids. */
export function envKwargsSchema(id: string): z.ZodType | undefined {
  return lookup(id).kwargsSchema;
}

/** The resolved spec of a registered id, with `kwargs` merged over the registered defaults. */
export function spec(id: string, options: MakeOptions = {}): EnvSpec {
  const registration = lookup(id);
  const maxEpisodeSteps = options.maxEpisodeSteps === null ? undefined : (options.maxEpisodeSteps ?? registration.maxEpisodeSteps);
  return {
    id: registration.id,
    maxEpisodeSteps,
    rewardThreshold: registration.rewardThreshold,
    nondeterministic: registration.nondeterministic ?? false,
    orderEnforce: registration.orderEnforce ?? true,
    kwargs: { ...registration.kwargs, ...options.kwargs },
    description: registration.description,
  };
}

export function make<O = unknown, A = unknown>(id: string, options: MakeOptions = {}): Env<O, A> {
  const registration = lookup(id);
  const resolved = spec(id, options);
  if (resolved.maxEpisodeSteps !== undefined && (!Number.isInteger(resolved.maxEpisodeSteps) || resolved.maxEpisodeSteps <= 0)) {
    throw new ConfigError(`Expected maxEpisodeSteps to be a positive integer or null, but got ${resolved.maxEpisodeSteps}.`);
  }
  let env: Env<unknown, unknown> = registration.entryPoint(resolved.kwargs);
  env.spec = resolved;
  // OrderEnforcing goes outside TimeLimit so it sees the truncation TimeLimit adds (inside, it would let
  // step() run past the time limit without a reset).
  if (resolved.maxEpisodeSteps !== undefined) env = new TimeLimit(env, resolved.maxEpisodeSteps);
  if (resolved.orderEnforce) env = new OrderEnforcing(env);
  return env as Env<O, A>;
}

/**
 * Builds `numEnvs` copies of a registered env behind the VectorEnv contract: the env's own vectorized
 * implementation (`native`, when registered), members stepped in this thread (`sync`), or members in worker
 * threads (`async`). Each sync or async member is built with `make`, so it has TimeLimit and OrderEnforcing.
 */
export function makeVec(id: string, options: MakeVecOptions): VectorEnv {
  const registration = lookup(id);
  if (!Number.isInteger(options.numEnvs) || options.numEnvs <= 0) {
    throw new ConfigError(`Expected numEnvs to be a positive integer, but got ${options.numEnvs}.`);
  }
  const mode = options.vectorizationMode ?? 'native';
  if (mode !== 'native' && mode !== 'sync' && mode !== 'async') {
    throw new ConfigError(`Expected vectorizationMode native, sync or async, but got ${JSON.stringify(mode)}.`);
  }
  const memberOptions: MakeOptions = {};
  if (options.kwargs !== undefined) memberOptions.kwargs = options.kwargs;
  if (options.maxEpisodeSteps !== undefined) memberOptions.maxEpisodeSteps = options.maxEpisodeSteps;
  if (mode === 'native' && registration.vectorEntryPoint) {
    const resolved = spec(id, memberOptions);
    return registration.vectorEntryPoint(options.numEnvs, resolved.kwargs, resolved.maxEpisodeSteps);
  }
  if (mode === 'async') {
    return new AsyncVectorEnv(id, {
      ...memberOptions,
      numEnvs: options.numEnvs,
      numWorkers: options.numWorkers,
      registrationModules: options.registrationModules,
    });
  }
  return new SyncVectorEnv(Array.from({ length: options.numEnvs }, () => () => make(id, memberOptions)));
}
