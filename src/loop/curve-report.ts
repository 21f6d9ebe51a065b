/**
 * How a learning-curve analysis reads: a text summary for the terminal, report.md (the same, as Markdown
 * tables) and report.json (the analysis itself). Written atomically; nothing here computes a statistic.
 */
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomic-fs.js';
import type { LearningCurveAnalysis, RatioOutcome } from './analyze-curve.js';
import type { Estimate } from './intervals.js';

type Table = { headers: string[]; rows: string[][] };

const num = (x: number | null | undefined): string => {
  if (x === null || x === undefined || !Number.isFinite(x)) return x === Infinity ? 'inf' : x === -Infinity ? '-inf' : '-';
  const magnitude = Math.abs(x);
  if (magnitude !== 0 && (magnitude >= 1e6 || magnitude < 1e-3)) return x.toExponential(2);
  return Number(x.toPrecision(4)).toString();
};
const pct = (x: number) => (Number.isFinite(x) ? `${Number((x * 100).toPrecision(3))}%` : '-');
const interval = (e: { low: number; high: number }, f: (x: number) => string = num) => `[${f(e.low)}, ${f(e.high)}]`;
const withInterval = (e: Estimate, f: (x: number) => string = num) => `${f(e.estimate)} ${interval(e, f)}`;

/** Iterations shown in the per-iteration table: all up to 25, else about 20 evenly spaced plus the last. */
function shownIterations(iterations: number): number[] {
  if (iterations <= 25) return Array.from({ length: iterations }, (_, k) => k);
  const step = Math.ceil(iterations / 20);
  const shown = Array.from({ length: Math.ceil(iterations / step) }, (_, i) => i * step);
  if (shown[shown.length - 1] !== iterations - 1) shown.push(iterations - 1);
  return shown;
}

function ratioLine(name: string, outcome: RatioOutcome | undefined, higherIsBetter: boolean): string | null {
  if (outcome === undefined) return null;
  if ('refused' in outcome) return `Multiplier over ${name}: refused. ${outcome.refused}`;
  const { iteration, multiplier, improvementPercent } = outcome.final;
  const direction = higherIsBetter ? 'up' : 'down';
  return `Multiplier over ${name} at iteration ${iteration}: ${withInterval(multiplier)}x (KPI ${direction} ${num(improvementPercent.estimate)}% ${interval(improvementPercent)})`;
}

function summaryLines(a: LearningCurveAnalysis): string[] {
  const s = a.settings;
  const level = `${Math.round(s.confidence * 100)}%`;
  const lines = [
    `KPI (${s.higherIsBetter ? 'higher' : 'lower'} is better): ${s.replicates} replicate(s) x ${s.iterations} iterations; ${s.resamples} resamples (${s.resamplingUnit} bootstrap, ${s.resamplingUnits} units), ${level} intervals, seed ${s.seed}`,
    `Verdict: ${a.verdict.verdict}${a.verdict.model ? ` (${a.verdict.model} model)` : ''}. ${a.verdict.reason}`,
  ];
  const initial = ratioLine('iteration 0', a.multiplier.overInitial, s.higherIsBetter);
  const frozen = ratioLine('the frozen arm', a.multiplier.overFrozen, s.higherIsBetter);
  for (const line of [initial, frozen]) if (line !== null) lines.push(line);
  const seeds = a.compoundRate.seeds;
  lines.push(
    `Compound rate per iteration: ${seeds === null ? 'refused (see the multiplier)' : `${withInterval(seeds, pct)} (seeds' d = multiplier^(1/${s.iterations - 1}) - 1)`}; exponential fit ${withInterval(a.compoundRate.fitted, pct)}`,
  );
  const b = a.holt.backtest;
  lines.push(
    `Holt: alpha ${num(a.holt.alpha)}, beta ${num(a.holt.beta)}; backtested ${level} interval coverage ${pct(b.coverage)} of ${b.forecasts} forecasts (1-step ${pct(b.oneStepCoverage)} of ${b.oneStepForecasts})`,
  );
  return lines;
}

function tables(a: LearningCurveAnalysis): [string, Table][] {
  const out: [string, Table][] = [];
  const overInitial = a.multiplier.overInitial;
  const ratioAt = (k: number) => ('points' in overInitial ? withInterval(overInitial.points[k].multiplier) : '-');
  out.push([
    'Per iteration (mean KPI and multiplier over iteration 0)',
    {
      headers: ['iteration', 'mean', 'CI', 'x iteration 0', ...Object.keys(a.arms)],
      rows: shownIterations(a.settings.iterations).map((k) => [
        String(k),
        num(a.iterations[k].mean),
        interval(a.iterations[k]),
        ratioAt(k),
        ...Object.values(a.arms).map((arm) => num(arm[k].mean)),
      ]),
    },
  ]);
  out.push(['Milestones (first iteration whose lower CI bound passes)', { headers: ['milestone', 'iteration'], rows: a.milestones.map((m) => [m.name, m.iteration === null ? (m.refused ? 'refused' : 'not reached') : String(m.iteration)]) }]);
  out.push([
    `Growth models of ${a.models.fittedTo === 'kpi' ? 'the KPI' : '1/KPI (the multiplier shape of a lower-is-better KPI)'} (AICc on all iterations; held-out RMSE on the last ${a.models.holdout})`,
    {
      headers: ['model', 'formula', 'parameters', 'AICc', 'dAICc', 'held-out RMSE'],
      rows: a.models.fits.map((m) => [m.model, m.formula, Object.entries(m.parameters).map(([k, v]) => `${k}=${num(v)}`).join(' '), num(m.aicc), num(m.deltaAicc), num(m.heldOutRmse)]),
    },
  ]);
  const horizons = a.settings.horizons;
  out.push([
    'Projections (mean KPI h iterations after the last, with prediction intervals)',
    {
      headers: ['model', ...horizons.map((h) => `+${h}`)],
      rows: [
        ...a.projections.models.map((p) => [p.model, ...p.points.map((x) => `${num(x.mean)} ${interval(x)}`)]),
        ['holt', ...a.projections.holt.map((x) => `${num(x.mean)} ${interval(x)}`)],
      ],
    },
  ]);
  const scan = a.anomalies.iterations;
  out.push([
    `Anomalies (|z| > ${scan.threshold} from the one-step Holt forecast, ${scan.method} scale)`,
    {
      headers: ['where', 'value', 'forecast', 'z', 'direction'],
      rows: [
        ...scan.anomalies.map((x) => [`iteration ${x.index}`, num(x.value), num(x.forecast), num(x.z), x.direction]),
        ...a.anomalies.days.map((x) => [`replicate ${x.replicate}, iteration ${x.iteration}, day ${x.day}`, num(x.value), num(x.forecast), num(x.z), x.direction]),
      ],
    },
  ]);
  if (a.worldChanges !== undefined) {
    const w = a.worldChanges;
    out.push([
      'Forward transfer against the scratch arm (better direction)',
      { headers: ['world', 'iterations', 'jump-start', 'mean gain'], rows: w.forwardTransfer.map((f) => [String(f.world), `${f.from}-${f.to}`, withInterval(f.jumpStart), withInterval(f.meanGain)]) },
    ]);
    out.push([
      'Forgetting of earlier worlds (before minus later, better direction: > 0 = forgotten)',
      {
        headers: ['world', 'before (iteration)', 'latest iteration', 'forgetting'],
        rows: w.forgetting.map((f) => {
          const last = f.after[f.after.length - 1];
          return [String(f.world), `${withInterval(f.before)} (${f.beforeIteration}, ${f.beforeSource})`, last ? String(last.iteration) : '-', last ? withInterval(last.forgetting) : '-'];
        }),
      },
    ]);
  }
  return out;
}

function textTable({ headers, rows }: Table): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function markdownTable({ headers, rows }: Table): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The analysis as text for a terminal. */
export function renderCurveText(a: LearningCurveAnalysis): string {
  const parts = [summaryLines(a).join('\n')];
  for (const [title, table] of tables(a)) parts.push(table.rows.length === 0 ? `${title}: none` : `${title}\n${textTable(table)}`);
  return parts.join('\n\n');
}

/** The analysis as report.md. */
export function renderCurveMarkdown(a: LearningCurveAnalysis, source: string): string {
  const parts = [`# Learning-curve analysis: ${source}`, summaryLines(a).map((l) => `- ${l}`).join('\n')];
  for (const [title, table] of tables(a)) parts.push(`## ${title}\n\n${table.rows.length === 0 ? 'None.' : markdownTable(table)}`);
  return `${parts.join('\n\n')}\n`;
}

export interface CurveReportPaths {
  reportPath: string;
  jsonPath: string;
}

/** Writes report.md and report.json into `dir` (atomically; the folder is created if needed). */
export function writeCurveReport(dir: string, analysis: LearningCurveAnalysis, source: string): CurveReportPaths {
  const reportPath = join(dir, 'report.md');
  const jsonPath = join(dir, 'report.json');
  writeJsonAtomic(jsonPath, { source, ...analysis });
  writeFileAtomic(reportPath, renderCurveMarkdown(analysis, source));
  return { reportPath, jsonPath };
}
