/**
 * The work dynamics of Orchestrator-v0 in one place (see env.ts's header for the formulas in words): the
 * success probability of a worker on a task and the mean duration of the work. The simulation draws
 * outcomes and durations from them, and the oracle baseline's view (`env.hidden()`) reads the very same
 * functions, so the two can never drift apart.
 */
import type { OrchestratorConfig } from './config.js';
import type { Company } from './world.js';

/** ((x - 1) / 4)^2 by complexity x: a reviewer catches little on easy tasks and most on the hardest. */
export const REVIEW_REACH = Float64Array.from([0, 0, 1 / 16, 4 / 16, 9 / 16, 1]);

/** Complexity at which a worker's logit is its category logit (the slope is relative to it). */
const REFERENCE_COMPLEXITY = 3;
/** Mean task ambiguity: the logit's ambiguity term is relative to it. */
const REFERENCE_AMBIGUITY = 0.4;

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Success logit of worker w on a task of category c, complexity x and ambiguity a. */
export function successLogit(company: Company, worker: number, category: number, complexity: number, ambiguity: number): number {
  return company.logit[worker * company.numCategories + category] - company.slope[worker] * (complexity - REFERENCE_COMPLEXITY) - (ambiguity - REFERENCE_AMBIGUITY);
}

/** Success probability from a logit: a reviewer's rescue (coordinate), then the degradation D's toll. */
export function successProbability(logit: number, complexity: number, coordinated: boolean, degradation: number, config: OrchestratorConfig): number {
  let p = sigmoid(logit);
  if (coordinated) p += (1 - p) * config.reviewGain * REVIEW_REACH[complexity];
  return p * (1 - config.degradationFailure * degradation);
}

/** Mean ticks of worker w on a task of complexity x (before the lognormal noise of the simulation). */
export function meanDuration(company: Company, worker: number, complexity: number, coordinated: boolean, degradation: number, config: OrchestratorConfig): number {
  return company.slowness[worker] * (1 + 1.4 * complexity) * (1 + config.degradationLatency * degradation) * (coordinated ? 1.2 : 1);
}
