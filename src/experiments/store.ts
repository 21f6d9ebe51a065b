/**
 * The results store: `<out>/<experiment>/<run-id>/` with config.json, metrics.jsonl, episodes.csv,
 * summary.json (written last: its presence marks a finished run), timing.json, policy/ and reward-model/.
 *
 * The run id is derived from the hash of the resolved run config and the seed, so the same config and seed
 * always land in the same folder, which is what lets a sweep resume by skipping finished runs.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataError } from '../core/errors.js';
import { ensureWritableDir, writeFileAtomic, writeJsonAtomic } from '../core/atomic-fs.js';

/** Files a finished run folder must hold. */
export const RUN_FILES = ['config.json', 'metrics.jsonl', 'episodes.csv', 'summary.json'] as const;

/** JSON with object keys sorted, so equal configs hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function configHash(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 12);
}

/** A run's id: `<config hash>-s<seed>`. The format lives here only (configKeyOf reads it back). */
export function runId(config: unknown, seed: number): string {
  return `${configHash(config)}-s${seed}`;
}

/** The configuration part of a run id (its config hash): runs that differ only by seed share it. */
export function configKeyOf(id: string): string {
  return id.replace(/-s\d+$/, '');
}

export type RunStatus =
  | { state: 'complete'; summary: Record<string, unknown> }
  | { state: 'missing' }
  | { state: 'incomplete'; reason: string }
  | { state: 'corrupt'; reason: string };

/** Says whether a run folder holds a finished, readable run. */
export function inspectRun(dir: string): RunStatus {
  if (!existsSync(dir)) return { state: 'missing' };
  if (!existsSync(join(dir, 'summary.json'))) {
    if (existsSync(join(dir, 'failed.json'))) {
      let message = 'see failed.json';
      try {
        message = (JSON.parse(readFileSync(join(dir, 'failed.json'), 'utf8')) as { message?: string }).message ?? message;
      } catch {
        // An unreadable failed.json still marks the run failed.
      }
      return { state: 'incomplete', reason: `the run failed: ${message}` };
    }
    return { state: 'incomplete', reason: 'summary.json is missing (the run did not finish)' };
  }
  const missing = RUN_FILES.filter((file) => !existsSync(join(dir, file)));
  if (missing.length > 0) return { state: 'corrupt', reason: `missing ${missing.join(', ')}` };
  for (const file of ['config.json', 'summary.json']) {
    try {
      JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (error) {
      return { state: 'corrupt', reason: `${file} is not valid JSON (${(error as Error).message})` };
    }
  }
  const metricsProblem = checkJsonLines(join(dir, 'metrics.jsonl'));
  if (metricsProblem !== null) return { state: 'corrupt', reason: metricsProblem };
  return { state: 'complete', summary: JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Record<string, unknown> };
}

const RUN_FOLDER = 'a run folder (results/<experiment>/<run-id>, holding config.json, summary.json and policy/)';

/**
 * The summary of the finished run in `dir`, or a DataError that says what was given instead: nothing, a
 * file, an experiment folder (and one of its runs), or a run that did not finish (and why).
 */
export function requireFinishedRun(dir: string): Record<string, unknown> {
  if (!existsSync(dir)) throw new DataError(`Expected ${RUN_FOLDER}, but ${dir} does not exist.`);
  if (!statSync(dir).isDirectory()) throw new DataError(`Expected ${RUN_FOLDER}, but ${dir} is a file.`);
  const status = inspectRun(dir);
  if (status.state === 'complete') {
    if (!existsSync(join(dir, 'policy'))) throw new DataError(`Expected ${RUN_FOLDER}, but ${dir} has no policy/ (it was removed or the run did not finish).`);
    return status.summary;
  }
  if (!existsSync(join(dir, 'config.json'))) {
    const runs = listRunDirs(dir);
    if (runs.length > 0) throw new DataError(`Expected ${RUN_FOLDER}, but ${dir} is an experiment folder holding ${runs.length} run(s); give one of them, e.g. ${runs[0]}.`);
    throw new DataError(`Expected ${RUN_FOLDER}, but ${dir} holds no run files.`);
  }
  throw new DataError(`Expected a finished run in ${dir}, but it is ${status.state}: ${'reason' in status ? status.reason : ''}.`);
}

/** The summary of a finished run in `dir` (valid summary.json and config.json, and its policy/), else null. */
export function finishedRun(dir: string): Record<string, unknown> | null {
  const status = inspectRun(dir);
  return status.state === 'complete' && existsSync(join(dir, 'policy')) ? status.summary : null;
}

/** Why a JSON-lines file is corrupt (a truncated or garbage line, by number), or null when every line parses. */
export function checkJsonLines(path: string): string | null {
  const text = readFileSync(path, 'utf8');
  if (text.length > 0 && !text.endsWith('\n')) return `${basename(path)} is truncated (its last line ${text.split('\n').length} has no end)`;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length - 1; i++) {
    try {
      const row = JSON.parse(lines[i]) as unknown;
      if (row === null || typeof row !== 'object' || Array.isArray(row)) return `${basename(path)} line ${i + 1} is not a JSON object`;
    } catch (error) {
      return `${basename(path)} line ${i + 1} is not valid JSON (${(error as Error).message})`;
    }
  }
  return null;
}

/** A folder that holds a run (its config.json or summary.json), finished or not. */
export function isRunDir(dir: string): boolean {
  return existsSync(join(dir, 'config.json')) || existsSync(join(dir, 'summary.json'));
}

const MAX_SEARCH_DEPTH = 3;

/**
 * Run folders at or below `dir` (a run folder, an experiment folder, a results root or shard copies), up to
 * three levels down, in name order.
 */
export function findRunDirs(dir: string, depth = 0): string[] {
  if (isRunDir(dir)) return [dir];
  if (depth >= MAX_SEARCH_DEPTH) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap((name) => findRunDirs(join(dir, name), depth + 1));
}

/** Run folders below an experiment folder (any folder holding config.json or summary.json). */
export function listRunDirs(experimentDir: string): string[] {
  if (!existsSync(experimentDir)) throw new DataError(`Expected a results folder at ${experimentDir}, but it does not exist.`);
  if (!statSync(experimentDir).isDirectory()) throw new DataError(`Expected ${experimentDir} to be a folder, but it is a file.`);
  return readdirSync(experimentDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => join(experimentDir, entry.name))
    .filter((dir) => existsSync(join(dir, 'config.json')) || existsSync(join(dir, 'summary.json')))
    .sort();
}

/**
 * Writes one run's files. Everything but summary.json can be written during the run; summary.json goes
 * last, so a run killed at any point is seen as incomplete, never as finished.
 */
export class RunWriter {
  constructor(readonly dir: string) {}

  /** Starts a run folder from scratch (an unfinished earlier attempt is cleared first). */
  begin(): void {
    rmSync(this.dir, { recursive: true, force: true });
    ensureWritableDir(this.dir);
  }

  writeJson(name: string, value: unknown): void {
    writeJsonAtomic(join(this.dir, name), value);
  }

  writeText(name: string, text: string): void {
    writeFileAtomic(join(this.dir, name), text);
  }

  /**
   * Saves a folder (e.g. `policy/`) through `save(tempDir)`, then renames it into place, so a
   * half-saved model is never found under its final name.
   */
  async writeFolder(name: string, save: (dir: string) => Promise<void>): Promise<void> {
    const temp = join(this.dir, `.${name}.tmp`);
    const target = join(this.dir, name);
    rmSync(temp, { recursive: true, force: true });
    ensureWritableDir(temp);
    await save(temp);
    rmSync(target, { recursive: true, force: true });
    renameSync(temp, target);
  }

  finish(summary: unknown): void {
    this.writeJson('summary.json', summary);
  }
}

/** Rows to CSV text (values with commas, quotes or newlines are quoted). */
export function toCsv(headers: string[], rows: (string | number | boolean | null)[][]): string {
  const cell = (value: string | number | boolean | null) => {
    const text = value === null ? '' : String(value);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [headers.join(','), ...rows.map((row) => row.map(cell).join(','))].join('\n') + '\n';
}
