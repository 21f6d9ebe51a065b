/**
 * `analyzeTraces(traces, options)`: what a history of task traces says, with intervals and support (the
 * pattern analysis of the learning-loop designs). Plain JSON out (`loopgym analyze` writes it as
 * report.json and report.md):
 *
 * - `bestWorkers`: per category, and per category x complexity band (low 1-2, mid 3, high 4-5), the
 *   architecture with the best success rate among those worked on at least `minSupport` tasks, its Wilson
 *   interval, the runner-up, and whether the lead is significant (one-sided two-proportion z-test at
 *   `confidence`).
 * - `failurePatterns`: conditions (category, architecture, complexity band, coordinated, retried, arrived in
 *   a burst, and the task's decision sequence such as `scanned>dispatched>requeued>dispatched`; alone and
 *   in pairs) before failures, stalls and SLA misses with support >= `minSupport`, their failure rate, lift
 *   over the overall failure rate and Wilson interval; strongest (lift x support) first.
 * - `opportunities`: categories where the policy's routing (its tasks' architecture mix) does worse than
 *   the best-supported architecture by more than `gainThreshold` (relative), with the expected gain in
 *   success rate and its interval.
 * - `coordination`: success with and without a reviewer, per complexity.
 * - `temporal`: success rate and latency by quarter of the workday (arrival tick); `bursts`: the same for
 *   tasks that arrived during an arrival burst and outside one, with Wilson intervals.
 */
import { z } from 'zod';
import { resolveConfig } from '../core/config-schema.js';
import { DataError } from '../core/errors.js';
import { mean, studentTQuantile, wilsonInterval } from '../core/stats.js';
import { isFinished, type FinishedTrace, type TaskTrace } from './trace-schema.js';

export const TraceAnalysisOptionsSchema = z.strictObject({
  minSupport: z.number().int().min(1).default(3).describe('Fewest tasks behind a pattern or a rate that is reported'),
  gainThreshold: z.number().min(0).default(0.15).describe('Relative success gain above which a routing difference is an opportunity'),
  confidence: z.number().gt(0).lt(1).default(0.95).describe('Coverage of every interval'),
  dayLength: z.number().int().positive().default(200).describe('Ticks in a workday (for the time-of-day split)'),
});
export type TraceAnalysisOptions = z.output<typeof TraceAnalysisOptionsSchema>;

export interface Rate {
  successes: number;
  trials: number;
  rate: number;
  low: number;
  high: number;
}

export interface BestWorker {
  category: string;
  band: 'all' | 'low' | 'mid' | 'high';
  best: Rate & { architecture: string };
  runnerUp: (Rate & { architecture: string }) | null;
  significant: boolean;
}

export interface FailurePattern {
  conditions: Record<string, string>;
  support: number;
  failureRate: number;
  low: number;
  high: number;
  lift: number;
}

export interface Opportunity {
  category: string;
  policyRate: number;
  bestArchitecture: string;
  bestRate: number;
  gain: number;
  gainLow: number;
  gainHigh: number;
  relativeGain: number;
  tasks: number;
}

export interface TraceAnalysis {
  format: 'loopgym.trace-analysis/1';
  /** Tasks that ended (what every rate is over). */
  tasks: number;
  /** Tasks still queued or in work when their episode was cut off. */
  unfinished: number;
  episodes: number;
  options: TraceAnalysisOptions;
  overall: Rate & { slaMetRate: number; meanLatency: number };
  bestWorkers: BestWorker[];
  failurePatterns: FailurePattern[];
  opportunities: Opportunity[];
  coordination: { complexity: number; coordinated: Rate; alone: Rate }[];
  temporal: { quarter: number; tasks: number; successRate: number; meanLatency: number }[];
  bursts: (Rate & { arrivedInBurst: boolean; meanLatency: number })[];
}

export function bandOf(complexity: number): 'low' | 'mid' | 'high' {
  return complexity <= 2 ? 'low' : complexity === 3 ? 'mid' : 'high';
}

const failed = (t: FinishedTrace) => t.outcome !== 'succeeded' || !t.slaMet;

export function analyzeTraces(all: readonly TaskTrace[], input: Partial<TraceAnalysisOptions> = {}): TraceAnalysis {
  const options = resolveConfig(TraceAnalysisOptionsSchema, input, 'analyzeTraces options');
  // Rates are over tasks that ended; those cut off unfinished at an episode's end are only counted.
  const traces = all.filter(isFinished);
  if (traces.length === 0) throw new DataError(`Expected task traces of finished tasks to analyze, but got none (${all.length} unfinished).`);
  const rate = (ts: readonly FinishedTrace[], success: (t: FinishedTrace) => boolean = (t) => t.outcome === 'succeeded'): Rate => {
    const successes = ts.filter(success).length;
    return { successes, trials: ts.length, ...wilsonInterval(successes, ts.length, options.confidence) };
  };
  const worked = traces.filter((t) => t.architecture !== '');
  const overall = rate(traces);
  return {
    format: 'loopgym.trace-analysis/1',
    tasks: traces.length,
    unfinished: all.length - traces.length,
    episodes: new Set(all.map((t) => `${t.episode}/${t.seed}`)).size,
    options,
    overall: { ...overall, slaMetRate: traces.filter((t) => t.slaMet).length / traces.length, meanLatency: mean(traces.map((t) => t.latency)) },
    bestWorkers: bestWorkers(worked, options, rate),
    failurePatterns: failurePatterns(traces, options),
    opportunities: opportunities(worked, options, rate),
    coordination: [1, 2, 3, 4, 5].flatMap((complexity) => {
      const ts = worked.filter((t) => t.complexity === complexity);
      const coordinated = ts.filter((t) => t.coordinated);
      const alone = ts.filter((t) => !t.coordinated);
      return coordinated.length >= options.minSupport && alone.length >= options.minSupport ? [{ complexity, coordinated: rate(coordinated), alone: rate(alone) }] : [];
    }),
    temporal: [0, 1, 2, 3].map((quarter) => {
      const ts = traces.filter((t) => Math.min(3, Math.floor((4 * (((t.arrivalTick % options.dayLength) + options.dayLength) % options.dayLength)) / options.dayLength)) === quarter);
      return { quarter, tasks: ts.length, successRate: ts.length ? ts.filter((t) => t.outcome === 'succeeded').length / ts.length : NaN, meanLatency: ts.length ? mean(ts.map((t) => t.latency)) : NaN };
    }),
    bursts: [true, false].map((arrivedInBurst) => {
      const ts = traces.filter((t) => t.arrivedInBurst === arrivedInBurst);
      return { arrivedInBurst, ...rate(ts), meanLatency: ts.length ? mean(ts.map((t) => t.latency)) : NaN };
    }),
  };
}

function groupBy<K>(traces: readonly FinishedTrace[], key: (t: FinishedTrace) => K): Map<K, FinishedTrace[]> {
  const groups = new Map<K, FinishedTrace[]>();
  for (const t of traces) {
    const k = key(t);
    const list = groups.get(k);
    if (list) list.push(t);
    else groups.set(k, [t]);
  }
  return groups;
}

function bestWorkers(worked: readonly FinishedTrace[], options: TraceAnalysisOptions, rate: (ts: readonly FinishedTrace[]) => Rate): BestWorker[] {
  const out: BestWorker[] = [];
  const rank = (category: string, band: BestWorker['band'], ts: readonly FinishedTrace[]) => {
    const ranked = [...groupBy(ts, (t) => t.architecture)]
      .filter(([, group]) => group.length >= options.minSupport)
      .map(([architecture, group]) => ({ architecture, ...rate(group) }))
      .sort((a, b) => b.rate - a.rate || b.trials - a.trials || a.architecture.localeCompare(b.architecture));
    if (ranked.length === 0) return;
    const [best, runnerUp] = ranked;
    out.push({ category, band, best, runnerUp: runnerUp ?? null, significant: runnerUp !== undefined && leadIsSignificant(best, runnerUp, options.confidence) });
  };
  for (const [category, ts] of [...groupBy(worked, (t) => t.category)].sort(([a], [b]) => a.localeCompare(b))) {
    rank(category, 'all', ts);
    for (const band of ['low', 'mid', 'high'] as const) rank(category, band, ts.filter((t) => bandOf(t.complexity) === band));
  }
  return out;
}

/** Two-proportion z-test (pooled), one-sided: is the best's rate above the runner-up's at `confidence`? */
function leadIsSignificant(best: Rate, runnerUp: Rate, confidence: number): boolean {
  const pooled = (best.successes + runnerUp.successes) / (best.trials + runnerUp.trials);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / best.trials + 1 / runnerUp.trials));
  if (se === 0) return false;
  return (best.rate - runnerUp.rate) / se > studentTQuantile(confidence, 1e9);
}

/** Condition values of a trace, by condition name. */
function conditionsOf(t: TaskTrace): Record<string, string> {
  return {
    category: t.category,
    architecture: t.architecture || '(none)',
    complexity: bandOf(t.complexity),
    coordinated: String(t.coordinated),
    retried: String(t.retries > 0),
    burst: String(t.arrivedInBurst),
    decisions: decisionSequence(t),
  };
}

/** The task's decisions as `scanned>dispatched>requeued>dispatched` (`(none)` when it had none). */
export function decisionSequence(t: TaskTrace): string {
  return t.decisions.length === 0 ? '(none)' : t.decisions.map((d) => d.type).join('>');
}

function failurePatterns(traces: readonly FinishedTrace[], options: TraceAnalysisOptions): FailurePattern[] {
  const baseRate = traces.filter(failed).length / traces.length;
  const counts = new Map<string, { conditions: Record<string, string>; support: number; failures: number }>();
  for (const t of traces) {
    const c = Object.entries(conditionsOf(t));
    const combos: [string, string][][] = c.map((entry) => [entry]);
    for (let i = 0; i < c.length; i++) for (let j = i + 1; j < c.length; j++) combos.push([c[i], c[j]]);
    for (const combo of combos) {
      const key = combo.map(([k, v]) => `${k}=${v}`).join('&');
      const entry = counts.get(key) ?? { conditions: Object.fromEntries(combo), support: 0, failures: 0 };
      entry.support++;
      if (failed(t)) entry.failures++;
      counts.set(key, entry);
    }
  }
  return [...counts.values()]
    .filter((p) => p.support >= options.minSupport && baseRate > 0)
    .map((p) => {
      const interval = wilsonInterval(p.failures, p.support, options.confidence);
      return { conditions: p.conditions, support: p.support, failureRate: interval.rate, low: interval.low, high: interval.high, lift: interval.rate / baseRate };
    })
    .filter((p) => p.lift > 1 && p.low > baseRate)
    .sort((a, b) => b.lift * Math.log(b.support) - a.lift * Math.log(a.support) || JSON.stringify(a.conditions).localeCompare(JSON.stringify(b.conditions)))
    .slice(0, 25);
}

function opportunities(worked: readonly FinishedTrace[], options: TraceAnalysisOptions, rate: (ts: readonly FinishedTrace[]) => Rate): Opportunity[] {
  const out: Opportunity[] = [];
  for (const [category, ts] of [...groupBy(worked, (t) => t.category)].sort(([a], [b]) => a.localeCompare(b))) {
    const supported = [...groupBy(ts, (t) => t.architecture)].filter(([, group]) => group.length >= options.minSupport).map(([architecture, group]) => ({ architecture, ...rate(group) }));
    if (supported.length === 0) continue;
    const best = supported.reduce((a, b) => (b.rate > a.rate ? b : a));
    const policy = rate(ts);
    const gain = best.rate - policy.rate;
    if (!(policy.rate > 0) || gain / policy.rate <= options.gainThreshold) continue;
    // Difference of two proportions (Newcombe's hybrid score interval from the two Wilson intervals).
    const gainLow = gain - Math.sqrt((best.rate - best.low) ** 2 + (policy.high - policy.rate) ** 2);
    const gainHigh = gain + Math.sqrt((best.high - best.rate) ** 2 + (policy.rate - policy.low) ** 2);
    out.push({ category, policyRate: policy.rate, bestArchitecture: best.architecture, bestRate: best.rate, gain, gainLow, gainHigh, relativeGain: gain / policy.rate, tasks: ts.length });
  }
  return out.sort((a, b) => b.gain * b.tasks - a.gain * a.tasks);
}
