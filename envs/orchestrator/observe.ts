/**
 * What a policy sees: the action mask (and why an action is masked), the observation vector (layout and
 * labels in observation.ts), and for the oracle baseline the true success probability and expected
 * duration of the head task on a worker (dynamics.ts, the one copy of those formulas).
 */
import type { OrchestratorState } from './state.js';
import { TASK_FEATURE_DIM } from '../../src/plugins/types.js';
import { HEAD, SCALE, TAIL, WORKER } from './observation.js';
import { meanDuration, successLogit, successProbability } from './dynamics.js';

export function computeMask(env: OrchestratorState): void {
  const mask = env.mask;
  const disabled = env.disabled;
  const n = env.numWorkers;
  const capacity = env.company.capacity;
  const hasHead = env.queueLength > 0;
  mask[0] = env.queueUnscanned > 0 && !disabled[0] ? 1 : 0;
  for (let w = 0; w < n; w++) {
    const free = capacity[w] - env.used[w];
    mask[1 + w] = hasHead && free >= 1 && !disabled[1 + w] ? 1 : 0;
    mask[1 + n + w] = hasHead && free >= 2 && !disabled[1 + n + w] ? 1 : 0;
  }
  mask[1 + 2 * n] = disabled[1 + 2 * n] ? 0 : 1;
  mask[2 + 2 * n] = disabled[2 + 2 * n] ? 0 : 1;
}

export function maskReason(env: OrchestratorState, action: number): string {
  const n = env.numWorkers;
  if (env.disabled[action]) return 'its verb is in disabledVerbs';
  if (action === 0) return 'no unscanned task is queued';
  if (env.queueLength === 0) return 'the queue is empty';
  const worker = action <= n ? action - 1 : action - 1 - n;
  return `worker ${worker} has ${env.company.capacity[worker] - env.used[worker]} free capacity units and needs ${action <= n ? 1 : 2}`;
}

/** Writes every entry of the observation (the layout in the doc comment) to `obs[o, o + obsDim)`. */
export function writeObservation(env: OrchestratorState, obs: Float32Array, o: number): void {
  const cfg = env.config;
  const c = env.company;
  const nc = c.numCategories;
  const now = env.tick;
  obs[o + HEAD.queuePriority1] = env.queueByPriority[1] / SCALE.queueCount;
  obs[o + HEAD.queuePriority2] = env.queueByPriority[2] / SCALE.queueCount;
  obs[o + HEAD.queuePriority3] = env.queueByPriority[3] / SCALE.queueCount;
  obs[o + HEAD.unscannedFraction] = env.queueLength > 0 ? env.queueUnscanned / env.queueLength : 0;
  // The head-task block is zero unless a head is queued (and its scanned part unless it is scanned).
  for (let i = o + HEAD.present; i < o + env.workerObsOffset; i++) obs[i] = 0;
  let headCategory = -1;
  if (env.queueLength > 0) {
    const slot = env.queue[env.queueHead];
    obs[o + HEAD.present] = 1;
    obs[o + HEAD.priority] = env.tPriority[slot] / SCALE.priority;
    const slack = (env.tArrival[slot] + env.tSla[slot] - now) / env.tSla[slot];
    obs[o + HEAD.slack] = slack < -1 ? -1 : slack > 1 ? 1 : slack;
    obs[o + HEAD.retried] = env.tRetries[slot] > 0 ? 1 : 0;
    if (env.tScanned[slot] === 1) {
      headCategory = env.tCategory[slot];
      obs[o + HEAD.scanned] = 1;
      obs[o + HEAD.complexity] = env.tComplexity[slot] / SCALE.complexity;
      obs[o + HEAD.category + headCategory] = 1;
      const base = slot * TASK_FEATURE_DIM;
      const at = o + HEAD.category + nc;
      for (let f = 0; f < TASK_FEATURE_DIM; f++) obs[at + f] = env.tFeatures[base + f];
    }
  }
  let at = o + env.workerObsOffset;
  let usedTotal = 0;
  for (let w = 0; w < env.numWorkers; w++) {
    usedTotal += env.used[w];
    const rate = env.workerRate[w];
    obs[at + WORKER.load] = env.used[w] / c.capacity[w];
    obs[at + WORKER.capacity] = env.workerCapacityObs[w];
    obs[at + WORKER.successRate] = rate;
    if (headCategory >= 0) {
      const cell = w * env.plugins.length + env.categoryDomain[headCategory];
      obs[at + WORKER.headSuccessRate] = (env.statDomainSuccess[cell] + 2 * rate) / (env.statDomainTrials[cell] + 2);
    } else obs[at + WORKER.headSuccessRate] = rate;
    obs[at + WORKER.meanDuration] = env.workerDurationObs[w];
    obs[at + WORKER.cost] = env.workerCostObs[w];
    at += WORKER.size;
  }
  let overdue = 0;
  const overdueAfter = env.overdueAfter;
  for (let k = 0; k < env.inflight; k++) if (now - env.fStart[k] > overdueAfter[env.fWorker[k]]) overdue++;
  const pressured = env.pressured;
  const t = o + env.tailObsOffset;
  obs[t + TAIL.inflightFraction] = usedTotal / env.capacityTotal;
  obs[t + TAIL.overdueFraction] = env.inflight > 0 ? overdue / env.inflight : 0;
  // A coarse gauge: the policy sees degradation only to the tenth below.
  obs[t + TAIL.degradationSignal] = Math.floor(env.degradation * 10) / 10;
  obs[t + TAIL.slaPressure] = env.queueLength > 0 ? pressured / env.queueLength : 0;
  obs[t + TAIL.timeOfDay] = (now % cfg.dayLength) / cfg.dayLength;
  obs[t + TAIL.sinceMonitor] = Math.min(1, (now - env.lastMonitor) / SCALE.sinceMonitor);
  obs[t + TAIL.sinceOptimize] = Math.min(1, (now - env.lastOptimize) / SCALE.sinceOptimize);
  obs[t + TAIL.arrivalRate] = Math.min(1, env.arrivalEma / SCALE.arrivalRate);
}

export function headProbability(env: OrchestratorState, worker: number, coordinated: boolean): number {
  if (env.queueLength === 0) return 0;
  const c = env.company;
  const slot = env.queue[env.queueHead];
  let logit: number;
  let complexity = 3;
  if (env.tScanned[slot] === 1) {
    complexity = env.tComplexity[slot];
    logit = successLogit(c, worker, env.tCategory[slot], complexity, env.tFeatures[slot * TASK_FEATURE_DIM + 1]);
  } else {
    logit = 0;
    for (let k = 0; k < c.numCategories; k++) logit += c.logit[worker * c.numCategories + k];
    logit /= c.numCategories;
  }
  return successProbability(logit, complexity, coordinated, env.degradation, env.config);
}

export function headDuration(env: OrchestratorState, worker: number, coordinated: boolean): number {
  const slot = env.queue[env.queueHead];
  const complexity = env.queueLength > 0 && env.tScanned[slot] === 1 ? env.tComplexity[slot] : 3;
  return meanDuration(env.company, worker, complexity, coordinated, env.degradation, env.config);
}
