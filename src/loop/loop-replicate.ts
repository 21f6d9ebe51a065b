/**
 * One replicate of a learning loop: one company, every arm, every iteration. Iteration k, in order:
 *
 * 1. **Serve.** Every arm plays the iteration's `daysPerIteration` deployment workdays (the same seeds for
 *    every arm) with its deployed policy; the day KPIs are the loop's measurements. learning: the champion;
 *    frozen: the initial policy; scratch: a policy trained from scratch on this world (`learner.steps`);
 *    greedy, oracle: the fixed baselines.
 * 2. **Watch.** The drift detector (drift-detectors.ts) reads the champion's deployment days; after a
 *    promotion its reference is the outgoing champion's last days. On an alarm, the previous champion and
 *    the current one play the iteration's shadow days; the previous one comes back if it does better
 *    (rollback), and the detector restarts.
 * 3. **Learn.** A challenger continues from the champion (weights, normalizers and optimizer state as saved)
 *    on the current world: mode `steps` for `learner.steps` steps on the iteration's training workdays, mode
 *    `own-interaction` on the very workdays the champion just served, one vector member per day. With
 *    `reward.mode: learned`, a reward model is fitted on all feedback gathered so far (every deployment
 *    and training day of the learning arm) and refits as the challenger trains.
 * 4. **Gate.** Challenger and champion play the iteration's shadow workdays; gate.ts decides. A promoted
 *    challenger is saved as `policies/iteration-<k>` and deploys from iteration k + 1.
 * 5. **Record.** `iterations/<k>.json` (atomic) holds the KPIs, decisions, world hash and the state the next
 *    iteration starts from; it is the iteration's completion mark, so a killed loop resumes after the last
 *    one written. Policies and feedback always round-trip through disk, so a resumed loop computes exactly
 *    what an uninterrupted one does.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent } from '../core/agent.js';
import type { Env } from '../core/env.js';
import type { VectorEnv, VectorStepResult } from '../core/vector.js';
import { makeVec } from '../core/registry.js';
import { writeJsonAtomic } from '../core/atomic-fs.js';
import { DataError } from '../core/errors.js';
import { createAgent } from '../../agents/index.js';
import { playEpisode } from '../../agents/common/evaluate.js';
import '../experiments/builtin-agents.js';
import { rewardLearnerFor } from '../experiments/runner.js';
import { FeedbackBuffer, type FeedbackRecord } from '../reward/feedback-buffer.js';
import { makeLearnedRewardVecEnv, type RewardLearner } from '../reward/learned-reward-wrapper.js';
import { gateDecision, type GateDecision } from './loop-gate.js';
import { newDetectorState, rebaseDetector, updateDetector, type DetectorState } from './drift-detectors.js';
import { hashCompany, LoopWorld } from './loop-world.js';
import type { OrchestratorEnv } from '../../envs/orchestrator/env.js';
import type { LoopArm, LoopSpec } from './loop-spec.js';

const DAY_LENGTH = 200;
export const INITIAL_POLICY = 'initial';

/** What the next iteration starts from. */
export interface LoopState {
  champion: string;
  previous: string | null;
  detector: DetectorState;
}

export interface ArmIteration {
  /** Daily KPI of each deployment day, in day order. */
  days: number[];
  kpi: number;
  /** Mean gold return and env metrics over the days. */
  meanReturn: number;
  metrics: Record<string, number>;
  /** sha256 of the hidden company the arm's env served (hashCompany): the same for every arm. */
  company: string;
  /** The policy that served (learning arm: the champion's name). */
  policy?: string;
}

export interface IterationRecord {
  replicate: number;
  iteration: number;
  worldHash: string;
  arms: Partial<Record<LoopArm, ArmIteration>>;
  drift: { alarm: boolean; rolledBack: boolean; reason: string } | null;
  gate: (GateDecision & { challenger: string; forced: boolean }) | null;
  faults: string[];
  /** Feedback records gathered so far (learned reward only). */
  feedback?: number;
  next: LoopState;
}

export interface ReplicateOptions {
  /** Called after each iteration is recorded (also for iterations found on disk when resuming). */
  onIteration?: (record: IterationRecord, resumed: boolean) => void;
}

export async function runReplicate(spec: LoopSpec, replicate: number, dir: string, options: ReplicateOptions = {}): Promise<IterationRecord[]> {
  const world = new LoopWorld(spec, replicate);
  const paths = replicatePaths(dir);
  mkdirSync(paths.iterations, { recursive: true });
  mkdirSync(paths.policies, { recursive: true });
  const records = readRecords(paths.iterations, spec.iterations);
  for (const record of records) options.onIteration?.(record, true);

  if (!existsSync(join(paths.policies, INITIAL_POLICY, 'agent.json'))) {
    const initial = newLearner(spec, world, world.agentSeed(0, 'initial'));
    try {
      await train(spec, world, initial, 0, { steps: spec.learner.initialSteps, purpose: 'train' }, false);
      await saveAtomic(initial, join(paths.policies, INITIAL_POLICY));
    } finally {
      dispose(initial);
    }
  }
  let state: LoopState = records.length > 0 ? records[records.length - 1].next : { champion: INITIAL_POLICY, previous: null, detector: newDetectorState() };
  for (let k = records.length; k < spec.iterations; k++) {
    const record = await runIteration(spec, world, k, state, paths);
    writeJsonAtomic(join(paths.iterations, `${k}.json`), record);
    records.push(record);
    state = record.next;
    options.onIteration?.(record, false);
  }
  return records;
}

interface ReplicatePaths {
  iterations: string;
  policies: string;
  feedback: string;
}

function replicatePaths(dir: string): ReplicatePaths {
  return { iterations: join(dir, 'iterations'), policies: join(dir, 'policies'), feedback: join(dir, 'feedback.jsonl') };
}

/** The iteration records already on disk, 0..n-1 without gaps (a later file after a gap is ignored). */
function readRecords(dir: string, iterations: number): IterationRecord[] {
  const records: IterationRecord[] = [];
  const present = new Set(readdirSync(dir).filter((name) => /^\d+\.json$/.test(name)));
  for (let k = 0; k < iterations && present.has(`${k}.json`); k++) {
    const path = join(dir, `${k}.json`);
    try {
      records.push(JSON.parse(readFileSync(path, 'utf8')) as IterationRecord);
    } catch (error) {
      throw new DataError(`Expected a loop iteration record in ${path}, but it does not parse (${(error as Error).message}); remove it to recompute that iteration.`);
    }
  }
  return records;
}

async function runIteration(spec: LoopSpec, world: LoopWorld, k: number, state: LoopState, paths: ReplicatePaths): Promise<IterationRecord> {
  const env = world.makeEnv(k);
  const faults = spec.faults.filter((f) => f.iteration === k).map((f) => f.kind);
  const learned = spec.learner.reward.mode === 'learned';
  const gathered = learned ? loadFeedback(paths.feedback) : undefined;
  const arms: Partial<Record<LoopArm, ArmIteration>> = {};
  const next: LoopState = { champion: state.champion, previous: state.previous, detector: structuredClone(state.detector) };
  let drift: IterationRecord['drift'] = null;
  let gate: IterationRecord['gate'] = null;
  try {
    // 1. Serve.
    const champion = await loadPolicy(spec, world, paths, state.champion, k);
    try {
      arms.learning = { ...serve(spec, champion, env, world.seedOf(k, 'deploy'), spec.daysPerIteration, gathered), policy: state.champion };
    } finally {
      dispose(champion);
    }
    for (const arm of spec.arms) {
      if (arm === 'learning') continue;
      const agent = await armPolicy(spec, world, arm, k, env, paths);
      try {
        arms[arm] = serve(spec, agent, env, world.seedOf(k, 'deploy'), spec.daysPerIteration);
      } finally {
        dispose(agent);
      }
    }

    // 2. Watch.
    let alarm = false;
    for (const day of arms.learning.days) alarm = updateDetector(next.detector, day, spec.drift) || alarm;
    if (alarm) {
      drift = { alarm: true, rolledBack: false, reason: `${spec.drift.detector} alarm on the champion ${state.champion}` };
      if (state.previous !== null) {
        const [current, previous] = await Promise.all([loadPolicy(spec, world, paths, state.champion, k), loadPolicy(spec, world, paths, state.previous, k)]);
        try {
          const seed = world.seedOf(k, 'shadow');
          const currentDays = serve(spec, current, env, seed, spec.gate.shadowDays).days;
          const previousDays = serve(spec, previous, env, seed, spec.gate.shadowDays).days;
          const better = mean(previousDays) > mean(currentDays);
          if (better) {
            drift = { alarm: true, rolledBack: true, reason: `${drift.reason}: rolled back to ${state.previous} (shadow mean ${fmt(mean(previousDays))} vs ${fmt(mean(currentDays))})` };
            next.champion = state.previous;
            next.previous = null;
          } else {
            drift.reason += `: kept it (the previous champion ${state.previous} does no better on shadow days: ${fmt(mean(previousDays))} vs ${fmt(mean(currentDays))})`;
          }
        } finally {
          dispose(current);
          dispose(previous);
        }
      } else {
        drift.reason += ': no previous champion to roll back to';
      }
      next.detector = newDetectorState();
    }

    // 3. Learn (the challenger continues from the deployed champion, after any rollback).
    const challengerName = `iteration-${k}`;
    const challenger = await loadPolicy(spec, world, paths, next.champion, k);
    try {
      const budget = spec.learner.mode === 'steps' ? { steps: spec.learner.steps, purpose: 'train' as const } : { steps: spec.daysPerIteration * DAY_LENGTH, purpose: 'deploy' as const };
      await train(spec, world, challenger, k, budget, faults.includes('invert-reward'), gathered);

      // 4. Gate.
      const incumbent = await loadPolicy(spec, world, paths, next.champion, k);
      try {
        const seed = world.seedOf(k, 'shadow');
        const championDays = serve(spec, incumbent, env, seed, spec.gate.shadowDays).days;
        const challengerDays = serve(spec, challenger, env, seed, spec.gate.shadowDays).days;
        const decision = gateDecision(championDays, challengerDays, spec.gate);
        const forced = faults.includes('force-promote');
        gate = { ...decision, challenger: challengerName, forced, promoted: decision.promoted || forced };
        if (forced && !decision.promoted) gate.reason = `forced promotion (fault) despite: ${decision.reason}`;
        if (gate.promoted) {
          await saveAtomic(challenger, join(paths.policies, challengerName));
          next.previous = next.champion;
          next.champion = challengerName;
          next.detector = rebaseDetector(next.detector, spec.drift.window);
        }
      } finally {
        dispose(incumbent);
      }
    } finally {
      dispose(challenger);
    }
    if (gathered) saveFeedback(gathered, paths.feedback);
  } finally {
    env.close();
  }
  return {
    replicate: world.replicate,
    iteration: k,
    worldHash: world.at(k).hash,
    arms,
    drift,
    gate,
    faults,
    ...(gathered ? { feedback: gathered.size } : {}),
    next,
  };
}

/** The deployed policy of a control arm at iteration k. */
async function armPolicy(spec: LoopSpec, world: LoopWorld, arm: LoopArm, k: number, env: Env<Float32Array, number>, paths: ReplicatePaths): Promise<Agent> {
  if (arm === 'frozen') return loadPolicy(spec, world, paths, INITIAL_POLICY, k);
  if (arm === 'scratch') {
    const agent = newLearner(spec, world, world.agentSeed(k, 'scratch'));
    await train(spec, world, agent, k, { steps: spec.learner.initialSteps, purpose: 'scratch' }, false);
    return agent;
  }
  return createAgent(arm, {}, { observationSpace: env.observationSpace, actionSpace: env.actionSpace, env });
}

/** Plays `days` workdays from `seed` on; day KPIs, mean return and metrics. Feedback goes to `feedback`. */
function serve(spec: LoopSpec, agent: Agent, env: Env<Float32Array, number>, seed: number, days: number, feedback?: FeedbackSink): ArmIteration {
  const kpis: number[] = [];
  const returns: number[] = [];
  const sums: Record<string, number> = {};
  const hidden = () => (env.unwrapped as unknown as OrchestratorEnv).hidden().company;
  env.reset({ seed });
  const company = hashCompany(hidden());
  for (let d = 0; d < days; d++) {
    const play = playEpisode(agent, env, { seed: seed + d }, { deterministic: spec.deterministic }, feedback ? (step) => feedback.ingest(step.info) : undefined);
    const metrics = (env.unwrapped as unknown as { episodeMetrics(): Record<string, number> }).episodeMetrics();
    for (const [key, value] of Object.entries(metrics)) sums[key] = (sums[key] ?? 0) + value;
    returns.push(play.return);
    kpis.push(spec.kpi === 'return' ? play.return : metrics[spec.kpi]);
  }
  const metrics = Object.fromEntries(Object.entries(sums).map(([key, value]) => [key, value / days]));
  return { days: kpis, kpi: mean(kpis), meanReturn: mean(returns), metrics, company };
}

interface FeedbackSink {
  ingest(info: Record<string, unknown>): void;
  readonly size: number;
}

/** All feedback of the learning arm so far: every deployment day's and every training day's. */
class GatheredFeedback implements FeedbackSink {
  constructor(readonly buffer: FeedbackBuffer) {}
  get size(): number {
    return this.buffer.size;
  }
  ingest(info: Record<string, unknown>): void {
    const feedback = info.feedback as readonly Record<string, unknown>[] | undefined;
    if (feedback) for (const event of feedback) this.buffer.add({ ...event } as unknown as FeedbackRecord);
  }
}

function loadFeedback(path: string): GatheredFeedback {
  if (!existsSync(path)) return new GatheredFeedback(new FeedbackBuffer());
  const { buffer, corrupt } = FeedbackBuffer.load(path);
  if (corrupt.length > 0) throw new DataError(`Expected loop feedback in ${path}, but line ${corrupt[0].line} is corrupt; remove the replicate's last iteration record and this file's tail to recompute.`);
  return new GatheredFeedback(buffer);
}

function saveFeedback(gathered: GatheredFeedback, path: string): void {
  gathered.buffer.save(path);
}

function newLearner(spec: LoopSpec, world: LoopWorld, seed: number): Agent {
  const probe = world.makeEnv(0);
  try {
    const { name, ...config } = spec.learner.agent;
    return createAgent(name, config, { seed, observationSpace: probe.observationSpace, actionSpace: probe.actionSpace });
  } finally {
    probe.close();
  }
}

async function loadPolicy(spec: LoopSpec, world: LoopWorld, paths: ReplicatePaths, name: string, k: number): Promise<Agent> {
  const agent = newLearner(spec, world, world.agentSeed(k, `load/${name}`));
  await agent.load(join(paths.policies, name));
  return agent;
}

/**
 * Trains `agent` on iteration k's world for `budget.steps` steps. The vector env's workdays are seeded
 * from the world (purpose `train`/`scratch`: fresh days; `deploy`: the deployment days, one member each).
 */
async function train(
  spec: LoopSpec,
  world: LoopWorld,
  agent: Agent,
  k: number,
  budget: { steps: number; purpose: 'train' | 'scratch' | 'deploy' },
  invertReward: boolean,
  gathered?: GatheredFeedback,
): Promise<void> {
  const numEnvs = budget.purpose === 'deploy' ? spec.daysPerIteration : spec.learner.numEnvs;
  const kwargs = { ...world.at(k).kwargs };
  const mode = spec.learner.reward.mode;
  let learner: RewardLearner | undefined;
  let venv: VectorEnv;
  if (mode === 'learned' && gathered) {
    learner = rewardLearnerFor(spec.learner.reward.model, world.agentSeed(k, 'reward'), gathered.buffer);
    learner.refit();
    venv = makeLearnedRewardVecEnv(spec.world.env, { numEnvs, learner, kwargs: { ...kwargs, rewardMode: 'gold' }, maxEpisodeSteps: DAY_LENGTH });
  } else {
    // The scratch arm and the initial policy train on the learner's signal without loop-wide feedback.
    const rewardMode = mode === 'learned' ? 'feedback' : mode;
    venv = makeVec(spec.world.env, { numEnvs, kwargs: { ...kwargs, rewardMode }, maxEpisodeSteps: DAY_LENGTH });
  }
  world.pinVector(venv, k);
  const seeded = withOverrides(venv, world.seedOf(k, budget.purpose), invertReward);
  try {
    // Yield between rollouts so Ctrl-C (the CLI's SIGINT handler) acts at once; no effect on the numbers.
    await agent.learn({ env: seeded, totalSteps: budget.steps, hooks: [{ onStep: () => new Promise<void>((resolve) => setImmediate(resolve)) }] });
  } finally {
    venv.close();
    learner?.model.dispose();
  }
}

/** The vector env with its reset seed fixed (the world's workdays) and, for the fault, its rewards negated. */
function withOverrides(venv: VectorEnv, seed: number, invertReward: boolean): VectorEnv {
  return new Proxy(venv, {
    get(target, key) {
      if (key === 'reset') return (args: { seed?: number; options?: Record<string, unknown> } = {}) => target.reset({ ...args, seed });
      if (key === 'step' && invertReward) {
        return (actions: Parameters<VectorEnv['step']>[0]): VectorStepResult => {
          const result = target.step(actions);
          for (let i = 0; i < result.rewards.length; i++) result.rewards[i] = -result.rewards[i];
          return result;
        };
      }
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Saves into a temporary folder, then renames it into place. */
async function saveAtomic(agent: Agent, dir: string): Promise<void> {
  const temporary = `${dir}.partial`;
  rmSync(temporary, { recursive: true, force: true });
  await agent.save(temporary);
  rmSync(dir, { recursive: true, force: true });
  renameSync(temporary, dir);
}

function dispose(agent: Agent): void {
  (agent as Partial<{ dispose(): void }>).dispose?.();
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length > 0 ? sum / values.length : NaN;
}

function fmt(x: number): string {
  return x.toFixed(3);
}
