/** The trace analysis as report.md (tables) and report.json, written atomically. */
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomic-fs.js';
import type { TraceAnalysis } from './analyze-traces.js';

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');
const interval = (low: number, high: number) => `[${pct(low)}, ${pct(high)}]`;

function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return rows.length === 0 ? 'None.' : [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export function renderTraceMarkdown(a: TraceAnalysis, source: string): string {
  const o = a.options;
  return `${[
    `# Trace analysis: ${source}`,
    `${a.tasks} finished tasks (and ${a.unfinished} still open when their episode ended) in ${a.episodes} episode(s); success ${pct(a.overall.rate)} ${interval(a.overall.low, a.overall.high)}, SLA met ${pct(a.overall.slaMetRate)}, mean latency ${a.overall.meanLatency.toFixed(1)} ticks. Minimum support ${o.minSupport}, ${Math.round(o.confidence * 100)}% Wilson intervals.`,
    '## Best worker per category (and complexity band)',
    table(
      ['category', 'band', 'best', 'success', 'tasks', 'runner-up', 'success', 'lead significant'],
      a.bestWorkers.map((b) => [b.category, b.band, b.best.architecture, `${pct(b.best.rate)} ${interval(b.best.low, b.best.high)}`, String(b.best.trials), b.runnerUp?.architecture ?? '-', b.runnerUp ? `${pct(b.runnerUp.rate)} ${interval(b.runnerUp.low, b.runnerUp.high)}` : '-', b.significant ? 'yes' : 'no']),
    ),
    '## Failure patterns (failed, stalled, abandoned, turned away or late)',
    table(
      ['conditions', 'support', 'failure rate', 'lift'],
      a.failurePatterns.map((p) => [Object.entries(p.conditions).map(([k, v]) => `${k}=${v}`).join(', '), String(p.support), `${pct(p.failureRate)} ${interval(p.low, p.high)}`, p.lift.toFixed(2)]),
    ),
    `## Opportunities (routing vs the best-supported worker, gain above ${pct(o.gainThreshold)})`,
    table(
      ['category', 'policy success', 'best architecture', 'its success', 'gain', 'tasks'],
      a.opportunities.map((x) => [x.category, pct(x.policyRate), x.bestArchitecture, pct(x.bestRate), `${pct(x.gain)} ${interval(x.gainLow, x.gainHigh)}`, String(x.tasks)]),
    ),
    '## Coordination (a reviewer) by complexity',
    table(
      ['complexity', 'with reviewer', 'alone'],
      a.coordination.map((c) => [String(c.complexity), `${pct(c.coordinated.rate)} ${interval(c.coordinated.low, c.coordinated.high)} (${c.coordinated.trials})`, `${pct(c.alone.rate)} ${interval(c.alone.low, c.alone.high)} (${c.alone.trials})`]),
    ),
    '## Time of day (arrival, quarters of the workday)',
    table(['quarter', 'tasks', 'success', 'mean latency'], a.temporal.map((t) => [String(t.quarter + 1), String(t.tasks), pct(t.successRate), Number.isFinite(t.meanLatency) ? t.meanLatency.toFixed(1) : '-'])),
    '## During arrival bursts',
    table(['arrived', 'tasks', 'success', 'mean latency'], a.bursts.map((b) => [b.arrivedInBurst ? 'in a burst' : 'outside bursts', String(b.trials), b.trials ? `${pct(b.rate)} ${interval(b.low, b.high)}` : '-', Number.isFinite(b.meanLatency) ? b.meanLatency.toFixed(1) : '-'])),
  ].join('\n\n')}\n`;
}

export function writeTraceReport(dir: string, analysis: TraceAnalysis, source: string): { reportPath: string; jsonPath: string } {
  const reportPath = join(dir, 'report.md');
  const jsonPath = join(dir, 'report.json');
  writeJsonAtomic(jsonPath, { source, ...analysis });
  writeFileAtomic(reportPath, renderTraceMarkdown(analysis, source));
  return { reportPath, jsonPath };
}
