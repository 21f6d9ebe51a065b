/**
 * The Orchestrator env's books of its queue and its work in flight: taking tasks off the queue's head and
 * putting them back, ending in-flight rows, counting hung work, charging a task the cost of its work. Each
 * function reads and writes the env's structure-of-arrays state (env.ts declares it) and draws nothing.
 */
import type { OrchestratorState } from './state.js';
import { OUTCOME_HUNG } from './constants.js';

export function popHead(env: OrchestratorState): number {
  const slot = env.queue[env.queueHead];
  env.queueHead = (env.queueHead + 1) & env.queueMask;
  env.queueLength--;
  dequeueCounts(env, slot);
  return slot;
}

export function pushHead(env: OrchestratorState, slot: number): void {
  env.queueHead = (env.queueHead - 1) & env.queueMask;
  env.queue[env.queueHead] = slot;
  env.queueLength++;
  env.queueByPriority[env.tPriority[slot]]++;
  if (env.tScanned[slot] === 0) env.queueUnscanned++;
}

export function dequeueCounts(env: OrchestratorState, slot: number): void {
  env.queueByPriority[env.tPriority[slot]]--;
  if (env.tScanned[slot] === 0) env.queueUnscanned--;
}

export function removeInflight(env: OrchestratorState, k: number): void {
  env.used[env.fWorker[k]] -= env.fUnits[k];
  const last = --env.inflight;
  if (k !== last) {
    env.fTask[k] = env.fTask[last];
    env.fWorker[k] = env.fWorker[last];
    env.fUnits[k] = env.fUnits[last];
    env.fStart[k] = env.fStart[last];
    env.fEnd[k] = env.fEnd[last];
    env.fOutcome[k] = env.fOutcome[last];
  }
}

/** Adds in-flight work k's cost (workCost) to its task's TaskOutcome.cost; called when the work ends, not per tick. */
export function chargeTask(env: OrchestratorState, k: number, now: number): void {
  env.tCost[env.fTask[k]] += workCost(env, k, now);
}

/** What in-flight work k has cost by `now`: advance() charges cost x units on every tick from its start + 1. */
export function workCost(env: OrchestratorState, k: number, now: number): number {
  return env.company.cost[env.fWorker[k]] * env.fUnits[k] * (now - env.fStart[k]);
}

export function countHung(env: OrchestratorState): number {
  let hung = 0;
  for (let k = 0; k < env.inflight; k++) if (env.fOutcome[k] === OUTCOME_HUNG && env.tick >= env.fEnd[k]) hung++;
  return hung;
}
