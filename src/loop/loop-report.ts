/**
 * The learning report of a loop (report.md, report.json, plots/*.svg): KPI trajectories of every arm with
 * 95% t-intervals over replicates, the learning-curve analysis of the learning arm (analyze-curve.ts: the
 * multiplier over iteration 0 and over the frozen arm, milestones, compound rate, growth models, verdict,
 * projections, Holt forecast, anomalies), the gate's and the drift detector's decisions per iteration, and
 * a paragraph that checks the seeds' claims against the numbers, including the ceiling the oracle puts on
 * any multiplier in this world. A pure function of the records: the same loop gives the same bytes.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomic-fs.js';
import { confidenceInterval } from '../core/stats.js';
import { lineChartSvg, type Series } from '../experiments/svg.js';
import { analyzeLearningCurve, type LearningCurveAnalysis } from './analyze-curve.js';
import { renderCurveMarkdown } from './curve-report.js';
import type { IterationRecord } from './loop-replicate.js';
import type { LoopArm, LoopSpec } from './loop-spec.js';

export const LOOP_REPORT_FORMAT = 'loopgym.loop-report/1';

export interface ArmPoint {
  iteration: number;
  mean: number;
  low: number;
  high: number;
}

export interface Claim {
  claim: string;
  holds: boolean | null;
  evidence: string;
}

/** The learning arm minus a control arm over the last iterations: per-replicate means, t-interval. */
export interface ArmComparison {
  arm: LoopArm;
  fromIteration: number;
  difference: number;
  low: number;
  high: number;
}

export interface Decision {
  replicate: number;
  iteration: number;
  deployed: string;
  gate: string;
  drift: string;
}

export interface LoopReport {
  format: typeof LOOP_REPORT_FORMAT;
  name: string;
  kpi: string;
  replicates: number;
  iterations: number;
  arms: Partial<Record<LoopArm, ArmPoint[]>>;
  /** Oracle mean over the learning arm's iteration-0 mean: the largest multiplier this world allows. */
  ceilingMultiplier: number | null;
  /** Learning arm minus each control arm over the last `analysis.improvement.window` iterations. */
  comparisons: ArmComparison[];
  claims: Claim[];
  summary: { promotions: number; rejections: number; forced: number; alarms: number; rollbacks: number };
  decisions: Decision[];
  worldHashes: string[][];
  analysis: LearningCurveAnalysis;
}

export function buildLoopReport(spec: LoopSpec, records: IterationRecord[][]): LoopReport {
  const matrix = (arm: LoopArm) => records.map((replicate) => replicate.map((record) => record.arms[arm]?.kpi ?? NaN));
  const arms: Partial<Record<LoopArm, ArmPoint[]>> = {};
  for (const arm of spec.arms) arms[arm] = perIteration(matrix(arm), spec.iterations);
  const worldChanges = [...new Set(spec.world.schedule.map((e) => e.iteration).filter((k) => k > 0))].sort((a, b) => a - b);
  const analysis = analyzeLearningCurve({
    days: records.map((replicate) => replicate.map((record) => record.arms.learning?.days ?? [])),
    ...(spec.arms.includes('frozen') ? { frozen: matrix('frozen') } : {}),
    ...(spec.arms.includes('scratch') ? { scratch: matrix('scratch') } : {}),
    ...(spec.arms.includes('greedy') ? { baseline: matrix('greedy') } : {}),
    ...(spec.arms.includes('oracle') ? { ceiling: matrix('oracle') } : {}),
    ...(worldChanges.length > 0 ? { worldChanges } : {}),
    higherIsBetter: true,
    resamples: spec.analysis.resamples,
    horizons: spec.analysis.horizons,
    seed: spec.seed,
    onUndefinedRatio: 'report',
  });
  const start = arms.learning?.[0]?.mean ?? NaN;
  const oracle = arms.oracle ? arms.oracle.reduce((sum, p) => sum + p.mean, 0) / arms.oracle.length : NaN;
  const ceilingMultiplier = Number.isFinite(oracle) && start > 0 ? oracle / start : null;
  const decisions = records.flatMap((replicate) => replicate.map(decisionOf));
  const from = spec.iterations - analysis.improvement.window;
  const lateMean = (row: number[]) => row.slice(from).reduce((sum, v) => sum + v, 0) / (row.length - from);
  const learning = matrix('learning').map(lateMean);
  const comparisons = spec.arms
    .filter((arm) => arm !== 'learning')
    .map((arm) => {
      const differences = matrix(arm).map((row, r) => learning[r] - lateMean(row));
      const ci = differences.length > 1 ? confidenceInterval(differences) : { mean: differences[0], low: differences[0], high: differences[0] };
      return { arm, fromIteration: from, difference: ci.mean, low: ci.low, high: ci.high };
    });
  return {
    format: LOOP_REPORT_FORMAT,
    name: spec.name,
    kpi: spec.kpi,
    replicates: spec.replicates,
    iterations: spec.iterations,
    arms,
    ceilingMultiplier,
    comparisons,
    claims: checkClaims(spec, analysis, ceilingMultiplier),
    summary: {
      promotions: count(records, (r) => r.gate?.promoted === true && !r.gate.forced),
      rejections: count(records, (r) => r.gate?.promoted === false),
      forced: count(records, (r) => r.gate?.forced === true),
      alarms: count(records, (r) => r.drift?.alarm === true),
      rollbacks: count(records, (r) => r.drift?.rolledBack === true),
    },
    decisions,
    worldHashes: records.map((replicate) => replicate.map((record) => record.worldHash)),
    analysis,
  };
}

export function writeLoopReport(dir: string, spec: LoopSpec, records: IterationRecord[][]): LoopReport {
  const report = buildLoopReport(spec, records);
  mkdirSync(join(dir, 'plots'), { recursive: true });
  writeJsonAtomic(join(dir, 'report.json'), report);
  writeFileAtomic(join(dir, 'report.md'), renderLoopMarkdown(spec, report));
  writeFileAtomic(join(dir, 'plots', 'kpi.svg'), kpiChart(spec, report));
  writeFileAtomic(join(dir, 'plots', 'forecast.svg'), forecastChart(spec, report));
  return report;
}

function perIteration(matrix: number[][], iterations: number): ArmPoint[] {
  const points: ArmPoint[] = [];
  for (let k = 0; k < iterations; k++) {
    const values = matrix.map((row) => row[k]).filter(Number.isFinite);
    if (values.length === 0) continue;
    if (values.length === 1) points.push({ iteration: k, mean: values[0], low: values[0], high: values[0] });
    else {
      const ci = confidenceInterval(values);
      points.push({ iteration: k, mean: ci.mean, low: ci.low, high: ci.high });
    }
  }
  return points;
}

function decisionOf(record: IterationRecord): Decision {
  const gate = record.gate;
  const gateText = gate === null ? '-' : gate.forced ? 'forced promotion (fault)' : gate.promoted ? `promoted (gain ${gate.gain.toFixed(3)}, p ${gate.p.toFixed(3)})` : `kept (gain ${gate.gain.toFixed(3)}, p ${gate.p.toFixed(3)})`;
  const driftText = record.drift === null ? '-' : record.drift.rolledBack ? 'alarm, rolled back' : 'alarm, kept';
  return { replicate: record.replicate, iteration: record.iteration, deployed: record.arms.learning?.policy ?? '-', gate: gateText, drift: driftText };
}

function count(records: IterationRecord[][], test: (record: IterationRecord) => boolean): number {
  return records.reduce((sum, replicate) => sum + replicate.filter(test).length, 0);
}

const x = (value: number) => `${value.toFixed(2)}x`;

/** The seeds' claims, checked against this loop's numbers. */
function checkClaims(spec: LoopSpec, a: LearningCurveAnalysis, ceiling: number | null): Claim[] {
  const claims: Claim[] = [];
  const over = a.multiplier.overInitial;
  const final = 'final' in over ? over.final.multiplier : null;
  claims.push({
    claim: 'final multiplier >= 1.5x baseline = exponential learning',
    holds: final === null ? null : final.low >= 1.5 && a.verdict.verdict === 'compounding',
    evidence:
      final === null
        ? `the multiplier is undefined here (${'refused' in over ? over.refused : ''})`
        : `final multiplier over iteration 0 ${x(final.estimate)} [${x(final.low)}, ${x(final.high)}]; verdict "${a.verdict.verdict}"${a.verdict.verdict === 'compounding' ? '' : ' (not the exponential model)'}`,
  });
  const two = a.milestones.find((m) => m.bar === 2 && m.name.includes('iteration 0'));
  const reached = two?.iteration ?? null;
  claims.push({
    claim: '2x after 30-50 iterations',
    holds: reached !== null ? reached >= 30 && reached <= 50 : spec.iterations > 50 ? false : null,
    evidence:
      reached !== null
        ? `the lower CI bound first passes 2x at iteration ${reached}`
        : `2x is not reached with confidence in ${spec.iterations} iterations${spec.iterations <= 50 ? ' (the loop is too short to refute the claim; see the projections)' : ''}`,
  });
  const year = a.projections.models.find((m) => m.model === a.verdict.model)?.points.find((p) => p.horizon === 365);
  claims.push({
    claim: '10x better in 365 days (iterations)',
    holds: ceiling !== null && ceiling < 10 ? false : null,
    evidence: [
      ceiling !== null ? `the oracle is ${x(ceiling)} the starting KPI, the most any policy can reach in this world` : 'no oracle arm, so no ceiling',
      year && year.multiplier !== null ? `the ${a.verdict.model} model projects ${x(year.multiplier.estimate)} [${x(year.multiplier.low)}, ${x(year.multiplier.high)}] at 365 iterations` : 'no projection of the multiplier at 365 iterations',
    ].join('; '),
  });
  return claims;
}

function renderLoopMarkdown(spec: LoopSpec, report: LoopReport): string {
  const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3));
  const lines = [
    `# Learning loop: ${spec.name}`,
    '',
    spec.description,
    '',
    `${spec.replicates} replicate(s) x ${spec.iterations} iterations x ${spec.daysPerIteration} workdays of ${spec.world.env}; KPI: ${spec.kpi} (higher is better); learner ${spec.learner.agent.name} (${spec.learner.mode}, reward ${spec.learner.reward.mode}); gate: ${spec.gate.shadowDays} shadow days, margin ${spec.gate.margin}, alpha ${spec.gate.alpha}; drift detector: ${spec.drift.detector}.`,
    '',
    '## The claims, checked',
    '',
    ...report.claims.map((c) => `- **${c.claim}**: ${c.holds === null ? 'cannot be decided here' : c.holds ? 'holds' : 'does not hold'} (${c.evidence}).`),
    '',
    `Learning arm minus each control over iterations ${report.comparisons[0]?.fromIteration ?? '-'}-${spec.iterations - 1} (mean of per-replicate differences, 95% t-interval): ${report.comparisons.map((c) => `${c.arm} ${fmt(c.difference)} [${fmt(c.low)}, ${fmt(c.high)}]`).join('; ') || 'no control arms'}.`,
    '',
    `Gate: ${report.summary.promotions} promotion(s), ${report.summary.rejections} rejection(s), ${report.summary.forced} forced; drift: ${report.summary.alarms} alarm(s), ${report.summary.rollbacks} rollback(s).`,
    '',
    '## KPI per iteration (mean over replicates, 95% t-interval)',
    '',
    `| iteration | ${spec.arms.join(' | ')} |`,
    `| --- | ${spec.arms.map(() => '---').join(' | ')} |`,
  ];
  for (let k = 0; k < spec.iterations; k++) {
    const cells = spec.arms.map((arm) => {
      const p = report.arms[arm]?.find((point) => point.iteration === k);
      return p ? `${fmt(p.mean)} [${fmt(p.low)}, ${fmt(p.high)}]` : '-';
    });
    lines.push(`| ${k} | ${cells.join(' | ')} |`);
  }
  lines.push('', '![KPI per arm](plots/kpi.svg)', '', '![Forecast](plots/forecast.svg)', '', '## Gate and drift decisions', '', '| replicate | iteration | deployed | gate | drift |', '| --- | --- | --- | --- | --- |');
  for (const d of report.decisions) lines.push(`| ${d.replicate} | ${d.iteration} | ${d.deployed} | ${d.gate} | ${d.drift} |`);
  const analysis = renderCurveMarkdown(report.analysis, `${spec.name}, learning arm`).replace(/^# .*\n/, '');
  lines.push('', '## Learning-curve analysis of the learning arm', analysis);
  return `${lines.join('\n')}\n`;
}

function kpiChart(spec: LoopSpec, report: LoopReport): string {
  const series: Series[] = spec.arms.map((arm, index) => ({
    label: arm,
    colorIndex: index,
    points: (report.arms[arm] ?? []).map((p) => ({ x: p.iteration, y: p.mean, low: p.low, high: p.high })),
  }));
  return lineChartSvg(series, { title: `${spec.name}: ${spec.kpi} per iteration`, xLabel: 'Iteration', yLabel: `${spec.kpi} (mean, 95% CI)` });
}

function forecastChart(spec: LoopSpec, report: LoopReport): string {
  const observed = report.analysis.iterations.map((p) => ({ x: p.iteration, y: p.mean, low: p.low, high: p.high }));
  const holt = report.analysis.projections.holt.map((p) => ({ x: p.iteration, y: p.mean, low: p.low, high: p.high }));
  const last = observed[observed.length - 1];
  return lineChartSvg(
    [
      { label: 'learning arm', points: observed, colorIndex: 0 },
      { label: "Holt forecast (95% PI)", points: last ? [{ ...last }, ...holt] : holt, colorIndex: 5 },
    ],
    { title: `${spec.name}: forecast of the learning arm`, xLabel: 'Iteration', yLabel: `${spec.kpi}` },
  );
}
