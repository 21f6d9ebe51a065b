/**
 * Time: one tick of the Orchestrator env after the verb. Degradation grows; skills may drift (world stream);
 * work in flight costs its units and ends at its end tick (a silent failure surfaces only at its SLA
 * deadline); queued tasks waiting longer than `abandonAfter` SLAs are abandoned; then the arrivals of the
 * tick come in.
 */
import type { OrchestratorState } from './state.js';
import { KIND_ABANDONED, OUTCOME_HUNG, OUTCOME_SUCCEEDED } from './constants.js';
import { arrive, drawTicksToBurst } from './arrivals.js';
import { finish, observeOutcome } from './finish.js';
import { chargeTask, dequeueCounts, removeInflight } from './queue.js';

export function advance(env: OrchestratorState): void {
  const cfg = env.config;
  const c = env.company;
  env.tick++;
  const now = env.tick;
  env.degradation = Math.min(1, env.degradation + env.degradationStep);
  // Drift draws from the world stream, so the same seed drifts the same way whatever the policy does.
  if (cfg.skillDriftRate > 0 && env.worldRng!.random() < cfg.skillDriftRate) {
    const world = env.worldRng!;
    const w = world.integer(0, env.numWorkers);
    for (let k = 0; k < c.numCategories; k++) c.logit[w * c.numCategories + k] += world.normal(0, cfg.skillDriftScale);
  }

  let cost = 0;
  for (let k = 0; k < env.inflight; k++) {
    const worker = env.fWorker[k];
    cost += c.cost[worker] * env.fUnits[k];
    const outcome = env.fOutcome[k];
    const slot = env.fTask[k];
    if (outcome === OUTCOME_HUNG) {
      if (now < env.fEnd[k] || now < env.tArrival[slot] + env.tSla[slot]) continue;
      observeOutcome(env, worker, env.tCategory[slot], false, now - env.fStart[k]);
      chargeTask(env, k, now);
      finish(env, slot, OUTCOME_HUNG, worker, env.fUnits[k] === 2);
    } else {
      if (now < env.fEnd[k]) continue;
      const succeeded = outcome === OUTCOME_SUCCEEDED;
      observeOutcome(env, worker, env.tCategory[slot], succeeded, now - env.fStart[k]);
      chargeTask(env, k, now);
      finish(env, slot, outcome, worker, env.fUnits[k] === 2);
    }
    removeInflight(env, k);
    k--;
  }
  env.stepCost += cost;
  env.totals.cost += cost;

  // Abandonment (waiting longer than abandonAfter SLAs); the same pass counts SLA pressure for observe(),
  // which arrivals below cannot change (a new task has waited 0 ticks).
  let pressured = 0;
  if (env.queueLength > 0) {
    const wrap = env.queueMask;
    const abandonAfter = cfg.abandonAfter;
    let kept = 0;
    let abandonedAny = false;
    for (let i = 0; i < env.queueLength; i++) {
      const slot = env.queue[(env.queueHead + i) & wrap];
      const waited = now - env.tArrival[slot];
      const sla = env.tSla[slot];
      if (waited > abandonAfter * sla) {
        abandonedAny = true;
        dequeueCounts(env, slot);
        finish(env, slot, KIND_ABANDONED, -1, false);
      } else {
        if (abandonedAny) env.queue[(env.queueHead + kept) & wrap] = slot;
        kept++;
        if (2 * waited > sla) pressured++;
      }
    }
    env.queueLength = kept;
  }
  env.pressured = pressured;

  // Arrivals.
  if (env.burstLeft > 0) {
    if (--env.burstLeft === 0) env.ticksToBurst = drawTicksToBurst(env);
  } else if (--env.ticksToBurst <= 0 && cfg.burstProbability > 0) {
    env.burstLeft = env.arrivalRng.integer(cfg.burstLength[0], cfg.burstLength[1] + 1);
  }
  env.intensity += env.dayProfile[now % cfg.dayLength] * (env.burstLeft > 0 ? cfg.burstMultiplier : 1);
  let count = 0;
  while (env.nextArrivalAt <= env.intensity) {
    arrive(env);
    count++;
    env.nextArrivalAt += env.arrivalRng.exponential(1);
  }
  env.arrivalEma += 0.1 * (count - env.arrivalEma);
}
