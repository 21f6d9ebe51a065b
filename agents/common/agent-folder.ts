/**
 * The one folder format every learning agent saves to and loads from (`agent.save(dir)`, `agent.load(dir)`),
 * and the one the exporter reads. A folder holds:
 *
 *   agent.json        this schema: format + version, algorithm, resolved config, spaces, progress, Rng
 *                     streams, normalizer and episode statistics, the network and optimizer folders, the
 *                     algorithm's own state, and the `export` section
 *   <network>/        one per entry of `networks`: a tfjs LayersModel (model.json + weights.bin), whichever
 *                     engine trained it
 *   <optimizer>/      the optimizer's moment slots in the tfjs weights layout (`optimizer.dir`)
 *   ...               files the algorithm declares in `state` (DQN: replay/buffer.bin)
 *
 * `export` names the network the exporter turns into a policy and what it outputs (categorical logits or
 * Q-values), and the value head if any; null means the agent has no network to export (bandits). The
 * exporter reads that section and nothing else about the layout.
 *
 * A folder is written so that `load` gives an agent that acts, and continues learning, exactly as the saved
 * one would have: a mid-run checkpoint is a `save`.
 *
 * Version history: 2 (this) is the first versioned format. Folders written before it still load: the
 * unversioned agent.json of PPO, A2C, REINFORCE and DQN (an `algo` field, layout fixed per algorithm) and
 * the `loopgym-bandit-agent` version 1 file are upgraded when read (`upgradeLegacy`).
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../../src/core/atomic-fs.js';
import { ConfigError, DataError, describeValue } from '../../src/core/errors.js';
import { Rng, type RngState } from '../../src/core/rng.js';
import { spaceFromJSON, type SpaceJSON } from '../../src/core/spaces.js';
import type { StatefulOptimizer, OptimizerState } from '../../src/nn/optim.js';
import { loadWeights, saveWeights } from '../../src/nn/io.js';
import { NORMALIZER_DEFAULTS } from './normalize.js';
import type { AgentContext } from './context.js';

export const AGENT_FILE = 'agent.json';
export const AGENT_FORMAT = 'loopgym-agent';
export const AGENT_FORMAT_VERSION = 2;

const spaceSchema = z
  .looseObject({ type: z.enum(['Discrete', 'Box', 'MultiDiscrete', 'MultiBinary', 'Dict', 'Tuple']) })
  .transform((space) => space as unknown as SpaceJSON);

const rngStateSchema = z
  .strictObject({ seedPath: z.string(), alea: z.record(z.string(), z.unknown()), spareNormal: z.number().nullable() })
  .transform((state) => state as RngState);

const runningStatsSchema = z.strictObject({ mean: z.array(z.number()), var: z.array(z.number()), count: z.number() });

export const normalizerSectionSchema = z.strictObject({
  obs: runningStatsSchema.nullable().describe('Running mean/var of observations, or null when observations are not normalized'),
  ret: runningStatsSchema.nullable().describe('Running var of the discounted return, or null when rewards are not scaled'),
  returns: z.array(z.number()).nullable().describe('Each env member\'s running discounted return (continues the reward scaling)'),
  epsilon: z.number().describe('Added to the variance before the square root'),
  clipObs: z.number().describe('Normalized observations are clipped to +-clipObs'),
  clipReward: z.number().describe('Scaled rewards are clipped to +-clipReward'),
});

export const exportSectionSchema = z.strictObject({
  actionHead: z
    .strictObject({
      dir: z.string().describe('Network folder (relative to the agent folder): observation -> one output per action'),
      output: z.enum(['logits', 'q_values']).describe('logits: a categorical policy (softmax); q_values: action = argmax'),
    })
    .describe('The network that chooses actions'),
  valueHead: z.strictObject({ dir: z.string() }).nullable().describe('Network folder of the state-value head (one output), or null'),
  obsNormalization: z
    .strictObject({ mean: z.array(z.number()), var: z.array(z.number()), count: z.number(), epsilon: z.number(), clip: z.number().nullable() })
    .nullable()
    .optional()
    .describe('The normalization applied before the network; absent: the `normalizer` section\'s observation statistics'),
});

export const agentFolderSchema = z.strictObject({
  format: z.literal(AGENT_FORMAT).describe('Always "loopgym-agent"'),
  version: z.literal(AGENT_FORMAT_VERSION).describe('Format version'),
  algorithm: z.string().min(1).describe('Registered agent name, e.g. ppo, dqn, ucb1'),
  config: z.record(z.string(), z.unknown()).describe('The resolved config (every field, defaults filled in)'),
  observationSpace: spaceSchema.nullable().describe('The single-env observation space (null: not yet known, bandits only)'),
  actionSpace: spaceSchema.nullable().describe('The single-env action space (null: not yet known, bandits only)'),
  engine: z.record(z.string(), z.string()).describe('What computed the networks (tfjs backend and version): recorded, not needed to load'),
  progress: z
    .strictObject({ stepsDone: z.number().int().min(0), iterations: z.number().int().min(0) })
    .describe('Env steps learned from and updates made so far'),
  rng: z.record(z.string(), rngStateSchema).describe('Every Rng stream of the agent by name, so training continues on the same draws'),
  normalizer: normalizerSectionSchema.nullable().describe('Observation/reward normalization inside the agent, or null'),
  episodes: z
    .strictObject({ returns: z.array(z.number()), lengths: z.array(z.number()), total: z.number().int().min(0) })
    .nullable()
    .describe('The window of finished training episodes behind rollout/ep_rew_mean, and their count'),
  networks: z.record(z.string(), z.string()).describe('Network role -> folder holding model.json + weights.bin'),
  optimizer: z
    .strictObject({ kind: z.enum(['adam', 'rmsprop']), t: z.number().int().min(0), dir: z.string() })
    .nullable()
    .describe('Optimizer kind, step count and the folder of its moment slots; null for agents without one'),
  state: z.unknown().describe('The algorithm\'s own state (DQN: replay cursor; bandits: estimates), as it documents'),
  export: exportSectionSchema.nullable().describe('What the exporter reads; null: nothing to export'),
});

export type AgentFolder = z.infer<typeof agentFolderSchema>;
export type ExportSection = z.infer<typeof exportSectionSchema>;
export type NormalizerSection = z.infer<typeof normalizerSectionSchema>;

/** The export section of the actor-critic learners (PPO, A2C, REINFORCE), whose networks are policy/ and value/. */
export const ACTOR_CRITIC_EXPORT: ExportSection = { actionHead: { dir: 'policy', output: 'logits' }, valueHead: { dir: 'value' } };

/** A record with the given fields; the rest empty (no spaces, networks, optimizer, normalizer, episodes). */
export function newAgentFolder(fields: Pick<AgentFolder, 'algorithm' | 'config' | 'progress' | 'rng' | 'state' | 'export'> & Partial<AgentFolder>): AgentFolder {
  return {
    format: AGENT_FORMAT,
    version: AGENT_FORMAT_VERSION,
    observationSpace: null,
    actionSpace: null,
    engine: {},
    normalizer: null,
    episodes: null,
    networks: {},
    optimizer: null,
    ...fields,
  };
}

/** Writes agent.json (atomically; the network and optimizer folders are written by their owners first). */
export function writeAgentFolder(dir: string, folder: AgentFolder): void {
  writeJsonAtomic(path.join(dir, AGENT_FILE), agentFolderSchema.parse(folder));
}

/** Reads and validates agent.json of `dir`, upgrading folders written before version 2. */
export async function readAgentFolder(dir: string): Promise<AgentFolder> {
  const file = path.join(dir, AGENT_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    throw new DataError(`Expected a readable ${AGENT_FILE} in ${dir} (a folder written by agent.save), but reading it failed: ${(error as Error).message}`);
  }
  const upgraded = upgradeLegacy(raw, dir);
  const result = agentFolderSchema.safeParse(upgraded);
  if (result.success) return result.data;
  const record = upgraded as { format?: unknown; version?: unknown } | null;
  if (record?.format !== AGENT_FORMAT || record.version !== AGENT_FORMAT_VERSION) {
    throw new DataError(
      `Expected ${file} to be a ${AGENT_FORMAT} file of version ${AGENT_FORMAT_VERSION} (or an older unversioned agent.json, or a loopgym-bandit-agent file of version 1), but got format ${describeValue(record?.format)}, version ${describeValue(record?.version)}.`,
    );
  }
  const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  throw new DataError(`Expected ${file} to match the ${AGENT_FORMAT} format, but it does not:\n  ${issues.join('\n  ')}`);
}

/** Refuses a folder saved by another algorithm or for other spaces than the agent's. */
export function checkAgentFolder(folder: AgentFolder, algorithm: string, dir: string, context?: Pick<AgentContext, 'observationSpace' | 'actionSpace'>): void {
  if (folder.algorithm !== algorithm) throw new DataError(`Expected a saved ${algorithm} agent in ${dir}, but it holds ${JSON.stringify(folder.algorithm)}.`);
  if (!context || !folder.observationSpace || !folder.actionSpace) return;
  const obs = spaceFromJSON(folder.observationSpace);
  const act = spaceFromJSON(folder.actionSpace);
  if (!obs.equals(context.observationSpace) || !act.equals(context.actionSpace)) {
    throw new ConfigError(`Expected a saved agent with spaces ${context.observationSpace} / ${context.actionSpace}, but it has ${obs} / ${act}.`);
  }
}

/** The `rng` section for named streams. */
export function rngSection(streams: Readonly<Record<string, Rng>>): Record<string, RngState> {
  return Object.fromEntries(Object.entries(streams).map(([name, rng]) => [name, rng.state()]));
}

/** Rebuilds the named streams of a saved agent; a missing one is a DataError. */
export function restoreRngs<S extends string>(folder: AgentFolder, names: readonly S[]): Record<S, Rng> {
  const out = {} as Record<S, Rng>;
  for (const name of names) {
    const state = folder.rng[name];
    if (!state) throw new DataError(`Expected an Rng stream "${name}" in the saved ${folder.algorithm} agent, but it has ${Object.keys(folder.rng).join(', ') || 'none'}.`);
    out[name] = Rng.fromState(state);
  }
  return out;
}

/** Writes the optimizer's moment slots to `dir/<sub>` (tfjs weights layout); returns the `optimizer` section. */
export async function saveOptimizer(dir: string, optimizer: StatefulOptimizer, sub = 'optimizer'): Promise<NonNullable<AgentFolder['optimizer']>> {
  const state = optimizer.getState();
  await saveWeights(path.join(dir, sub), state.slots.map((values, i) => ({ name: `slot_${i}`, shape: [values.length], values })));
  return { kind: state.kind, t: state.t, dir: sub };
}

/** Restores the optimizer from the folder its section names. */
export async function loadOptimizer(dir: string, optimizer: StatefulOptimizer, section: AgentFolder['optimizer']): Promise<void> {
  if (!section) throw new DataError(`Expected an optimizer section in ${path.join(dir, AGENT_FILE)}, but it is null.`);
  const slots = (await loadWeights(path.join(dir, section.dir))).map((w) => w.values);
  optimizer.setState({ kind: section.kind as OptimizerState['kind'], t: section.t, slots });
}

// ------------------------------------------------------------------------------------ older folders

const LEGACY_BANDIT_FORMAT = 'loopgym-bandit-agent';

/**
 * Folders written before version 2, as the version 2 record they mean:
 * - the unversioned agent.json of PPO, A2C and REINFORCE (policy/ + value/ + optimizer/) and of DQN (q/,
 *   target/, optimizer/, replay/): `algo`, spaces, stepsDone, iterations, rng, normalizer, episodes,
 *   optimizer {kind, t}, and for DQN replay {pos, size} and targetStale. Other algorithms' unversioned
 *   folders follow that format's documented rule: policy/ outputs logits, value/ is the value head when
 *   present, unless their own `export` section says otherwise.
 * - `loopgym-bandit-agent` version 1: name, config, numArms, contextDim, totalSteps, rng, state.
 * Anything else is returned unchanged (and then validated as version 2).
 */
function upgradeLegacy(raw: unknown, dir: string): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const old = raw as Record<string, unknown>;
  if (old.format === LEGACY_BANDIT_FORMAT && old.version === 1) {
    const steps = old.totalSteps;
    return {
      format: AGENT_FORMAT,
      version: AGENT_FORMAT_VERSION,
      algorithm: old.name,
      config: old.config,
      observationSpace: null,
      actionSpace: null,
      engine: {},
      progress: { stepsDone: steps, iterations: steps },
      rng: { bandit: old.rng },
      normalizer: null,
      episodes: null,
      networks: {},
      optimizer: null,
      state: { numArms: old.numArms, contextDim: old.contextDim, estimates: old.state },
      export: null,
    };
  }
  if (old.format !== undefined || typeof old.algo !== 'string') return raw;
  const algorithm = old.algo;
  const isDqn = algorithm === 'dqn';
  const declared = (old.export ?? {}) as Partial<ExportSection>;
  const actionHead = declared.actionHead ?? (isDqn ? { dir: 'q', output: 'q_values' as const } : { dir: 'policy', output: 'logits' as const });
  const valueHead =
    declared.valueHead !== undefined ? declared.valueHead : actionHead.output === 'logits' && existsSync(path.join(dir, 'value', 'model.json')) ? { dir: 'value' } : null;
  const normalizer = old.normalizer as Partial<NormalizerSection> | undefined;
  const optimizer = old.optimizer as { kind: string; t: number } | undefined;
  const engine: Record<string, string> = {};
  for (const key of ['backend', 'tfjsVersion']) if (typeof old[key] === 'string') engine[key] = old[key] as string;
  return {
    format: AGENT_FORMAT,
    version: AGENT_FORMAT_VERSION,
    algorithm,
    config: old.config ?? {},
    observationSpace: old.observationSpace ?? null,
    actionSpace: old.actionSpace ?? null,
    engine,
    progress: { stepsDone: old.stepsDone ?? 0, iterations: old.iterations ?? 0 },
    rng: old.rng ?? {},
    normalizer: normalizer
      ? {
          obs: normalizer.obs ?? null,
          ret: normalizer.ret ?? null,
          returns: normalizer.returns ?? null,
          epsilon: normalizer.epsilon ?? NORMALIZER_DEFAULTS.epsilon,
          clipObs: normalizer.clipObs ?? NORMALIZER_DEFAULTS.clipObs,
          clipReward: normalizer.clipReward ?? NORMALIZER_DEFAULTS.clipReward,
        }
      : null,
    episodes: old.episodes ?? null,
    networks: isDqn ? { q: 'q', target: 'target' } : { [actionHead.dir]: actionHead.dir, ...(valueHead ? { [valueHead.dir]: valueHead.dir } : {}) },
    optimizer: optimizer ? { ...optimizer, dir: 'optimizer' } : null,
    state: isDqn ? { replay: old.replay ? { ...(old.replay as object), file: 'replay/buffer.bin' } : null, targetStale: old.targetStale ?? false } : null,
    export: { actionHead, valueHead, ...(declared.obsNormalization !== undefined ? { obsNormalization: declared.obsNormalization } : {}) },
  };
}
