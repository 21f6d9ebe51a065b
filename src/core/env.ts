/**
 * The environment contract, as in Gymnasium 1.x: named fields instead of tuples, `terminated` for the end
 * of the MDP and `truncated` for a cut from outside (the TimeLimit wrapper). Envs never truncate for time
 * themselves.
 */
import { Rng } from './rng.js';
import type { Space } from './spaces.js';

export type Info = Record<string, unknown>;

export interface ResetArgs {
  /** Reseeds the env's generator. Without it the generator keeps going (the first reset seeds with 0). */
  seed?: number;
  options?: Record<string, unknown>;
}

export interface ResetResult<O> {
  obs: O;
  info: Info;
}

/**
 * One transition. The object belongs to the caller: wrappers may set fields on the one they receive
 * from the env they wrap, and envs build a new one every step.
 */
export interface StepResult<O> {
  obs: O;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: Info;
}

export interface EnvMetadata {
  renderModes: readonly string[];
  [key: string]: unknown;
}

/** What the registry knows about an env; `make` attaches it to the env it builds. */
export interface EnvSpec {
  id: string;
  maxEpisodeSteps?: number;
  rewardThreshold?: number;
  nondeterministic?: boolean;
  orderEnforce?: boolean;
  kwargs: Record<string, unknown>;
  description?: string;
}

export interface Env<O = unknown, A = unknown> {
  readonly observationSpace: Space<O>;
  readonly actionSpace: Space<A>;
  readonly metadata: EnvMetadata;
  spec?: EnvSpec;
  reset(args?: ResetArgs): ResetResult<O>;
  step(action: A): StepResult<O>;
  render?(mode?: 'ansi'): string;
  close(): void;
  /** The innermost env, below every wrapper. */
  readonly unwrapped: Env<unknown, unknown>;
  /** Documented attributes an env may have; every Wrapper forwards them, so `make(id).observationLabels` works. */
  readonly observationLabels?: readonly string[];
  readonly actionNames?: readonly string[];
}

/** The default seed of an env whose first reset has none: results reproduce even when nobody seeds. */
export const DEFAULT_SEED = 0;

/**
 * A base class for envs: it owns the env's one generator, `this.rng`, rebuilt only when `reset` gets a
 * seed. A subclass's `reset` calls `this.reseed(args.seed)` before it draws anything.
 */
export abstract class BaseEnv<O, A> implements Env<O, A> {
  abstract readonly observationSpace: Space<O>;
  abstract readonly actionSpace: Space<A>;
  readonly metadata: EnvMetadata = { renderModes: [] };
  spec?: EnvSpec;
  protected rng: Rng = new Rng(DEFAULT_SEED);

  /** Rebuilds the generator from `seed`; with no seed the current stream goes on. */
  protected reseed(seed: number | undefined): void {
    if (seed !== undefined) this.rng = new Rng(seed);
  }

  abstract reset(args?: ResetArgs): ResetResult<O>;
  abstract step(action: A): StepResult<O>;

  close(): void {}

  get unwrapped(): Env<unknown, unknown> {
    return this as unknown as Env<unknown, unknown>;
  }
}

/**
 * A wrapper forwards everything to the env it wraps; subclasses override one thing each (observation,
 * action or reward), as Gymnasium's wrappers do.
 */
export class Wrapper<O = unknown, A = unknown, InnerO = O, InnerA = A> implements Env<O, A> {
  constructor(readonly env: Env<InnerO, InnerA>) {}

  get observationSpace(): Space<O> {
    return this.env.observationSpace as unknown as Space<O>;
  }

  get actionSpace(): Space<A> {
    return this.env.actionSpace as unknown as Space<A>;
  }

  get metadata(): EnvMetadata {
    return this.env.metadata;
  }

  get spec(): EnvSpec | undefined {
    return this.env.spec;
  }

  set spec(value: EnvSpec | undefined) {
    this.env.spec = value;
  }

  reset(args?: ResetArgs): ResetResult<O> {
    return this.env.reset(args) as unknown as ResetResult<O>;
  }

  step(action: A): StepResult<O> {
    return this.env.step(action as unknown as InnerA) as unknown as StepResult<O>;
  }

  render(mode?: 'ansi'): string {
    if (!this.env.render) return '';
    return this.env.render(mode);
  }

  close(): void {
    this.env.close();
  }

  get unwrapped(): Env<unknown, unknown> {
    return this.env.unwrapped;
  }

  /** The wrapped env's observation labels (wrappers keep each entry's meaning), if it has them. */
  get observationLabels(): readonly string[] | undefined {
    return this.env.observationLabels;
  }

  /** The wrapped env's action names, if it has them. */
  get actionNames(): readonly string[] | undefined {
    return this.env.actionNames;
  }

  /** The first wrapper (or env) in the chain that is an instance of `kind`, or undefined. */
  findWrapper<W>(kind: abstract new (...args: never[]) => W): W | undefined {
    return findInChain(this, kind);
  }
}

export function findInChain<W>(env: Env<unknown, unknown>, kind: abstract new (...args: never[]) => W): W | undefined {
  let current: Env<unknown, unknown> | undefined = env;
  while (current) {
    if (current instanceof kind) return current as W;
    current = current instanceof Wrapper ? (current.env as Env<unknown, unknown>) : undefined;
  }
  return undefined;
}
