/**
 * Fixed baseline policies for Orchestrator-v0 (and its drift variant) that read the env, implementing the
 * `Agent` contract (the fourth baseline, `random`, reads nothing of the env: it is the general agent in
 * agents/random.ts, registered as `random`):
 *
 * - `round_robin`: dispatches the head task to the next worker in turn, skipping full ones; never scans
 *   or coordinates; when nothing can be dispatched it alternates monitor and optimize.
 * - `greedy`: uses only what the observation shows: sends the head task to the free worker with the best
 *   observed success rate (on the task's domain when scanned; coordinating scanned complex tasks). It
 *   spends no dispatch tick on scanning (a scan costs more than it reveals to this router, see the
 *   ablation figures); in ticks where it cannot dispatch it monitors when some in-flight work looks
 *   overdue, scans, or optimizes when the degradation gauge reads high (at once when very high).
 * - `oracle`: the same loop with the hidden truth (`env.hidden()`): monitors exactly when a hung task
 *   exists, optimizes on the true degradation, and routes by the true success probability against
 *   expected cost. It sees tasks only once scanned, like everyone (unscanned, it knows only each
 *   worker's category-average skill). An upper reference, not an optimal policy: it plans one task
 *   at a time and never waits for a busy better worker.
 *
 * Baselines do not learn: `learn` returns at once, `save`/`load` keep their options in baseline.json.
 * Their options (and defaults) are the schemas of baseline-config.ts.
 */
import type { z } from 'zod';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActOptions, Agent, LearnArgs, LearnResult } from '../../src/core/agent.js';
import type { Env } from '../../src/core/env.js';
import { ConfigError, DataError } from '../../src/core/errors.js';
import { resolveConfig } from '../../src/core/config-schema.js';
import { OrchestratorEnv } from './env.js';
import {
  GreedyBaselineConfigSchema,
  OracleBaselineConfigSchema,
  RoundRobinBaselineConfigSchema,
  type BaselineOptions,
  type GreedyBaselineConfig,
  type OracleBaselineConfig,
  type RoundRobinBaselineConfig,
} from './baseline-config.js';
import { read, TAIL, WORKER } from './observation.js';

export type { BaselineOptions } from './baseline-config.js';

/** The baselines a comparison on this env runs: `random` (agents/random.ts) and the ones built here. */
export const BASELINE_NAMES = ['random', 'round_robin', 'greedy', 'oracle'] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];
/** The baselines that read the Orchestrator env, built by `createBaseline`. */
export const ORCHESTRATOR_BASELINE_NAMES = ['round_robin', 'greedy', 'oracle'] as const;

function orchestratorOf(env: Env<unknown, unknown>): OrchestratorEnv {
  const inner = env.unwrapped;
  if (!(inner instanceof OrchestratorEnv)) throw new ConfigError(`Expected an Orchestrator env for this baseline, but got ${inner?.constructor?.name}.`);
  return inner;
}

abstract class BaselineBase<C extends object> implements Agent<Float32Array, number> {
  abstract readonly name: BaselineName;
  /** The options resolved against the baseline's schema (what `act` reads). */
  protected config: C;

  /** `options` is kept as given (baseline.json holds it); `config` is it resolved against the class's `schema`. */
  constructor(protected readonly options: BaselineOptions) {
    this.config = this.resolve(options);
  }

  /** Resolves options against the subclass's static `schema` (named by its static `label`). */
  private resolve(options: BaselineOptions): C {
    const type = this.constructor as unknown as { schema: z.ZodType<C>; label: string };
    return resolveConfig(type.schema, options, type.label);
  }

  async learn(_args: LearnArgs): Promise<LearnResult> {
    return { stepsDone: 0, iterations: 0, stoppedEarly: false };
  }

  abstract act(obs: Float32Array, options?: ActOptions): number;

  async save(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'baseline.json'), JSON.stringify({ name: this.name, options: this.options }, null, 2));
  }

  async load(dir: string): Promise<void> {
    let saved: { name?: string; options?: BaselineOptions };
    try {
      saved = JSON.parse(await readFile(join(dir, 'baseline.json'), 'utf8'));
    } catch (error) {
      throw new DataError(`Expected a readable baseline.json in ${dir}, but reading it failed: ${(error as Error).message}`);
    }
    if (saved.name !== this.name) throw new DataError(`Expected a saved ${this.name} baseline, but ${dir} holds ${JSON.stringify(saved.name)}.`);
    Object.assign(this.options, saved.options ?? {});
    this.config = this.resolve(this.options);
  }
}

/** A baseline that reads the Orchestrator env it plays (its action layout, and for the oracle its hidden state). */
abstract class OrchestratorBaseline<C extends object> extends BaselineBase<C> {
  protected readonly env: OrchestratorEnv;

  constructor(env: Env<unknown, unknown>, options: BaselineOptions = {}) {
    super(options);
    this.env = orchestratorOf(env);
  }

  /** The action mask `act` was given, checked against this env's actions. */
  protected maskOf(options: ActOptions | undefined): Uint8Array {
    return requireMask(options, this.env.actionNames.length);
  }
}

function requireMask(options: ActOptions | undefined, n: number): Uint8Array {
  const mask = options?.mask;
  if (!mask || mask.length !== n) {
    throw new ConfigError(`Expected options.mask (Uint8Array(${n}), from info.actionMask), but got ${mask ? `length ${mask.length}` : 'none'}.`);
  }
  return mask;
}

/** The first allowed action among `preferred`, else the first allowed action at all. */
function fallback(mask: Uint8Array, ...preferred: number[]): number {
  for (const a of preferred) if (mask[a]) return a;
  for (let a = 0; a < mask.length; a++) if (mask[a]) return a;
  return 0;
}

export class RoundRobinBaseline extends OrchestratorBaseline<RoundRobinBaselineConfig> {
  readonly name = 'round_robin' as const;
  private next = 0;
  private idleFlip = 0;

  static readonly schema = RoundRobinBaselineConfigSchema;
  static readonly label = 'round_robin';

  act(_obs: Float32Array, options?: ActOptions): number {
    const { env } = this;
    const mask = this.maskOf(options);
    const n = env.numWorkers;
    for (let i = 0; i < n; i++) {
      const w = (this.next + i) % n;
      if (mask[env.dispatchAction + w]) {
        this.next = (w + 1) % n;
        return env.dispatchAction + w;
      }
    }
    this.idleFlip ^= 1;
    return this.idleFlip ? fallback(mask, env.monitorAction, env.optimizeAction) : fallback(mask, env.optimizeAction, env.monitorAction);
  }
}

export class GreedyBaseline extends OrchestratorBaseline<GreedyBaselineConfig> {
  readonly name = 'greedy' as const;

  static readonly schema = GreedyBaselineConfigSchema;
  static readonly label = 'greedy';

  act(obs: Float32Array, options?: ActOptions): number {
    const { env } = this;
    const mask = this.maskOf(options);
    const n = env.numWorkers;
    const tail = env.tailObsOffset;
    const degradation = obs[tail + TAIL.degradationSignal];
    // Maintenance waits for idle ticks unless degradation is already severe.
    if (mask[env.optimizeAction] && degradation > 2 * this.config.optimizeAbove) return env.optimizeAction;
    if (read.headPresent(obs)) {
      // A scan costs a dispatch tick, which only a long queue repays; otherwise the head goes out blind.
      const queued = read.queuedTasks(obs);
      if (!read.headScanned(obs) && mask[env.scanAction] && queued >= (this.config.scanFrom ?? Infinity)) return env.scanAction;
      const complex = read.headComplexity(obs) >= this.config.coordinateFrom;
      let best = -1;
      let bestRate = -1;
      for (let w = 0; w < n; w++) {
        const can = mask[env.dispatchAction + w] || mask[env.coordinateAction + w];
        const rate = obs[env.workerObsOffset + WORKER.size * w + WORKER.headSuccessRate];
        if (can && rate > bestRate) {
          best = w;
          bestRate = rate;
        }
      }
      if (best >= 0) {
        const coordinate = env.coordinateAction + best;
        const dispatch = env.dispatchAction + best;
        return complex ? fallback(mask, coordinate, dispatch) : fallback(mask, dispatch, coordinate);
      }
    }
    const monitorEvery = this.config.monitorEvery;
    if (mask[env.monitorAction] && obs[tail + TAIL.overdueFraction] > 0 && read.ticksSinceMonitor(obs, tail) >= monitorEvery) return env.monitorAction;
    // Every worker is busy: scanning now costs nothing.
    if (read.headPresent(obs) && !read.headScanned(obs) && mask[env.scanAction]) return env.scanAction;
    if (mask[env.optimizeAction] && degradation > this.config.optimizeAbove) return env.optimizeAction;
    return fallback(mask, env.monitorAction, env.optimizeAction);
  }
}

export class OracleBaseline extends OrchestratorBaseline<OracleBaselineConfig> {
  readonly name = 'oracle' as const;

  static readonly schema = OracleBaselineConfigSchema;
  static readonly label = 'oracle';

  act(obs: Float32Array, options?: ActOptions): number {
    const { env } = this;
    const mask = this.maskOf(options);
    const n = env.numWorkers;
    const hidden = env.hidden();
    const weights = env.config.rewardWeights;
    if (hidden.hungTasks >= this.config.monitorFrom && mask[env.monitorAction]) return env.monitorAction;
    if (hidden.degradation > this.config.optimizeAbove && mask[env.optimizeAction]) return env.optimizeAction;
    if (read.headPresent(obs)) {
      if (!read.headScanned(obs) && mask[env.scanAction]) return env.scanAction;
      const priority = read.headPriority(obs);
      const coordinateFrom = this.config.coordinateFrom;
      const capacityCharge = this.config.capacityCharge;
      const complexity = read.headComplexity(obs);
      let best = -1;
      let bestValue = -Infinity;
      for (let w = 0; w < n; w++) {
        for (let units = 1; units <= 2; units++) {
          const action = units === 1 ? env.dispatchAction + w : env.coordinateAction + w;
          if (!mask[action] || (units === 2 && complexity < coordinateFrom && mask[env.dispatchAction + w])) continue;
          const p = hidden.headSuccessProbability(w, units === 2);
          const duration = hidden.headExpectedDuration(w, units === 2);
          // Success value plus the satisfaction swing between success (~0.8) and failure (~0.15), minus money
          // and a charge for the capacity the task will hold.
          const value =
            p * (priority * weights.success + 0.65 * weights.satisfaction) -
            (weights.cost * hidden.company.cost[w] + capacityCharge) * units * duration;
          if (value > bestValue) {
            bestValue = value;
            best = action;
          }
        }
      }
      if (best >= 0) return best;
    }
    if (hidden.degradation > 0.05 && mask[env.optimizeAction]) return env.optimizeAction;
    return fallback(mask, env.monitorAction, env.optimizeAction);
  }
}

/**
 * Builds a baseline that reads this env, by name (wrappers allowed: the baselines read `env.unwrapped`).
 * `random` is not one of them: build it with `createAgent('random', ...)` (agents/).
 */
export function createBaseline(name: string, env: Env<unknown, unknown>, options: BaselineOptions = {}): Agent<Float32Array, number> {
  switch (name) {
    case 'round_robin':
      return new RoundRobinBaseline(env, options);
    case 'greedy':
      return new GreedyBaseline(env, options);
    case 'oracle':
      return new OracleBaseline(env, options);
    default: {
      const hint = name === 'random' ? ' The random baseline reads nothing of the env: it is the general agent in agents/random.ts, built by the agent registry (createAgent; for evaluateBaselines pass createAgent: createBaselineAgent).' : '';
      throw new ConfigError(`Expected an Orchestrator baseline name (${ORCHESTRATOR_BASELINE_NAMES.join(', ')}), but got ${JSON.stringify(name)}.${hint}`);
    }
  }
}
