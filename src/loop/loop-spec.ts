/**
 * The loop spec (`experiments/loop-*.json`): one zod schema, every field with its default and meaning, and
 * the checks that need more than one field (an event beyond `iterations`, an unknown worker slot or kwarg,
 * an arm the world cannot serve). `loadLoopSpec` validates everything before a loop writes anything.
 *
 * A loop runs `replicates` independent companies for `iterations` turns of the seeds' cycle. One iteration:
 * every arm serves `daysPerIteration` workdays of the iteration's world (the KPI is measured there), then
 * the learning arm trains a challenger from its champion, the gate decides on shadow days, and the drift
 * detector watches the deployed KPI (see loop-replicate.ts for the order of events).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, DataError } from '../core/errors.js';
import { configProblems } from '../core/config-schema.js';
import { envKwargsSchema } from '../core/registry.js';
import { agentConfigSchema } from '../../agents/index.js';
import { ARCHITECTURES } from '../../envs/orchestrator/catalog.js';
import { parseJsonWithPosition, RewardSectionSchema } from '../experiments/spec.js';

const positiveInt = z.number().int().min(1);
const iterationIndex = z.number().int().min(0).describe('Iteration at which the event takes effect (0 = the first)');

export const LOOP_ENVS = ['Orchestrator-v0', 'Orchestrator-drift-v0'] as const;
export const LOOP_ARMS = ['learning', 'frozen', 'scratch', 'greedy', 'oracle'] as const;
export type LoopArm = (typeof LOOP_ARMS)[number];
export const LOOP_KPIS = ['return', 'successRate', 'satisfaction'] as const;

const KwargsEventSchema = z.strictObject({
  kind: z.literal('kwargs'),
  iteration: iterationIndex,
  kwargs: z.record(z.string(), z.unknown()).describe('Env kwargs merged into the world from this iteration on (e.g. arrivalRate, pluginMix shares)'),
});
const SwapWorkerEventSchema = z.strictObject({
  kind: z.literal('swap-worker'),
  iteration: iterationIndex,
  slot: z.number().int().min(0).describe('Worker slot whose agent is replaced (action names keep the slot)'),
  architecture: z.string().describe('Architecture of the new worker (catalog.ts); its hidden skills are drawn anew'),
});
const SkillShiftEventSchema = z.strictObject({
  kind: z.literal('skill-shift'),
  iteration: iterationIndex,
  scale: z.number().positive().describe('Std of the one-off N(0, scale) step of every (worker, category) success logit'),
});

export const ScheduleEventSchema = z.discriminatedUnion('kind', [KwargsEventSchema, SwapWorkerEventSchema, SkillShiftEventSchema]);
export type ScheduleEvent = z.output<typeof ScheduleEventSchema>;

export const FaultSchema = z.strictObject({
  kind: z
    .enum(['invert-reward', 'force-promote'])
    .describe('invert-reward: the challenger of this iteration trains on the negated reward (a corrupted reward model); force-promote: the gate is bypassed'),
  iteration: iterationIndex,
});
export type Fault = z.output<typeof FaultSchema>;

const DEFAULT_LEARNER_AGENT = { name: 'ppo', numSteps: 256, batchSize: 256, numEpochs: 4, learningRate: 0.0003, entCoef: 0.01, normalizeObs: true, normalizeReward: true };

export const LoopSpecSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-"').describe('Results go to <out>/<name>/'),
  description: z.string().default('').describe('What the loop studies'),
  seed: z.number().int().min(0).default(0).describe('Root seed: every world, workday and learner stream is forked from it by label'),
  iterations: z.number().int().min(3).max(10000).default(10).describe('Turns of the cycle (the analysis needs at least 3)'),
  daysPerIteration: positiveInt.default(5).describe('Workdays (episodes of 200 ticks) each arm serves per iteration; the KPI is their mean'),
  replicates: positiveInt.default(3).describe('Independent companies (worlds), the unit of the confidence intervals'),
  workers: positiveInt.default(1).describe('Replicates run in parallel in this many child processes (results are identical to a serial run)'),
  kpi: z.enum(LOOP_KPIS).default('return').describe('Daily KPI: gold return of the workday, success rate or mean true satisfaction'),
  world: z
    .strictObject({
      env: z.enum(LOOP_ENVS).default('Orchestrator-v0').describe('Env id of the world'),
      kwargs: z.record(z.string(), z.unknown()).default({}).describe('Env kwargs of iteration 0 (rewardMode is set by learner.reward)'),
      skillDrift: z.number().min(0).default(0).describe('Std of the N(0, s) step every (worker, category) logit takes between consecutive iterations'),
      schedule: z.array(ScheduleEventSchema).default([]).describe('World changes at given iterations'),
    })
    .default({ env: 'Orchestrator-v0', kwargs: {}, skillDrift: 0, schedule: [] }),
  learner: z
    .strictObject({
      agent: z
        .looseObject({ name: z.string() })
        .default(DEFAULT_LEARNER_AGENT)
        .describe('Agent name plus hyperparameters (see `loopgym agents`)'),
      numEnvs: positiveInt.default(4).describe('Vector env members the learner trains on'),
      initialSteps: positiveInt.default(20000).describe('Steps the initial policy (champion of iteration 0, the frozen arm) trains on world 0; also what the scratch arm trains on each iteration\'s world'),
      mode: z
        .enum(['own-interaction', 'steps'])
        .default('steps')
        .describe('own-interaction: the challenger continues from the champion on the workdays the champion just served (daysPerIteration x 200 steps per member); steps: for `steps` steps on fresh workdays of the current world'),
      steps: positiveInt.default(10000).describe('Training steps of the challenger per iteration in mode "steps"'),
      reward: RewardSectionSchema.default({ mode: 'gold', model: {} }).describe('What the learner trains on; learned = a reward model refitted each iteration on all feedback so far'),
    })
    .default({ agent: DEFAULT_LEARNER_AGENT, numEnvs: 4, initialSteps: 20000, mode: 'steps', steps: 10000, reward: { mode: 'gold', model: {} } }),
  deterministic: z.boolean().default(true).describe('Deployed policies act with their most probable action'),
  gate: z
    .strictObject({
      shadowDays: z.number().int().min(2).default(10).describe('Seeded workdays of the current world on which challenger and champion both play'),
      margin: z.number().min(0).default(0).describe('Relative improvement the challenger must show: mean gain > margin x |champion mean|'),
      alpha: z.number().gt(0).lt(1).default(0.1).describe('One-sided level of the paired t-test on the shadow days'),
    })
    .default({ shadowDays: 10, margin: 0, alpha: 0.1 }),
  drift: z
    .strictObject({
      detector: z.enum(['relative-drop', 'page-hinkley', 'none']).default('page-hinkley').describe("relative-drop: the seeds' rule (mean of the last `window` days `drop` below the first `window` since deployment); page-hinkley: a cumulative test for a fall in the mean"),
      window: positiveInt.default(20).describe('Days in the relative-drop windows'),
      drop: z.number().gt(0).lt(1).default(0.05).describe('Relative fall that raises the relative-drop alarm'),
      delta: z.number().min(0).default(0.05).describe('Page-Hinkley tolerance, as a fraction of the reference daily KPI'),
      lambda: z.number().positive().default(2).describe('Page-Hinkley threshold, in reference standard deviations of the daily KPI'),
    })
    .default({ detector: 'page-hinkley', window: 20, drop: 0.05, delta: 0.05, lambda: 2 }),
  arms: z.array(z.enum(LOOP_ARMS)).min(1).default([...LOOP_ARMS]).describe('The learning loop and the control arms, all on the same worlds'),
  faults: z.array(FaultSchema).default([]).describe('Scheduled faults, to test the gate and the rollback'),
  analysis: z
    .strictObject({
      resamples: positiveInt.default(2000).describe('Bootstrap resamples of the learning-curve analysis'),
      horizons: z.array(positiveInt).default([10, 30, 90, 365]).describe('Projection horizons in iterations'),
    })
    .default({ resamples: 2000, horizons: [10, 30, 90, 365] }),
});

export type LoopSpec = z.output<typeof LoopSpecSchema>;
export type LoopSpecInput = z.input<typeof LoopSpecSchema>;

/** Validates a parsed loop spec (all fields and the cross-field rules), naming every problem at once. */
export function parseLoopSpec(raw: unknown, source = 'loop spec'): LoopSpec {
  const result = LoopSpecSchema.safeParse(raw);
  const problems = result.success ? crossFieldProblems(result.data) : configProblems(LoopSpecSchema, raw, result.error.issues, source);
  if (problems.length > 0 || !result.success) throw new ConfigError(`${source}: invalid loop spec:${problems.length === 1 ? ' ' : '\n  '}${problems.join('\n  ')}`);
  return result.data;
}

export function loadLoopSpec(path: string): LoopSpec {
  if (!existsSync(path)) throw new DataError(`Expected a loop spec file at ${path}, but it does not exist.`);
  if (statSync(path).isDirectory()) throw new DataError(`Expected a loop spec file at ${path}, but it is a folder (e.g. experiments/loop-quick.json).`);
  return parseLoopSpec(parseJsonWithPosition(readFileSync(path, 'utf8'), path), path);
}

function crossFieldProblems(spec: LoopSpec): string[] {
  const problems: string[] = [];
  if (!spec.arms.includes('learning')) problems.push(`arms: Expected the list to include "learning" (the loop under study), but got ${JSON.stringify(spec.arms)}.`);
  const kwargsSchema = envKwargsSchema(spec.world.env);
  const checkKwargs = (kwargs: Record<string, unknown>, where: string) => {
    if ('rewardMode' in kwargs) problems.push(`${where}.rewardMode: Expected no rewardMode here (learner.reward.mode decides what the learner trains on; deployment is scored on gold), but got ${JSON.stringify(kwargs.rewardMode)}.`);
    if ('worldSeed' in kwargs) problems.push(`${where}.worldSeed: Expected no worldSeed (the loop keeps one evolving company per replicate), but got ${JSON.stringify(kwargs.worldSeed)}.`);
    const parsed = kwargsSchema?.safeParse(kwargs);
    if (parsed && !parsed.success) problems.push(...configProblems(kwargsSchema!, kwargs, parsed.error.issues, where));
  };
  checkKwargs(spec.world.kwargs, 'world.kwargs');
  const workers = (spec.world.kwargs.workers as unknown[] | undefined)?.length ?? 6;
  spec.world.schedule.forEach((event, i) => {
    const where = `world.schedule[${i}]`;
    if (event.iteration >= spec.iterations) problems.push(`${where}.iteration: Expected an iteration below iterations (${spec.iterations}), but got ${event.iteration}.`);
    if (event.kind === 'kwargs') {
      checkKwargs(event.kwargs, `${where}.kwargs`);
      for (const key of ['workers', 'preset'] as const) {
        if (key in event.kwargs) problems.push(`${where}.kwargs.${key}: Expected a kwarg that keeps the observation and action shapes (use a swap-worker event for workers), but got ${key}.`);
      }
    }
    if (event.kind === 'swap-worker') {
      if (event.slot >= workers) problems.push(`${where}.slot: Expected a worker slot in 0..${workers - 1}, but got ${event.slot}.`);
      if (!ARCHITECTURES.some((a) => a.name === event.architecture)) {
        problems.push(`${where}.architecture: Expected one of ${ARCHITECTURES.map((a) => a.name).join(', ')}, but got ${JSON.stringify(event.architecture)}.`);
      }
    }
  });
  spec.faults.forEach((fault, i) => {
    if (fault.iteration >= spec.iterations) problems.push(`faults[${i}].iteration: Expected an iteration below iterations (${spec.iterations}), but got ${fault.iteration}.`);
  });
  const { name, ...hyperparameters } = spec.learner.agent;
  const schema = agentConfigSchema(name);
  if (schema === undefined) problems.push(`learner.agent.name: Expected a learning agent (ppo, a2c, reinforce, dqn), but got ${JSON.stringify(name)}.`);
  else {
    const parsed = schema.safeParse(hyperparameters);
    if (!parsed.success) problems.push(...configProblems(schema, hyperparameters, parsed.error.issues, 'learner.agent'));
  }
  if (spec.learner.reward.mode === 'none') problems.push('learner.reward.mode: Expected gold, feedback or learned (a loop learns from a signal), but got "none".');
  return problems;
}
