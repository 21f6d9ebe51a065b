/**
 * Epsilon-greedy (Sutton & Barto section 2.2-2.6).
 * The shared machinery (learn, act, save/load) is BanditAgent in bandit-agent.ts.
 */
import { z } from 'zod';
import { resolveConfig } from '../../src/core/config-schema.js';
import { BanditAgent, banditCommonFields, resolveBanditConfig, type BanditContext } from './bandit-agent.js';

export const EpsilonGreedyConfigSchema = z.strictObject({
  ...banditCommonFields,
  epsilon: z.number().min(0).max(1).default(0.1).describe('Probability of a uniformly random arm'),
  stepSize: z
    .union([z.literal('average'), z.number().gt(0).max(1)])
    .default('average')
    .describe('"average" (sample average), or a constant step size in (0, 1] that tracks non-stationary values'),
  initialValue: z.number().default(0).describe('Initial value estimate (optimistic values > 0 encourage early exploration)'),
});

export type EpsilonGreedyConfig = z.output<typeof EpsilonGreedyConfigSchema>;
export type EpsilonGreedyConfigInput = z.input<typeof EpsilonGreedyConfigSchema>;

export class EpsilonGreedyAgent extends BanditAgent<EpsilonGreedyConfig> {
  readonly name = 'epsilon-greedy';
  private values = new Float64Array(0);
  private counts = new Float64Array(0);

  constructor(config: EpsilonGreedyConfigInput = {}, context: BanditContext = {}) {
    super(resolveBanditConfig(EpsilonGreedyConfigSchema, 'epsilon-greedy', config, context), false, context);
  }

  protected validate(config: Record<string, unknown>) {
    return resolveConfig(EpsilonGreedyConfigSchema, config, 'epsilon-greedy');
  }

  protected initState(): void {
    this.values = new Float64Array(this.numArms).fill(this.config.initialValue);
    this.counts = new Float64Array(this.numArms);
  }

  /** Explores with probability epsilon, by returning a random allowed arm before any scoring. */
  protected override preselect(mask: Uint8Array | undefined): number {
    return this.rng.random() < this.config.epsilon ? this.randomArm(mask) : -1;
  }

  protected score(arm: number): number {
    return this.values[arm];
  }

  protected mean(arm: number): number {
    return this.values[arm];
  }

  protected observe(arm: number, reward: number): void {
    this.counts[arm]++;
    const step = this.config.stepSize === 'average' ? 1 / this.counts[arm] : this.config.stepSize;
    this.values[arm] += step * (reward - this.values[arm]);
  }

  /** Current value estimates (a copy). */
  get estimates(): Float64Array {
    return this.values.slice();
  }

  protected stateToJSON() {
    return { values: Array.from(this.values), counts: Array.from(this.counts) };
  }

  protected stateFromJSON(state: unknown): void {
    const s = state as { values: number[]; counts: number[] };
    this.values = Float64Array.from(s.values);
    this.counts = Float64Array.from(s.counts);
  }
}
