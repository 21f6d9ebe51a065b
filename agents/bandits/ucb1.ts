/**
 * UCB1 (Auer, Cesa-Bianchi & Fischer 2002; Sutton & Barto section 2.7).
 * The shared machinery (learn, act, save/load) is BanditAgent in bandit-agent.ts.
 */
import { BanditAgent, type BanditCommonConfig, type BanditContext, numberField, commonFields, isNonNegative } from './bandit-agent.js';

export interface UCB1Config extends BanditCommonConfig {
  /**
   * Exploration coefficient c in Q(a) + c * sqrt(ln t / N(a)). Default 2 (Sutton & Barto's testbed);
   * sqrt(2) is Auer et al.'s UCB1 for rewards in [0, 1]. Scale it with the reward's spread.
   */
  c?: number;
}

export class UCB1Agent extends BanditAgent<Required<Omit<UCB1Config, keyof BanditCommonConfig>>> {
  readonly name = 'ucb1';
  private values = new Float64Array(0);
  private counts = new Float64Array(0);
  private pulls = 0;

  constructor(config: UCB1Config = {}, context: BanditContext = {}) {
    super(UCB1Agent.check(config as Record<string, unknown>, context.seed), false, context);
  }

  private static check(config: Record<string, unknown>, defaultSeed?: number) {
    return { ...commonFields('ucb1', config, ['c'], defaultSeed), c: numberField(config, 'c', 2, isNonNegative, 'a number >= 0') };
  }

  protected validate(config: Record<string, unknown>) {
    return UCB1Agent.check(config);
  }

  protected initState(): void {
    this.values = new Float64Array(this.numArms);
    this.counts = new Float64Array(this.numArms);
    this.pulls = 0;
  }

  /** Every allowed arm is played once (lowest index first) before the bound applies. */
  protected override preselect(mask: Uint8Array | undefined): number {
    for (let arm = 0; arm < this.numArms; arm++) if (this.counts[arm] === 0 && (mask === undefined || mask[arm])) return arm;
    return -1;
  }

  protected score(arm: number): number {
    return this.values[arm] + this.config.c * Math.sqrt(Math.log(this.pulls) / this.counts[arm]);
  }

  protected mean(arm: number): number {
    return this.values[arm];
  }

  protected observe(arm: number, reward: number): void {
    this.counts[arm]++;
    this.pulls++;
    this.values[arm] += (reward - this.values[arm]) / this.counts[arm];
  }

  get estimates(): Float64Array {
    return this.values.slice();
  }

  protected stateToJSON() {
    return { values: Array.from(this.values), counts: Array.from(this.counts), pulls: this.pulls };
  }

  protected stateFromJSON(state: unknown): void {
    const s = state as { values: number[]; counts: number[]; pulls: number };
    this.values = Float64Array.from(s.values);
    this.counts = Float64Array.from(s.counts);
    this.pulls = s.pulls;
  }
}
