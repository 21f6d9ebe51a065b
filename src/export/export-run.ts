/**
 * From a trained agent to a policy bundle. `exportRun(runDir, outDir)` is what `loopgym export` calls:
 * it reads the run folder the experiment runner wrote (config.json, summary.json, policy/) and writes a
 * bundle. `exportAgentDir` does the same from a bare `agent.save(dir)` folder, `exportAgent` from an
 * agent in memory.
 *
 * An agent folder is read through its declared format (agents/common/agent-folder.ts): the `export`
 * section of agent.json names the network that chooses actions and what it outputs (`logits`: a categorical
 * policy; `q_values`: argmax), the value head if any, and the observation normalization (absent: the
 * `normalizer` section's statistics). Nothing about the layout is guessed; an agent whose section is null
 * (bandits) has nothing to export.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Agent } from '../core/agent.js';
import { ConfigError, DataError, UnknownEnvError } from '../core/errors.js';
import { parseEnvId, spec as envSpec } from '../core/registry.js';
import { spaceFromJSON, Box, Discrete, type SpaceJSON } from '../core/spaces.js';
import { backendInfo } from '../nn/backend.js';
import { readAgentFolder, type AgentFolder, type ExportSection } from '../../agents/common/agent-folder.js';
import { loopgymVersion } from '../experiments/provenance.js';
import { requireFinishedRun } from '../experiments/store.js';
import { describeEnvLayout, MASK_ENCODING, MASK_RULE, normalizationToManifest, writeBundle, type EnvLayout, type ManifestContent, type PolicyManifest } from './bundle.js';
import { loadHead, type PolicyHead, type PolicyNetwork, type ObservationNormalization } from './policy-net.js';

/** The `export` section of agent.json: which network folders a bundle is made of. */
export type AgentExportLayout = ExportSection;

/** The parts of a saved agent a bundle needs. */
export interface SavedPolicy {
  algo: string;
  hyperparameters: Record<string, unknown>;
  stepsTrained: number | null;
  observationSpace: SpaceJSON;
  numActions: number;
  network: PolicyNetwork;
  normalization: ObservationNormalization | null;
}

export async function readSavedPolicy(agentDir: string): Promise<SavedPolicy> {
  const saved = await readAgentFolder(agentDir);
  const algo = saved.algorithm;
  const layout = saved.export;
  if (layout === null) throw new DataError(`Expected an export section in ${join(agentDir, 'agent.json')}, but ${algo} declares none (it has no network to export).`);
  if (!saved.observationSpace || !saved.actionSpace) throw new DataError(`Expected observationSpace and actionSpace in ${join(agentDir, 'agent.json')}, but they are missing.`);
  const actionSpace = spaceFromJSON(saved.actionSpace);
  if (!(actionSpace instanceof Discrete) || actionSpace.start !== 0) {
    throw new ConfigError(`Expected a Discrete action space starting at 0 to export (MLP policies over discrete actions), but ${algo} has ${actionSpace}.`);
  }
  const observationSpace = spaceFromJSON(saved.observationSpace);
  const heads: PolicyHead[] = [await loadHead(join(agentDir, layout.actionHead.dir), layout.actionHead.output)];
  if (layout.valueHead) heads.push(await loadHead(join(agentDir, layout.valueHead.dir), 'value'));
  return {
    algo,
    hyperparameters: saved.config,
    stepsTrained: saved.progress.stepsDone,
    observationSpace: saved.observationSpace,
    numActions: actionSpace.n,
    network: { inputDim: observationSpace.flatDim, heads },
    normalization: readNormalization(saved, layout),
  };
}

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function readNormalization(saved: AgentFolder, layout: ExportSection): ObservationNormalization | null {
  if (layout.obsNormalization !== undefined) {
    const n = layout.obsNormalization;
    return n === null ? null : { mean: n.mean, var: n.var, count: n.count, epsilon: n.epsilon, clip: n.clip ?? Infinity };
  }
  const n = saved.normalizer;
  if (!n?.obs) return null;
  return { mean: n.obs.mean, var: n.obs.var, count: n.obs.count, epsilon: n.epsilon, clip: n.clipObs };
}

export interface EnvDescription {
  id: string;
  kwargs?: Record<string, unknown>;
  /** The step limit the policy was trained with (default: the registered one). */
  maxEpisodeSteps?: number | null;
}

export interface ExportInfo {
  env: EnvDescription;
  /** Experiment, run id, seed, provenance... (config.json of a run). */
  training?: Record<string, unknown> | null;
  /** Evaluation scores (summary.json of a run). */
  evaluation?: Record<string, unknown> | null;
  /**
   * Normalization applied OUTSIDE the agent, e.g. by a NormalizeObservation wrapper the agent was trained
   * behind: `{...wrapper.getStatistics(), epsilon: wrapper.epsilon, clip: wrapper.clip}`. Refused when the
   * agent normalizes too (two stacked normalizations are not one affine map once clipping is involved).
   */
  observationNormalization?: ObservationNormalization | null;
}

export interface ExportOptions {
  /** Replace an existing output folder. Default false. */
  overwrite?: boolean;
  /** Write policy.onnx. Default true. */
  onnx?: boolean;
}

export interface ExportResult {
  outDir: string;
  manifest: PolicyManifest;
}

/** Writes a bundle from a folder written by `agent.save(dir)`. */
export async function exportAgentDir(agentDir: string, outDir: string, info: ExportInfo, options: ExportOptions = {}): Promise<ExportResult> {
  const saved = await readSavedPolicy(agentDir);
  if (info.observationNormalization) {
    if (saved.normalization) {
      throw new ConfigError('Expected observation normalization from the agent or from ExportInfo.observationNormalization, but got both.');
    }
    const n = info.observationNormalization;
    if (n.mean.length !== saved.network.inputDim || n.var.length !== saved.network.inputDim) {
      throw new ConfigError(`Expected observationNormalization of length ${saved.network.inputDim}, but got mean ${n.mean.length} and var ${n.var.length}.`);
    }
    saved.normalization = { mean: Array.from(n.mean), var: Array.from(n.var), count: n.count, epsilon: n.epsilon, clip: n.clip };
  }
  const content = manifestContent(saved, info);
  const manifest = await writeBundle(outDir, saved.network, content, {
    overwrite: options.overwrite,
    onnx: options.onnx,
    producerVersion: loopgymVersion(),
    tfjsVersion: backendInfo().tfjsVersion,
  });
  return { outDir, manifest };
}

/** Saves `agent` to a temporary folder and exports that. */
export async function exportAgent(agent: Agent, outDir: string, info: ExportInfo, options: ExportOptions = {}): Promise<ExportResult> {
  const temp = mkdtempSync(join(tmpdir(), 'loopgym-export-'));
  try {
    await agent.save(temp);
    return await exportAgentDir(temp, outDir, info, options);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/**
 * `loopgym export <run-dir> --out <dir>`: a finished run folder (config.json with `spec` and `provenance`,
 * summary.json, policy/) to a bundle.
 */
export async function exportRun(runDir: string, outDir: string, options: ExportOptions = {}): Promise<ExportResult> {
  const finished = requireFinishedRun(runDir);
  const policyDir = join(runDir, 'policy');
  if (!isDir(policyDir)) throw new DataError(`Expected the trained policy in ${policyDir}, but it is missing (the agent may not be exportable).`);
  const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as {
    experiment?: string;
    runId?: string;
    seed?: number;
    axes?: Record<string, unknown>;
    spec?: { env?: { id?: string; kwargs?: Record<string, unknown>; maxEpisodeSteps?: number | null }; totalSteps?: number; reward?: unknown };
    provenance?: Record<string, unknown>;
  };
  const envSection = config.spec?.env;
  if (!envSection?.id) throw new DataError(`Expected spec.env.id in ${join(runDir, 'config.json')}, but it is missing.`);
  const summary = finished as {
    eval?: { episodes?: number; meanReturn?: number; stdReturn?: number; meanLength?: number; metrics?: Record<string, number> };
    baselines?: Record<string, { meanReturn?: number; stdReturn?: number }>;
    normalizedScore?: number | null;
  };
  const evaluation = summary.eval
    ? {
        episodes: summary.eval.episodes ?? null,
        meanReturn: summary.eval.meanReturn ?? null,
        stdReturn: summary.eval.stdReturn ?? null,
        meanLength: summary.eval.meanLength ?? null,
        metrics: summary.eval.metrics ?? {},
        baselines: Object.fromEntries(Object.entries(summary.baselines ?? {}).map(([name, b]) => [name, { meanReturn: b.meanReturn ?? null, stdReturn: b.stdReturn ?? null }])),
        normalizedScore: summary.normalizedScore ?? null,
      }
    : null;
  // The env the policy acts in, as the spec declares it. The reward the policy was trained on (gold,
  // learned, feedback) changes no observation or action, so it is recorded with the training, not the env.
  const kwargs = { ...(envSection.kwargs ?? {}) };
  const rewardMode = (config.spec?.reward as { mode?: string } | undefined)?.mode ?? 'gold';
  return exportAgentDir(
    policyDir,
    outDir,
    {
      env: { id: envSection.id, kwargs, maxEpisodeSteps: envSection.maxEpisodeSteps },
      training: {
        experiment: config.experiment ?? null,
        runId: config.runId ?? null,
        seed: config.seed ?? null,
        axes: config.axes ?? {},
        totalSteps: config.spec?.totalSteps ?? null,
        rewardMode,
        provenance: config.provenance ?? null,
      },
      evaluation,
    },
    options,
  );
}

function manifestContent(saved: SavedPolicy, info: ExportInfo): ManifestContent {
  const envId = info.env.id;
  const parsedId = parseEnvId(envId);
  const obsSpace = spaceFromJSON(saved.observationSpace);
  const size = obsSpace.flatDim;
  let registeredKwargs: Record<string, unknown> = { ...(info.env.kwargs ?? {}) };
  let maxEpisodeSteps: number | null = info.env.maxEpisodeSteps ?? null;
  let layout: EnvLayout | null = null;
  let registered = true;
  try {
    const resolved = envSpec(envId, { kwargs: info.env.kwargs ?? {} });
    registeredKwargs = resolved.kwargs;
    if (info.env.maxEpisodeSteps === undefined) maxEpisodeSteps = resolved.maxEpisodeSteps ?? null;
  } catch (error) {
    // Not registered in this process: the bundle still exports, with generic labels and names.
    if (!(error instanceof UnknownEnvError)) throw error;
    registered = false;
  }
  if (registered) layout = describeEnvLayout(envId, registeredKwargs, maxEpisodeSteps);
  if (layout && layout.size !== size) {
    throw new ConfigError(`Expected ${envId} to produce the ${size}-value observations the agent was trained on, but it produces ${layout.size}.`);
  }
  if (layout && layout.numActions !== saved.numActions) {
    throw new ConfigError(`Expected ${envId} to have the ${saved.numActions} actions the agent was trained on, but it has ${layout.numActions}.`);
  }
  const box = obsSpace instanceof Box ? (obsSpace.toJSON() as Extract<SpaceJSON, { type: 'Box' }>) : null;
  const isQ = saved.network.heads[0].name === 'q_values';
  return {
    env: { id: envId, name: parsedId.namespace ? `${parsedId.namespace}/${parsedId.name}` : parsedId.name, version: parsedId.version, kwargs: registeredKwargs, maxEpisodeSteps },
    observation: {
      shape: box ? box.shape : [size],
      size,
      dtype: 'float32',
      labels: layout?.labels ?? Array.from({ length: size }, (_, i) => `obs_${i}`),
      low: box ? box.low : Array.from({ length: size }, () => '-inf' as const),
      high: box ? box.high : Array.from({ length: size }, () => 'inf' as const),
      normalization: normalizationToManifest(saved.normalization),
    },
    action: {
      type: 'Discrete',
      n: saved.numActions,
      names: layout?.actionNames ?? Array.from({ length: saved.numActions }, (_, i) => `action_${i}`),
      mask: { providedByEnv: layout ? layout.providesMask : null, source: layout?.providesMask ? 'info.actionMask' : null, encoding: MASK_ENCODING, rule: MASK_RULE },
    },
    policy: {
      kind: isQ ? 'q-values' : 'categorical',
      decision: isQ
        ? 'action = argmax of q_values over allowed actions (first index on ties); probs is one-hot on that action'
        : 'probs = softmax of logits over allowed actions; action = argmax (first index on ties), the agent\'s deterministic action',
    },
    algorithm: { name: saved.algo, hyperparameters: saved.hyperparameters, stepsTrained: saved.stepsTrained },
    training: info.training ?? null,
    evaluation: info.evaluation ?? null,
  };
}
