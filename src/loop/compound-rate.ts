/**
 * The seeds' compound rate: d = (current / initial)^(1/t) - 1, the constant per-iteration rate that turns
 * the initial KPI into the current one in t iterations. Here "current / initial" is the multiplier of the
 * last iteration's mean over iteration 0's (multiplier.ts, so the better direction counts: for a latency
 * d > 0 means it fell), and t = K - 1 iterations. d is monotone in the multiplier, so the multiplier's
 * paired bootstrap interval maps to d's.
 */
import { prepareCurve } from './curve-data.js';
import { parseCurveOptions, type CurveAnalysisOptionsInput } from './curve-options.js';
import { expandedTail, type Estimate } from './intervals.js';
import { ratioSeries } from './multiplier.js';
import type { ScoreMatrix } from './score-matrix.js';

/** d = m^(1/elapsed) - 1 applied to a multiplier and its interval. */
export function rateFromMultiplier(multiplier: Estimate, elapsed: number): Estimate {
  const rate = (m: number) => Math.pow(m, 1 / elapsed) - 1;
  return { estimate: rate(multiplier.estimate), low: rate(multiplier.low), high: rate(multiplier.high) };
}

/**
 * The seeds' compound rate of a replicate x iteration matrix with its interval, as analyzeLearningCurve
 * reports it (`compoundRate.seeds`), without the rest of the analysis.
 */
export function compoundRate(input: { scores: ScoreMatrix } & CurveAnalysisOptionsInput): Estimate {
  const { scores, ...raw } = input;
  const options = parseCurveOptions(raw);
  const data = prepareCurve({ scores }, options.resamples, options.seed);
  const tail = expandedTail(options.confidence, data.units);
  const points = ratioSeries(data.learning, data.learning, {
    valueName: 'the scores',
    referenceName: 'iteration 0',
    higherIsBetter: options.higherIsBetter,
    tail,
    confidence: options.confidence,
    referenceIteration: 0,
  });
  return rateFromMultiplier(points[points.length - 1].multiplier, data.iterations - 1);
}
