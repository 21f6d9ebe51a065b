/**
 * Thompson sampling with a Gaussian prior and Gaussian rewards of known noise (conjugate updates).
 * The shared machinery (learn, act, save/load) is BanditAgent in bandit-agent.ts.
 */
import { z } from 'zod';
import { resolveConfig } from '../../src/core/config-schema.js';
import { BanditAgent, banditCommonFields, resolveBanditConfig, type BanditContext } from './bandit-agent.js';

export const ThompsonConfigSchema = z.strictObject({
  ...banditCommonFields,
  priorMean: z.number().default(0).describe("Prior mean of every arm's value"),
  priorStd: z.number().gt(0).default(1).describe("Prior standard deviation of every arm's value"),
  noiseStd: z.number().gt(0).default(1).describe("Assumed standard deviation of the reward around the arm's value"),
});

export type ThompsonConfig = z.output<typeof ThompsonConfigSchema>;
export type ThompsonConfigInput = z.input<typeof ThompsonConfigSchema>;

export class ThompsonAgent extends BanditAgent<ThompsonConfig> {
  readonly name = 'thompson';
  /** Posterior precision and precision-weighted mean sum, per arm. */
  private precision = new Float64Array(0);
  private weightedSum = new Float64Array(0);

  constructor(config: ThompsonConfigInput = {}, context: BanditContext = {}) {
    super(resolveBanditConfig(ThompsonConfigSchema, 'thompson', config, context), false, context);
  }

  protected validate(config: Record<string, unknown>) {
    return resolveConfig(ThompsonConfigSchema, config, 'thompson');
  }

  protected initState(): void {
    const priorPrecision = 1 / this.config.priorStd ** 2;
    this.precision = new Float64Array(this.numArms).fill(priorPrecision);
    this.weightedSum = new Float64Array(this.numArms).fill(priorPrecision * this.config.priorMean);
  }

  /** One draw from the arm's posterior N(mean, 1 / precision). */
  protected score(arm: number): number {
    return this.rng.normal(this.mean(arm), 1 / Math.sqrt(this.precision[arm]));
  }

  protected mean(arm: number): number {
    return this.weightedSum[arm] / this.precision[arm];
  }

  protected observe(arm: number, reward: number): void {
    const noisePrecision = 1 / this.config.noiseStd ** 2;
    this.precision[arm] += noisePrecision;
    this.weightedSum[arm] += noisePrecision * reward;
  }

  /** Posterior means (a copy). */
  get estimates(): Float64Array {
    return Float64Array.from({ length: this.numArms }, (_, arm) => this.mean(arm));
  }

  protected stateToJSON() {
    return { precision: Array.from(this.precision), weightedSum: Array.from(this.weightedSum) };
  }

  protected stateFromJSON(state: unknown): void {
    const s = state as { precision: number[]; weightedSum: number[] };
    this.precision = Float64Array.from(s.precision);
    this.weightedSum = Float64Array.from(s.weightedSum);
  }
}
