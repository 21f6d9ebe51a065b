/**
 * Drift detectors on the deployed policy's daily KPI (higher is better; negate a lower-is-better KPI).
 * The detector sees the deployed policy's days in order; `update` returns true on alarm. Its reference is
 * the first `window` days it holds: when a challenger is promoted, `rebaseDetector` keeps the last `window`
 * days of the outgoing champion as the reference, so a promotion that makes things worse is caught against
 * the level before it; after an alarm the detector starts afresh (the next `window` days are the reference).
 *
 * - `relative-drop` (the seeds' rule, "a 5% drop over 20 evaluation runs"): the reference is the mean of
 *   the reference days; the alarm rings when the mean of the latest `window` days after them (at least
 *   min(window, 5) of them) falls more than `drop` x |reference| below it.
 * - `page-hinkley` (Page 1954, Hinkley 1971; the usual form for a fall in the mean): with the reference mean
 *   m and spread s of the first `window` days, m_T = sum over days (m - x_t - delta |m|) and the alarm
 *   rings when m_T - min_{t <= T} m_t > lambda s. The state is plain JSON so a resumed loop continues it.
 */

export type DetectorKind = 'relative-drop' | 'page-hinkley' | 'none';

export interface DetectorOptions {
  detector: DetectorKind;
  window: number;
  drop: number;
  delta: number;
  lambda: number;
}

export interface DetectorState {
  days: number[];
  cumulative: number;
  minimum: number;
}

export function newDetectorState(): DetectorState {
  return { days: [], cumulative: 0, minimum: 0 };
}

function meanOf(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

function spreadOf(values: readonly number[], m: number): number {
  let sum = 0;
  for (const v of values) sum += (v - m) ** 2;
  return values.length > 1 ? Math.sqrt(sum / (values.length - 1)) : 0;
}

/** Keeps the last `window` days as the reference and restarts the cumulative test (on a promotion). */
export function rebaseDetector(state: DetectorState, window: number): DetectorState {
  return { days: state.days.slice(-window), cumulative: 0, minimum: 0 };
}

/** Feeds one day's KPI; true when the detector raises an alarm. Mutates `state`. */
export function updateDetector(state: DetectorState, kpi: number, options: DetectorOptions): boolean {
  state.days.push(kpi);
  if (options.detector === 'none') return false;
  const w = options.window;
  if (state.days.length <= w) return false;
  const reference = state.days.slice(0, w);
  const m = meanOf(reference);
  if (options.detector === 'relative-drop') {
    const after = state.days.slice(w);
    if (after.length < Math.min(w, 5)) return false;
    const recent = meanOf(after.slice(-w));
    return recent < m - options.drop * Math.abs(m);
  }
  state.cumulative += m - kpi - options.delta * Math.abs(m);
  state.minimum = Math.min(state.minimum, state.cumulative);
  const s = spreadOf(reference, m);
  return state.cumulative - state.minimum > options.lambda * Math.max(s, 1e-9);
}
