/**
 * How CLI commands speak: a table or text for people, one JSON document with `--json`, nothing but errors
 * with `--quiet`. Errors go to stderr as `loopgym: <message>` and set a non-zero exit code.
 */
import { renderDefault, type ConfigFieldDoc } from '../core/config-schema.js';
import { LoopgymError } from '../core/errors.js';
import { formatColumns } from '../experiments/number-format.js';

export interface GlobalOptions {
  json?: boolean;
  quiet?: boolean;
  backend?: string;
  out?: string;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(options: GlobalOptions, line = ''): void {
  if (!options.quiet) process.stdout.write(`${line}\n`);
}

/**
 * Renders rows as an aligned text table. Numbers get one decimal count per column (report.md's rule, see
 * number-format.ts); columns of numbers (and "-" for missing ones) are right-aligned.
 */
export function formatTable(headers: string[], rows: (string | number | null)[][]): string {
  const cells = formatColumns(rows).map((row) => row.map((cell) => (cell === '—' ? '-' : cell)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.some((row) => typeof row[i] === 'number') && rows.every((row) => typeof row[i] === 'number' || row[i] === null));
  const line = (row: string[]) => row.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** A config schema's documentation as a table (types and defaults longer than `width` are cut: --json has them whole). */
export function formatConfigTable(fields: readonly ConfigFieldDoc[], width = 44): string {
  const cut = (text: string) => (text.length > width ? `${text.slice(0, width - 3)}...` : text);
  return formatTable(
    ['option', 'type', 'default', 'description'],
    fields.map((f) => [f.field, cut(f.type), cut(renderDefault(f)), f.description]),
  );
}

/** Prints a loopgym error without a stack (a stack for anything unexpected) and sets the exit code. */
export function reportError(error: unknown): void {
  if (error instanceof LoopgymError) {
    process.stderr.write(`loopgym: ${error.name}: ${error.message}\n`);
  } else if (error instanceof Error) {
    process.stderr.write(`loopgym: ${error.stack ?? error.message}\n`);
  } else {
    process.stderr.write(`loopgym: ${String(error)}\n`);
  }
  process.exitCode = 1;
}
