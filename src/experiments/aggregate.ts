/**
 * Aggregate statistics over a results folder, following rliable (see rliable.ts for the definitions): per
 * configuration the mean, std, median and interquartile mean (IQM) of the final evaluation scores over
 * seeds, 95% stratified-bootstrap CIs for mean and IQM, normalized scores (Orchestrator-v0, or any env whose
 * runs evaluated the random and oracle baselines), learning curves over seeds, and between configurations
 * the probability of improvement (with its bootstrap CI) and Welch's t-test (stats.ts).
 *
 * Mean is the mean over tasks of the per-task means (one task per configuration unless `groupBy` pools
 * several configurations as tasks); std, median and IQM are over all runs.
 *
 * Every bootstrap draws from an `Rng` forked by the configuration's key, so a configuration's CIs depend
 * only on its own runs and the seed: merging shards or adding a configuration changes no other numbers.
 */
import { join } from 'node:path';
import { median as ssMedian } from 'simple-statistics';
import { ConfigError, describeValue } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { RunSummary } from './runner.js';
import { mean, normalizedScore, std, welchTTest } from '../core/stats.js';
import { checkBootstrap, iqm, probabilityOfImprovement, probabilityOfImprovementCI, stratifiedBootstrap, taskMean, type BootstrapOptions, type Interval } from './rliable.js';
import { canonicalJson } from './store.js';

export * from './rliable.js';
export * from './load-results.js';
import { compareStrings, isFiniteNumber, loadResults, type LoadedResults, type RunProblem, type RunRecord } from './load-results.js';


// ---------------------------------------------------------------------------------------------------------
// Grouping runs into configurations
// ---------------------------------------------------------------------------------------------------------

/**
 * The runs aggregated together. Without `groupBy` a group is one configuration (its seeds are its runs,
 * one task). With `groupBy`, configurations that agree on those axes form one group, and each distinct
 * remaining configuration is a task (stratum), as rliable aggregates one algorithm over many games.
 */
export interface RunGroup {
  key: string;
  label: string;
  experiment: string;
  /** The env id, or "mixed" when the group's tasks use different envs. */
  env: string;
  agent: string;
  rewardMode: string;
  /** The axes shared by every run of the group. */
  axes: Record<string, unknown>;
  /** Task key -> runs (sorted by seed); task keys sorted. */
  tasks: Map<string, RunRecord[]>;
}

export function groupRuns(runs: readonly RunRecord[], groupByAxes?: readonly string[]): RunGroup[] {
  const groupBy = groupByAxes && groupByAxes.length > 0 ? groupByAxes : undefined;
  const groups = new Map<string, { runs: RunRecord[]; axes: Record<string, unknown> }>();
  for (const run of runs) {
    const axes = groupBy ? Object.fromEntries(groupBy.filter((name) => name in run.axes).map((name) => [name, run.axes[name]])) : run.axes;
    const key = groupBy ? `${run.experiment}:${canonicalJson(axes)}` : run.configKey;
    const group = groups.get(key) ?? { runs: [], axes };
    group.runs.push(run);
    groups.set(key, group);
  }
  const result: RunGroup[] = [];
  for (const [key, { runs: members, axes }] of groups) {
    const tasks = new Map<string, RunRecord[]>();
    for (const run of members) {
      const taskKey = groupBy ? canonicalJson({ env: run.env, axes: omit(run.axes, groupBy) }) : '';
      tasks.set(taskKey, [...(tasks.get(taskKey) ?? []), run]);
    }
    for (const list of tasks.values()) list.sort((a, b) => a.seed - b.seed || compareStrings(a.runId, b.runId));
    const sortedTasks = new Map([...tasks].sort(([a], [b]) => compareStrings(a, b)));
    const first = members[0];
    const same = (pick: (run: RunRecord) => string) => (members.every((run) => pick(run) === pick(first)) ? pick(first) : 'mixed');
    result.push({ key, label: '', experiment: first.experiment, env: same((r) => r.env), agent: same((r) => r.agent), rewardMode: same((r) => r.rewardMode), axes, tasks: sortedTasks });
  }
  result.sort((a, b) => compareStrings(a.experiment, b.experiment) || compareAxes(a.axes, b.axes) || compareStrings(a.key, b.key));
  assignLabels(result);
  return result;
}

function omit(axes: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(axes).filter(([name]) => !names.includes(name)));
}

/** Orders configurations by their axis values in the sweep's axis order, numbers numerically, so tables read like the grid. */
function compareAxes(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const name of names) {
    const x = a[name];
    const y = b[name];
    if (typeof x === 'number' && typeof y === 'number') {
      if (x !== y) return x - y;
    } else {
      const order = compareStrings(canonicalJson(x) ?? '', canonicalJson(y) ?? '');
      if (order !== 0) return order;
    }
  }
  return 0;
}

/** Axis values in labels: 4 significant digits, so random-sweep draws read as 0.0003123, not 0.00031234567891. */
function labelValue(value: unknown): string {
  if (typeof value === 'number') return String(Number(value.toPrecision(4)));
  return typeof value === 'string' ? value : canonicalJson(value);
}

/**
 * Labels from the axis values, with each axis named by its last path segment when that is unambiguous
 * ("learningRate=0.0003" rather than "agent.learningRate=0.0003"), so labels fit tables and legends.
 */
function assignLabels(groups: RunGroup[]): void {
  const experiments = new Set(groups.map((g) => g.experiment));
  const names = [...new Set(groups.flatMap((g) => Object.keys(g.axes)))];
  const short = (name: string) => name.slice(name.lastIndexOf('.') + 1);
  const shortNames = new Map(names.map((name) => [name, names.filter((other) => short(other) === short(name)).length === 1 ? short(name) : name]));
  for (const group of groups) {
    const axes = Object.entries(group.axes).map(([name, value]) => `${shortNames.get(name)}=${labelValue(value)}`);
    const own = axes.length > 0 ? axes.join(', ') : group.agent === 'mixed' ? group.experiment : group.agent;
    group.label = experiments.size > 1 ? `${group.experiment}: ${own}` : own;
  }
  const counts = new Map<string, number>();
  for (const group of groups) counts.set(group.label, (counts.get(group.label) ?? 0) + 1);
  for (const group of groups) if ((counts.get(group.label) ?? 0) > 1) group.label = `${group.label} [${group.key}]`;
}

// ---------------------------------------------------------------------------------------------------------
// Per-group scores
// ---------------------------------------------------------------------------------------------------------

export type ScoreMetric = 'return' | 'normalized';
/** What one sample is: a run's mean evaluation score (a seed), or one evaluation episode. */
export type ScoreUnit = 'seed' | 'episode';

/** A run's normalized score: the runner's value, else recomputed from the random and oracle baselines. */
export function normalizedScoreOf(summary: RunSummary): number | null {
  if (typeof summary.normalizedScore === 'number') return summary.normalizedScore;
  return normalizedScore(summary.eval.meanReturn, summary.baselines.random?.meanReturn, summary.baselines.oracle?.meanReturn);
}

/**
 * The samples of a group per task, in task order, or null when some run lacks them (a normalized score
 * needs the random and oracle baselines; episode samples need the per-episode returns).
 */
export function groupScores(group: RunGroup, metric: ScoreMetric, unit: ScoreUnit = 'seed'): Map<string, number[]> | null {
  const result = new Map<string, number[]>();
  for (const [task, runs] of group.tasks) {
    const values: number[] = [];
    for (const run of runs) {
      const samples = runSamples(run.summary, metric, unit);
      if (samples === null) return null;
      values.push(...samples);
    }
    result.set(task, values);
  }
  return result;
}

function runSamples(summary: RunSummary, metric: ScoreMetric, unit: ScoreUnit): number[] | null {
  if (unit === 'seed') {
    const value = metric === 'return' ? summary.eval.meanReturn : normalizedScoreOf(summary);
    return value === null ? null : [value];
  }
  const returns = summary.eval.returns;
  if (returns.length === 0) return null;
  if (metric === 'return') return [...returns];
  const normalized = returns.map((r) => normalizedScore(r, summary.baselines.random?.meanReturn, summary.baselines.oracle?.meanReturn));
  return normalized.some((value) => value === null) ? null : (normalized as number[]);
}

// ---------------------------------------------------------------------------------------------------------
// The aggregate
// ---------------------------------------------------------------------------------------------------------

export interface AggregateOptions {
  /** Bootstrap resamples per interval (default 2000). */
  resamples?: number;
  /** CI coverage (default 0.95). */
  confidence?: number;
  /** Seed of the bootstrap Rng (default 0); reports reproduce to the bit for a given seed. */
  seed?: number | string;
  /** Axes that define a group; the other axes become tasks (strata). Default: one group per configuration. */
  groupBy?: string[];
  /** Which pairs of groups to compare: all pairs, each against the best (by IQM), or none. Default: all up to 8 groups, else best. */
  pairs?: 'all' | 'best' | 'none';
}

export interface ResolvedAggregateOptions {
  resamples: number;
  confidence: number;
  seed: number | string;
  groupBy: string[] | null;
  pairs: 'all' | 'best' | 'none';
}

export interface ScoreStats {
  /** Samples (runs, or episodes for unit "episode"). */
  n: number;
  tasks: number;
  mean: number;
  std: number;
  median: number;
  iqm: number;
  min: number;
  max: number;
  meanCI: Interval;
  iqmCI: Interval;
}

export interface CurvePoint {
  /** The mean step of the runs' evaluations at this point (see aggregateCurve). */
  step: number;
  /** Runs that reached this evaluation. */
  n: number;
  mean: number;
  low: number;
  high: number;
}

export interface ConfigurationAggregate {
  key: string;
  label: string;
  experiment: string;
  env: string;
  agent: string;
  rewardMode: string;
  axes: Record<string, unknown>;
  runIds: string[];
  seeds: number[];
  /** Final evaluation return over seeds. */
  return: ScoreStats;
  /** (return - random) / (oracle - random) over seeds, when every run has both baselines. */
  normalized: ScoreStats | null;
  /** Each baseline present in every run: its evaluation return over the same seeds. */
  baselines: Record<string, ScoreStats>;
  /** Evaluation metrics present in every run: mean and std over runs. */
  metrics: Record<string, { mean: number; std: number }>;
  /** Evaluation return during training, mean and CI over the runs evaluated at each step. */
  curve: CurvePoint[];
}

export interface PairComparison {
  a: string;
  b: string;
  aLabel: string;
  bLabel: string;
  metric: ScoreMetric;
  unit: ScoreUnit;
  /** Tasks both groups ran (the probability of improvement averages over them). */
  tasks: number;
  /** P(A > B): a random run of A beats a random run of B on the same task (ties count one half). */
  probabilityOfImprovement: number;
  probabilityOfImprovementCI: Interval;
  /** Mean of A minus mean of B (over the shared tasks). */
  meanDifference: number;
  iqmDifference: number;
  /** Welch's t-test on the pooled samples; null when a side has fewer than two. */
  welch: { t: number; df: number; pValue: number } | null;
}

export interface AggregateReport {
  options: ResolvedAggregateOptions;
  /** Finished runs aggregated. */
  runCount: number;
  duplicates: number;
  configurations: ConfigurationAggregate[];
  /** The score the comparisons use: normalized when every configuration has it, else return. */
  comparisonMetric: ScoreMetric;
  comparisons: PairComparison[];
  problems: RunProblem[];
}

export function resolveAggregateOptions(options: AggregateOptions = {}, groupCount = 0): ResolvedAggregateOptions {
  const resamples = options.resamples ?? 2000;
  const confidence = options.confidence ?? 0.95;
  checkBootstrap({ resamples, confidence });
  if (options.pairs !== undefined && !['all', 'best', 'none'].includes(options.pairs)) {
    throw new ConfigError(`Expected pairs to be all, best or none, but got ${describeValue(options.pairs)}.`);
  }
  return {
    resamples,
    confidence,
    seed: options.seed ?? 0,
    groupBy: options.groupBy && options.groupBy.length > 0 ? [...options.groupBy] : null,
    pairs: options.pairs ?? (groupCount <= 8 ? 'all' : 'best'),
  };
}

/** Loads `dirs` and aggregates them: the scriptable equal of `loopgym report`. */
export function aggregate(dirs: string | readonly string[], options: AggregateOptions = {}): AggregateReport {
  return aggregateResults(loadResults(dirs), options);
}

export function aggregateResults(loaded: LoadedResults, options: AggregateOptions = {}): AggregateReport {
  const axisNames = [...new Set(loaded.runs.flatMap((run) => Object.keys(run.axes)))];
  const unknown = (options.groupBy ?? []).filter((name) => !axisNames.includes(name));
  if (unknown.length > 0 && loaded.runs.length > 0) {
    throw new ConfigError(`Expected groupBy axes among the sweep axes (${axisNames.join(', ') || 'none'}), but got ${unknown.map((n) => JSON.stringify(n)).join(', ')}.`);
  }
  const groups = groupRuns(loaded.runs, options.groupBy);
  const resolved = resolveAggregateOptions(options, groups.length);
  const root = new Rng(resolved.seed);
  const configurations = groups.map((group) => aggregateGroup(group, resolved, root));
  const comparisonMetric: ScoreMetric = configurations.length > 0 && configurations.every((c) => c.normalized !== null) ? 'normalized' : 'return';
  return {
    options: resolved,
    runCount: loaded.runs.length,
    duplicates: loaded.duplicates,
    configurations,
    comparisonMetric,
    comparisons: comparePairs(groups, configurations, comparisonMetric, resolved, root),
    problems: loaded.problems,
  };
}

function bootstrapOptions(resolved: ResolvedAggregateOptions, rng: Rng): BootstrapOptions {
  return { resamples: resolved.resamples, confidence: resolved.confidence, rng };
}

/** Point statistics and bootstrap CIs of one stratified sample. */
export function scoreStats(strata: readonly (readonly number[])[], options: BootstrapOptions): ScoreStats {
  const pooled = strata.flat();
  const [meanCI, iqmCI] = stratifiedBootstrap(strata, [taskMean, (drawn) => iqm(drawn.flat())], options);
  return {
    n: pooled.length,
    tasks: strata.length,
    mean: taskMean(strata),
    std: std(pooled),
    median: ssMedian(pooled),
    iqm: iqm(pooled),
    min: Math.min(...pooled),
    max: Math.max(...pooled),
    meanCI,
    iqmCI,
  };
}

function aggregateGroup(group: RunGroup, resolved: ResolvedAggregateOptions, root: Rng): ConfigurationAggregate {
  const rng = (what: string) => root.fork(`${group.key}/${what}`);
  const runs = [...group.tasks.values()].flat();
  const stats = (metric: ScoreMetric) => {
    const scores = groupScores(group, metric);
    return scores ? scoreStats([...scores.values()], bootstrapOptions(resolved, rng(metric))) : null;
  };

  const baselines: Record<string, ScoreStats> = {};
  const baselineNames = [...new Set(runs.flatMap((run) => Object.keys(run.summary.baselines)))].sort(compareStrings);
  for (const name of baselineNames) {
    if (!runs.every((run) => run.summary.baselines[name] !== undefined)) continue;
    const strata = [...group.tasks.values()].map((taskRuns) => taskRuns.map((run) => run.summary.baselines[name].meanReturn));
    // Seeded by the data, not the configuration: configurations that saw the same baseline episodes get
    // the same intervals, so the report can show one baseline row for all of them.
    baselines[name] = scoreStats(strata, bootstrapOptions(resolved, root.fork(`baseline/${name}/${canonicalJson(strata)}`)));
  }

  const metrics: Record<string, { mean: number; std: number }> = {};
  const metricNames = [...new Set(runs.flatMap((run) => Object.keys(run.summary.eval.metrics ?? {})))].sort(compareStrings);
  for (const name of metricNames) {
    const values = runs.map((run) => run.summary.eval.metrics?.[name]);
    if (values.every(isFiniteNumber)) metrics[name] = { mean: mean(values), std: std(values) };
  }

  return {
    key: group.key,
    label: group.label,
    experiment: group.experiment,
    env: group.env,
    agent: group.agent,
    rewardMode: group.rewardMode,
    axes: group.axes,
    runIds: runs.map((run) => run.runId),
    seeds: runs.map((run) => run.seed),
    return: stats('return') as ScoreStats,
    normalized: stats('normalized'),
    baselines,
    metrics,
    curve: aggregateCurve(group, bootstrapOptions(resolved, rng('curve'))),
  };
}

/**
 * Learning curve over seeds. Runs are aligned by evaluation index, not by exact step: an evaluation fires
 * at the first update after its scheduled step, so seeds of one configuration evaluate a partial rollout or
 * episode apart (e.g. steps 1093 and 1040 for the schedule point 1000). Each point is the mean (over tasks)
 * of the runs' i-th evaluations, at the mean of their steps; a run with fewer evaluations leaves later
 * points with a smaller n.
 */
function aggregateCurve(group: RunGroup, options: BootstrapOptions): CurvePoint[] {
  const tasks = [...group.tasks.values()];
  const length = Math.max(0, ...tasks.flat().map((run) => run.summary.curve.length));
  const points: CurvePoint[] = [];
  for (let i = 0; i < length; i++) {
    const reached = tasks.map((runs) => runs.filter((run) => run.summary.curve.length > i)).filter((runs) => runs.length > 0);
    const strata = reached.map((runs) => runs.map((run) => run.summary.curve[i].meanReturn));
    const steps = reached.flat().map((run) => run.summary.curve[i].step);
    const [ci] = stratifiedBootstrap(strata, [taskMean], options);
    points.push({ step: Math.round(mean(steps)), n: steps.length, mean: taskMean(strata), low: ci.low, high: ci.high });
  }
  return points;
}

/**
 * Compares two stratified samples on the tasks both have: probability of improvement with its CI, mean and
 * IQM differences, Welch's t-test on the pooled samples. Null when no task is shared.
 */
export function compareSamples(
  a: Map<string, number[]>,
  b: Map<string, number[]>,
  options: BootstrapOptions,
): Omit<PairComparison, 'a' | 'b' | 'aLabel' | 'bLabel' | 'metric' | 'unit'> | null {
  const shared = [...a.keys()].filter((task) => b.has(task)).sort(compareStrings);
  if (shared.length === 0) return null;
  const x = shared.map((task) => a.get(task) as number[]);
  const y = shared.map((task) => b.get(task) as number[]);
  const pooledX = x.flat();
  const pooledY = y.flat();
  let welch: PairComparison['welch'] = null;
  if (pooledX.length >= 2 && pooledY.length >= 2) {
    const result = welchTTest(pooledX, pooledY);
    welch = { t: result.t, df: result.df, pValue: result.pValue };
  }
  return {
    tasks: shared.length,
    probabilityOfImprovement: probabilityOfImprovement(x, y),
    probabilityOfImprovementCI: probabilityOfImprovementCI(x, y, options),
    meanDifference: taskMean(x) - taskMean(y),
    iqmDifference: iqm(pooledX) - iqm(pooledY),
    welch,
  };
}

function comparePairs(groups: RunGroup[], configurations: ConfigurationAggregate[], metric: ScoreMetric, resolved: ResolvedAggregateOptions, root: Rng): PairComparison[] {
  if (resolved.pairs === 'none') return [];
  // Raw returns of different envs are on different scales; only normalized scores compare across envs.
  const comparable = (i: number, j: number) => metric === 'normalized' || configurations[i].env === configurations[j].env;
  const score = (i: number) => (metric === 'normalized' ? (configurations[i].normalized as ScoreStats).iqm : configurations[i].return.iqm);
  const pairs: [number, number][] = [];
  if (resolved.pairs === 'all') {
    for (let i = 0; i < groups.length; i++) for (let j = i + 1; j < groups.length; j++) if (comparable(i, j)) pairs.push([i, j]);
  } else {
    const bests = new Set<number>();
    for (let i = 0; i < groups.length; i++) {
      const rivals = groups.map((_, j) => j).filter((j) => comparable(i, j));
      bests.add(rivals.reduce((best, j) => (score(j) > score(best) ? j : best), rivals[0]));
    }
    for (const best of [...bests].sort((p, q) => p - q)) for (let j = 0; j < groups.length; j++) if (j !== best && comparable(best, j)) pairs.push([best, j]);
  }
  const result: PairComparison[] = [];
  for (const [i, j] of pairs) {
    const a = groupScores(groups[i], metric) as Map<string, number[]>;
    const b = groupScores(groups[j], metric) as Map<string, number[]>;
    const compared = compareSamples(a, b, bootstrapOptions(resolved, root.fork(`compare/${groups[i].key}/${groups[j].key}`)));
    if (compared) result.push({ a: groups[i].key, b: groups[j].key, aLabel: groups[i].label, bLabel: groups[j].label, metric, unit: 'seed', ...compared });
  }
  return result;
}
