/**
 * Reports: `writeReport` aggregates a results folder (or merged shard folders) and writes report.md,
 * report.json and SVG plots beside the runs; `renderTable` renders the per-configuration table the CLI
 * prints (md, json or csv).
 *
 * A report holds no timestamps and no absolute paths and every number comes from the seeded bootstrap, so
 * the same runs give the same bytes: a report can be checked into a repository and diffed.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { aggregateResults, loadResults, type AggregateOptions, type AggregateReport, type ConfigurationAggregate, type Interval, type LoadedResults, type ScoreStats } from './aggregate.js';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomic-fs.js';
import { toCsv } from './store.js';
import { formatColumns, formatInterval, formatValue, type Cell } from './number-format.js';
import { runTable, type RunTable } from './run-table.js';
import { intervalChartSvg, lineChartSvg, type IntervalItem, type IntervalPanel, type ReferenceLine } from './svg.js';

export { formatInterval, formatValue } from './number-format.js';

export type ReportFormat = 'md' | 'json' | 'csv';
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'json', 'csv'];

export interface ReportOptions extends AggregateOptions {
  /** Format of the returned `table` (what the CLI prints); the files written are the same for every format. */
  format?: ReportFormat;
  /** Where report.md, report.json and plots/ go; defaults to the results folder (required when merging several). */
  outDir?: string;
}

export interface ReportResult {
  reportPath: string;
  jsonPath: string;
  plotPaths: string[];
  /** The per-configuration table in the requested format. */
  table: string;
  aggregate: AggregateReport;
  /** One row per run and per baseline: what the CLI prints after a sweep (report.md repeats it). */
  perSeed: RunTable;
}

/** Plot files a report owns in plots/; stale ones from an earlier report (e.g. an env no longer present) are removed. */
const PLOT_FILE = /^(final-scores|learning-curves|normalized-scores)(-[\w.-]+)?\.svg$/;

export function writeReport(dirs: string | readonly string[], options: ReportOptions = {}): ReportResult {
  const roots = typeof dirs === 'string' ? [dirs] : [...dirs];
  const format = options.format ?? 'md';
  if (!REPORT_FORMATS.includes(format)) throw new ConfigError(`Expected format md, json or csv, but got ${JSON.stringify(format)}.`);
  if (options.outDir === undefined && roots.length !== 1) {
    throw new ConfigError(`Expected an output folder (outDir / --out) when merging ${roots.length} results folders, but got none.`);
  }
  const outDir = options.outDir ?? roots[0];
  const loaded = loadResults(roots);
  const report = aggregateResults(loaded, options);
  const portable: AggregateReport = { ...report, problems: report.problems.map((p) => ({ ...p, dir: portablePath(outDir, p.dir) })) };
  const perSeed = perSeedTable(report, loaded);

  const plots = renderPlots(portable);
  const plotsDir = join(outDir, 'plots');
  if (existsSync(plotsDir)) {
    for (const name of readdirSync(plotsDir)) if (PLOT_FILE.test(name) && !plots.has(name)) rmSync(join(plotsDir, name), { force: true });
  }
  const plotPaths: string[] = [];
  for (const [name, svg] of plots) {
    writeFileAtomic(join(plotsDir, name), svg);
    plotPaths.push(join(plotsDir, name));
  }
  const reportPath = join(outDir, 'report.md');
  const jsonPath = join(outDir, 'report.json');
  writeFileAtomic(reportPath, renderMarkdownReport(portable, { plots: [...plots.keys()], sources: roots.map((root) => portablePath(outDir, root)), perSeed }));
  writeJsonAtomic(jsonPath, { ...portable, perSeed: perSeedJson(perSeed) });
  return { reportPath, jsonPath, plotPaths, table: renderTable(portable, format), aggregate: report, perSeed };
}

/** The per-seed table of the aggregated runs, each labelled with its configuration, in the report's configuration order. */
function perSeedTable(report: AggregateReport, loaded: LoadedResults): RunTable {
  const byId = new Map(loaded.runs.map((run) => [run.runId, run]));
  return runTable(report.configurations.flatMap((c) => c.runIds.map((id) => ({ label: c.label, summary: (byId.get(id) as LoadedResults['runs'][number]).summary }))));
}

/** The per-seed table as JSON rows (header -> value), for report.json. */
function perSeedJson(table: RunTable): Record<string, Cell>[] {
  return table.rows.map((row) => Object.fromEntries(table.headers.map((header, i) => [header, row[i] ?? null])));
}

/** A path relative to the report folder, with forward slashes, so the report reads the same on every machine. */
function portablePath(from: string, path: string): string {
  const rel = relative(from, path) || '.';
  return rel.split(sep).join('/');
}

// ---------------------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------------------

export function formatPValue(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

function percent(confidence: number): string {
  return `${Number((confidence * 100).toPrecision(6))}%`;
}

// ---------------------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------------------

/** Cells rendered by formatValue / formatInterval / formatPValue: right-aligned columns. */
const NUMERIC_CELL = /^(-?[\d.]+(e[-+]\d+)?|NaN|-?∞|—|<0\.001|\[[^\]]*\]|\S+ ± \S+)$/;

/** A markdown table; numeric cells are formatted column by column (one decimal count per column) and right-aligned. */
export function markdownTable(headers: string[], cells: readonly (readonly Cell[])[]): string {
  const rows = formatColumns(cells);
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const right = headers.map((_, i) => rows.length > 0 && rows.every((row) => NUMERIC_CELL.test(row[i])));
  return [
    `| ${headers.map(cell).join(' | ')} |`,
    `| ${headers.map((_, i) => (right[i] ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** The per-configuration table: final return (and normalized score when present) with CIs. */
export function renderTable(report: AggregateReport, format: ReportFormat = 'md'): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'csv') return configurationCsv(report);
  if (format !== 'md') throw new ConfigError(`Expected format md, json or csv, but got ${JSON.stringify(format)}.`);
  const ci = `${percent(report.options.confidence)} CI`;
  const withNormalized = report.configurations.some((c) => c.normalized !== null);
  const headers = ['Configuration', 'Env', 'Seeds', 'Mean', ci, 'IQM', ci, 'Std', 'Median'];
  if (withNormalized) headers.push('Normalized IQM', ci);
  const rows = report.configurations.map((c) => {
    const row: Cell[] = [c.label, c.env, String(c.return.n), c.return.mean, c.return.meanCI, c.return.iqm, c.return.iqmCI, c.return.std, c.return.median];
    if (withNormalized) row.push(c.normalized?.iqm, c.normalized?.iqmCI);
    return row;
  });
  const lines = [markdownTable(headers, rows)];
  if (report.configurations.length === 0) lines.push('', 'No finished runs.');
  if (report.problems.length > 0) lines.push('', `${report.problems.length} run folder(s) not aggregated: ${countStates(report)}.`);
  return `${lines.join('\n')}\n`;
}

function countStates(report: AggregateReport): string {
  return (['incomplete', 'corrupt', 'conflict'] as const)
    .map((state) => [state, report.problems.filter((p) => p.state === state).length] as const)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
}

function configurationCsv(report: AggregateReport): string {
  const axisNames = [...new Set(report.configurations.flatMap((c) => Object.keys(c.axes)))];
  const statColumns = (prefix: string) => ['n', 'mean', 'mean_low', 'mean_high', 'std', 'median', 'iqm', 'iqm_low', 'iqm_high'].map((name) => `${prefix}_${name}`);
  const statValues = (stats: ScoreStats | null) =>
    stats ? [stats.n, stats.mean, stats.meanCI.low, stats.meanCI.high, stats.std, stats.median, stats.iqm, stats.iqmCI.low, stats.iqmCI.high] : Array(9).fill(null);
  const headers = ['configuration', 'key', 'experiment', 'env', 'agent', 'reward_mode', ...axisNames, 'seeds', ...statColumns('return'), ...statColumns('normalized')];
  const rows = report.configurations.map((c) => [
    c.label,
    c.key,
    c.experiment,
    c.env,
    c.agent,
    c.rewardMode,
    ...axisNames.map((name) => (name in c.axes ? axisCell(c.axes[name]) : null)),
    c.seeds.join(' '),
    ...statValues(c.return),
    ...statValues(c.normalized),
  ]);
  return toCsv(headers, rows);
}

function axisCell(value: unknown): string | number | boolean | null {
  return typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' || value === null ? value : JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------------------
// Plots
// ---------------------------------------------------------------------------------------------------------

function slug(text: string): string {
  return text.replace(/[^\w.-]+/g, '_');
}

/** Plot file name -> SVG text; one final-scores and one learning-curves plot per env (returns of different envs do not share an axis). */
function renderPlots(report: AggregateReport): Map<string, string> {
  const plots = new Map<string, string>();
  const envs = [...new Set(report.configurations.map((c) => c.env))].sort();
  const indexOf = new Map(report.configurations.map((c, i) => [c.key, i]));
  for (const env of envs) {
    const suffix = envs.length > 1 ? `-${slug(env)}` : '';
    const configs = report.configurations.filter((c) => c.env === env);
    const items = (pick: (s: ScoreStats) => [number, Interval]) =>
      configs.map((c): IntervalItem => {
        const [value, ci] = pick(c.return);
        return { label: c.label, value, ...ci, colorIndex: indexOf.get(c.key) };
      });
    const baselineRows = sharedBaselines(configs);
    const withBaselines = (pick: (s: ScoreStats) => [number, Interval], list: IntervalItem[]) =>
      list.concat(baselineRows.map(([name, stats]) => ({ label: `baseline: ${name}`, value: pick(stats)[0], ...pick(stats)[1], muted: true })));
    const iqmPick = (s: ScoreStats): [number, Interval] => [s.iqm, s.iqmCI];
    const meanPick = (s: ScoreStats): [number, Interval] => [s.mean, s.meanCI];
    const panels: IntervalPanel[] = [
      { title: 'IQM', items: withBaselines(iqmPick, items(iqmPick)) },
      { title: 'Mean', items: withBaselines(meanPick, items(meanPick)) },
    ];
    plots.set(`final-scores${suffix}.svg`, intervalChartSvg(panels, { title: `Final evaluation return: ${env}`, xLabel: `Return (${percent(report.options.confidence)} stratified bootstrap CI)` }));

    const series = configs
      .filter((c) => c.curve.length > 0)
      .map((c) => ({ label: c.label, colorIndex: indexOf.get(c.key), points: c.curve.map((p) => ({ x: p.step, y: p.mean, low: p.low, high: p.high })) }));
    if (series.length > 0) {
      // The baselines' final evaluation returns as reference lines: where the curves stand against them.
      const references: ReferenceLine[] = baselineRows.map(([name, stats]) => ({ value: stats.mean, label: name }));
      plots.set(
        `learning-curves${suffix}.svg`,
        lineChartSvg(series, {
          title: `Learning curves: ${env}`,
          xLabel: 'Environment steps',
          yLabel: `Evaluation return (mean, ${percent(report.options.confidence)} CI)`,
          references,
          referencesLabel: 'baselines (final evaluation)',
        }),
      );
    }
  }
  const normalized = report.configurations.filter((c) => c.normalized !== null);
  if (normalized.length > 0) {
    const references = [
      { value: 0, label: 'random' },
      { value: 1, label: 'oracle' },
    ];
    const item = (c: ConfigurationAggregate, pick: (s: ScoreStats) => [number, Interval]): IntervalItem => {
      const [value, ci] = pick(c.normalized as ScoreStats);
      return { label: c.label, value, ...ci, colorIndex: indexOf.get(c.key) };
    };
    const panels: IntervalPanel[] = [
      { title: 'IQM', items: normalized.map((c) => item(c, (s) => [s.iqm, s.iqmCI])), references },
      { title: 'Mean', items: normalized.map((c) => item(c, (s) => [s.mean, s.meanCI])), references },
    ];
    plots.set('normalized-scores.svg', intervalChartSvg(panels, { title: 'Normalized score: (return - random) / (oracle - random)', xLabel: `Normalized score (${percent(report.options.confidence)} stratified bootstrap CI)` }));
  }
  return plots;
}

/**
 * Baselines to draw beside the configurations of one env: only when every configuration saw the same
 * baseline numbers (the same env settings and evaluation seeds), since otherwise no single row is right.
 */
function sharedBaselines(configs: ConfigurationAggregate[]): [string, ScoreStats][] {
  if (configs.length === 0) return [];
  return Object.entries(configs[0].baselines).filter(([name, stats]) => configs.every((c) => c.baselines[name] !== undefined && JSON.stringify(c.baselines[name]) === JSON.stringify(stats)));
}

// ---------------------------------------------------------------------------------------------------------
// report.md
// ---------------------------------------------------------------------------------------------------------

/** What the per-seed table's columns mean, for the columns it has. */
function perSeedIntroduction(table: RunTable): string {
  const has = (header: string) => table.headers.includes(header);
  return [
    'One row per run, as `loopgym train` and `loopgym sweep` print it. Gold return is the final evaluation on the env\'s true reward, whatever the agent was trained on.',
    has('proxy return') ? 'Proxy return is what the learned reward model told the agent during training.' : '',
    has('success') || has('latency') || has('cost') ? 'Success, latency and cost are the env\'s per-episode metrics, averaged over the evaluation episodes.' : '',
    has('normalized') ? 'Normalized is (return - random) / (oracle - random).' : '',
    has('RM spearman') ? 'RM spearman is the reward model\'s held-out rank correlation with the true satisfaction.' : '',
    table.rows.some((row) => row[1] === 'all') ? 'Baseline rows average each baseline over the same runs\' evaluation episodes.' : '',
  ]
    .filter((sentence) => sentence !== '')
    .join(' ');
}

export function renderMarkdownReport(report: AggregateReport, context: { plots: string[]; sources: string[]; perSeed?: RunTable }): string {
  const { options } = report;
  const ci = `${percent(options.confidence)} CI`;
  const experiments = [...new Set(report.configurations.map((c) => c.experiment))];
  const lines: string[] = [];
  const image = (name: string, alt: string) => {
    if (context.plots.includes(name)) lines.push(`![${alt}](plots/${name})`, '');
  };
  const envSuffix = (env: string, envs: string[]) => (envs.length > 1 ? `-${slug(env)}` : '');

  lines.push(`# loopgym report: ${experiments.length > 0 ? experiments.join(', ') : 'no finished runs'}`, '');
  lines.push(
    `${report.runCount} finished run(s) in ${report.configurations.length} configuration(s), from ${context.sources.map((s) => (s === '.' ? 'this folder' : `\`${s}\``)).join(', ')}.` +
      (report.duplicates > 0 ? ` ${report.duplicates} identical duplicate run(s) (from overlapping shards) counted once.` : '') +
      (report.problems.length > 0 ? ` ${report.problems.length} run folder(s) not aggregated (${countStates(report)}; see [below](#runs-not-aggregated)).` : ''),
    '',
  );
  lines.push(
    `Scores are final evaluation returns, one per seed. IQM is the interquartile mean (25% trimmed mean); CIs are ${ci}s from a ` +
      `stratified percentile bootstrap (runs resampled within each task) with ${options.resamples} resamples (seed ${JSON.stringify(options.seed)}), as in rliable (Agarwal et al., 2021).` +
      (options.groupBy ? ` Configurations are grouped by ${options.groupBy.map((a) => `\`${a}\``).join(', ')}; the other axes are tasks (strata).` : ''),
    '',
  );

  if (context.perSeed && context.perSeed.rows.length > 0) {
    lines.push('## Results per seed', '');
    lines.push(perSeedIntroduction(context.perSeed), '');
    lines.push(markdownTable(context.perSeed.headers, context.perSeed.rows), '');
  }

  const envs = [...new Set(report.configurations.map((c) => c.env))].sort();
  lines.push('## Final evaluation return', '');
  const returnRows = report.configurations.map((c): Cell[] => [
    c.label,
    c.env,
    c.seeds.length === 0 ? '—' : c.seeds.join(', '),
    c.return.mean,
    c.return.meanCI,
    c.return.iqm,
    c.return.iqmCI,
    c.return.std,
    c.return.median,
  ]);
  lines.push(report.configurations.length > 0 ? markdownTable(['Configuration', 'Env', 'Seeds', 'Mean', ci, 'IQM', ci, 'Std', 'Median'], returnRows) : 'No finished runs.', '');
  for (const env of envs) image(`final-scores${envSuffix(env, envs)}.svg`, `Final scores on ${env}`);

  const normalized = report.configurations.filter((c) => c.normalized !== null);
  if (normalized.length > 0) {
    lines.push('## Normalized score', '', '(return - random) / (oracle - random), per seed with the baselines evaluated on the same episodes: 0 is the random baseline, 1 the oracle.', '');
    lines.push(
      markdownTable(
        ['Configuration', 'Mean', ci, 'IQM', ci, 'Std', 'Median'],
        normalized.map((c): Cell[] => {
          const s = c.normalized as ScoreStats;
          return [c.label, s.mean, s.meanCI, s.iqm, s.iqmCI, s.std, s.median];
        }),
      ),
      '',
    );
    image('normalized-scores.svg', 'Normalized scores');
  }

  const baselineRows: Cell[][] = [];
  for (const env of envs) {
    const configs = report.configurations.filter((c) => c.env === env);
    const shared = sharedBaselines(configs);
    const row = (who: string, name: string, s: ScoreStats): Cell[] => [who, name, s.mean, s.meanCI, s.iqm, s.iqmCI];
    // Identical numbers for every configuration (same env settings and evaluation seeds): one row each, not one per configuration.
    if (configs.length > 1 && shared.length === Object.keys(configs[0].baselines).length && configs.every((c) => Object.keys(c.baselines).length === shared.length)) {
      for (const [name, s] of shared) baselineRows.push(row(`all on ${env}`, name, s));
    } else {
      for (const c of configs) for (const [name, s] of Object.entries(c.baselines)) baselineRows.push(row(c.label, name, s));
    }
  }
  if (baselineRows.length > 0) {
    lines.push('## Baselines', '', 'Evaluation return of the baselines on the same evaluation episodes (seeds) as the configurations.', '');
    lines.push(markdownTable(['Configuration', 'Baseline', 'Mean', ci, 'IQM', ci], baselineRows), '');
  }

  const metricNames = [...new Set(report.configurations.flatMap((c) => Object.keys(c.metrics)))].sort();
  if (metricNames.length > 0) {
    lines.push('## Evaluation metrics', '', 'Mean ± std over seeds of each run\'s per-episode mean.', '');
    lines.push(
      markdownTable(
        ['Configuration', ...metricNames],
        report.configurations.map((c): Cell[] => [c.label, ...metricNames.map((name) => c.metrics[name] ?? null)]),
      ),
      '',
    );
  }

  const curved = report.configurations.filter((c) => c.curve.length > 0);
  if (curved.length > 0) {
    lines.push(
      '## Learning curves',
      '',
      `Evaluation return during training: mean over seeds with a ${ci} band. Seeds are aligned by evaluation (the i-th evaluation of every seed); ` +
        'the step shown is their mean, since an evaluation fires at the first update after its scheduled step.',
      '',
    );
    for (const env of envs) image(`learning-curves${envSuffix(env, envs)}.svg`, `Learning curves on ${env}`);
    const partial = curved.filter((c) => c.curve.some((p) => p.n < c.seeds.length));
    if (partial.length > 0) lines.push(`Some runs recorded fewer evaluations than others, so later points average fewer seeds: ${partial.map((c) => c.label).join('; ')}.`, '');
  }

  lines.push('## Comparisons', '');
  if (report.comparisons.length === 0) {
    lines.push(report.configurations.length < 2 ? 'One configuration: nothing to compare.' : 'No comparable pairs (configurations on different envs are compared only by normalized score).', '');
  } else {
    lines.push(
      `Score: ${report.comparisonMetric === 'normalized' ? 'normalized score' : 'final evaluation return'}. P(A > B) is the probability that a run of A scores higher than a run of B ` +
        `(ties count one half), with its ${ci}; Welch's t-test compares the means (p-values are not corrected for multiple comparisons).` +
        (options.pairs === 'best' ? ' Each configuration is compared with the best one (highest IQM).' : ''),
      '',
    );
    lines.push(
      markdownTable(
        ['A', 'B', 'P(A > B)', ci, 'Mean A - B', 'IQM A - B', 'Welch t', 'df', 'p'],
        report.comparisons.map((c): Cell[] => [
          c.aLabel,
          c.bLabel,
          c.probabilityOfImprovement,
          c.probabilityOfImprovementCI,
          c.meanDifference,
          c.iqmDifference,
          c.welch?.t,
          c.welch?.df,
          c.welch ? formatPValue(c.welch.pValue) : null,
        ]),
      ),
      '',
    );
  }

  if (report.problems.length > 0) {
    lines.push('## Runs not aggregated', '', 'Incomplete runs did not finish (rerun the sweep with `--resume`); corrupt runs have unreadable or inconsistent files; conflicts are runs found in several folders with different results.', '');
    lines.push(markdownTable(['Run folder', 'State', 'Reason'], report.problems.map((p) => [`\`${p.dir}\``, p.state, p.reason])), '');
  }

  lines.push('## Configurations', '');
  lines.push(
    markdownTable(
      ['Configuration', 'Key', 'Experiment', 'Agent', 'Reward', 'Runs'],
      report.configurations.map((c) => [c.label, `\`${c.key}\``, c.experiment, c.agent, c.rewardMode, c.runIds.map((id) => `\`${id}\``).join(' ')]),
    ),
    '',
  );
  return `${lines.join('\n').trimEnd()}\n`;
}
