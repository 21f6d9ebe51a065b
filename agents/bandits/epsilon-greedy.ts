/**
 * Epsilon-greedy (Sutton & Barto section 2.2-2.6).
 * The shared machinery (learn, act, save/load) is BanditAgent in bandit-agent.ts.
 */
import { BanditAgent, type BanditCommonConfig, type BanditContext, numberField, commonFields, isFinite } from './bandit-agent.js';
import { ConfigError, describeValue } from '../../src/core/errors.js';

export interface EpsilonGreedyConfig extends BanditCommonConfig {
  /** Probability of a uniformly random arm. Default 0.1. */
  epsilon?: number;
  /** `'average'` (sample average, default) or a constant step size in (0, 1] (tracks non-stationary values). */
  stepSize?: 'average' | number;
  /** Initial value estimate (optimistic values > 0 encourage early exploration). Default 0. */
  initialValue?: number;
}

export class EpsilonGreedyAgent extends BanditAgent<Required<Omit<EpsilonGreedyConfig, keyof BanditCommonConfig>>> {
  readonly name = 'epsilon-greedy';
  private values = new Float64Array(0);
  private counts = new Float64Array(0);

  constructor(config: EpsilonGreedyConfig = {}, context: BanditContext = {}) {
    super(EpsilonGreedyAgent.check(config as Record<string, unknown>, context.seed), false, context);
  }

  private static check(config: Record<string, unknown>, defaultSeed?: number) {
    const stepSize = config.stepSize ?? 'average';
    if (stepSize !== 'average' && (typeof stepSize !== 'number' || !(stepSize > 0 && stepSize <= 1))) {
      throw new ConfigError(`Expected stepSize to be 'average' or a number in (0, 1], but got ${describeValue(stepSize)}.`);
    }
    return {
      ...commonFields('epsilon-greedy', config, ['epsilon', 'stepSize', 'initialValue'], defaultSeed),
      epsilon: numberField(config, 'epsilon', 0.1, (v) => v >= 0 && v <= 1, 'a number in [0, 1]'),
      stepSize: stepSize as 'average' | number,
      initialValue: numberField(config, 'initialValue', 0, isFinite, 'a finite number'),
    };
  }

  protected validate(config: Record<string, unknown>) {
    return EpsilonGreedyAgent.check(config);
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
