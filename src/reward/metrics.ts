/**
 * How good a reward model is, and how far a policy's proxy return drifts from its gold return.
 *
 * Fit metrics compare predictions with the true satisfaction (held out from training): R^2 (1 - SSE/SST),
 * Spearman's rank correlation (Pearson correlation of the ranks, ties given their average rank), mean
 * absolute error, and preference accuracy (the share of labelled pairs the model orders as the user did).
 *
 * Proxy-vs-gold: the policy is trained on the proxy (learned) reward while the env still reports the gold
 * one; a proxy return that keeps rising while the gold return stalls or falls is reward over-optimization
 * (Gao et al. 2022), so both returns and their gap are logged side by side.
 */
import { pearson } from '../core/stats.js';
import { ConfigError } from '../core/errors.js';

export interface RewardModelMetrics {
  /** Coefficient of determination against the truth; NaN when the truth is constant or empty. */
  r2: number;
  /** Spearman rank correlation against the truth; NaN when either side is constant or empty. */
  spearman: number;
  /** Mean absolute error against the truth (same scale as the predictions, [0, 1] for satisfaction). */
  mae: number;
  /** Share of labelled pairs ordered as labelled (ties count half); NaN without pairs. */
  preferenceAccuracy: number;
}

function checkSameLength(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length) throw new ConfigError(`Expected ${what} of equal length, but got ${a.length} and ${b.length}.`);
}

export function meanAbsoluteError(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  checkSameLength(predicted, truth, 'predictions and truth');
  if (truth.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < truth.length; i++) sum += Math.abs(predicted[i] - truth[i]);
  return sum / truth.length;
}

export function rSquared(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  checkSameLength(predicted, truth, 'predictions and truth');
  const n = truth.length;
  if (n === 0) return NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += truth[i];
  mean /= n;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    sse += (truth[i] - predicted[i]) ** 2;
    sst += (truth[i] - mean) ** 2;
  }
  return sst > 0 ? 1 - sse / sst : NaN;
}


/** 1-based ranks; tied values share the average of the ranks they span. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => values[i] - values[j] || i - j);
  const ranks = new Float64Array(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    const rank = (start + end + 1) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkSameLength(a, b, 'samples');
  return pearson(averageRanks(a), averageRanks(b));
}

/**
 * Share of pairs ordered as labelled: `preferred[i]` is 0 when A was preferred, 1 when B was (the
 * orchestrator's convention). A predicted tie counts half, so a constant model scores 0.5.
 */
export function preferenceAccuracy(scoreA: ArrayLike<number>, scoreB: ArrayLike<number>, preferred: ArrayLike<number>): number {
  checkSameLength(scoreA, scoreB, 'pair scores');
  checkSameLength(scoreA, preferred, 'pair scores and labels');
  if (preferred.length === 0) return NaN;
  let correct = 0;
  for (let i = 0; i < preferred.length; i++) {
    const diff = scoreA[i] - scoreB[i];
    if (diff === 0) correct += 0.5;
    else if ((diff > 0) === (preferred[i] === 0)) correct += 1;
  }
  return correct / preferred.length;
}

/** All four fit metrics at once. */
export function rewardModelMetrics(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
  pairs?: { scoreA: ArrayLike<number>; scoreB: ArrayLike<number>; preferred: ArrayLike<number> },
): RewardModelMetrics {
  return {
    r2: rSquared(predicted, truth),
    spearman: spearman(predicted, truth),
    mae: meanAbsoluteError(predicted, truth),
    preferenceAccuracy: pairs ? preferenceAccuracy(pairs.scoreA, pairs.scoreB, pairs.preferred) : NaN,
  };
}

/** Proxy and gold returns of recent episodes and their gap (proxy - gold; positive = the proxy flatters). */
export interface ProxyGoldSummary {
  episodes: number;
  proxyReturn: number;
  goldReturn: number;
  gap: number;
}

/**
 * Sums proxy (the reward the learner sees) and gold (`info.goldReward`) per episode and keeps the last
 * `window` episodes, so the two curves can be logged together over training.
 */
export class ProxyGoldTracker {
  private proxy = 0;
  private gold = 0;
  private readonly proxyReturns: number[] = [];
  private readonly goldReturns: number[] = [];
  episodes = 0;

  constructor(readonly window = 100) {
    if (!Number.isInteger(window) || window <= 0) throw new ConfigError(`Expected window to be a positive integer, but got ${window}.`);
  }

  /** One step; `done` closes the episode. */
  add(proxyReward: number, goldReward: number, done: boolean): void {
    this.proxy += proxyReward;
    this.gold += goldReward;
    if (!done) return;
    this.addEpisode(this.proxy, this.gold);
    this.proxy = 0;
    this.gold = 0;
  }

  /** One finished episode's returns, for callers that sum steps themselves (e.g. one wrapper per vector member). */
  addEpisode(proxyReturn: number, goldReturn: number): void {
    this.proxyReturns.push(proxyReturn);
    this.goldReturns.push(goldReturn);
    if (this.proxyReturns.length > this.window) {
      this.proxyReturns.shift();
      this.goldReturns.shift();
    }
    this.episodes++;
  }

  /** Drops the running (unfinished) episode, e.g. on reset. */
  discardRunning(): void {
    this.proxy = 0;
    this.gold = 0;
  }

  /** Everything the tracker holds, as plain JSON (mid-run checkpoints). */
  state(): { proxy: number; gold: number; proxyReturns: number[]; goldReturns: number[]; episodes: number } {
    return { proxy: this.proxy, gold: this.gold, proxyReturns: [...this.proxyReturns], goldReturns: [...this.goldReturns], episodes: this.episodes };
  }

  setState(state: ReturnType<ProxyGoldTracker['state']>): void {
    this.proxy = state.proxy;
    this.gold = state.gold;
    this.proxyReturns.splice(0, this.proxyReturns.length, ...state.proxyReturns);
    this.goldReturns.splice(0, this.goldReturns.length, ...state.goldReturns);
    this.episodes = state.episodes;
  }

  summary(): ProxyGoldSummary {
    const n = this.proxyReturns.length;
    if (n === 0) return { episodes: this.episodes, proxyReturn: NaN, goldReturn: NaN, gap: NaN };
    let proxy = 0;
    let gold = 0;
    for (let i = 0; i < n; i++) {
      proxy += this.proxyReturns[i];
      gold += this.goldReturns[i];
    }
    return { episodes: this.episodes, proxyReturn: proxy / n, goldReturn: gold / n, gap: (proxy - gold) / n };
  }
}
