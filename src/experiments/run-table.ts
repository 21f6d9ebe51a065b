/**
 * The per-seed table: one row per run (gold return, proxy return, success, latency, cost, normalized
 * score, reward-model Spearman), then each baseline averaged over those runs' evaluation episodes. The CLI
 * prints it after `train`/`sweep` and report.md repeats it, so the file carries what the terminal showed.
 * Columns that no row fills (e.g. proxy return without a learned reward, or the orchestrator's metrics on
 * CartPole) are left out.
 */
import { normalizedScore } from '../core/stats.js';
import type { EvaluationSummary, RunSummary } from './runner.js';

export interface RunTableRun {
  /** The configuration's name (its sweep values, or the agent). */
  label: string;
  summary: RunSummary;
}

export interface RunTable {
  headers: string[];
  rows: (string | number | null)[][];
}

interface Column {
  header: string;
  run: (summary: RunSummary) => number | null | undefined;
  /** A baseline's value from its evaluations in each run; undefined where the column has no baseline value. */
  baseline?: (evaluations: EvaluationSummary[], bounds: { random: number; oracle: number } | null) => number | null | undefined;
}

const averageOf = (values: (number | undefined)[]): number | null => {
  const present = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return present.length === 0 ? null : present.reduce((a, b) => a + b, 0) / present.length;
};
const metric = (name: string): Pick<Column, 'run' | 'baseline'> => ({
  run: (s) => s.eval.metrics[name],
  baseline: (evaluations) => averageOf(evaluations.map((e) => e.metrics[name])),
});

const COLUMNS: Column[] = [
  { header: 'gold return', run: (s) => s.eval.meanReturn, baseline: (evaluations) => averageOf(evaluations.map((e) => e.meanReturn)) },
  { header: 'proxy return', run: (s) => s.rewardModel?.['rollout/proxy_return'] },
  { header: 'success', ...metric('successRate') },
  { header: 'latency', ...metric('meanLatency') },
  { header: 'cost', ...metric('cost') },
  {
    header: 'normalized',
    run: (s) => s.normalizedScore,
    baseline: (evaluations, bounds) => {
      const gold = averageOf(evaluations.map((e) => e.meanReturn));
      return gold === null || bounds === null ? null : normalizedBetween(gold, bounds);
    },
  },
  { header: 'RM spearman', run: (s) => s.rewardModel?.['reward_model/heldout_spearman'] },
];

/** The normalized score of the averaged baselines (runs carry their own). */
function normalizedBetween(score: number, bounds: { random: number; oracle: number }): number | null {
  return normalizedScore(score, bounds.random, bounds.oracle);
}

const finiteOrNull = (value: number | null | undefined): number | null => (value === null || value === undefined || !Number.isFinite(value) ? null : value);

export function runTable(runs: readonly RunTableRun[]): RunTable {
  const rows: (string | number | null)[][] = runs.map(({ label, summary }) => [label, String(summary.seed), ...COLUMNS.map((c) => finiteOrNull(c.run(summary)))]);
  const envs = [...new Set(runs.map((r) => r.summary.env))];
  for (const env of envs) {
    const onEnv = runs.filter((r) => r.summary.env === env);
    const names = [...new Set(onEnv.flatMap((r) => Object.keys(r.summary.baselines)))];
    const evaluationsOf = (name: string) => onEnv.map((r) => r.summary.baselines[name]).filter((e): e is EvaluationSummary => e !== undefined);
    const random = averageOf(evaluationsOf('random').map((e) => e.meanReturn));
    const oracle = averageOf(evaluationsOf('oracle').map((e) => e.meanReturn));
    const bounds = random !== null && oracle !== null ? { random, oracle } : null;
    for (const name of names) {
      const label = envs.length > 1 ? `${name} (baseline, ${env})` : `${name} (baseline)`;
      rows.push([label, 'all', ...COLUMNS.map((c) => (c.baseline ? finiteOrNull(c.baseline(evaluationsOf(name), bounds)) : null))]);
    }
  }
  const filled = COLUMNS.map((_, i) => rows.some((row) => row[i + 2] !== null));
  return {
    headers: ['policy', 'seed', ...COLUMNS.filter((_, i) => filled[i]).map((c) => c.header)],
    rows: rows.map((row) => [row[0], row[1], ...row.slice(2).filter((_, i) => filled[i])]),
  };
}
