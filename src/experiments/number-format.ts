/**
 * Numbers in tables (report.md, the CLI's tables): one rule for how many decimals a magnitude gets, and
 * one decimal count per column, taken from the column's largest value, so a column reads "1089.3" above
 * "943.3", never "1089" above "943.345". Columns of integers stay integers. Exponents only outside
 * [1e-4, 1e6).
 */

/** An interval cell, rendered "[low, high]". */
export interface IntervalCell {
  low: number;
  high: number;
}

/** A mean ± spread cell, rendered "mean ± std". */
export interface SpreadCell {
  mean: number;
  std: number;
}

/** A table cell: a number, an interval, a mean ± std, text (as is), or nothing (rendered "—"). */
export type Cell = number | IntervalCell | SpreadCell | string | null | undefined;

const MISSING = '—';

/** Decimals for a magnitude: 4 below 1, 3 up to 1000, 1 above; null where exponents take over. */
export function decimalsFor(abs: number): number | null {
  if (abs === 0) return 0;
  if (abs >= 1e6 || abs < 1e-4) return null;
  if (abs >= 1000) return 1;
  if (abs >= 1) return 3;
  return 4;
}

/** One number at a given decimal count (null: the magnitude's own rule). */
export function formatFixed(value: number | null | undefined, decimals: number | null = null): string {
  if (value === null || value === undefined) return MISSING;
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  const abs = Math.abs(value);
  const own = decimalsFor(abs);
  const text = own === null && abs !== 0 ? value.toExponential(2) : value.toFixed(decimals ?? own ?? 0);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** A number alone (outside a column): its magnitude's decimals. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return formatFixed(value);
  const decimals = decimalsFor(Math.abs(value));
  return formatFixed(value, decimals ?? 0);
}

export function formatInterval(interval: IntervalCell | null | undefined, decimals: number | null = null): string {
  if (!interval) return MISSING;
  return `[${decimals === null ? formatValue(interval.low) : formatFixed(interval.low, decimals)}, ${decimals === null ? formatValue(interval.high) : formatFixed(interval.high, decimals)}]`;
}

const isInterval = (cell: Cell): cell is IntervalCell => typeof cell === 'object' && cell !== null && 'low' in cell;
const isSpread = (cell: Cell): cell is SpreadCell => typeof cell === 'object' && cell !== null && 'mean' in cell;

function numbersOf(cell: Cell): number[] {
  if (typeof cell === 'number') return [cell];
  if (isInterval(cell)) return [cell.low, cell.high];
  if (isSpread(cell)) return [cell.mean];
  return [];
}

/**
 * The decimals of a column: none when every value is an integer (counts, steps), else those of its
 * largest finite magnitude, or null when that magnitude is written with an exponent (then each number
 * keeps its own form).
 */
export function columnDecimals(values: readonly number[]): number | null {
  const finite = values.filter(Number.isFinite).map(Math.abs);
  if (finite.every(Number.isInteger)) return finite.some((v) => v >= 1e6) ? null : 0;
  return decimalsFor(Math.max(...finite));
}

/** Formats every cell of a table column by column (one decimal count per column). */
export function formatColumns(rows: readonly (readonly Cell[])[]): string[][] {
  const width = Math.max(0, ...rows.map((row) => row.length));
  const decimals = Array.from({ length: width }, (_, column) => columnDecimals(rows.flatMap((row) => numbersOf(row[column]))));
  return rows.map((row) =>
    row.map((cell, column) => {
      const d = decimals[column];
      if (cell === null || cell === undefined) return MISSING;
      if (typeof cell === 'string') return cell;
      if (typeof cell === 'number') return formatFixed(cell, d);
      if (isInterval(cell)) return formatInterval(cell, d);
      return `${formatFixed(cell.mean, d)} ± ${formatFixed(cell.std, d)}`;
    }),
  );
}
