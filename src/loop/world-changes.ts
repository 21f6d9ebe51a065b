/**
 * Learning across world changes. `changes` lists the iterations at which a new world starts (iteration c
 * is the first one on the new world), which cuts the loop into segments: world 0 holds for iterations
 * [0, c_1), world j for [c_j, c_{j+1}).
 *
 * - Forgetting of world j (when the policy was also evaluated on world j after it ended): the score on
 *   world j at its last own iteration (c_{j+1} - 1) minus the score on world j at each later evaluated
 *   iteration, in the better direction, so a positive value is performance lost. "Before" comes from the
 *   evaluation on world j at c_{j+1} - 1 when it was run there, else from the deployed scores then.
 * - Forward transfer into world j against the scratch arm (a learner retrained from scratch on the same
 *   worlds): the jump-start (learning minus scratch at c_j, the first iteration on the new world) and the
 *   mean gain over the segment, in the better direction (positive = what was learned before helps).
 * Intervals are paired over replicates (the same resamples for every arm).
 */
import { ConfigError } from '../core/errors.js';
import type { Estimate } from './intervals.js';
import type { CurveWithSamples } from './multiplier.js';
import { windowDifference, windowMean } from './paired-difference.js';

export interface WorldSegment {
  world: number;
  /** First and last iteration of the segment. */
  from: number;
  to: number;
}

/** Checks `changes` (strictly increasing iterations in [1, K-1]) and returns the segments they make. */
export function worldSegments(changes: readonly number[], iterations: number): WorldSegment[] {
  let previous = 0;
  for (const [i, c] of changes.entries()) {
    if (!Number.isInteger(c) || c <= previous || c >= iterations) {
      throw new ConfigError(
        `Expected worldChanges to be increasing iterations in [1, ${iterations - 1}] (iteration c starts a new world), but worldChanges[${i}] is ${c}${i > 0 ? ` after ${previous}` : ''}.`,
      );
    }
    previous = c;
  }
  const starts = [0, ...changes];
  return starts.map((from, world) => ({ world, from, to: world + 1 < starts.length ? starts[world + 1] - 1 : iterations - 1 }));
}

export interface ForgettingPoint {
  iteration: number;
  /** Score on the earlier world at this iteration. */
  score: Estimate;
  /** Before minus now, in the better direction: positive = forgotten. */
  forgetting: Estimate;
}

export interface Forgetting {
  world: number;
  /** The iteration "before" was measured at (the world's last own iteration) and where it came from. */
  beforeIteration: number;
  beforeSource: 'evaluation' | 'scores';
  before: Estimate;
  after: ForgettingPoint[];
}

/**
 * Forgetting of `world` from its evaluations (a curve over all iterations, NaN where not run); `deployed`
 * is the learning arm's own scores, used for "before" when the evaluation was not run then.
 */
export function forgetting(world: WorldSegment, evaluation: CurveWithSamples, deployed: CurveWithSamples, higherIsBetter: boolean, tail: number, evaluationComplete: boolean[]): Forgetting {
  const k0 = world.to;
  const beforeArm = evaluationComplete[k0] ? evaluation : deployed;
  const iterations = evaluation.curve.length;
  const after: ForgettingPoint[] = [];
  for (let k = k0 + 1; k < iterations; k++) {
    if (!evaluationComplete[k]) continue;
    const score = windowMean(evaluation, [k], tail);
    const lost = windowDifference(beforeArm, [k0], evaluation, [k], higherIsBetter, tail);
    after.push({ iteration: k, score, forgetting: lost });
  }
  const before = windowMean(beforeArm, [k0], tail);
  return { world: world.world, beforeIteration: k0, beforeSource: beforeArm === evaluation ? 'evaluation' : 'scores', before, after };
}

export interface ForwardTransfer {
  world: number;
  from: number;
  to: number;
  /** Learning minus scratch at the segment's first iteration (better direction). */
  jumpStart: Estimate;
  /** Learning minus scratch, averaged over the segment. */
  meanGain: Estimate;
}

export function forwardTransfer(segment: WorldSegment, learning: CurveWithSamples, scratch: CurveWithSamples, higherIsBetter: boolean, tail: number): ForwardTransfer {
  const ks = Array.from({ length: segment.to - segment.from + 1 }, (_, i) => segment.from + i);
  return {
    world: segment.world,
    from: segment.from,
    to: segment.to,
    jumpStart: windowDifference(learning, [segment.from], scratch, [segment.from], higherIsBetter, tail),
    meanGain: windowDifference(learning, ks, scratch, ks, higherIsBetter, tail),
  };
}
