/**
 * Thompson sampling with a Gaussian prior and Gaussian rewards of known noise (conjugate updates).
 * The shared machinery (learn, act, save/load) is BanditAgent in bandit-agent.ts.
 */
import { BanditAgent, type BanditCommonConfig, type BanditContext, numberField, commonFields, isFinite, isPositive } from './bandit-agent.js';

export interface ThompsonConfig extends BanditCommonConfig {
  /** Prior mean of every arm's value. Default 0. */
  priorMean?: number;
  /** Prior standard deviation of every arm's value. Default 1. */
  priorStd?: number;
  /** Assumed standard deviation of the reward around the arm's value. Default 1. */
  noiseStd?: number;
}

export class ThompsonAgent extends BanditAgent<Required<Omit<ThompsonConfig, keyof BanditCommonConfig>>> {
  readonly name = 'thompson';
  /** Posterior precision and precision-weighted mean sum, per arm. */
  private precision = new Float64Array(0);
  private weightedSum = new Float64Array(0);

  constructor(config: ThompsonConfig = {}, context: BanditContext = {}) {
    super(ThompsonAgent.check(config as Record<string, unknown>, context.seed), false, context);
  }

  private static check(config: Record<string, unknown>, defaultSeed?: number) {
    return {
      ...commonFields('thompson', config, ['priorMean', 'priorStd', 'noiseStd'], defaultSeed),
      priorMean: numberField(config, 'priorMean', 0, isFinite, 'a finite number'),
      priorStd: numberField(config, 'priorStd', 1, isPositive, 'a number > 0'),
      noiseStd: numberField(config, 'noiseStd', 1, isPositive, 'a number > 0'),
    };
  }

  protected validate(config: Record<string, unknown>) {
    return ThompsonAgent.check(config);
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
