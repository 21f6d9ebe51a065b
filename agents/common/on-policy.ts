/** Pieces shared by the on-policy learners (PPO, A2C, REINFORCE): minibatch assembly, the loss head, statistics, the rollout collector. */
import type { Rng } from '../../src/core/rng.js';
import { ConfigError } from '../../src/core/errors.js';
import { MaskedCategorical } from '../../src/nn/distributions.js';
import { rowLogSoftmax } from '../../src/nn/js-loss.js';
import type { VectorEnv } from '../../src/core/vector.js';
import type { Normalizer } from './normalize.js';
import type { PolicyValueNet } from './policy-value-net.js';
import type { EpisodeStats } from './episodes.js';
import type { RolloutBuffer } from './rollout-buffer.js';

export interface MinibatchInputs {
  obs: Float32Array;
  actions: Int32Array;
  /** Action masks (numActions per row), or null when the env reports none. */
  masks: Uint8Array | null;
  /** Log-probabilities at collection time (PPO's ratio); unused by A2C and REINFORCE. */
  logProbs: Float32Array;
  /** Advantages; null means "returns minus the current value estimate" (REINFORCE's baseline). */
  advantages: Float32Array | null;
  returns: Float32Array;
  /** Values at collection time (PPO's value clipping). */
  values: Float32Array;
}

/** Preallocated arrays for minibatches of up to `capacity` rows: PPO gathers every minibatch into one. */
export class MinibatchStorage {
  readonly obs: Float32Array;
  readonly actions: Int32Array;
  readonly masks: Uint8Array;
  readonly logProbs: Float32Array;
  readonly advantages: Float32Array;
  readonly returns: Float32Array;
  readonly values: Float32Array;

  constructor(readonly capacity: number, obsDim: number, numActions: number) {
    this.obs = new Float32Array(capacity * obsDim);
    this.actions = new Int32Array(capacity);
    this.masks = new Uint8Array(capacity * numActions);
    this.logProbs = new Float32Array(capacity);
    this.advantages = new Float32Array(capacity);
    this.returns = new Float32Array(capacity);
    this.values = new Float32Array(capacity);
  }
}

/**
 * Gathers rows `mb` of the buffer into contiguous arrays (views of `storage` when given, else new arrays),
 * normalizing advantages over the minibatch (SB3: mean 0, unbiased std, +1e-8) when asked and when it has
 * more than one row.
 */
export function minibatchInputs(buffer: RolloutBuffer, mb: Int32Array, numActions: number, normalizeAdvantage: boolean, storage?: MinibatchStorage): MinibatchInputs {
  const B = mb.length;
  const D = buffer.obsDim;
  if (storage && B > storage.capacity) throw new ConfigError(`Expected a minibatch of at most ${storage.capacity} rows (the storage's capacity), but got ${B}.`);
  const out = storage
    ? {
        obs: storage.obs.subarray(0, B * D),
        actions: storage.actions.subarray(0, B),
        masks: buffer.masks ? storage.masks.subarray(0, B * numActions) : null,
        logProbs: storage.logProbs.subarray(0, B),
        advantages: storage.advantages.subarray(0, B),
        returns: storage.returns.subarray(0, B),
        values: storage.values.subarray(0, B),
      }
    : {
        obs: new Float32Array(B * D),
        actions: new Int32Array(B),
        masks: buffer.masks ? new Uint8Array(B * numActions) : null,
        logProbs: new Float32Array(B),
        advantages: new Float32Array(B),
        returns: new Float32Array(B),
        values: new Float32Array(B),
      };
  for (let j = 0; j < B; j++) {
    const r = mb[j];
    out.obs.set(buffer.obs.subarray(r * D, r * D + D), j * D);
    out.actions[j] = buffer.actions[r];
    out.logProbs[j] = buffer.logProbs[r];
    out.advantages[j] = buffer.advantages[r];
    out.returns[j] = buffer.returns[r];
    out.values[j] = buffer.values[r];
    if (out.masks) out.masks.set(buffer.masks!.subarray(r * numActions, r * numActions + numActions), j * numActions);
  }
  if (normalizeAdvantage) normalizeInPlace(out.advantages);
  return out;
}

/** (x - mean) / (unbiased std + 1e-8), as SB3; arrays of length < 2 are left alone. */
export function normalizeInPlace(x: Float32Array | Float64Array): void {
  const n = x.length;
  if (n < 2) return;
  let mean = 0;
  for (let j = 0; j < n; j++) mean += x[j];
  mean /= n;
  let sq = 0;
  for (let j = 0; j < n; j++) sq += (x[j] - mean) ** 2;
  const std = Math.sqrt(sq / (n - 1));
  for (let j = 0; j < n; j++) x[j] = (x[j] - mean) / (std + 1e-8);
}

export interface ActorCriticLossOptions {
  numActions: number;
  /** PPO's surrogate clip range; null = the plain policy gradient -A log pi(a|s) (A2C, REINFORCE). */
  clipRange: number | null;
  /** PPO's value clipping around the collection-time values; null = none. */
  clipRangeVf: number | null;
  vfCoef: number;
  entCoef: number;
  /** When advantages are null: normalize returns - V(s) before use (REINFORCE). */
  normalizeAdvantage: boolean;
}

export interface ActorCriticLossStats {
  pgLoss: number;
  vLoss: number;
  entropy: number;
  /** Schulman's k3 estimator mean((r - 1) - log r), as SB3 (PPO only). */
  approxKl: number;
  clipFraction: number;
}

/**
 * The on-policy loss on the [B, numActions + 1] output [logits | value], and its gradient, in one pass
 * (the body of a jsLoss op):
 *   pg  = PPO: -mean(min(r A, clip(r, 1 +- eps) A)), r = exp(log pi(a|s) - log pi_old(a|s));
 *         otherwise -mean(A log pi(a|s))
 *   v   = mean((R - V)^2), V optionally clipped to V_old +- clipRangeVf
 *   loss = pg + vfCoef * v - entCoef * mean(H)
 * Gradients follow the autograd conventions of PyTorch/tfjs (min and clip pass the gradient to the
 * first argument on ties and inside the closed interval).
 */
export function actorCriticLoss(out: Float32Array, grad: Float32Array, mb: MinibatchInputs, o: ActorCriticLossOptions, stats: ActorCriticLossStats): number {
  const nA = o.numActions;
  const W = nA + 1;
  const B = mb.returns.length;
  let advantages = mb.advantages;
  if (advantages === null) {
    advantages = new Float32Array(B);
    for (let j = 0; j < B; j++) advantages[j] = mb.returns[j] - out[j * W + nA];
    if (o.normalizeAdvantage) normalizeInPlace(advantages);
  }
  const logp = new Float64Array(nA);
  const probs = new Float64Array(nA);
  let pg = 0;
  let vl = 0;
  let ent = 0;
  let kl = 0;
  let clipped = 0;
  for (let j = 0; j < B; j++) {
    const base = j * W;
    rowLogSoftmax(out, base, nA, logp, mb.masks, j * nA);
    const a = mb.actions[j];
    const A = advantages[j];
    // dLoss/dlog pi(a|s) for this row.
    let dLogp: number;
    if (o.clipRange === null) {
      pg -= A * logp[a];
      dLogp = -A / B;
    } else {
      const logRatio = logp[a] - mb.logProbs[j];
      const r = Math.exp(logRatio);
      const rc = Math.min(Math.max(r, 1 - o.clipRange), 1 + o.clipRange);
      const unclippedWins = r * A <= rc * A;
      pg -= unclippedWins ? r * A : rc * A;
      dLogp = unclippedWins || rc === r ? (-A * r) / B : 0;
      kl += r - 1 - logRatio;
      if (Math.abs(r - 1) > o.clipRange) clipped++;
    }
    let h = 0;
    for (let k = 0; k < nA; k++) {
      probs[k] = logp[k] > -Infinity ? Math.exp(logp[k]) : 0;
      if (logp[k] > -Infinity) h -= probs[k] * logp[k];
    }
    ent += h;
    for (let k = 0; k < nA; k++) {
      if (logp[k] === -Infinity) continue;
      const p = probs[k];
      // d log pi(a)/dz_k = 1[k = a] - p_k; dH/dz_k = -p_k (log p_k + H).
      grad[base + k] = dLogp * ((k === a ? 1 : 0) - p) + (o.entCoef * p * (logp[k] + h)) / B;
    }
    const v = out[base + nA];
    let vPred = v;
    let pass = 1;
    if (o.clipRangeVf !== null) {
      const d = v - mb.values[j];
      if (d < -o.clipRangeVf || d > o.clipRangeVf) pass = 0;
      vPred = mb.values[j] + Math.min(Math.max(d, -o.clipRangeVf), o.clipRangeVf);
    }
    vl += (mb.returns[j] - vPred) ** 2;
    grad[base + nA] = (o.vfCoef * 2 * (vPred - mb.returns[j]) * pass) / B;
  }
  stats.pgLoss = pg / B;
  stats.vLoss = vl / B;
  stats.entropy = ent / B;
  stats.approxKl = kl / B;
  stats.clipFraction = clipped / B;
  return stats.pgLoss + o.vfCoef * stats.vLoss - o.entCoef * stats.entropy;
}

/** 1 - Var[returns - values] / Var[returns] over the given rows (SB3's explained_variance); NaN if Var[returns] = 0. */
export function explainedVariance(buffer: RolloutBuffer, rows: Int32Array): number {
  const n = rows.length;
  if (n === 0) return NaN;
  let mr = 0;
  let md = 0;
  for (const r of rows) {
    mr += buffer.returns[r];
    md += buffer.returns[r] - buffer.values[r];
  }
  mr /= n;
  md /= n;
  let vr = 0;
  let vd = 0;
  for (const r of rows) {
    vr += (buffer.returns[r] - mr) ** 2;
    const d = buffer.returns[r] - buffer.values[r];
    vd += (d - md) ** 2;
  }
  return vr === 0 ? NaN : 1 - vd / vr;
}

/**
 * The on-policy collection loop shared by PPO and A2C: it owns the current (normalized) observations and
 * masks between rollouts and fills a RolloutBuffer with one batched forward pass and one read-back per
 * vector step. Autoreset rows are stored as invalid (not transitions) but keep their value: the value of
 * the final observation, which GAE uses to bootstrap a truncated episode.
 */
/** What a checkpoint keeps of a RolloutCollector between rollouts. */
export interface CollectorState {
  obs: number[];
  masks: number[] | null;
}

export class RolloutCollector {
  readonly numEnvs: number;
  readonly obs: Float32Array;
  masks: Uint8Array | undefined;
  private readonly logits: Float32Array;
  private readonly values: Float32Array;
  private readonly actions: Int32Array;
  private readonly rewards: Float32Array;
  private readonly ended: Uint8Array;
  readonly lastValues: Float32Array;
  private readonly entropies: Float32Array;
  /** Mean entropy of the policy over the last rollout's transitions (for `train/entropy_loss`). */
  meanEntropy = 0;
  /** Wall milliseconds spent in the policy forward pass and in env.step (for `time/*` profiling keys). */
  forwardMs = 0;
  envMs = 0;

  /**
   * `start`: a seed to reset the env with, or the collector's `state()` from a checkpoint (the env is then
   * already where it was, and its current observations and masks are these).
   */
  constructor(private readonly venv: VectorEnv, private readonly numActions: number, private readonly normalizer: Normalizer, start: number | CollectorState) {
    const N = venv.numEnvs;
    this.numEnvs = N;
    this.obs = new Float32Array(N * venv.obsDim);
    this.logits = new Float32Array(N * numActions);
    this.values = new Float32Array(N);
    this.actions = new Int32Array(N);
    this.rewards = new Float32Array(N);
    this.ended = new Uint8Array(N);
    this.lastValues = new Float32Array(N);
    this.entropies = new Float32Array(N);
    if (typeof start !== 'number') {
      this.obs.set(start.obs);
      this.masks = start.masks ? Uint8Array.from(start.masks) : undefined;
      return;
    }
    const first = venv.reset({ seed: start });
    normalizer.observations(first.obs, N, this.obs, true);
    this.masks = first.actionMasks;
  }

  /** The current (normalized) observations and masks, for a checkpoint. */
  state(): CollectorState {
    return { obs: Array.from(this.obs), masks: this.masks ? Array.from(this.masks) : null };
  }

  /** Fills `buffer` (numSteps vector steps); returns the number of real transitions collected. */
  collect(buffer: RolloutBuffer, net: PolicyValueNet, rng: Rng, episodes: EpisodeStats): number {
    const N = this.numEnvs;
    const nA = this.numActions;
    const D = buffer.obsDim;
    let validSteps = 0;
    let entropySum = 0;
    buffer.reset();
    while (!buffer.full) {
      const t0 = performance.now();
      net.forward(this.obs, N, this.logits, this.values);
      const t1 = performance.now();
      this.forwardMs += t1 - t0;
      const row = buffer.pos * N;
      for (let i = 0; i < N; i++) {
        const { action, logProb } = MaskedCategorical.sample(this.logits, i, nA, rng, this.masks);
        this.actions[i] = action;
        buffer.actions[row + i] = action;
        buffer.logProbs[row + i] = logProb;
        buffer.values[row + i] = this.values[i];
        this.entropies[i] = MaskedCategorical.entropyOf(this.logits, i, nA, this.masks);
      }
      buffer.obs.set(this.obs, row * D);
      buffer.storeMasks(this.masks);
      const t2 = performance.now();
      const result = this.venv.step(this.actions);
      this.envMs += performance.now() - t2;
      for (let i = 0; i < N; i++) {
        const valid = result.autoreset[i] ? 0 : 1;
        buffer.valid[row + i] = valid;
        buffer.terminated[row + i] = result.terminated[i];
        buffer.truncated[row + i] = result.truncated[i];
        this.ended[i] = result.terminated[i] | result.truncated[i];
        validSteps += valid;
        if (valid) entropySum += this.entropies[i];
      }
      this.normalizer.rewards(result.rewards, buffer.valid.subarray(row, row + N), this.ended, N, this.rewards);
      buffer.rewards.set(this.rewards, row);
      episodes.add(result.episodes);
      this.normalizer.observations(result.obs, N, this.obs, true);
      this.masks = result.actionMasks;
      buffer.pos++;
    }
    // Bootstrap values of the observations after the last step (final observations where an episode ended).
    net.values(this.obs, N, this.lastValues);
    this.meanEntropy = validSteps > 0 ? entropySum / validSteps : 0;
    return validSteps;
  }
}
