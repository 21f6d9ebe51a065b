/** Finished-episode bookkeeping for `rollout/ep_rew_mean` (last 100, as SB3) and hooks' `newEpisodes`. */
import type { EpisodeRecord } from '../../src/core/vector.js';

export class EpisodeStats {
  private returns: number[] = [];
  private lengths: number[] = [];
  /** Episodes since the last `takeNew()`. */
  private fresh: EpisodeRecord[] = [];
  total = 0;

  constructor(readonly window = 100) {}

  add(episodes: readonly EpisodeRecord[]): void {
    for (const e of episodes) {
      this.returns.push(e.return);
      this.lengths.push(e.length);
      if (this.returns.length > this.window) {
        this.returns.shift();
        this.lengths.shift();
      }
      this.fresh.push(e);
      this.total++;
    }
  }

  takeNew(): EpisodeRecord[] {
    const out = this.fresh;
    this.fresh = [];
    return out;
  }

  get count(): number {
    return this.returns.length;
  }

  meanReturn(): number {
    return this.returns.reduce((a, b) => a + b, 0) / this.returns.length;
  }

  meanLength(): number {
    return this.lengths.reduce((a, b) => a + b, 0) / this.lengths.length;
  }

  /** Records `rollout/ep_rew_mean` and `rollout/ep_len_mean` when there is at least one episode. */
  record(record: (key: string, value: number) => void): void {
    if (this.returns.length === 0) return;
    record('rollout/ep_rew_mean', this.meanReturn());
    record('rollout/ep_len_mean', this.meanLength());
  }

  state(): { returns: number[]; lengths: number[]; total: number } {
    return { returns: [...this.returns], lengths: [...this.lengths], total: this.total };
  }

  setState(s: { returns: number[]; lengths: number[]; total: number }): void {
    this.returns = [...s.returns];
    this.lengths = [...s.lengths];
    this.total = s.total;
  }
}
