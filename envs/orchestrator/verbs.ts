/**
 * The orchestrator's verbs (see env.ts for the rules): `scan` reveals the next unscanned queued tasks,
 * `startWork` dispatches (one unit) or coordinates (two units) the head task on a worker, drawing its outcome
 * and duration from the outcome stream, and `monitor` requeues hung work at the head of the queue.
 * `decide` notes each decision for the trace (info.decisions) once a TraceRecorder asked for them.
 */
import type { OrchestratorState } from './state.js';
import { TASK_FEATURE_DIM } from '../../src/plugins/types.js';
import { OUTCOME_FAILED, OUTCOME_HUNG, OUTCOME_SUCCEEDED } from './constants.js';
import { meanDuration, successLogit, successProbability } from './dynamics.js';
import type { TaskDecision } from './feedback.js';
import { chargeTask, popHead, pushHead, removeInflight } from './queue.js';
import { observeOutcome } from './finish.js';

export function scan(env: OrchestratorState): void {
  let left = env.config.scanDepth;
  const wrap = env.queueMask;
  for (let i = 0; i < env.queueLength && left > 0; i++) {
    const slot = env.queue[(env.queueHead + i) & wrap];
    if (env.tScanned[slot] === 0) {
      env.tScanned[slot] = 1;
      env.queueUnscanned--;
      left--;
      decide(env, 'scanned', slot, -1);
    }
  }
}

export function startWork(env: OrchestratorState, worker: number, units: number): void {
  const slot = popHead(env);
  const cfg = env.config;
  const c = env.company;
  const complexity = env.tComplexity[slot];
  const ambiguity = env.tFeatures[slot * TASK_FEATURE_DIM + 1];
  const p = successProbability(successLogit(c, worker, env.tCategory[slot], complexity, ambiguity), complexity, units === 2, env.degradation, cfg);
  const rng = env.outcomeRng;
  let outcome = OUTCOME_SUCCEEDED;
  if (rng.random() >= p) {
    outcome = rng.random() < cfg.silentFailureRate + cfg.degradationSilent * env.degradation ? OUTCOME_HUNG : OUTCOME_FAILED;
  }
  const mean = meanDuration(c, worker, complexity, units === 2, env.degradation, cfg);
  const duration = Math.max(1, Math.round(mean * Math.exp(0.3 * rng.normal())));
  const k = env.inflight++;
  env.fTask[k] = slot;
  env.fWorker[k] = worker;
  env.fUnits[k] = units;
  env.fStart[k] = env.tick;
  env.fEnd[k] = env.tick + duration;
  env.fOutcome[k] = outcome;
  env.used[worker] += units;
  decide(env, units === 2 ? 'coordinated' : 'dispatched', slot, worker);
}

/** Notes a decision that touched the task in `slot` (info.decisions), when task records are kept. */
export function decide(env: OrchestratorState, type: TaskDecision['type'], slot: number, worker: number): void {
  if (env.recordDecisions && env.collectEvents) (env.stepDecisions ??= []).push({ type, taskId: env.tId[slot], tick: env.tick, worker });
}

export function monitor(env: OrchestratorState): void {
  env.lastMonitor = env.tick + 1;
  for (let k = 0; k < env.inflight; k++) {
    if (env.fOutcome[k] !== OUTCOME_HUNG || env.tick < env.fEnd[k]) continue;
    const slot = env.fTask[k];
    const worker = env.fWorker[k];
    observeOutcome(env, worker, env.tCategory[slot], false, env.tick - env.fStart[k]);
    env.tRetries[slot]++;
    chargeTask(env, k, env.tick);
    decide(env, 'requeued', slot, worker);
    pushHead(env, slot);
    removeInflight(env, k);
    k--;
  }
}
