/**
 * Progress for runs and sweeps: bars (cli-progress) on a TTY, one plain line per run event and at most one
 * progress line per run every 10% otherwise, so logs stay short in CI and under schedulers.
 */
import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../experiments/runner.js';
import type { RunPlan } from '../experiments/sweep.js';

export interface ProgressDisplay {
  onRun(event: { plan: RunPlan; state: 'start' | 'done' | 'skipped' }): void;
  onProgress(event: ProgressEvent): void;
  stop(): void;
}

export function createProgress(totalRuns: number, options: { quiet?: boolean; json?: boolean }): ProgressDisplay {
  if (options.quiet || options.json) return { onRun: () => {}, onProgress: () => {}, stop: () => {} };
  return process.stderr.isTTY ? new BarProgress(totalRuns) : new LineProgress(totalRuns);
}

class BarProgress implements ProgressDisplay {
  private readonly multibar = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      clearOnComplete: false,
      hideCursor: true,
      format: '{label} |{bar}| {percentage}% | {value}/{total} | {rate} | ETA {eta_formatted} | {info}',
    },
    cliProgress.Presets.shades_classic,
  );
  private readonly sweepBar: cliProgress.SingleBar;
  private readonly runBars = new Map<string, { bar: cliProgress.SingleBar; started: number }>();
  private finished = 0;

  constructor(totalRuns: number) {
    this.sweepBar = this.multibar.create(totalRuns, 0, { label: 'sweep   ', rate: '', info: '' });
  }

  onRun(event: { plan: RunPlan; state: 'start' | 'done' | 'skipped' }): void {
    if (event.state === 'start') return;
    this.finished++;
    this.sweepBar.update(this.finished, { info: `${event.plan.runId} ${event.state}` });
    const entry = this.runBars.get(event.plan.runId);
    if (entry) {
      this.multibar.remove(entry.bar);
      this.runBars.delete(event.plan.runId);
    }
  }

  onProgress(event: ProgressEvent): void {
    let entry = this.runBars.get(event.runId);
    if (!entry) {
      entry = { bar: this.multibar.create(event.totalSteps, 0, { label: `run ${event.runIndex}`.padEnd(8), rate: '', info: '' }), started: performance.now() };
      this.runBars.set(event.runId, entry);
    }
    const seconds = (performance.now() - entry.started) / 1000;
    entry.bar.update(Math.min(event.stepsDone, event.totalSteps), {
      rate: `${Math.round(event.stepsDone / Math.max(seconds, 1e-3))} steps/s`,
      info: event.lastReturn === null ? '' : `return ${event.lastReturn.toFixed(2)}`,
    });
  }

  stop(): void {
    this.multibar.stop();
  }
}

class LineProgress implements ProgressDisplay {
  private readonly lastDecile = new Map<string, number>();
  private finished = 0;

  constructor(private readonly totalRuns: number) {}

  onRun(event: { plan: RunPlan; state: 'start' | 'done' | 'skipped' }): void {
    const axes = Object.keys(event.plan.axes).length ? ` ${JSON.stringify(event.plan.axes)}` : '';
    const run = `run ${event.plan.runId} (seed ${event.plan.seed}${axes})`;
    if (event.state === 'start') {
      // The [k/n] counter counts finished runs, so a start line carries none.
      process.stderr.write(`${run} started\n`);
      return;
    }
    this.finished++;
    process.stderr.write(`[${this.finished}/${this.totalRuns}] ${run} ${event.state}\n`);
  }

  onProgress(event: ProgressEvent): void {
    const decile = Math.floor((10 * event.stepsDone) / event.totalSteps);
    if (decile <= (this.lastDecile.get(event.runId) ?? 0)) return;
    this.lastDecile.set(event.runId, decile);
    const ret = event.lastReturn === null ? '' : `, recent return ${event.lastReturn.toFixed(2)}`;
    // The last rollout may run past totalSteps; the count shown stops at the goal.
    process.stderr.write(`  run ${event.runId}: ${Math.min(event.stepsDone, event.totalSteps)}/${event.totalSteps} steps${ret}\n`);
  }

  stop(): void {}
}
