/**
 * Experiment specs: the JSON files in experiments/ that declare what to run. One zod schema gives the
 * defaults, the validation and the error messages (field path, what is allowed, what was given, the nearest
 * key for a typo: src/core/config-schema.ts). The sections other schemas own are checked by those schemas
 * before anything runs, with their paths: `agent` by the agent's config schema, `env.kwargs` by the env's
 * kwargs schema (for ids registered when the spec is parsed), `reward.model` by the reward model's.
 * Checking leaves the sections as written (run ids hash the spec as written).
 */
import { assertSafePath, FORBIDDEN_KEYS, parseJsonSafely } from '../core/safe-json.js';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { z } from 'zod';
import { agentConfigSchema, agentIsOffline } from '../../agents/index.js';
import { CheckpointSectionSchema } from './checkpoint.js';
import { configProblems, crossFieldRules, resolveConfig, type ConfigPlace } from '../core/config-schema.js';
import { ConfigError, DataError } from '../core/errors.js';
import { envKwargsSchema, envProducesFeedback, listEnvs } from '../core/registry.js';
import { checkRewardModelSpec } from '../reward/config.js';

const positiveInt = z.number().int().positive();

export const EnvSectionSchema = z.strictObject({
  id: z.string().min(1).describe('Registered env id, e.g. Orchestrator-v0 or CartPole-v1'),
  kwargs: z.record(z.string(), z.unknown()).default({}).describe('Constructor arguments of the env (e.g. {preset: "hard"})'),
  numEnvs: positiveInt.default(1).describe('Parallel env copies stepped by one vector env'),
  vectorization: z.enum(['native', 'sync', 'async']).default('native').describe('How the copies are stepped'),
  maxEpisodeSteps: positiveInt.nullable().optional().describe('Override of the registered step limit; null removes it'),
});

export const AgentSectionSchema = z
  .looseObject({
    name: z.string().min(1).describe('Registered agent name, e.g. ppo, dqn, a2c'),
  })
  .describe('The agent name plus its hyperparameters (see `loopgym agents`)');

export const RewardSectionSchema = z.strictObject({
  mode: z.enum(['gold', 'learned', 'feedback', 'none']).default('gold').describe('Which satisfaction signal the reward uses'),
  model: z.record(z.string(), z.unknown()).default({}).describe('Reward-model config for mode "learned"'),
});

export const EvaluationSectionSchema = z.strictObject({
  episodes: positiveInt.default(20).describe('Episodes in the final evaluation of each run'),
  everySteps: positiveInt.optional().describe('Evaluate during training every N env steps (learning curves)'),
  deterministic: z.boolean().default(true).describe('Evaluate with the most probable action'),
});

export const LoggingSectionSchema = z.strictObject({
  tensorboard: z.boolean().default(false).describe('Also write every logged scalar to <run>/tb/ as TensorBoard event files'),
  traces: z.boolean().default(false).describe('Also record every task of the final evaluation to <run>/traces.jsonl.gz (Orchestrator envs; loopgym analyze reads it)'),
});

const SweepValueSchema = z.union([z.number(), z.string(), z.boolean()]);
export const SweepAxisSchema = z.union([
  z.array(SweepValueSchema).min(1).describe('Values to try'),
  z.strictObject({
    distribution: z.enum(['uniform', 'loguniform', 'int']),
    low: z.number(),
    high: z.number(),
  }),
]);

export const SweepSectionSchema = z.strictObject({
  mode: z.enum(['grid', 'random']).default('grid').describe('grid: every combination; random: `samples` draws'),
  samples: positiveInt.optional().describe('Configurations drawn in random mode'),
  axes: z.record(z.string().refine((path) => !path.split('.').some((key) => FORBIDDEN_KEYS.has(key)), { message: 'a field path without __proto__, prototype or constructor' }), SweepAxisSchema).describe('Spec field path -> values, e.g. {"agent.learningRate": [1e-3, 3e-4]}'),
});

/** The most env copies one run steps, and the most transitions one on-policy rollout holds (memory). */
export const MAX_NUM_ENVS = 4096;
export const MAX_ROLLOUT = 4_000_000;

export const ExperimentSpecSchema = crossFieldRules(
  z.strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][\w.-]*$/)
      .meta({ expected: 'a name of letters, digits, ".", "_" or "-" (it names the results folder)', description: 'Experiment name; results go to results/<name>/' }),
    description: z.string().optional().describe('What the experiment is for (prose; not part of the run id)'),
    env: EnvSectionSchema,
    agent: AgentSectionSchema,
    reward: RewardSectionSchema.default({ mode: 'gold', model: {} }),
    totalSteps: positiveInt.describe('Env steps per run (training samples, transitions x epochs, for an offline agent such as bc)'),
    dataset: z.string().min(1).optional().describe('Offline dataset folder <dir>/<namespace>/<name>-vN (loopgym dataset export) that an offline agent (bc) trains on'),
    seeds: z.array(z.number().int().nonnegative()).min(1).default([0]).describe('One run per seed'),
    evaluation: EvaluationSectionSchema.default({ episodes: 20, deterministic: true }),
    baselines: z.array(z.string()).default([]).describe('Non-learning agents evaluated beside the trained one (e.g. random, greedy, oracle)'),
    backend: z.enum(['auto', 'node', 'wasm', 'cpu']).default('auto').describe('TensorFlow.js backend'),
    logging: LoggingSectionSchema.default({ tensorboard: false, traces: false }).describe('Extra outputs of each run; they change no result, so not the run id'),
    checkpoint: CheckpointSectionSchema.default({ everySeconds: 120, enabled: true, keep: false }).describe('Mid-run checkpoints (resume where a killed run was); they change no result, so not the run id'),
    sweep: SweepSectionSchema.optional(),
  }),
  (spec, blame) => {
    if (spec.sweep?.mode === 'random' && spec.sweep.samples === undefined) blame('sweep.samples', 'to be set (a positive integer) for a random sweep');
    if (agentIsOffline(spec.agent.name) && spec.dataset === undefined) blame('dataset', `to name a dataset folder for the offline agent ${spec.agent.name} (loopgym dataset export writes one)`);
    if (spec.dataset !== undefined && !agentIsOffline(spec.agent.name)) blame('dataset', `to be absent: ${spec.agent.name} learns from env steps, not from a dataset (use agent "bc")`);
    if (new Set(spec.seeds).size !== spec.seeds.length) blame('seeds', 'to be distinct (a repeated seed would train twice into one run folder)');
    // Memory and sense: every env copy takes at least one step, and one rollout fits in memory.
    if (spec.env.numEnvs > Math.min(MAX_NUM_ENVS, spec.totalSteps)) {
      blame('env.numEnvs', `to be at most ${Math.min(MAX_NUM_ENVS, spec.totalSteps)} (at most ${MAX_NUM_ENVS} copies, and no more than totalSteps ${spec.totalSteps}: each copy must step); lower env.numEnvs`);
    }
    const numSteps = (spec.agent as Record<string, unknown>).numSteps;
    if (typeof numSteps === 'number' && numSteps * spec.env.numEnvs > MAX_ROLLOUT) {
      blame('env.numEnvs', `to keep the rollout agent.numSteps x env.numEnvs (${numSteps} x ${spec.env.numEnvs}) at most ${MAX_ROLLOUT} transitions (memory); lower env.numEnvs or agent.numSteps`);
    }
  },
);

const SPEC_PLACE: ConfigPlace = { label: 'experiment spec', path: '' };

export type ExperimentSpec = z.output<typeof ExperimentSpecSchema>;
export type ExperimentSpecInput = z.input<typeof ExperimentSpecSchema>;

/** Validates a parsed spec; `source` names the file (or "spec") in error messages. */
export function parseSpec(raw: unknown, source = 'spec'): ExperimentSpec {
  const result = ExperimentSpecSchema.safeParse(raw);
  const problems = result.success ? sectionProblems(result.data) : configProblems(ExperimentSpecSchema, raw, result.error.issues, SPEC_PLACE);
  if (problems.length === 1) throw new ConfigError(`${source}: invalid experiment spec: ${problems[0]}`);
  if (problems.length > 1) throw new ConfigError(`${source}: invalid experiment spec:\n  ${problems.join('\n  ')}`);
  return result.data as ExperimentSpec;
}

/** The sections other schemas own (agent config, env kwargs, reward model), each checked by its own schema. */
function sectionProblems(spec: ExperimentSpec): string[] {
  const checks: (() => void)[] = [];
  const { name, ...hyperparameters } = spec.agent;
  const agentSchema = agentConfigSchema(name);
  if (agentSchema) checks.push(() => resolveConfig(agentSchema, hyperparameters, { label: name, path: 'agent' }));
  const kwargsSchema = listEnvs().includes(spec.env.id) ? envKwargsSchema(spec.env.id) : undefined;
  if (kwargsSchema) checks.push(() => resolveConfig(kwargsSchema, spec.env.kwargs, { label: spec.env.id, path: 'env.kwargs' }));
  checks.push(() => checkRewardModelSpec(spec.reward.model, 'reward.model', true));
  checks.push(() => checkRewardKnob(spec));
  return checks.flatMap((check) => {
    try {
      check();
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.message.split('\n');
      throw error;
    }
  });
}

/**
 * One reward knob: `reward.mode` decides what the learner trains on, and only it. `env.kwargs.rewardMode`
 * is refused (it used to train and evaluate on one mode while summary.json recorded another), and a mode
 * other than gold needs an env whose users leave feedback (its registration says so).
 */
function checkRewardKnob(spec: ExperimentSpec): void {
  if ('rewardMode' in spec.env.kwargs) {
    throw new ConfigError(
      `env.kwargs.rewardMode: Expected no rewardMode in env.kwargs (set reward.mode instead: it decides what the learner trains on, and evaluation always scores the gold reward), but got ${JSON.stringify(spec.env.kwargs.rewardMode)}.`,
    );
  }
  if (spec.logging.traces && listEnvs().includes(spec.env.id) && !envProducesFeedback(spec.env.id)) {
    throw new ConfigError(`logging.traces: Expected an env whose tasks can be traced (Orchestrator-v0, Orchestrator-drift-v0), but got ${spec.env.id}.`);
  }
  if (spec.reward.mode !== 'gold' && listEnvs().includes(spec.env.id) && !envProducesFeedback(spec.env.id)) {
    throw new ConfigError(`reward.mode: Expected "gold" for ${spec.env.id} (its registration declares no user feedback), but got ${JSON.stringify(spec.reward.mode)}.`);
  }
}

/** Reads and validates a spec file; malformed JSON is reported with its line and column. */
export function loadSpec(path: string, overrides: string[] = []): ExperimentSpec {
  if (!existsSync(path)) throw new DataError(`Expected an experiment spec file at ${path}, but it does not exist.`);
  if (statSync(path).isDirectory()) throw new DataError(`Expected an experiment spec file at ${path}, but it is a folder (e.g. experiments/default.json).`);
  const text = readFileSync(path, 'utf8');
  const raw = parseJsonWithPosition(text, path);
  for (const assignment of overrides) applyOverride(raw, assignment);
  return parseSpec(raw, path);
}

export function parseJsonWithPosition(text: string, source: string): unknown {
  try {
    return parseJsonSafely(text, source);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    if (position) {
      const offset = Number(position[1]);
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      const column = offset - before.lastIndexOf('\n');
      throw new ConfigError(`${source}:${line}:${column}: Expected valid JSON, but parsing failed: ${message}`);
    }
    throw new ConfigError(`${source}: Expected valid JSON, but parsing failed: ${message}`);
  }
}

/**
 * Applies `path=value` (e.g. `agent.learningRate=3e-4`) to a raw spec. The value is read as JSON when it
 * parses (numbers, booleans, arrays, objects), else as a string.
 */
export function applyOverride(raw: unknown, assignment: string): void {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new ConfigError(`Expected --set path=value (e.g. agent.learningRate=3e-4), but got ${JSON.stringify(assignment)}.`);
  const path = assignment.slice(0, eq).split('.');
  const text = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = parseJsonSafely(text, `--set ${path.join('.')}`);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    value = text;
  }
  setPath(raw, path, value);
}

export function setPath(root: unknown, path: readonly string[], value: unknown): void {
  if (typeof root !== 'object' || root === null) throw new ConfigError(`Expected an object spec to set ${path.join('.')} on, but got ${typeof root}.`);
  assertSafePath(path);
  let current = root as Record<string, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = Object.hasOwn(current, key) ? current[key] : undefined;
    if (next === undefined) current[key] = {};
    else if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      throw new ConfigError(`Expected ${key} to be an object when setting ${path.join('.')}, but it is ${JSON.stringify(next)}.`);
    }
    current = current[key] as Record<string, unknown>;
  }
  current[path[path.length - 1]] = value;
}
