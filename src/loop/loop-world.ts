/**
 * The world of one replicate of a learning loop: one company (the hidden worker parameters of
 * Orchestrator-v0) that persists and evolves across iterations, the env kwargs of each iteration, and the
 * seeds of every workday. Everything is forked by label from the loop seed and the replicate index, never
 * from an arm's actions, so every arm of a replicate meets the very same worlds and workdays (paired).
 *
 * Iteration 0's company is the one `reset({seed})` draws for a seed of the replicate. Between iterations
 * k-1 and k, every (worker, category) success logit takes an N(0, `world.skillDrift`) step; the schedule's
 * events at iteration k then apply in spec order: `kwargs` merges env kwargs (same shapes), `skill-shift`
 * moves every logit by N(0, scale) once, `swap-worker` puts a worker of another architecture in a slot
 * with hidden parameters drawn anew (its action names keep the slot's index).
 */
import { createHash } from 'node:crypto';
import { Rng } from '../core/rng.js';
import { make } from '../core/registry.js';
import type { Env } from '../core/env.js';
import type { VectorEnv } from '../core/vector.js';
import { ConfigError } from '../core/errors.js';
import { copyCompany, type Company } from '../../envs/orchestrator/world.js';
import { OrchestratorEnv } from '../../envs/orchestrator/env.js';
import { canonicalJson } from '../experiments/store.js';
import type { LoopSpec } from './loop-spec.js';

/** The world of one iteration. */
export interface IterationWorld {
  iteration: number;
  kwargs: Record<string, unknown>;
  company: Company;
  /** sha256 of the kwargs and the company's parameters (worldHash). */
  hash: string;
  /** sha256 of the company alone (hashCompany): what every arm's env must serve this iteration. */
  companyHash: string;
}

export type DayPurpose = 'deploy' | 'shadow' | 'train' | 'scratch';

const SEED_RANGE = 2 ** 30;

export class LoopWorld {
  readonly replicate: number;
  private readonly spec: LoopSpec;
  private readonly root: Rng;
  private readonly worlds: IterationWorld[] = [];

  constructor(spec: LoopSpec, replicate: number) {
    this.spec = spec;
    this.replicate = replicate;
    this.root = new Rng(spec.seed).fork(`loop/replicate/${replicate}`);
  }

  /** The world of iteration k (computed once, in order). */
  at(iteration: number): IterationWorld {
    if (!Number.isInteger(iteration) || iteration < 0 || iteration >= this.spec.iterations) {
      throw new ConfigError(`Expected an iteration in 0..${this.spec.iterations - 1}, but got ${iteration}.`);
    }
    while (this.worlds.length <= iteration) this.worlds.push(this.next(this.worlds.length));
    return this.worlds[iteration];
  }

  /**
   * The seed of the first of `count` consecutive workdays of iteration k for a purpose (deployment days,
   * the gate's shadow days, training days); day d is reset with seed + d.
   */
  seedOf(iteration: number, purpose: DayPurpose): number {
    return this.root.fork(`iteration/${iteration}/${purpose}`).integer(0, SEED_RANGE);
  }

  /** A seed for an agent created at iteration k (its network initialization and sampling). */
  agentSeed(iteration: number, role: string): number {
    return this.root.fork(`iteration/${iteration}/agent/${role}`).integer(0, SEED_RANGE);
  }

  /** A single env of iteration k serving its company, scoring the gold reward. */
  makeEnv(iteration: number): Env<Float32Array, number> {
    const world = this.at(iteration);
    const env = make<Float32Array, number>(this.spec.world.env, { kwargs: { ...world.kwargs, rewardMode: 'gold' } });
    orchestratorOf(env).pinCompany(world.company);
    return env;
  }

  /** Pins iteration k's company in every member of a vector env built with `kwargsFor(k)`. */
  pinVector(venv: VectorEnv, iteration: number): void {
    const members = (venv as unknown as { envs?: readonly Env<unknown, unknown>[] }).envs;
    if (!members) throw new ConfigError('Expected a vector env with member envs (native or sync vectorization), but got one without.');
    for (const member of members) orchestratorOf(member).pinCompany(this.at(iteration).company);
  }

  private next(iteration: number): IterationWorld {
    const spec = this.spec;
    let kwargs: Record<string, unknown>;
    let company: Company;
    if (iteration === 0) {
      kwargs = { ...spec.world.kwargs };
      company = drawCompany(spec.world.env, kwargs, this.root.fork('company').integer(0, SEED_RANGE));
    } else {
      const previous = this.worlds[iteration - 1];
      kwargs = { ...previous.kwargs };
      company = copyCompany(previous.company);
      if (spec.world.skillDrift > 0) shiftLogits(company, this.root.fork(`drift/${iteration}`), spec.world.skillDrift);
    }
    spec.world.schedule.forEach((event, index) => {
      if (event.iteration !== iteration) return;
      const rng = this.root.fork(`event/${index}`);
      if (event.kind === 'kwargs') {
        kwargs = { ...kwargs, ...event.kwargs };
        const shaped = drawCompany(spec.world.env, kwargs, 0);
        if (shaped.numWorkers !== company.numWorkers || shaped.numCategories !== company.numCategories) {
          throw new ConfigError(
            `world.schedule[${index}].kwargs: Expected kwargs that keep ${company.numWorkers} workers x ${company.numCategories} categories (the policy's observation shape), but they give ${shaped.numWorkers} x ${shaped.numCategories}.`,
          );
        }
      } else if (event.kind === 'skill-shift') {
        shiftLogits(company, rng, event.scale);
      } else {
        const workers = [...workerList(spec.world.env, kwargs)];
        workers[event.slot] = event.architecture;
        kwargs = { ...kwargs, workers };
        const fresh = drawCompany(spec.world.env, kwargs, rng.integer(0, SEED_RANGE));
        replaceWorker(company, fresh, event.slot);
      }
    });
    return { iteration, kwargs, company, hash: worldHash(kwargs, company), companyHash: hashCompany(company) };
  }
}

function orchestratorOf(env: Env<unknown, unknown>): OrchestratorEnv {
  const inner = env.unwrapped;
  if (!(inner instanceof OrchestratorEnv)) throw new ConfigError(`Expected an Orchestrator env in a learning loop, but got ${inner.constructor.name}.`);
  return inner;
}

/** The company `reset({seed})` draws for an env of these kwargs. */
function drawCompany(envId: string, kwargs: Record<string, unknown>, seed: number): Company {
  const env = make(envId, { kwargs });
  try {
    env.reset({ seed });
    return copyCompany(orchestratorOf(env).hidden().company);
  } finally {
    env.close();
  }
}

function workerList(envId: string, kwargs: Record<string, unknown>): readonly string[] {
  const env = make(envId, { kwargs });
  try {
    return orchestratorOf(env).workerArchitectures;
  } finally {
    env.close();
  }
}

function shiftLogits(company: Company, rng: Rng, scale: number): void {
  for (let i = 0; i < company.logit.length; i++) company.logit[i] += rng.normal(0, scale);
}

function replaceWorker(company: Company, fresh: Company, slot: number): void {
  const c = company.numCategories;
  company.logit.set(fresh.logit.subarray(slot * c, slot * c + c), slot * c);
  for (const key of ['slope', 'slowness', 'cost', 'quality', 'creativity', 'capacity'] as const) company[key][slot] = fresh[key][slot];
}

/** sha256 of the kwargs and the company's parameters. */
export function worldHash(kwargs: Record<string, unknown>, company: Company): string {
  return hashCompany(company, canonicalJson(kwargs));
}

/** sha256 of a company's parameters (what an arm's env serves), after an optional prefix. */
export function hashCompany(company: Company, prefix = ''): string {
  const hash = createHash('sha256');
  hash.update(prefix);
  for (const key of ['logit', 'slope', 'slowness', 'cost', 'capacity', 'quality', 'creativity'] as const) {
    const array = company[key];
    hash.update(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  }
  return hash.digest('hex');
}
