/**
 * A task ends: the user model (users.ts) draws its true satisfaction and any feedback (CAT score and
 * ratings, a preference against a recent task) from the user stream, in a fixed order whether or not events
 * are collected; the step's reward sums and the episode totals add it up; a TaskOutcome record and feedback
 * events are built when collected. Also the statistics any policy could have counted (observeOutcome) and
 * what the observation shows of a worker (refreshWorkerStats).
 */
import type { OrchestratorState } from './state.js';
import { TASK_FEATURE_DIM } from '../../src/plugins/types.js';
import { KIND_ABANDONED, KIND_NAMES, OUTCOME_FAILED, OUTCOME_HUNG, OUTCOME_SUCCEEDED, PRIOR_DURATION, RING } from './constants.js';
import { TASK_OUTCOME_FEATURE_DIM, clearOutcomeOneHots, writeOutcomeFeatures, type TaskOutcome } from './feedback.js';
import { catScore, preferenceProbability, rating, ratingDrivers, trueSatisfaction } from './users.js';

export function finish(env: OrchestratorState, slot: number, kind: number, worker: number, coordinated: boolean): void {
  const cfg = env.config;
  const c = env.company;
  const now = env.tick;
  const latency = now - env.tArrival[slot];
  const sla = env.tSla[slot];
  const priority = env.tPriority[slot];
  const succeeded = kind === OUTCOME_SUCCEEDED;
  const slaMet = latency <= sla && kind !== OUTCOME_HUNG && kind !== KIND_ABANDONED;
  const timeliness = latency <= sla ? 1 : Math.max(0, 1 - (latency - sla) / sla);
  const fBase = slot * TASK_FEATURE_DIM;
  const creativityNeed = env.tFeatures[fBase + 5];
  const rng = env.userRng;
  const hasWorker = worker >= 0;
  // One reused view of the task for the user model (finish() runs for every task: no allocation).
  const userView = env.userView;
  userView.succeeded = succeeded;
  userView.failed = kind === OUTCOME_FAILED;
  userView.timeliness = timeliness;
  userView.quality = hasWorker ? c.quality[worker] : 0;
  userView.creativity = hasWorker ? c.creativity[worker] : 0;
  userView.creativityNeed = creativityNeed;
  userView.coordinated = coordinated;
  const satisfaction = trueSatisfaction(userView, rng.random(), cfg.moodNoise);

  if (succeeded) env.stepSuccess += priority;
  if (!slaMet) env.stepLatency += priority;
  env.stepGoldSatisfaction += satisfaction - 0.5;
  const t = env.totals;
  t.finished++;
  if (succeeded) t.succeeded++;
  if (!slaMet) t.slaMissed++;
  if (kind === KIND_ABANDONED) t.abandoned++;
  else {
    t.worked++;
    t.latencySum += latency;
  }
  t.satisfactionSum += satisfaction;

  const giveScore = cfg.feedbackRate > 0 && rng.random() < cfg.feedbackRate;
  const givePreference = cfg.preferenceRate > 0 && env.ringCount > 0 && rng.random() < cfg.preferenceRate;
  // Outcome features are what records and events carry; without them only the draws below matter.
  const features = env.scratchFeatures;
  if (env.collectEvents) {
    const arch = worker >= 0 ? env.archIndex[worker] : -1;
    clearOutcomeOneHots(features, env.scratchArch, env.scratchCategory);
    env.scratchArch = arch;
    env.scratchCategory = env.pluginCategoryBuiltin[env.tCategory[slot]];
    writeOutcomeFeatures(features, succeeded, slaMet, latency, sla, env.tComplexity[slot], priority, coordinated, env.tRetries[slot], env.tFeatures, fBase, arch, env.scratchCategory);
  }

  if (cfg.recordTasks && env.collectEvents) {
    const record: TaskOutcome = {
      taskId: env.tId[slot],
      plugin: env.plugins[env.tPlugin[slot]].name,
      category: env.categories[env.tCategory[slot]],
      worker,
      architecture: worker >= 0 ? env.workerArchitectures[worker] : '',
      kind: KIND_NAMES[kind],
      success: succeeded,
      slaMet,
      latency,
      slaTicks: sla,
      complexity: env.tComplexity[slot],
      priority,
      coordinated,
      retries: env.tRetries[slot],
      finishTick: now,
      arrivedInBurst: env.tBurst[slot] === 1,
      cost: env.tCost[slot],
      features: env.recordSlab.copy(features, 0, TASK_OUTCOME_FEATURE_DIM),
      trueSatisfaction: satisfaction,
      satisfactionTerm: cfg.rewardWeights.satisfaction * (satisfaction - 0.5),
    };
    (env.stepFinished ??= []).push(record);
  }
  if (giveScore) {
    const cat = catScore(satisfaction, rng.normal(0, cfg.catNoise));
    const noise = cfg.ratingNoise;
    const creativityNoise = rng.normal(0, noise);
    const usefulnessNoise = rng.normal(0, noise);
    const noveltyNoise = rng.normal(0, noise);
    const qualityNoise = rng.normal(0, noise);
    if (env.collectEvents) {
      const drivers = ratingDrivers(userView, hasWorker);
      (env.stepFeedback ??= []).push({
        type: 'score',
        taskId: env.tId[slot],
        tick: now,
        cat,
        ratings: {
          creativity: rating(drivers.creativity, creativityNoise),
          usefulness: rating(drivers.usefulness, usefulnessNoise),
          novelty: rating(drivers.novelty, noveltyNoise),
          quality: rating(drivers.quality, qualityNoise),
        },
        features: env.eventSlab.copy(features, 0, TASK_OUTCOME_FEATURE_DIM),
      });
    }
    if (cfg.feedbackRate > 0) env.stepFeedbackSatisfaction += ((cat - 1) / 9 - 0.5) / cfg.feedbackRate;
  }
  if (givePreference) {
    const j = rng.integer(0, env.ringCount);
    const pA = preferenceProbability(satisfaction, env.ringSatisfaction[j], cfg.preferenceTemperature);
    const preferred: 0 | 1 = rng.random() < pA ? 0 : 1;
    if (env.collectEvents) {
      (env.stepFeedback ??= []).push({
        type: 'preference',
        tick: now,
        taskA: env.tId[slot],
        taskB: env.ringId[j],
        preferred,
        featuresA: env.eventSlab.copy(features, 0, TASK_OUTCOME_FEATURE_DIM),
        featuresB: env.eventSlab.copy(env.ringFeatures, j * TASK_OUTCOME_FEATURE_DIM, TASK_OUTCOME_FEATURE_DIM),
      });
    }
  }
  const r = env.ringNext;
  env.ringId[r] = env.tId[slot];
  env.ringSatisfaction[r] = satisfaction;
  if (env.collectEvents) {
    const ringAt = r * TASK_OUTCOME_FEATURE_DIM;
    for (let f = 0; f < TASK_OUTCOME_FEATURE_DIM; f++) env.ringFeatures[ringAt + f] = features[f];
  }
  env.ringNext = (r + 1) % RING;
  if (env.ringCount < RING) env.ringCount++;

  env.freeSlots[env.freeCount++] = slot;
}

export function observeOutcome(env: OrchestratorState, worker: number, category: number, succeeded: boolean, duration: number): void {
  const decay = env.config.statsDecay;
  const cell = worker * env.plugins.length + env.categoryDomain[category];
  if (decay < 1) {
    env.statSuccess[worker] *= decay;
    env.statTrials[worker] *= decay;
    env.statDomainSuccess[cell] *= decay;
    env.statDomainTrials[cell] *= decay;
  }
  if (succeeded) {
    env.statSuccess[worker] += 1;
    env.statDomainSuccess[cell] += 1;
    env.statDurationSum[worker] += duration;
    env.statDurationCount[worker] += 1;
  }
  env.statTrials[worker] += 1;
  env.statDomainTrials[cell] += 1;
  refreshWorkerStats(env, worker);
}

export function refreshWorkerStats(env: OrchestratorState, w: number): void {
  env.workerRate[w] = (env.statSuccess[w] + 1) / (env.statTrials[w] + 2);
  const meanDuration = env.statDurationCount[w] > 0 ? env.statDurationSum[w] / env.statDurationCount[w] : PRIOR_DURATION;
  env.overdueAfter[w] = 1.5 * meanDuration;
  env.workerDurationObs[w] = meanDuration >= 30 ? 1 : meanDuration / 30;
}
