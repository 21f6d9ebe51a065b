import { ConfigError, describeValue } from '../errors.js';
import { Wrapper, type Env, type ResetArgs, type ResetResult, type StepResult } from '../env.js';

/** What `RecordEpisodeStatistics` puts in `info.episode` on the step that ends an episode. */
export interface EpisodeStatistics {
  /** The episode's return: the sum of the rewards this wrapper saw. */
  r: number;
  /** The episode's length in steps. */
  l: number;
}

export interface RecordEpisodeStatisticsConfig {
  /** How many recent episodes `returnQueue` and `lengthQueue` keep. Default 100. */
  bufferLength?: number;
}

/**
 * Tracks each episode's return and length and, on the step that ends it, sets `info.episode = {r, l}`, as
 * Gymnasium's RecordEpisodeStatistics does (without its wall-clock `t`, which would make infos differ
 * between identical runs). The last `bufferLength` returns and lengths stay in `returnQueue` and
 * `lengthQueue` for smoothed logging.
 *
 * The rewards counted are the ones this wrapper receives: place it below reward-changing wrappers
 * (NormalizeReward, TransformReward) to record the env's own returns.
 */
export class RecordEpisodeStatistics<O = unknown, A = unknown> extends Wrapper<O, A> {
  readonly bufferLength: number;
  /** Episodes finished since construction. */
  episodeCount = 0;
  private episodeReturn = 0;
  private episodeLength = 0;
  private readonly returns: number[] = [];
  private readonly lengths: number[] = [];

  constructor(env: Env<O, A>, config: RecordEpisodeStatisticsConfig = {}) {
    super(env);
    this.bufferLength = config.bufferLength ?? 100;
    if (!Number.isInteger(this.bufferLength) || this.bufferLength <= 0) {
      throw new ConfigError(`Expected bufferLength to be a positive integer, but got ${describeValue(this.bufferLength)}.`);
    }
  }

  /** Returns of the most recent episodes, oldest first (at most `bufferLength`). */
  get returnQueue(): readonly number[] {
    return this.returns;
  }

  /** Lengths of the most recent episodes, oldest first (at most `bufferLength`). */
  get lengthQueue(): readonly number[] {
    return this.lengths;
  }

  override reset(args?: ResetArgs): ResetResult<O> {
    this.episodeReturn = 0;
    this.episodeLength = 0;
    return this.env.reset(args);
  }

  override step(action: A): StepResult<O> {
    const result = this.env.step(action);
    this.episodeReturn += result.reward;
    this.episodeLength++;
    if (result.terminated || result.truncated) {
      result.info.episode = { r: this.episodeReturn, l: this.episodeLength } satisfies EpisodeStatistics;
      this.returns.push(this.episodeReturn);
      this.lengths.push(this.episodeLength);
      if (this.returns.length > this.bufferLength) {
        this.returns.shift();
        this.lengths.shift();
      }
      this.episodeCount++;
      this.episodeReturn = 0;
      this.episodeLength = 0;
    }
    return result;
  }
}
