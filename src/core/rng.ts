import seedrandom from 'seedrandom';
import { ConfigError } from './errors.js';

/**
 * The only source of randomness in loopgym. A seeded Alea generator (seedrandom) with the draws RL code
 * needs, independent labelled sub-streams (`fork`) and a serializable state, so a run can be checkpointed
 * and resumed to the bit.
 *
 * `fork(label)` depends only on this generator's seed path and the label, not on how many numbers were
 * drawn before: adding a draw in one component never shifts the stream of another.
 */
export interface RngState {
  /** The seed path, e.g. `"7/env/0"`: the root seed and the fork labels below it. */
  seedPath: string;
  /** Alea's internal state. */
  alea: object;
  /** The second Box-Muller normal, kept for the next `normal()` call, or null. */
  spareNormal: number | null;
}

type AleaPrng = seedrandom.PRNG & { state(): object };

export class Rng {
  readonly seedPath: string;
  private prng: AleaPrng;
  private spareNormal: number | null = null;

  constructor(seed: number | string) {
    if (typeof seed === 'number' && !Number.isFinite(seed)) {
      throw new ConfigError(`Expected a finite seed, but got ${seed}.`);
    }
    this.seedPath = String(seed);
    this.prng = seedrandom.alea(this.seedPath, { state: true }) as AleaPrng;
  }

  /** Rebuilds a generator from `state()`; it continues exactly where the saved one stopped. */
  static fromState(state: RngState): Rng {
    const rng = new Rng(state.seedPath);
    rng.prng = seedrandom.alea("", { state: state.alea as never }) as AleaPrng;
    rng.spareNormal = state.spareNormal;
    return rng;
  }

  state(): RngState {
    return { seedPath: this.seedPath, alea: this.prng.state(), spareNormal: this.spareNormal };
  }

  /** An independent stream named by `label`; the same parent seed and label always give the same stream. */
  fork(label: string | number): Rng {
    return new Rng(`${this.seedPath}/${label}`);
  }

  /** Uniform in [0, 1) with 53 bits of precision. */
  random(): number {
    return this.prng.double();
  }

  /** Uniform in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.prng.double();
  }

  /** Uniform integer in [low, high) (high exclusive, like numpy's `integers`). */
  integer(low: number, high: number): number {
    if (!(high > low)) throw new ConfigError(`Expected high > low in integer(low, high), but got low=${low}, high=${high}.`);
    return low + Math.floor(this.prng.double() * (high - low));
  }

  /** Normal with the given mean and standard deviation (Box-Muller; the second draw is kept). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.prng.double();
    const v = this.prng.double();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return mean + std * radius * Math.cos(2 * Math.PI * v);
  }

  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate = 1): number {
    return -Math.log(1 - this.prng.double()) / rate;
  }

  /** Poisson count with the given mean (Knuth's method below 30, a rounded normal approximation above). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(this.normal(mean, Math.sqrt(mean))));
    const limit = Math.exp(-mean);
    let count = 0;
    let product = this.prng.double();
    while (product > limit) {
      count++;
      product *= this.prng.double();
    }
    return count;
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.prng.double() < p;
  }

  /** A uniformly chosen element. */
  choice<T>(items: ArrayLike<T>): T {
    if (items.length === 0) throw new ConfigError('Expected a non-empty list in choice(), but got an empty one.');
    return items[Math.floor(this.prng.double() * items.length)];
  }

  /** An index drawn with probability proportional to `weights` (non-negative, not all zero). */
  weightedIndex(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    if (!(total > 0)) throw new ConfigError(`Expected weights with a positive sum in weightedIndex(), but got sum ${total}.`);
    let target = this.prng.double() * total;
    for (let i = 0; i < weights.length; i++) {
      target -= weights[i];
      if (target < 0) return i;
    }
    return weights.length - 1;
  }

  /** Shuffles in place (Fisher-Yates) and returns the same array. */
  shuffle<T, L extends { length: number; [i: number]: T }>(items: L): L {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.prng.double() * (i + 1));
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A 32-bit unsigned integer, for seeding other generators (e.g. tfjs initializers). */
  uint32(): number {
    return this.prng.int32() >>> 0;
  }
}
