/**
 * `pattern_router`: the designs' "adaptive decision engine" as a baseline. `learn()` plays the greedy
 * baseline on the run's env for `totalSteps` steps with a TraceRecorder and keeps, per category, the
 * architectures ranked by their traced success rate (at least `minSupport` tasks each): the routing table
 * `analyzeTraces`'s bestWorkers reports, in full. `act()` then scans the head task (its category decides), sends it to the best-ranked architecture with
 * a free worker (with a reviewer from `coordinateFrom`), and otherwise behaves like greedy (monitor overdue
 * work, optimize when degraded). A decision is a table lookup plus a pass over the workers.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ActOptions, Agent, LearnArgs, LearnResult } from '../core/agent.js';
import type { Env } from '../core/env.js';
import { resolveConfig } from '../core/config-schema.js';
import { ConfigError, DataError } from '../core/errors.js';
import { make } from '../core/registry.js';
import type { VectorEnv } from '../core/vector.js';
import { createBaseline } from '../../envs/orchestrator/baselines.js';
import { OrchestratorEnv } from '../../envs/orchestrator/env.js';
import { HEAD, TAIL, WORKER, read } from '../../envs/orchestrator/observation.js';
import { TraceRecorder } from './trace-recorder.js';
import { isFinished } from './trace-schema.js';

export const PatternRouterConfigSchema = z.strictObject({
  minSupport: z.number().int().min(1).default(3).describe('Fewest traced tasks behind an architecture ranked for a category'),
  coordinateFrom: z.number().int().min(1).max(6).default(4).describe('Send tasks of at least this complexity with a reviewer (6 = never)'),
  optimizeAbove: z.number().min(0).max(1).default(0.1).describe('Optimize in idle ticks above this degradation gauge, at once above twice it'),
  monitorEvery: z.number().int().min(1).default(4).describe('Ticks between idle-time monitors while work looks overdue'),
});
export type PatternRouterConfig = z.output<typeof PatternRouterConfigSchema>;

export class PatternRouter implements Agent<Float32Array, number> {
  readonly name = 'pattern_router';
  readonly config: PatternRouterConfig;
  /** Per category name: architectures, best first. */
  table: Record<string, string[]> = {};
  private readonly env: OrchestratorEnv;
  /** Per category index: worker slots, best first (derived from the table and the env's slots). */
  private ranked: number[][] = [];

  constructor(env: Env<unknown, unknown>, options: Record<string, unknown> = {}) {
    const inner = env.unwrapped;
    if (!(inner instanceof OrchestratorEnv)) throw new ConfigError(`Expected an Orchestrator env for pattern_router, but got ${inner.constructor.name}.`);
    this.env = inner;
    this.config = resolveConfig(PatternRouterConfigSchema, options, 'pattern_router');
    this.setTable({});
  }

  /** Plays greedy for `totalSteps` steps on a copy of the env, traced, and ranks architectures per category. */
  async learn(args: LearnArgs): Promise<LearnResult> {
    const spec = (args.env as Env<unknown, unknown> | VectorEnv).spec;
    const env = new TraceRecorder(make<Float32Array, number>(spec?.id ?? 'Orchestrator-v0', { kwargs: { ...(spec?.kwargs ?? {}), rewardMode: 'gold' } }));
    const greedy = createBaseline('greedy', env);
    let { obs, info } = env.reset({ seed: 0 });
    for (let step = 0; step < args.totalSteps; step++) {
      const result = env.step(greedy.act(obs, { mask: info.actionMask as Uint8Array }));
      ({ obs, info } = result.terminated || result.truncated ? env.reset() : result);
    }
    env.close();
    if (env.traces.length === 0) throw new DataError(`Expected finished tasks to learn routes from, but ${args.totalSteps} steps finished none.`);
    const table: Record<string, string[]> = {};
    for (const category of new Set(env.traces.map((t) => t.category))) {
      table[category] = rankArchitectures(env.traces.filter((t) => t.category === category && isFinished(t)), this.config.minSupport);
    }
    this.setTable(table);
    return { stepsDone: args.totalSteps, iterations: 0, stoppedEarly: false };
  }

  act(obs: Float32Array, options?: ActOptions): number {
    const env = this.env;
    const mask = options?.mask;
    if (!mask) throw new ConfigError('Expected options.mask (from info.actionMask), but got none.');
    const tail = env.tailObsOffset;
    const degradation = obs[tail + TAIL.degradationSignal];
    if (mask[env.optimizeAction] && degradation > 2 * this.config.optimizeAbove) return env.optimizeAction;
    if (read.headPresent(obs)) {
      if (!read.headScanned(obs) && mask[env.scanAction]) return env.scanAction;
      const coordinate = read.headComplexity(obs) >= this.config.coordinateFrom;
      const category = read.headScanned(obs) ? this.headCategory(obs) : -1;
      for (const w of category >= 0 ? this.ranked[category] : []) {
        const preferred = coordinate ? env.coordinateAction + w : env.dispatchAction + w;
        const other = coordinate ? env.dispatchAction + w : env.coordinateAction + w;
        if (mask[preferred]) return preferred;
        if (mask[other]) return other;
      }
      // No ranked worker is free (or the category is unknown): the best observed rate, as greedy does.
      let best = -1;
      for (let w = 0; w < env.numWorkers; w++) {
        if (!mask[env.dispatchAction + w]) continue;
        if (best < 0 || obs[env.workerObsOffset + WORKER.size * w + WORKER.headSuccessRate] > obs[env.workerObsOffset + WORKER.size * best + WORKER.headSuccessRate]) best = w;
      }
      if (best >= 0) return env.dispatchAction + best;
    }
    if (mask[env.monitorAction] && obs[tail + TAIL.overdueFraction] > 0 && read.ticksSinceMonitor(obs, tail) >= this.config.monitorEvery) return env.monitorAction;
    if (mask[env.optimizeAction] && degradation > this.config.optimizeAbove) return env.optimizeAction;
    return mask[env.monitorAction] ? env.monitorAction : env.optimizeAction;
  }

  async save(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'pattern-router.json'), JSON.stringify({ name: this.name, config: this.config, table: this.table }, null, 2));
  }

  async load(dir: string): Promise<void> {
    let saved: { name?: string; table?: Record<string, string[]> };
    try {
      saved = JSON.parse(await readFile(join(dir, 'pattern-router.json'), 'utf8'));
    } catch (error) {
      throw new DataError(`Expected a readable pattern-router.json in ${dir}, but reading it failed: ${(error as Error).message}`);
    }
    if (saved.name !== this.name || typeof saved.table !== 'object' || saved.table === null) throw new DataError(`Expected a saved pattern_router in ${dir}, but it holds something else.`);
    this.setTable(saved.table);
  }

  /** Category index of the scanned head task (its one-hot block). */
  private headCategory(obs: Float32Array): number {
    const n = this.env.categories.length;
    for (let c = 0; c < n; c++) if (obs[HEAD.category + c] === 1) return c;
    return -1;
  }

  private setTable(table: Record<string, string[]>): void {
    this.table = table;
    const slots = this.env.workerArchitectures;
    this.ranked = this.env.categories.map((category) => (table[category] ?? []).flatMap((architecture) => slots.flatMap((a, w) => (a === architecture ? [w] : []))));
  }
}

/** Architectures ranked by success rate among those with at least `minSupport` tasks. */
function rankArchitectures(traces: readonly { architecture: string; outcome: string }[], minSupport: number): string[] {
  const counts = new Map<string, { n: number; ok: number }>();
  for (const t of traces) {
    if (t.architecture === '') continue;
    const c = counts.get(t.architecture) ?? { n: 0, ok: 0 };
    c.n++;
    if (t.outcome === 'succeeded') c.ok++;
    counts.set(t.architecture, c);
  }
  return [...counts]
    .filter(([, c]) => c.n >= minSupport)
    .sort(([a, x], [b, y]) => y.ok / y.n - x.ok / x.n || a.localeCompare(b))
    .map(([architecture]) => architecture);
}
