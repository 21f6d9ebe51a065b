/**
 * `compareRuns(dirA, dirB)`: the statistical comparison `loopgym compare` prints. Each side is a results
 * folder (an experiment, a run, or several shard folders); configurations are matched by their sweep axes
 * (a side holding one configuration is compared with each of the other's), and each pair gets both sides' mean and IQM with CIs,
 * the probability of improvement P(A > B) with its CI, and Welch's t-test.
 *
 * The sample unit is the seed (one final score per training run) whenever both sides have at least two
 * runs; with fewer, training variance cannot be estimated and the comparison falls back to evaluation
 * episodes, which it says, since episode-level CIs describe evaluation noise only.
 */
import { ConfigError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import {
  compareSamples,
  groupRuns,
  groupScores,
  loadResults,
  resolveAggregateOptions,
  scoreStats,
  type AggregateOptions,
  type PairComparison,
  type ResolvedAggregateOptions,
  type RunGroup,
  type RunProblem,
  type ScoreMetric,
  type ScoreStats,
  type ScoreUnit,
} from './aggregate.js';
import { canonicalJson, toCsv } from './store.js';
import { formatInterval, formatPValue, formatValue, markdownTable, type ReportFormat } from './report.js';

export interface CompareOptions extends Omit<AggregateOptions, 'pairs'> {
  /** Sample unit; `auto` uses seeds when both sides have two or more runs, else episodes. */
  unit?: ScoreUnit | 'auto';
  /** Score; `auto` uses the normalized score when both sides have it, else the return. */
  metric?: ScoreMetric | 'auto';
}

export interface ComparedSide {
  key: string;
  label: string;
  env: string;
  axes: Record<string, unknown>;
  runs: number;
  stats: ScoreStats;
}

export type Verdict = 'A better' | 'B better' | 'no significant difference';

export interface ComparisonRow extends Omit<PairComparison, 'a' | 'b' | 'aLabel' | 'bLabel'> {
  a: ComparedSide;
  b: ComparedSide;
  /**
   * A or B better only when the evidence agrees: the CI of P(A > B) excludes 0.5 AND Welch's test (when it
   * can run: 2+ values a side) has p below 1 - confidence; otherwise no significant difference.
   */
  verdict: Verdict;
  /** The evidence behind the verdict, in words: the CI of P(A > B) and Welch's p. */
  evidence: string;
  notes: string[];
}

export interface RunComparison {
  a: { dirs: string[]; runCount: number; problems: RunProblem[] };
  b: { dirs: string[]; runCount: number; problems: RunProblem[] };
  options: Omit<ResolvedAggregateOptions, 'pairs'>;
  rows: ComparisonRow[];
  /** Configurations of one side with no counterpart on the other. */
  unmatchedA: string[];
  unmatchedB: string[];
}

export function compareRuns(dirA: string | readonly string[], dirB: string | readonly string[], options: CompareOptions = {}): RunComparison {
  const unit = options.unit ?? 'auto';
  const metric = options.metric ?? 'auto';
  if (!['auto', 'seed', 'episode'].includes(unit)) throw new ConfigError(`Expected unit auto, seed or episode, but got ${JSON.stringify(unit)}.`);
  if (!['auto', 'return', 'normalized'].includes(metric)) throw new ConfigError(`Expected metric auto, return or normalized, but got ${JSON.stringify(metric)}.`);
  const loadedA = loadResults(dirA);
  const loadedB = loadResults(dirB);
  const { pairs: _pairs, ...resolved } = resolveAggregateOptions(options);
  const groupsA = groupRuns(loadedA.runs, options.groupBy);
  const groupsB = groupRuns(loadedB.runs, options.groupBy);

  const matches: [RunGroup, RunGroup][] = [];
  const unmatchedA: string[] = [];
  const unmatchedB = new Set(groupsB);
  if (groupsA.length === 1 || groupsB.length === 1) {
    // One configuration on a side (e.g. a reference run): compare it with every configuration of the other.
    for (const a of groupsA) for (const b of groupsB) matches.push([a, b]);
    unmatchedB.clear();
  } else {
    for (const a of groupsA) {
      const b = [...unmatchedB].find((candidate) => canonicalJson(candidate.axes) === canonicalJson(a.axes));
      if (b) {
        matches.push([a, b]);
        unmatchedB.delete(b);
      } else unmatchedA.push(a.label);
    }
  }

  const root = new Rng(resolved.seed);
  const bootstrap = (label: string) => ({ resamples: resolved.resamples, confidence: resolved.confidence, rng: root.fork(label) });
  const rows: ComparisonRow[] = [];
  for (const [a, b] of matches) {
    const notes: string[] = [];
    const runsA = [...a.tasks.values()].flat().length;
    const runsB = [...b.tasks.values()].flat().length;
    let chosenUnit: ScoreUnit = unit === 'auto' ? (runsA >= 2 && runsB >= 2 ? 'seed' : 'episode') : unit;
    let chosenMetric: ScoreMetric = metric === 'auto' ? (groupScores(a, 'normalized', chosenUnit) && groupScores(b, 'normalized', chosenUnit) ? 'normalized' : 'return') : metric;
    let scoresA = groupScores(a, chosenMetric, chosenUnit);
    let scoresB = groupScores(b, chosenMetric, chosenUnit);
    if ((!scoresA || !scoresB) && chosenUnit === 'episode' && unit === 'auto') {
      chosenUnit = 'seed';
      notes.push('Per-episode returns are missing, so each run counts once.');
      if (metric === 'auto') chosenMetric = groupScores(a, 'normalized') && groupScores(b, 'normalized') ? 'normalized' : 'return';
      scoresA = groupScores(a, chosenMetric, chosenUnit);
      scoresB = groupScores(b, chosenMetric, chosenUnit);
    }
    if (!scoresA || !scoresB) {
      const what = chosenMetric === 'normalized' ? 'normalized scores (random and oracle baselines)' : 'per-episode returns';
      throw new ConfigError(`Expected ${what} in every run of ${a.label} and ${b.label}, but some runs lack them.`);
    }
    if (chosenUnit === 'episode') {
      const why = unit === 'auto' ? 'Fewer than two runs on a side: samples' : 'Samples';
      notes.push(`${why} are evaluation episodes, so the CIs show evaluation noise only, not seed-to-seed variance.`);
    }
    if (chosenMetric === 'return' && a.env !== b.env) notes.push(`A ran ${a.env} and B ran ${b.env}: raw returns are on different scales.`);
    const compared = compareSamples(scoresA, scoresB, bootstrap(`compare/${a.key}/${b.key}/${chosenMetric}/${chosenUnit}`));
    if (!compared) {
      // No task in common (only possible with groupBy): nothing to compare, say so.
      if (!unmatchedA.includes(a.label)) unmatchedA.push(a.label);
      unmatchedB.add(b);
      continue;
    }
    const side = (group: RunGroup, runs: number, scores: Map<string, number[]>, label: string): ComparedSide => ({
      key: group.key,
      label: group.label,
      env: group.env,
      axes: group.axes,
      runs,
      stats: scoreStats([...scores.values()], bootstrap(label)),
    });
    const ci = compared.probabilityOfImprovementCI;
    rows.push({
      ...compared,
      a: side(a, runsA, scoresA, `compare/a/${a.key}/${chosenMetric}/${chosenUnit}`),
      b: side(b, runsB, scoresB, `compare/b/${b.key}/${chosenMetric}/${chosenUnit}`),
      metric: chosenMetric,
      unit: chosenUnit,
      ...verdictOf(ci, compared.welch?.pValue ?? null, resolved.confidence),
      notes,
    });
  }

  const dirs = (d: string | readonly string[]) => (typeof d === 'string' ? [d] : [...d]);
  return {
    a: { dirs: dirs(dirA), runCount: loadedA.runs.length, problems: loadedA.problems },
    b: { dirs: dirs(dirB), runCount: loadedB.runs.length, problems: loadedB.problems },
    options: resolved,
    rows,
    unmatchedA,
    unmatchedB: [...unmatchedB].map((group) => group.label),
  };
}

function verdictOf(ci: { low: number; high: number }, welchP: number | null, confidence: number): { verdict: Verdict; evidence: string } {
  const alpha = 1 - confidence;
  const level = `${Number((confidence * 100).toPrecision(6))}%`;
  const poi = `P(A > B) ${level} CI [${ci.low.toFixed(3)}, ${ci.high.toFixed(3)}]`;
  const welch = welchP === null ? 'Welch test not possible (fewer than 2 values a side)' : `Welch p = ${welchP.toPrecision(3)}`;
  const evidence = `${poi}; ${welch}`;
  const significant = welchP === null || welchP < alpha;
  if (ci.low > 0.5 && significant) return { verdict: 'A better', evidence };
  if (ci.high < 0.5 && significant) return { verdict: 'B better', evidence };
  return { verdict: 'no significant difference', evidence };
}

/** The comparison as printed by `loopgym compare`: a markdown table with notes, JSON, or CSV. */
export function renderComparison(result: RunComparison, format: ReportFormat = 'md'): string {
  if (format === 'json') return `${JSON.stringify(result, null, 2)}\n`;
  if (format === 'csv') {
    const headers = ['a', 'b', 'metric', 'unit', 'tasks', 'a_n', 'b_n', 'a_mean', 'a_mean_low', 'a_mean_high', 'b_mean', 'b_mean_low', 'b_mean_high', 'a_iqm', 'a_iqm_low', 'a_iqm_high', 'b_iqm', 'b_iqm_low', 'b_iqm_high', 'mean_difference', 'iqm_difference', 'probability_of_improvement', 'poi_low', 'poi_high', 'welch_t', 'welch_df', 'welch_p', 'verdict'];
    const rows = result.rows.map((r) => [
      r.a.label, r.b.label, r.metric, r.unit, r.tasks, r.a.stats.n, r.b.stats.n,
      r.a.stats.mean, r.a.stats.meanCI.low, r.a.stats.meanCI.high, r.b.stats.mean, r.b.stats.meanCI.low, r.b.stats.meanCI.high,
      r.a.stats.iqm, r.a.stats.iqmCI.low, r.a.stats.iqmCI.high, r.b.stats.iqm, r.b.stats.iqmCI.low, r.b.stats.iqmCI.high,
      r.meanDifference, r.iqmDifference, r.probabilityOfImprovement, r.probabilityOfImprovementCI.low, r.probabilityOfImprovementCI.high,
      r.welch?.t ?? null, r.welch?.df ?? null, r.welch?.pValue ?? null, r.verdict,
    ]);
    return toCsv(headers, rows);
  }
  if (format !== 'md') throw new ConfigError(`Expected format md, json or csv, but got ${JSON.stringify(format)}.`);
  const ci = `${Number((result.options.confidence * 100).toPrecision(6))}% CI`;
  const lines = [`A: ${result.a.dirs.join(', ')} (${result.a.runCount} runs)`, `B: ${result.b.dirs.join(', ')} (${result.b.runCount} runs)`, ''];
  if (result.rows.length === 0) lines.push('No configurations to compare.');
  else {
    lines.push(
      markdownTable(
        ['A', 'B', 'Score', 'n A', 'n B', 'Mean A', 'Mean B', 'IQM A', ci, 'IQM B', ci, 'P(A > B)', ci, 'Welch t', 'p', 'Verdict'],
        result.rows.map((r) => [
          r.a.label,
          r.b.label,
          `${r.metric} per ${r.unit}`,
          String(r.a.stats.n),
          String(r.b.stats.n),
          formatValue(r.a.stats.mean),
          formatValue(r.b.stats.mean),
          formatValue(r.a.stats.iqm),
          formatInterval(r.a.stats.iqmCI),
          formatValue(r.b.stats.iqm),
          formatInterval(r.b.stats.iqmCI),
          formatValue(r.probabilityOfImprovement),
          formatInterval(r.probabilityOfImprovementCI),
          r.welch ? formatValue(r.welch.t) : '—',
          r.welch ? formatPValue(r.welch.pValue) : '—',
          `${r.verdict} (${r.evidence})`,
        ]),
      ),
    );
  }
  const notes = [...new Set(result.rows.flatMap((r) => r.notes))];
  if (result.unmatchedA.length > 0) notes.push(`Only in A: ${result.unmatchedA.join('; ')}.`);
  if (result.unmatchedB.length > 0) notes.push(`Only in B: ${result.unmatchedB.join('; ')}.`);
  for (const [side, problems] of [['A', result.a.problems], ['B', result.b.problems]] as const) {
    if (problems.length > 0) notes.push(`${side}: ${problems.length} run folder(s) not used: ${problems.map((p) => `${p.dir} (${p.state}: ${p.reason})`).join('; ')}.`);
  }
  if (notes.length > 0) lines.push('', ...notes.map((note) => `- ${note}`));
  return `${lines.join('\n')}\n`;
}
