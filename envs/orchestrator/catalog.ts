/**
 * The catalog of worker architectures. Each entry is a prior: a company draws its workers' hidden
 * parameters around these values (envs/orchestrator/world.ts), so an architecture has a recognizable
 * character (tree_of_thought is slow, costly and robust to complexity; react is fast, cheap and brittle)
 * while two companies' `react` workers still differ.
 */
import { Rng } from '../../src/core/rng.js';

export interface Architecture {
  name: string;
  /** Success logit on a complexity-3 task before category affinity and company noise. */
  baseLogit: number;
  /** Logit lost per complexity level above 3 (gained below). */
  complexitySlope: number;
  /** Multiplier on the nominal duration (1 + 1.4 * complexity ticks). */
  slowness: number;
  /** Cost per tick of work (one capacity unit). */
  cost: number;
  /** Concurrent task units, inclusive range. */
  capacity: readonly [number, number];
  /** Answer quality in [0, 1]: drives user satisfaction and the quality/usefulness ratings. */
  quality: number;
  /** Creativity in [0, 1]: valued by users on tasks with a high `creativity_need`. */
  creativity: number;
  /** Logit bonus (x0.9) on built-in categories the architecture is good at (negative: bad at). */
  affinity: Readonly<Record<string, number>>;
}

export const ARCHITECTURES: readonly Architecture[] = [
  { name: 'react', baseLogit: 0.5, complexitySlope: 0.75, slowness: 0.7, cost: 0.7, capacity: [2, 3], quality: 0.45, creativity: 0.35, affinity: { troubleshooting: 1, product_question: 0.8, lead_qualification: 0.6, logic_puzzle: -1 } },
  { name: 'planning', baseLogit: 0.5, complexitySlope: 0.45, slowness: 1.1, cost: 1.0, capacity: [1, 2], quality: 0.6, creativity: 0.45, affinity: { market_research: 1, logic_puzzle: 0.8, product_comparison: 0.5, classification: -0.6 } },
  { name: 'chain_of_thought', baseLogit: 0.6, complexitySlope: 0.6, slowness: 0.9, cost: 0.8, capacity: [2, 3], quality: 0.55, creativity: 0.4, affinity: { math: 1, reasoning: 0.9, refund_request: -0.5 } },
  { name: 'reflection', baseLogit: 0.4, complexitySlope: 0.5, slowness: 1.25, cost: 1.1, capacity: [1, 2], quality: 0.8, creativity: 0.5, affinity: { refund_request: 0.9, product_comparison: 0.8, feature_inquiry: 0.5, pattern_recognition: -0.6 } },
  { name: 'evaluator', baseLogit: 0.5, complexitySlope: 0.7, slowness: 0.75, cost: 0.6, capacity: [2, 3], quality: 0.6, creativity: 0.2, affinity: { classification: 1.2, lead_qualification: 0.9, market_research: -0.8 } },
  { name: 'tree_of_thought', baseLogit: 0.5, complexitySlope: 0.3, slowness: 1.5, cost: 1.6, capacity: [1, 2], quality: 0.7, creativity: 0.65, affinity: { logic_puzzle: 1.2, math: 0.7, reasoning: 0.7, product_question: -0.5 } },
  { name: 'self_consistency', baseLogit: 0.7, complexitySlope: 0.5, slowness: 1.3, cost: 1.5, capacity: [1, 2], quality: 0.7, creativity: 0.3, affinity: { math: 0.9, classification: 0.8, reasoning: 0.5, feature_inquiry: -0.6 } },
  { name: 'tool_use', baseLogit: 0.5, complexitySlope: 0.65, slowness: 0.8, cost: 0.9, capacity: [2, 3], quality: 0.55, creativity: 0.3, affinity: { troubleshooting: 0.9, competitor_analysis: 0.8, refund_request: 0.8, reasoning: -0.6 } },
  { name: 'retrieval_augmented', baseLogit: 0.55, complexitySlope: 0.6, slowness: 0.85, cost: 0.9, capacity: [2, 3], quality: 0.6, creativity: 0.35, affinity: { product_question: 1.1, feature_inquiry: 0.9, competitor_analysis: 0.8, logic_puzzle: -0.8 } },
  { name: 'debate', baseLogit: 0.4, complexitySlope: 0.45, slowness: 1.4, cost: 1.4, capacity: [1, 2], quality: 0.65, creativity: 0.8, affinity: { feature_inquiry: 1, reasoning: 0.8, market_research: 0.7, classification: -0.7 } },
  { name: 'plan_and_execute', baseLogit: 0.5, complexitySlope: 0.5, slowness: 1.05, cost: 1.0, capacity: [1, 3], quality: 0.6, creativity: 0.45, affinity: { troubleshooting: 0.7, product_comparison: 0.9, market_research: 0.6, pattern_recognition: -0.5 } },
  { name: 'program_of_thought', baseLogit: 0.5, complexitySlope: 0.55, slowness: 0.9, cost: 0.8, capacity: [2, 3], quality: 0.55, creativity: 0.25, affinity: { math: 1.3, pattern_recognition: 1.1, classification: 0.5, feature_inquiry: -0.9 } },
];

export const ARCHITECTURE_NAMES: readonly string[] = ARCHITECTURES.map((a) => a.name);

export function architectureIndex(name: string): number {
  return ARCHITECTURE_NAMES.indexOf(name);
}

/** `count` architectures drawn from `poolSeed`: distinct while the catalog lasts, then with repeats. */
export function drawArchitectures(count: number, poolSeed: number): string[] {
  const rng = new Rng(`pool/${poolSeed}`);
  const names = rng.shuffle([...ARCHITECTURE_NAMES]);
  const pool: string[] = [];
  for (let i = 0; i < count; i++) pool.push(i < names.length ? names[i] : rng.choice(ARCHITECTURE_NAMES));
  return pool;
}
