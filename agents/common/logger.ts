/**
 * SB3-style logger: `record(key, value)` accumulates the current row, `dump(step)` writes it to every
 * output (console table, JSONL, CSV) and clears it. Keys use the common names (`rollout/ep_rew_mean`,
 * `train/approx_kl`, `time/fps`) so curves compare across libraries. Keys under `time/` are wall-clock
 * measurements: everything else is reproducible from the seed.
 */
import { appendFileSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../src/core/errors.js';

export type LogFormat = 'stdout' | 'jsonl' | 'csv';

export interface LoggerOptions {
  /** Folder for `metrics.jsonl` / `progress.csv`; required for the file formats. */
  dir?: string;
  formats?: LogFormat[];
  /** Keep every dumped row in memory (`history`), for tests and reports. Default true. */
  keepHistory?: boolean;
}

export type LogRow = Record<string, number>;

export class Logger {
  private current: LogRow = {};
  private latestValues: LogRow = {};
  readonly history: LogRow[] = [];
  private csvKeys: string[] = [];
  private readonly formats: LogFormat[];

  constructor(private readonly options: LoggerOptions = {}) {
    this.formats = options.formats ?? [];
    if (this.formats.some((f) => f !== 'stdout') && !options.dir) {
      throw new ConfigError('Expected a dir for the jsonl/csv log formats, but got none.');
    }
    if (options.dir) mkdirSync(options.dir, { recursive: true });
  }

  record(key: string, value: number): void {
    this.current[key] = value;
  }

  /** The latest value of every key ever recorded (what hooks see as `metrics`). */
  get latest(): Readonly<LogRow> {
    return this.latestValues;
  }

  /** Continues with the latest values (and their key order) of a checkpoint: hooks then see what they would have. */
  restoreLatest(values: Readonly<LogRow>): void {
    this.latestValues = { ...values };
  }

  /** Writes the current row with `time/total_timesteps` = step and starts a new one. */
  dump(step: number): LogRow {
    const row: LogRow = { 'time/total_timesteps': step, ...this.current };
    this.current = {};
    Object.assign(this.latestValues, row);
    if (this.options.keepHistory ?? true) this.history.push(row);
    for (const format of this.formats) {
      if (format === 'stdout') process.stdout.write(formatTable(row));
      else if (format === 'jsonl') appendFileSync(path.join(this.options.dir!, 'metrics.jsonl'), JSON.stringify(row) + '\n');
      else this.writeCsv(row);
    }
    return row;
  }

  /** As SB3: when new keys appear the CSV is rewritten with the wider header. */
  private writeCsv(row: LogRow): void {
    const file = path.join(this.options.dir!, 'progress.csv');
    const newKeys = Object.keys(row).filter((k) => !this.csvKeys.includes(k));
    if (newKeys.length > 0) {
      const oldKeys = this.csvKeys;
      this.csvKeys = [...oldKeys, ...newKeys];
      let body = '';
      if (oldKeys.length > 0) {
        const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0).slice(1);
        body = lines.map((l) => l + ','.repeat(newKeys.length)).join('\n');
        if (body) body += '\n';
      }
      writeFileSync(file, this.csvKeys.join(',') + '\n' + body);
    }
    appendFileSync(file, this.csvKeys.map((k) => (k in row ? String(row[k]) : '')).join(',') + '\n');
  }
}

function formatTable(row: LogRow): string {
  const entries = Object.entries(row).sort(([a], [b]) => a.localeCompare(b));
  const lines = entries.map(([k, v]) => `| ${k.padEnd(32)} | ${formatNumber(v).padStart(12)} |`);
  const rule = '-'.repeat(51);
  return [rule, ...lines, rule, ''].join('\n');
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : v.toPrecision(4);
}

/** The `time/*` keys that count (steps, updates, episodes) rather than measure wall time. */
const TIME_COUNTERS: ReadonlySet<string> = new Set(['time/total_timesteps', 'time/iterations', 'time/episodes']);

/**
 * The one rule for which logged keys reproduce: every key but the wall-clock ones, which are `time/*`
 * other than the counters (total_timesteps, iterations, episodes) and any `*_seconds`. The runner's
 * metrics.jsonl and `reproducibleRow` both follow it.
 */
export function isReproducibleKey(key: string): boolean {
  if (key.endsWith('_seconds')) return false;
  return !key.startsWith('time/') || TIME_COUNTERS.has(key);
}

/** Drops the wall-clock keys (isReproducibleKey) so rows can be compared across runs. */
export function reproducibleRow(row: LogRow): LogRow {
  const out: LogRow = {};
  for (const [k, v] of Object.entries(row)) if (isReproducibleKey(k)) out[k] = v;
  return out;
}
