/**
 * The champion/challenger gate: both policies play the same seeded shadow workdays of the current world,
 * and the challenger is promoted only when its mean daily KPI beats the champion's by more than
 * `margin` x |champion mean| with a one-sided paired t-test at level `alpha` (pairs = the same day).
 * With a KPI where lower is better, pass the KPIs negated.
 */
import { DataError } from '../core/errors.js';
import { mean, std, studentTCdf } from '../core/stats.js';

export interface GateOptions {
  margin: number;
  alpha: number;
}

export interface GateDecision {
  promoted: boolean;
  championMean: number;
  challengerMean: number;
  /** Mean of challenger - champion over the shadow days. */
  gain: number;
  /** Gain the margin demands. */
  required: number;
  /** One-sided p-value of "gain > required" (paired t-test); 1 when the days show no spread and no gain. */
  p: number;
  reason: string;
}

export function gateDecision(champion: readonly number[], challenger: readonly number[], options: GateOptions): GateDecision {
  if (champion.length !== challenger.length || champion.length < 2) {
    throw new DataError(`Expected paired shadow-day KPIs of equal length >= 2, but got ${champion.length} and ${challenger.length}.`);
  }
  const diffs = challenger.map((value, i) => value - champion[i]);
  const championMean = mean(champion);
  const challengerMean = mean(challenger);
  const gain = mean(diffs);
  const required = options.margin * Math.abs(championMean);
  const spread = std(diffs);
  const n = diffs.length;
  let p: number;
  if (spread === 0) p = gain > required ? 0 : 1;
  else p = 1 - studentTCdf((gain - required) / (spread / Math.sqrt(n)), n - 1);
  const promoted = gain > required && p < options.alpha;
  const fmt = (x: number) => x.toFixed(3);
  const reason = promoted
    ? `promoted: gain ${fmt(gain)} > ${fmt(required)} with p = ${fmt(p)} < ${options.alpha}`
    : gain <= required
      ? `kept the champion: gain ${fmt(gain)} is not above the required ${fmt(required)}`
      : `kept the champion: gain ${fmt(gain)} is not significant (p = ${fmt(p)} >= ${options.alpha})`;
  return { promoted, championMean, challengerMean, gain, required, p, reason };
}
