/**
 * UCB1 (Auer, Cesa-Bianchi & Fischer 2002; Sutton & Barto section 2.7).
 * The shared machinery (learn, act, save/load) is BanditAgent in bandit-agent.ts.
 */
import { z } from 'zod';
import { resolveConfig } from '../../src/core/config-schema.js';
import { BanditAgent, banditCommonFields, resolveBanditConfig, type BanditContext } from './bandit-agent.js';

export const UCB1ConfigSchema = z.strictObject({
  ...banditCommonFields,
  c: z
    .number()
    .min(0)
    .default(2)
    .describe("Exploration coefficient c in Q(a) + c sqrt(ln t / N(a)); 2 is Sutton & Barto's testbed value, sqrt(2) Auer et al.'s for rewards in [0, 1]: scale it with the reward's spread"),
});

export type UCB1Config = z.output<typeof UCB1ConfigSchema>;
export type UCB1ConfigInput = z.input<typeof UCB1ConfigSchema>;

export class UCB1Agent extends BanditAgent<UCB1Config> {
  readonly name = 'ucb1';
  private values = new Float64Array(0);
  private counts = new Float64Array(0);
  private pulls = 0;

  constructor(config: UCB1ConfigInput = {}, context: BanditContext = {}) {
    super(resolveBanditConfig(UCB1ConfigSchema, 'ucb1', config, context), false, context);
  }

  protected validate(config: Record<string, unknown>) {
    return resolveConfig(UCB1ConfigSchema, config, 'ucb1');
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
