/**
 * Milestones: the first iteration at which a claim holds with evidence, i.e. at which the LOWER end of
 * the confidence interval passes the bar (not the point estimate): 1.5x, 2x, 5x, 10x over the start,
 * "beats <baseline>" (the paired difference to the baseline, e.g. greedy, is above 0), and
 * "<fraction> of <ceiling>" (the multiplier over the ceiling, e.g. the oracle, is at least 0.9).
 */
import type { Estimate } from './intervals.js';
import type { RatioPoint } from './multiplier.js';

export interface Milestone {
  /** e.g. "2x over iteration 0", "beats greedy", "90% of oracle". */
  name: string;
  /** The bar the lower CI bound must reach (a multiplier, or 0 for a difference). */
  bar: number;
  /** First iteration whose lower CI bound passes the bar; null if none does. */
  iteration: number | null;
  /** Why the milestone could not be computed (a ratio over a denominator whose interval contains 0). */
  refused?: string;
}

/** The first index whose interval's low end is >= bar (> bar when `strict`), or null. */
export function firstPassing(intervals: readonly Estimate[], bar: number, strict = false): number | null {
  for (let k = 0; k < intervals.length; k++) {
    const low = intervals[k].low;
    if (strict ? low > bar : low >= bar) return k;
  }
  return null;
}

/** Multiplier milestones ("1.5x over iteration 0", ...) from a ratio series. */
export function multiplierMilestones(points: readonly RatioPoint[], targets: readonly number[], over: string): Milestone[] {
  const multipliers = points.map((p) => p.multiplier);
  return targets.map((bar) => ({ name: `${bar}x over ${over}`, bar, iteration: firstPassing(multipliers, bar) }));
}

/** "beats <name>": the first iteration whose paired difference to the baseline is above 0 with evidence. */
export function beatsMilestone(differences: readonly Estimate[], name: string): Milestone {
  return { name: `beats ${name}`, bar: 0, iteration: firstPassing(differences, 0, true) };
}

/** "<fraction> of <name>": the first iteration whose multiplier over the ceiling is at least `fraction`. */
export function ceilingMilestone(overCeiling: readonly RatioPoint[], fraction: number, name: string): Milestone {
  return { name: `${Math.round(fraction * 100)}% of ${name}`, bar: fraction, iteration: firstPassing(overCeiling.map((p) => p.multiplier), fraction) };
}
