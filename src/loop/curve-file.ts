/**
 * Reading a KPI history for `loopgym curve analyze` from CSV or JSONL. Two shapes:
 *
 * Wide: one row per replicate, one column per iteration (0, 1, ...), all numbers. An optional first row
 *   of column names (no cell a number) is skipped.
 *     0.21,0.24,0.26,0.31
 *     0.19,0.25,0.27,0.30
 *   JSONL: one JSON array per line, `[0.21, 0.24, 0.26, 0.31]`.
 *
 * Long: one row per measurement, with a header naming the columns `replicate`, `iteration`, `score`, and
 *   optionally `arm` (learning, frozen, greedy, ...) and `day` (day-level KPIs; an iteration's score is
 *   then the mean of its days). Iterations are 0..K-1 and every replicate of every arm has all of them.
 *     arm,replicate,iteration,score
 *     learning,0,0,0.21
 *   JSONL: one object per line, `{"arm": "learning", "replicate": 0, "iteration": 0, "score": 0.21}`.
 *
 * Empty lines and lines starting with `#` are skipped. Any problem is a DataError naming the file, the
 * line and the column (1-based field number; for JSONL objects the field name), before anything runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { DataError } from '../core/errors.js';
import { MIN_ITERATIONS } from './curve-data.js';

export const LONG_COLUMNS = ['replicate', 'iteration', 'score', 'arm', 'day'] as const;
type LongColumn = (typeof LONG_COLUMNS)[number];
const REQUIRED_LONG: readonly LongColumn[] = ['replicate', 'iteration', 'score'];
/** The arm name of wide files and of long files without an `arm` column. */
export const DEFAULT_ARM = 'learning';

export interface CurveArm {
  /** Replicate labels in order of first appearance (wide files: "0", "1", ...). */
  replicates: string[];
  /** Replicate x iteration scores (day means when days were given). */
  scores: number[][];
  /** Replicate x iteration x day values, when the file has a `day` column. */
  days?: number[][][];
}

export interface CurveFile {
  source: string;
  shape: 'wide' | 'long';
  iterations: number;
  arms: Map<string, CurveArm>;
}

/** One measurement of a long file, and where it came from. */
interface LongRecord {
  line: number;
  arm: string;
  replicate: string;
  iteration: number;
  day: number | null;
  score: number;
}

export function readCurveFile(path: string): CurveFile {
  if (!existsSync(path)) throw new DataError(`Expected a KPI history file (.csv or .jsonl) at ${path}, but it does not exist.`);
  const text = readFileSync(path, 'utf8');
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return parseCurveCsv(text, path);
  if (extension === '.jsonl' || extension === '.ndjson') return parseCurveJsonl(text, path);
  throw new DataError(`Expected a .csv or .jsonl file, but got ${path}.`);
}

export function parseCurveCsv(text: string, source: string): CurveFile {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, { relax_column_count: true, skip_empty_lines: true, comment: '#', trim: true, info: true, bom: true }) as unknown as typeof rows;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new DataError(`${source}${line === undefined ? '' : `:${line}`}: Expected well-formed CSV, but ${(error as Error).message}`);
  }
  if (rows.length === 0) throw new DataError(`${source}: Expected a header or rows of scores, but the file is empty.`);
  const header = rows[0].record.map((cell) => cell.toLowerCase());
  if (header.includes('score')) return longFromCsv(rows, source);
  const isHeader = rows[0].record.every((cell) => !isNumeric(cell));
  const data = isHeader ? rows.slice(1) : rows;
  const width = isHeader ? rows[0].record.length : (data[0]?.record.length ?? 0);
  const firstLine = isHeader ? rows[0].info.lines : data[0]?.info.lines;
  const scores = data.map(({ record, info }) => {
    if (record.length !== width) {
      throw new DataError(`${source}:${info.lines}:${Math.min(record.length, width) + 1}: Expected ${width} columns like line ${firstLine}, but line ${info.lines} has ${record.length}.`);
    }
    return record.map((cell, j) => numberAt(cell, `${source}:${info.lines}:${j + 1}`));
  });
  return wideFile(scores, source, firstLine ?? 1);
}

function longFromCsv(rows: { record: string[]; info: { lines: number } }[], source: string): CurveFile {
  const header = rows[0].record.map((cell) => cell.toLowerCase());
  const headerLine = rows[0].info.lines;
  const columns = new Map<LongColumn, number>();
  header.forEach((name, j) => {
    if (!(LONG_COLUMNS as readonly string[]).includes(name)) {
      throw new DataError(`${source}:${headerLine}:${j + 1}: Expected a column among ${LONG_COLUMNS.join(', ')}, but got "${rows[0].record[j]}".`);
    }
    if (columns.has(name as LongColumn)) throw new DataError(`${source}:${headerLine}:${j + 1}: Expected each column once, but "${name}" repeats.`);
    columns.set(name as LongColumn, j);
  });
  requireColumns(columns, `${source}:${headerLine}`);
  const records = rows.slice(1).map(({ record, info }): LongRecord => {
    const at = (column: LongColumn) => `${source}:${info.lines}:${(columns.get(column) as number) + 1}`;
    if (record.length !== header.length) {
      throw new DataError(`${source}:${info.lines}:${Math.min(record.length, header.length) + 1}: Expected ${header.length} columns like the header (line ${headerLine}), but line ${info.lines} has ${record.length}.`);
    }
    const cell = (column: LongColumn) => record[columns.get(column) as number];
    return {
      line: info.lines,
      arm: columns.has('arm') ? nonEmpty(cell('arm'), at('arm'), 'an arm name') : DEFAULT_ARM,
      replicate: nonEmpty(cell('replicate'), at('replicate'), 'a replicate label'),
      iteration: indexAt(cell('iteration'), at('iteration'), 'an iteration'),
      day: columns.has('day') ? indexAt(cell('day'), at('day'), 'a day') : null,
      score: numberAt(cell('score'), at('score')),
    };
  });
  return longFile(records, source, columns.has('day'), (column) => `${source}: column ${(columns.get(column) as number) + 1} (${column})`);
}

export function parseCurveJsonl(text: string, source: string): CurveFile {
  const wide: number[][] = [];
  const long: LongRecord[] = [];
  let firstLine = 0;
  let hasDay: boolean | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      const position = /position (\d+)/.exec((error as Error).message);
      throw new DataError(`${source}:${line}${position ? `:${Number(position[1]) + 1}` : ''}: Expected valid JSON (one array or object per line), but ${(error as Error).message}`);
    }
    firstLine ||= line;
    if (Array.isArray(value)) {
      if (long.length > 0) throw new DataError(`${source}:${line}: Expected an object like the lines before (long format), but got an array.`);
      const width = wide[0]?.length ?? value.length;
      if (value.length !== width) throw new DataError(`${source}:${line}:${Math.min(value.length, width) + 1}: Expected ${width} scores like line ${firstLine}, but got ${value.length}.`);
      wide.push(value.map((cell, j) => numberAt(cell, `${source}:${line}:${j + 1}`)));
      return;
    }
    if (value === null || typeof value !== 'object') throw new DataError(`${source}:${line}: Expected an array of scores or an object {replicate, iteration, score}, but got ${JSON.stringify(value)}.`);
    if (wide.length > 0) throw new DataError(`${source}:${line}: Expected an array like the lines before (wide format), but got an object.`);
    const object = value as Record<string, unknown>;
    const unknown = Object.keys(object).filter((key) => !(LONG_COLUMNS as readonly string[]).includes(key));
    if (unknown.length > 0) throw new DataError(`${source}:${line}: Expected fields among ${LONG_COLUMNS.join(', ')}, but got "${unknown[0]}".`);
    const present = new Map(LONG_COLUMNS.filter((c) => c in object).map((c) => [c, 0] as const));
    requireColumns(present, `${source}:${line}`);
    hasDay ??= 'day' in object;
    if (hasDay !== 'day' in object) throw new DataError(`${source}:${line}: Expected ${hasDay ? 'a day field like line ' : 'no day field, like line '}${firstLine}, but got ${hasDay ? 'none' : 'one'}.`);
    const at = (field: string) => `${source}:${line} (${field})`;
    long.push({
      line,
      arm: 'arm' in object ? nonEmpty(String(object.arm), at('arm'), 'an arm name') : DEFAULT_ARM,
      replicate: nonEmpty(String(object.replicate), at('replicate'), 'a replicate label'),
      iteration: indexAt(object.iteration, at('iteration'), 'an iteration'),
      day: hasDay ? indexAt(object.day, at('day'), 'a day') : null,
      score: numberAt(object.score, at('score')),
    });
  });
  if (wide.length > 0) return wideFile(wide, source, firstLine);
  if (long.length > 0) return longFile(long, source, hasDay === true, (column) => `${source}: field ${column}`);
  throw new DataError(`${source}: Expected lines of scores, but the file has none.`);
}

function requireColumns(columns: Map<LongColumn, number>, where: string): void {
  const missing = REQUIRED_LONG.filter((c) => !columns.has(c));
  if (missing.length > 0) throw new DataError(`${where}: Expected the columns ${REQUIRED_LONG.join(', ')} (long format), but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing.`);
}

function wideFile(scores: number[][], source: string, line: number): CurveFile {
  if (scores.length === 0) throw new DataError(`${source}: Expected at least one row of scores, but got only a header.`);
  const iterations = scores[0].length;
  if (iterations < MIN_ITERATIONS) {
    throw new DataError(`${source}:${line}:${iterations + 1}: Expected at least ${MIN_ITERATIONS} iterations (columns), but got ${iterations}.`);
  }
  return { source, shape: 'wide', iterations, arms: new Map([[DEFAULT_ARM, { replicates: scores.map((_, r) => String(r)), scores }]]) };
}

function longFile(records: LongRecord[], source: string, hasDay: boolean, column: (c: LongColumn) => string): CurveFile {
  if (records.length === 0) throw new DataError(`${source}: Expected rows of scores after the header, but got none.`);
  const iterations = Math.max(...records.map((r) => r.iteration)) + 1;
  if (iterations < MIN_ITERATIONS) {
    throw new DataError(`${column('iteration')}: Expected at least ${MIN_ITERATIONS} iterations (0..${MIN_ITERATIONS - 1}), but got ${iterations}.`);
  }
  // arm -> replicate -> iteration -> day values (with the line of each, for duplicate errors)
  const tree = new Map<string, Map<string, { values: number[]; days: Map<number, number> }[]>>();
  for (const record of records) {
    let replicates = tree.get(record.arm);
    if (replicates === undefined) tree.set(record.arm, (replicates = new Map()));
    let cells = replicates.get(record.replicate);
    if (cells === undefined) replicates.set(record.replicate, (cells = Array.from({ length: iterations }, () => ({ values: [], days: new Map() }))));
    const cell = cells[record.iteration];
    const dayKey = record.day ?? 0;
    const earlier = cell.days.get(dayKey);
    if (earlier !== undefined) {
      const what = `arm ${record.arm}, replicate ${record.replicate}, iteration ${record.iteration}${record.day === null ? '' : `, day ${record.day}`}`;
      throw new DataError(`${source}:${record.line}: Expected one score per ${hasDay ? 'day' : 'iteration'}, but ${what} is also on line ${earlier}.`);
    }
    cell.days.set(dayKey, record.line);
    cell.values[dayKey] = record.score;
  }
  const arms = new Map<string, CurveArm>();
  let reference: { arm: string; replicates: string[] } | null = null;
  for (const [arm, replicates] of tree) {
    const labels = [...replicates.keys()];
    if (reference === null) reference = { arm, replicates: labels };
    else if (labels.length !== reference.replicates.length || labels.some((label) => !reference?.replicates.includes(label))) {
      throw new DataError(`${column('replicate')}: Expected every arm to have the replicates of arm ${reference.arm} (${reference.replicates.join(', ')}), but arm ${arm} has ${labels.join(', ')}.`);
    }
    const ordered = reference.replicates.map((label) => replicates.get(label) as { values: number[]; days: Map<number, number> }[]);
    const days = ordered.map((cells, r) =>
      cells.map((cell, k) => {
        const values = cell.values.filter((v) => v !== undefined);
        if (values.length === 0) throw new DataError(`${column('iteration')}: Expected iterations 0..${iterations - 1} for every replicate, but arm ${arm}, replicate ${reference?.replicates[r]} has no iteration ${k}.`);
        return values;
      }),
    );
    const scores = days.map((row) => row.map((values) => values.reduce((s, v) => s + v, 0) / values.length));
    arms.set(arm, hasDay ? { replicates: reference.replicates, scores, days } : { replicates: reference.replicates, scores });
  }
  return { source, shape: 'long', iterations, arms };
}

function isNumeric(cell: string): boolean {
  return cell.trim() !== '' && Number.isFinite(Number(cell));
}

function numberAt(cell: unknown, where: string): number {
  const value = typeof cell === 'string' && cell.trim() !== '' ? Number(cell) : cell;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new DataError(`${where}: Expected a finite number, but got ${JSON.stringify(cell) ?? 'nothing'}.`);
  return value;
}

function indexAt(cell: unknown, where: string, what: string): number {
  const value = numberAt(cell, where);
  if (!Number.isInteger(value) || value < 0) throw new DataError(`${where}: Expected ${what} as an integer >= 0, but got ${JSON.stringify(cell)}.`);
  return value;
}

function nonEmpty(cell: string, where: string, what: string): string {
  if (cell.trim() === '') throw new DataError(`${where}: Expected ${what}, but the cell is empty.`);
  return cell.trim();
}
