/** Synthetic learning curves with known truth for the learning-curve analysis tests. */
import { Rng } from '../../src/core/rng.js';

export type Shape = (t: number) => number;

export const SHAPES = {
  /** 3% compound growth per iteration. */
  exponential: (t: number) => 0.2 * Math.pow(1.03, t),
  linear: (t: number) => 0.2 + 0.01 * t,
  /** The gap to 0.8 closes by 1 - e^-0.1 (~9.5%) per iteration. */
  saturating: (t: number) => 0.8 - 0.6 * Math.exp(-0.1 * t),
  /** Power law of experience with exponent 0.5. */
  power: (t: number) => 0.2 * Math.sqrt(t + 1),
  flat: () => 0.5,
  declining: (t: number) => 0.6 - 0.004 * t,
} satisfies Record<string, Shape>;

/** replicates x iterations of shape(t) * (1 + noise * N(0, 1)): mean-preserving multiplicative noise. */
export function noisyCurve(shape: Shape, options: { replicates: number; iterations: number; noise: number; seed: number | string }): number[][] {
  const rng = new Rng(options.seed);
  return Array.from({ length: options.replicates }, () => Array.from({ length: options.iterations }, (_, t) => shape(t) * (1 + options.noise * rng.normal())));
}
