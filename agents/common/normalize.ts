/**
 * Observation and reward normalization inside an agent (SB3's VecNormalize), so the statistics travel
 * with the agent's save(): observations -> (x - mean) / std clipped to +-clipObs; rewards divided by the
 * std of the discounted return (not centred), clipped to +-clipReward.
 */
import { RunningMeanStd, type RunningStatsJSON } from '../../src/core/running-stats.js';

export interface NormalizerState {
  obs: RunningStatsJSON | null;
  ret: RunningStatsJSON | null;
  returns: number[] | null;
}

/** The clip bounds and epsilon every agent's Normalizer uses (SB3's VecNormalize defaults). */
export const NORMALIZER_DEFAULTS = { clipObs: 10, clipReward: 10, epsilon: 1e-8 } as const;

export class Normalizer {
  readonly obsRms: RunningMeanStd | null;
  readonly retRms: RunningMeanStd | null;
  private returns: Float64Array | null = null;

  constructor(readonly obsDim: number, normalizeObs: boolean, normalizeReward: boolean, readonly gamma: number, readonly clipObs: number = NORMALIZER_DEFAULTS.clipObs, readonly clipReward: number = NORMALIZER_DEFAULTS.clipReward, readonly epsilon: number = NORMALIZER_DEFAULTS.epsilon) {
    this.obsRms = normalizeObs ? new RunningMeanStd(obsDim) : null;
    this.retRms = normalizeReward ? new RunningMeanStd(1) : null;
  }

  /** Updates the statistics with `rows` raw observations (when `update`) and writes normalized ones to `out`. */
  observations(raw: Float32Array, rows: number, out: Float32Array, update: boolean): void {
    if (!this.obsRms) {
      out.set(raw.subarray(0, rows * this.obsDim));
      return;
    }
    if (update) this.obsRms.updateBatch(raw, rows);
    for (let r = 0; r < rows; r++) this.obsRms.normalizeInto(raw, out, this.epsilon, this.clipObs, r * this.obsDim, r * this.obsDim);
  }

  /** Normalizes one step's rewards in place; `ended[i]` resets member i's running return afterwards. */
  rewards(rewards: Float32Array, valid: ArrayLike<number>, ended: ArrayLike<number>, numEnvs: number, out: Float32Array): void {
    if (!this.retRms) {
      out.set(rewards.subarray(0, numEnvs));
      return;
    }
    this.returns ??= new Float64Array(numEnvs);
    const ret = this.retRms;
    const one = [0];
    for (let i = 0; i < numEnvs; i++) {
      if (!valid[i]) continue;
      this.returns[i] = this.returns[i] * this.gamma + rewards[i];
      one[0] = this.returns[i];
      ret.update(one);
    }
    const scale = Math.sqrt(ret.var[0] + this.epsilon);
    for (let i = 0; i < numEnvs; i++) {
      const v = rewards[i] / scale;
      out[i] = v > this.clipReward ? this.clipReward : v < -this.clipReward ? -this.clipReward : v;
      if (ended[i]) this.returns[i] = 0;
    }
  }

  state(): NormalizerState {
    return { obs: this.obsRms?.toJSON() ?? null, ret: this.retRms?.toJSON() ?? null, returns: this.returns ? Array.from(this.returns) : null };
  }

  setState(state: NormalizerState): void {
    if (state.obs && this.obsRms) this.obsRms.load(state.obs);
    if (state.ret && this.retRms) this.retRms.load(state.ret);
    this.returns = state.returns ? Float64Array.from(state.returns) : null;
  }
}
