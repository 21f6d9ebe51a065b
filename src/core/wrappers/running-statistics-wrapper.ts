/**
 * What NormalizeObservation and NormalizeReward share: running statistics that update with every step
 * until frozen, can be saved and restored (`getStatistics` / `setStatistics`), and the `epsilon` and `clip`
 * of the normalization, checked once here.
 */
import { ConfigError, describeValue } from '../errors.js';
import { Wrapper, type Env } from '../env.js';
import { RunningMeanStd, type RunningStatsJSON } from '../running-stats.js';

export abstract class RunningStatisticsWrapper<O, A, InnerO = O> extends Wrapper<O, A, InnerO, A> {
  readonly epsilon: number;
  readonly clip: number;
  protected readonly stats: RunningMeanStd;
  protected updating = true;

  constructor(env: Env<InnerO, A>, dim: number, config: { epsilon?: number; clip?: number }) {
    super(env);
    this.epsilon = checkPositive(config.epsilon ?? 1e-8, 'epsilon');
    this.clip = checkPositive(config.clip ?? Infinity, 'clip');
    this.stats = new RunningMeanStd(dim);
  }

  /** True while the statistics are updated with each step. */
  get updatingStatistics(): boolean {
    return this.updating;
  }

  /** Stops updating the statistics; values are still normalized with the current ones. */
  freeze(): void {
    this.updating = false;
  }

  unfreeze(): void {
    this.updating = true;
  }

  getStatistics(): RunningStatsJSON {
    return this.stats.toJSON();
  }

  setStatistics(json: RunningStatsJSON): void {
    this.stats.load(json);
  }
}

function checkPositive(value: number, name: string): number {
  if (typeof value !== 'number' || !(value > 0)) throw new ConfigError(`Expected ${name} to be a positive number, but got ${describeValue(value)}.`);
  return value;
}
