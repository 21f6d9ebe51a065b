/**
 * Dependency-free SVG charts for reports: line charts with confidence bands (learning curves) and
 * interval charts (point estimate with CI per configuration, one panel per statistic, as rliable plots
 * them). Output is a pure function of the input, with coordinates rounded to 0.01 px, so a report's
 * plots reproduce byte for byte.
 */
import { DataError } from '../core/errors.js';

/** tab10: distinguishable, and what matplotlib users expect. Series past ten repeat them dashed. */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const MUTED = '#9a9a9a';
/** Reference lines (baselines, random/oracle) and their labels. */
const REFERENCE = '#555555';
const FONT = 'font-family="Helvetica, Arial, sans-serif"';
/** Rough advance of one 12 px character, to size label columns without measuring text. */
const CHAR_WIDTH = 7.2;
const MAX_LABEL_CHARS = 42;

export interface SeriesPoint {
  x: number;
  y: number;
  low?: number;
  high?: number;
}

export interface Series {
  label: string;
  points: SeriesPoint[];
  /** Palette index (default: the series' position), so a configuration keeps its colour across charts. */
  colorIndex?: number;
}

/** A labelled constant drawn across a chart as a dashed line, e.g. a baseline's return. */
export interface ReferenceLine {
  value: number;
  label: string;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Dashed horizontal lines (e.g. the baselines' final returns), labelled at the left where curves have not started. */
  references?: ReferenceLine[];
  /** Title of the references' legend entry (default "baselines"). */
  referencesLabel?: string;
}

export interface IntervalItem {
  label: string;
  value: number;
  low: number;
  high: number;
  colorIndex?: number;
  /** Drawn grey: reference rows such as baselines. */
  muted?: boolean;
}

export interface IntervalPanel {
  title: string;
  items: IntervalItem[];
  /** Dashed vertical reference lines, e.g. random = 0 and oracle = 1 for normalized scores. */
  references?: ReferenceLine[];
}

export interface IntervalChartOptions {
  title: string;
  xLabel: string;
  panelWidth?: number;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const px = (value: number) => {
  const text = value.toFixed(2);
  return text === '-0.00' ? '0.00' : text;
};

function truncate(label: string, max = MAX_LABEL_CHARS): string {
  return label.length <= max ? label : `${label.slice(0, max - 1)}…`;
}

function colorOf(index: number): string {
  return PALETTE[index % PALETTE.length];
}

function dashOf(index: number): string {
  return index >= PALETTE.length ? ' stroke-dasharray="6 3"' : '';
}

/**
 * Round tick values (1, 2, 2.5 or 5 times a power of ten), about `target` of them. By default the axis is
 * extended to the ticks around [min, max]; with `extend: false` it stays [min, max] and only the ticks
 * inside it are kept (an x-axis of steps ends where the run ended, not at the next round number).
 */
export function niceTicks(min: number, max: number, target = 5, extend = true): { ticks: number[]; step: number; min: number; max: number } {
  if (!(Number.isFinite(min) && Number.isFinite(max))) throw new DataError(`Expected a finite axis range, but got [${min}, ${max}].`);
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, target);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const low = extend ? Math.floor(min / step + 1e-9) * step : Math.ceil(min / step - 1e-9) * step;
  const high = extend ? Math.ceil(max / step - 1e-9) * step : Math.floor(max / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; low + i * step <= high + step * 1e-9; i++) ticks.push(cleanFloat(low + i * step));
  return { ticks, step, min: extend ? low : min, max: extend ? high : max };
}

type Axis = ReturnType<typeof niceTicks>;

/** Rough width of a 12 px label. */
function labelWidth(text: string): number {
  return text.length * CHAR_WIDTH;
}

/**
 * The most ticks (up to `target`) whose labels do not overlap on an axis `pixels` long: horizontal
 * labels need their widths apart, vertical ones a line height.
 */
export function fittedTicks(min: number, max: number, pixels: number, options: { target?: number; extend?: boolean; horizontal: boolean }): Axis {
  let best: Axis | undefined;
  for (let target = options.target ?? 8; target >= 1; target--) {
    const axis = niceTicks(min, max, target, options.extend ?? true);
    best = axis;
    const span = axis.max - axis.min;
    const at = (v: number) => (span === 0 ? 0 : ((v - axis.min) / span) * pixels);
    const labels = axis.ticks.map((t) => formatTick(t, axis.step, tickMax(axis)));
    const fits = axis.ticks.every((t, i) => {
      if (i === 0) return true;
      const needed = options.horizontal ? (labelWidth(labels[i - 1]) + labelWidth(labels[i])) / 2 + 8 : 16;
      return at(t) - at(axis.ticks[i - 1]) >= needed;
    });
    if (fits) return axis;
  }
  return best as Axis;
}

/** Removes float noise such as 0.30000000000000004 from tick values. */
function cleanFloat(value: number): number {
  return Number(value.toPrecision(12));
}

/** A tick label: 20k / 1.5M on axes reaching 1e4 / 1e6, otherwise as many decimals as the step needs. */
export function formatTick(value: number, step: number, axisMax = Math.abs(value)): string {
  if (value === 0 && axisMax >= 1e4) return '0';
  if (axisMax >= 1e6 && step >= 1e5) return `${cleanFloat(value / 1e6)}M`;
  if (axisMax >= 1e4 && step >= 1e3) return `${cleanFloat(value / 1e3)}k`;
  const stepText = String(cleanFloat(step));
  if (stepText.includes('e')) return value === 0 ? '0' : value.toExponential(1);
  const text = value.toFixed(stepText.split('.')[1]?.length ?? 0);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

function header(width: number, height: number, title: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" ${FONT} font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${px(width)}" height="${px(height)}" fill="#ffffff"/>`,
    `<text x="${px(width / 2)}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(truncate(title, 90))}</text>`,
  ];
}

/** Learning curves: one line per series, its CI as a translucent band, a legend at the right. */
export function lineChartSvg(series: readonly Series[], options: LineChartOptions): string {
  const width = options.width ?? 760;
  const height = options.height ?? 440;
  const legendLabels = [...series.map((s) => s.label), ...((options.references ?? []).length > 0 ? [options.referencesLabel ?? 'baselines'] : [])];
  const legendWidth = Math.min(MAX_LABEL_CHARS, Math.max(0, ...legendLabels.map((label) => label.length))) * CHAR_WIDTH + 40;
  const margin = { left: 72, right: 16 + legendWidth, top: 40, bottom: 56 };
  const plotW = Math.max(460, width - margin.left - margin.right);
  const plotH = Math.max(100, height - margin.top - margin.bottom);
  const totalW = margin.left + plotW + margin.right;
  const out = header(totalW, height, options.title);

  const points = series.flatMap((s) => s.points);
  if (points.length === 0) {
    out.push(`<text x="${px(margin.left + plotW / 2)}" y="${px(margin.top + plotH / 2)}" text-anchor="middle" fill="#555555">No evaluation points recorded (set evaluation.everySteps in the spec).</text>`, '</svg>');
    return `${out.join('\n')}\n`;
  }
  const references = options.references ?? [];
  // Steps start at 0 and the axis ends at the last evaluation, so a 300k-step run is not drawn out to 350k.
  const xValues = points.map((p) => p.x);
  const xs = fittedTicks(Math.min(0, ...xValues), Math.max(...xValues), plotW, { target: 7, extend: false, horizontal: true });
  const yLow = Math.min(...points.map((p) => Math.min(p.y, p.low ?? p.y)), ...references.map((r) => r.value));
  const yHigh = Math.max(...points.map((p) => Math.max(p.y, p.high ?? p.y)), ...references.map((r) => r.value));
  const ys = fittedTicks(yLow, yHigh, plotH, { target: 7, horizontal: false });
  const sx = (x: number) => margin.left + ((x - xs.min) / (xs.max - xs.min)) * plotW;
  const sy = (y: number) => margin.top + plotH - ((y - ys.min) / (ys.max - ys.min)) * plotH;

  out.push(...axes(margin.left, margin.top, plotW, plotH, xs, ys, sx, sy, options.xLabel, options.yLabel));
  out.push(...referenceLines(references, margin.left, plotW, sy));
  out.push('<g>');
  series.forEach((s, i) => {
    const index = s.colorIndex ?? i;
    const color = colorOf(index);
    const sorted = [...s.points].sort((a, b) => a.x - b.x);
    const banded = sorted.filter((p) => p.low !== undefined && p.high !== undefined);
    if (banded.length > 1) {
      const upper = banded.map((p) => `${px(sx(p.x))},${px(sy(p.high as number))}`);
      const lower = banded.map((p) => `${px(sx(p.x))},${px(sy(p.low as number))}`).reverse();
      out.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${color}" fill-opacity="0.18" stroke="none"/>`);
    }
    if (banded.length === 1) {
      const p = banded[0];
      out.push(`<line x1="${px(sx(p.x))}" y1="${px(sy(p.low as number))}" x2="${px(sx(p.x))}" y2="${px(sy(p.high as number))}" stroke="${color}" stroke-width="2" stroke-opacity="0.5"/>`);
    }
    if (sorted.length > 1) {
      out.push(`<polyline points="${sorted.map((p) => `${px(sx(p.x))},${px(sy(p.y))}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"${dashOf(index)}/>`);
    }
    if (sorted.length <= 40) for (const p of sorted) out.push(`<circle cx="${px(sx(p.x))}" cy="${px(sy(p.y))}" r="2.5" fill="${color}"/>`);
  });
  out.push('</g>');

  const legendX = margin.left + plotW + 20;
  series.forEach((s, i) => {
    const index = s.colorIndex ?? i;
    const y = margin.top + 8 + i * 20;
    out.push(`<rect x="${px(legendX)}" y="${px(y - 6)}" width="18" height="12" fill="${colorOf(index)}" fill-opacity="0.18"/>`);
    out.push(`<line x1="${px(legendX)}" y1="${px(y)}" x2="${px(legendX + 18)}" y2="${px(y)}" stroke="${colorOf(index)}" stroke-width="2"${dashOf(index)}/>`);
    out.push(`<text x="${px(legendX + 24)}" y="${px(y + 4)}">${escapeXml(truncate(s.label))}</text>`);
  });
  if (references.length > 0) {
    const y = margin.top + 8 + series.length * 20;
    out.push(`<line x1="${px(legendX)}" y1="${px(y)}" x2="${px(legendX + 18)}" y2="${px(y)}" stroke="${REFERENCE}" stroke-dasharray="5 3"/>`);
    out.push(`<text x="${px(legendX + 24)}" y="${px(y + 4)}" fill="${REFERENCE}">${escapeXml(truncate(options.referencesLabel ?? 'baselines'))}</text>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

const tickMax = (axis: Axis) => Math.max(Math.abs(axis.min), Math.abs(axis.max));

/**
 * Dashed horizontal reference lines across the plot, each labelled at its left end, where learning curves
 * have not started yet; labels of close lines are moved apart so they stay readable.
 */
function referenceLines(references: readonly ReferenceLine[], left: number, width: number, sy: (y: number) => number): string[] {
  const out: string[] = [];
  const sorted = [...references].sort((a, b) => sy(a.value) - sy(b.value));
  let previous = -Infinity;
  for (const ref of sorted) {
    const y = sy(ref.value);
    out.push(`<line x1="${px(left)}" y1="${px(y)}" x2="${px(left + width)}" y2="${px(y)}" stroke="${REFERENCE}" stroke-width="1.2" stroke-dasharray="5 3"/>`);
    const labelY = Math.max(y - 4, previous + 12);
    previous = labelY;
    out.push(`<text x="${px(left + 4)}" y="${px(labelY)}" font-size="10" fill="${REFERENCE}">${escapeXml(truncate(ref.label, 30))}</text>`);
  }
  return out;
}

function axes(
  left: number,
  top: number,
  w: number,
  h: number,
  xs: Axis,
  ys: Axis,
  sx: (x: number) => number,
  sy: (y: number) => number,
  xLabel: string,
  yLabel: string,
): string[] {
  const out: string[] = [];
  for (const y of ys.ticks) {
    out.push(`<line x1="${px(left)}" y1="${px(sy(y))}" x2="${px(left + w)}" y2="${px(sy(y))}" stroke="#e6e6e6"/>`);
    out.push(`<text x="${px(left - 6)}" y="${px(sy(y) + 4)}" text-anchor="end">${escapeXml(formatTick(y, ys.step, tickMax(ys)))}</text>`);
  }
  for (const x of xs.ticks) {
    out.push(`<line x1="${px(sx(x))}" y1="${px(top + h)}" x2="${px(sx(x))}" y2="${px(top + h + 5)}" stroke="#333333"/>`);
    out.push(`<text x="${px(sx(x))}" y="${px(top + h + 18)}" text-anchor="middle">${escapeXml(formatTick(x, xs.step, tickMax(xs)))}</text>`);
  }
  out.push(`<rect x="${px(left)}" y="${px(top)}" width="${px(w)}" height="${px(h)}" fill="none" stroke="#333333"/>`);
  out.push(`<text x="${px(left + w / 2)}" y="${px(top + h + 40)}" text-anchor="middle">${escapeXml(xLabel)}</text>`);
  out.push(`<text transform="translate(${px(left - 54)},${px(top + h / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`);
  return out;
}

/**
 * Final scores: one row per item, one panel per statistic (e.g. IQM and mean), each row a bar spanning
 * the CI with a tick at the point estimate.
 */
export function intervalChartSvg(panels: readonly IntervalPanel[], options: IntervalChartOptions): string {
  const rows = Math.max(0, ...panels.map((p) => p.items.length));
  const labels = panels[0]?.items.map((item) => truncate(item.label)) ?? [];
  const labelColumn = Math.max(60, ...labels.map((l) => labelWidth(l))) + 16;
  const panelWidth = options.panelWidth ?? 260;
  const panelAxes = panels.map((panel) => {
    const values = panel.items.flatMap((item) => [item.low, item.high, item.value]).concat((panel.references ?? []).map((ref) => ref.value));
    return values.length === 0 ? niceTicks(0, 1) : fittedTicks(Math.min(...values), Math.max(...values), panelWidth, { target: 5, horizontal: true });
  });
  // Panels sit side by side: the gap holds half of the last tick label of one and half of the first of the
  // next, plus room enough that the two never read as one label ("1 -3").
  const widestTick = Math.max(0, ...panelAxes.flatMap((axis) => axis.ticks.map((t) => labelWidth(formatTick(t, axis.step, tickMax(axis))))));
  const gap = Math.max(40, widestTick + 28);
  const rowHeight = 26;
  const top = 58;
  const plotH = Math.max(rowHeight, rows * rowHeight);
  const width = labelColumn + panels.length * (panelWidth + gap) - gap + widestTick / 2 + 12;
  const height = top + plotH + 56;
  const out = header(width, height, options.title);
  if (rows === 0) {
    out.push(`<text x="${px(width / 2)}" y="${px(top + 16)}" text-anchor="middle" fill="#555555">No finished runs.</text>`, '</svg>');
    return `${out.join('\n')}\n`;
  }
  labels.forEach((label, r) => {
    const muted = panels[0].items[r].muted;
    out.push(`<text x="${px(labelColumn - 10)}" y="${px(top + r * rowHeight + rowHeight / 2 + 4)}" text-anchor="end"${muted ? ` fill="${MUTED}"` : ''}>${escapeXml(label)}</text>`);
  });
  panels.forEach((panel, p) => {
    const left = labelColumn + p * (panelWidth + gap);
    const xs = panelAxes[p];
    const sx = (x: number) => left + ((x - xs.min) / (xs.max - xs.min)) * panelWidth;
    out.push(`<text x="${px(left + panelWidth / 2)}" y="${px(top - 10)}" text-anchor="middle" font-weight="bold">${escapeXml(panel.title)}</text>`);
    for (const x of xs.ticks) {
      out.push(`<line x1="${px(sx(x))}" y1="${px(top)}" x2="${px(sx(x))}" y2="${px(top + plotH)}" stroke="#e6e6e6"/>`);
      out.push(`<text x="${px(sx(x))}" y="${px(top + plotH + 18)}" text-anchor="middle">${escapeXml(formatTick(x, xs.step, tickMax(xs)))}</text>`);
    }
    for (const ref of panel.references ?? []) {
      out.push(`<line x1="${px(sx(ref.value))}" y1="${px(top)}" x2="${px(sx(ref.value))}" y2="${px(top + plotH)}" stroke="#555555" stroke-dasharray="4 3"/>`);
      const rightHalf = sx(ref.value) > left + panelWidth / 2;
      out.push(`<text x="${px(sx(ref.value) + (rightHalf ? -3 : 3))}" y="${px(top + plotH - 4)}" font-size="10" fill="#555555" stroke="#ffffff" stroke-width="3" paint-order="stroke" text-anchor="${rightHalf ? 'end' : 'start'}">${escapeXml(ref.label)}</text>`);
    }
    panel.items.forEach((item, r) => {
      const color = item.muted ? MUTED : colorOf(item.colorIndex ?? r);
      const y = top + r * rowHeight;
      const x0 = sx(item.low);
      const barWidth = Math.max(1.5, sx(item.high) - x0);
      out.push(`<rect x="${px(x0)}" y="${px(y + 5)}" width="${px(barWidth)}" height="${px(rowHeight - 10)}" fill="${color}" fill-opacity="0.55"/>`);
      out.push(`<line x1="${px(sx(item.value))}" y1="${px(y + 3)}" x2="${px(sx(item.value))}" y2="${px(y + rowHeight - 3)}" stroke="#000000" stroke-width="2"/>`);
    });
    out.push(`<line x1="${px(left)}" y1="${px(top + plotH)}" x2="${px(left + panelWidth)}" y2="${px(top + plotH)}" stroke="#333333"/>`);
  });
  out.push(`<text x="${px(labelColumn + (panels.length * (panelWidth + gap) - gap) / 2)}" y="${px(top + plotH + 42)}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
