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
/**
 * What an operating-system error (a file or network call that failed) means, as a named error: a spec path
 * that is a folder (EISDIR), a missing file, a host that does not resolve (ENOTFOUND), a busy port...
 * Unknown codes keep Node's message. Bugs (errors without a code) still print their stack.
 */
export function describeSystemError(error: Error & { code?: unknown; path?: unknown; hostname?: unknown; address?: unknown; port?: unknown }): { name: string; message: string } | null {
  if (typeof error.code !== 'string') return null;
  const path = typeof error.path === 'string' ? error.path : undefined;
  const where = path ?? 'the path';
  const file = (message: string) => ({ name: 'FileSystemError', message });
  const network = (message: string) => ({ name: 'NetworkError', message });
  switch (error.code) {
    case 'EISDIR':
      return file(`Expected a file at ${where}, but it is a folder.`);
    case 'ENOENT':
      return file(`Expected ${where} to exist, but it does not.`);
    case 'ENOTDIR':
      return file(`Expected folders along ${where}, but part of it is a file.`);
    case 'EACCES':
    case 'EPERM':
      return file(`Expected permission to use ${where}, but it was denied.`);
    case 'ENOSPC':
      return file(`Expected free disk space to write ${where}, but the disk is full.`);
    case 'EROFS':
      return file(`Expected a writable file system for ${where}, but it is read-only.`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return network(`Expected a host name or address that resolves, but ${String(error.hostname ?? 'the host')} does not (--host takes e.g. 127.0.0.1, ::1 or 0.0.0.0).`);
    case 'EADDRINUSE':
      return network(`Expected port ${String(error.port ?? '')} to be free, but another process listens on it (choose another --port, or 0 for a free one).`);
    case 'EADDRNOTAVAIL':
      return network(`Expected an address of this machine, but ${String(error.address ?? 'the address')} is not one.`);
    default:
      return { name: 'SystemError', message: `${error.code}: ${error.message}` };
  }
}

export function reportError(error: unknown): void {
  const system = error instanceof Error && !(error instanceof LoopgymError) ? describeSystemError(error) : null;
  if (error instanceof LoopgymError) {
    process.stderr.write(`loopgym: ${error.name}: ${error.message}\n`);
  } else if (system !== null) {
    process.stderr.write(`loopgym: ${system.name}: ${system.message}\n`);
  } else if (error instanceof Error) {
    process.stderr.write(`loopgym: ${error.stack ?? error.message}\n`);
  } else {
    process.stderr.write(`loopgym: ${String(error)}\n`);
  }
  process.exitCode = 1;
}
