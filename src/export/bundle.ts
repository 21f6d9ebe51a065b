/**
 * The policy bundle: a folder an orchestrator can run without loopgym's training code.
 *
 *   manifest.json   what the policy expects and returns (env id and version, observation layout with labels
 *                   and normalization statistics, action names and mask rule), where it came from (algorithm,
 *                   hyperparameters, provenance, evaluation scores) and a sha256 per file
 *   model.json      tfjs LayersModel topology (input: the NORMALIZED observation; outputs: the heads)
 *   weights.bin     its weights
 *   policy.onnx     the same network for non-JS runtimes (input: the RAW observation; normalization inside)
 *
 * The manifest is deterministic (no timestamps): exporting the same run twice gives the same bytes.
 * A bundle is written into a temporary sibling folder and renamed into place, so a reader never sees a
 * half-written bundle under its final name.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, DataError, describeValue } from '../core/errors.js';
import { parseJsonSafely } from '../core/safe-json.js';
import { listEnvs, make, parseEnvId } from '../core/registry.js';
import { folderHandler } from '../nn/io.js';
import { buildOnnxModel, ONNX_IR_VERSION, ONNX_OPSET, onnxSignature, type OnnxExportOptions } from './onnx.js';
import { networkToLayersModel, headOutputDim, type ObservationNormalization, type PolicyNetwork } from './policy-net.js';

export const BUNDLE_FORMAT = 'loopgym-policy-bundle';
/** Bumped when a reader of an older version could misread a newer bundle. */
export const BUNDLE_FORMAT_VERSION = 1;

export const MANIFEST_FILE = 'manifest.json';
export const TFJS_MODEL_FILE = 'model.json';
export const TFJS_WEIGHTS_FILE = 'weights.bin';
export const ONNX_FILE = 'policy.onnx';

export const NORMALIZATION_FORMULA = 'clip((obs - mean) / sqrt(var + epsilon), -clip, clip)';
export const MASK_ENCODING = 'one entry per action, in action order: 1 = allowed, 0 = forbidden';
export const MASK_RULE = 'forbidden actions get probability 0 and are never chosen; a mask with no allowed action is refused';

const bound = z.union([z.number(), z.enum(['inf', '-inf'])]);
const ioSchema = z.object({ name: z.string(), shape: z.array(z.union([z.number().int().positive(), z.string()])), dtype: z.literal('float32') });

const NormalizationSchema = z.object({
  kind: z.literal('running-mean-std'),
  formula: z.string().describe(NORMALIZATION_FORMULA),
  mean: z.array(z.number()),
  var: z.array(z.number().nonnegative()),
  count: z.number().positive(),
  epsilon: z.number().positive(),
  clip: z.number().positive().nullable().describe('null: no clipping'),
});

export const ManifestSchema = z.looseObject({
  format: z.literal(BUNDLE_FORMAT),
  formatVersion: z.number().int().positive(),
  producer: z.looseObject({ name: z.string(), version: z.string(), tfjsVersion: z.string() }),
  env: z.looseObject({
    id: z.string().describe('Registered env id, e.g. Orchestrator-v0'),
    name: z.string(),
    version: z.number().int().nonnegative(),
    kwargs: z.record(z.string(), z.unknown()),
    maxEpisodeSteps: z.number().int().positive().nullable(),
  }),
  observation: z.looseObject({
    shape: z.array(z.number().int().positive()),
    size: z.number().int().positive().describe('Length of the flat float32 observation vector'),
    dtype: z.literal('float32'),
    labels: z.array(z.string()).describe('Meaning of each index of the observation'),
    low: z.array(bound),
    high: z.array(bound),
    normalization: NormalizationSchema.nullable().describe('Applied by the runner and inside policy.onnx; null when the agent saw raw observations'),
  }),
  action: z.looseObject({
    type: z.literal('Discrete'),
    n: z.number().int().positive(),
    names: z.array(z.string()),
    mask: z.looseObject({
      providedByEnv: z.boolean().nullable().describe('Whether the env reports info.actionMask (null: the env was not available at export)'),
      source: z.string().nullable(),
      encoding: z.string(),
      rule: z.string(),
    }),
  }),
  policy: z.looseObject({
    kind: z.enum(['categorical', 'q-values']).describe('categorical: softmax over logits; q-values: greedy over Q'),
    decision: z.string(),
    heads: z.array(z.looseObject({ name: z.enum(['logits', 'q_values', 'value']), outputDim: z.number().int().positive(), hiddenSizes: z.array(z.number().int().positive()), activation: z.string() })),
  }),
  algorithm: z.looseObject({ name: z.string(), hyperparameters: z.record(z.string(), z.unknown()), stepsTrained: z.number().nullable() }),
  training: z.record(z.string(), z.unknown()).nullable(),
  evaluation: z.record(z.string(), z.unknown()).nullable(),
  models: z.looseObject({
    tfjs: z.looseObject({ modelFile: z.string(), weightsFile: z.string(), input: z.string(), outputs: z.array(z.string()) }),
    onnx: z.looseObject({ file: z.string(), opset: z.number().int(), irVersion: z.number().int(), input: z.string(), inputs: z.array(ioSchema), outputs: z.array(ioSchema) }).nullable(),
  }),
  files: z.record(z.string(), z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() })),
});

export type PolicyManifest = z.infer<typeof ManifestSchema>;
export type ManifestNormalization = z.infer<typeof NormalizationSchema>;

/** Everything in the manifest except what the writer derives (models, files, producer, format). */
export type ManifestContent = Pick<PolicyManifest, 'env' | 'observation' | 'action' | 'algorithm' | 'training' | 'evaluation'> & {
  policy: Pick<PolicyManifest['policy'], 'kind' | 'decision'>;
};

export interface WriteBundleOptions {
  /** Replace an existing folder at `outDir` (default false: refuse). */
  overwrite?: boolean;
  /** Skip policy.onnx (default: written). */
  onnx?: boolean;
  producerVersion: string;
  tfjsVersion: string;
}

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The runner's normalization from the manifest's JSON form (null clip = none). */
export function normalizationFromManifest(json: ManifestNormalization | null): ObservationNormalization | null {
  if (!json) return null;
  return { mean: json.mean, var: json.var, count: json.count, epsilon: json.epsilon, clip: json.clip ?? Infinity };
}

export function normalizationToManifest(norm: ObservationNormalization | null): ManifestNormalization | null {
  if (!norm) return null;
  return { kind: 'running-mean-std', formula: NORMALIZATION_FORMULA, mean: [...norm.mean], var: [...norm.var], count: norm.count, epsilon: norm.epsilon, clip: Number.isFinite(norm.clip) ? norm.clip : null };
}

let tempCounter = 0;

/**
 * Writes a bundle for `net` into `outDir` and returns its manifest. The folder appears complete or not at
 * all: files go to a temporary sibling folder, which is renamed to `outDir` at the end.
 */
export async function writeBundle(outDir: string, net: PolicyNetwork, content: ManifestContent, options: WriteBundleOptions): Promise<PolicyManifest> {
  const target = resolve(outDir);
  if (existsSync(target) && !options.overwrite) {
    throw new ConfigError(`Expected the output folder ${outDir} not to exist (pass overwrite / --force to replace it), but it exists.`);
  }
  if (content.observation.size !== net.inputDim) {
    throw new ConfigError(`Expected a network taking the ${content.observation.size}-value observation, but it takes ${net.inputDim} inputs.`);
  }
  if (headOutputDim(net.heads[0]) !== content.action.n) {
    throw new ConfigError(`Expected the action head to have ${content.action.n} outputs (one per action), but it has ${headOutputDim(net.heads[0])}.`);
  }
  mkdirSync(dirname(target), { recursive: true });
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${tempCounter++}.tmp`);
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp);
  try {
    const model = networkToLayersModel(net);
    try {
      await model.save(folderHandler(temp));
    } finally {
      model.dispose();
    }
    const writeOnnx = options.onnx ?? true;
    const signature = onnxSignature(net);
    if (writeOnnx) {
      const onnxOptions: OnnxExportOptions = {
        producerVersion: options.producerVersion,
        docString: `loopgym policy for ${content.env.id} (${content.algorithm.name}); see manifest.json`,
        metadata: {
          'loopgym.env_id': content.env.id,
          'loopgym.algorithm': content.algorithm.name,
          'loopgym.policy_kind': content.policy.kind,
          'loopgym.action_names': JSON.stringify(content.action.names),
          'loopgym.observation_labels': JSON.stringify(content.observation.labels),
        },
      };
      writeFileSync(join(temp, ONNX_FILE), buildOnnxModel(net, normalizationFromManifest(content.observation.normalization), onnxOptions));
    }
    const files: PolicyManifest['files'] = {};
    for (const file of [TFJS_MODEL_FILE, TFJS_WEIGHTS_FILE, ...(writeOnnx ? [ONNX_FILE] : [])]) {
      const data = readFileSync(join(temp, file));
      files[file] = { sha256: sha256(data), bytes: data.byteLength };
    }
    const manifest: PolicyManifest = {
      format: BUNDLE_FORMAT,
      formatVersion: BUNDLE_FORMAT_VERSION,
      producer: { name: 'loopgym', version: options.producerVersion, tfjsVersion: options.tfjsVersion },
      env: content.env,
      observation: content.observation,
      action: content.action,
      policy: {
        ...content.policy,
        heads: net.heads.map((head) => ({
          name: head.name,
          outputDim: headOutputDim(head),
          hiddenSizes: head.layers.slice(0, -1).map((l) => l.outDim),
          activation: head.layers.length > 1 ? head.layers[0].activation : 'linear',
        })),
      },
      algorithm: content.algorithm,
      training: content.training,
      evaluation: content.evaluation,
      models: {
        tfjs: { modelFile: TFJS_MODEL_FILE, weightsFile: TFJS_WEIGHTS_FILE, input: 'normalized observation [batch, size] (apply observation.normalization first)', outputs: net.heads.map((h) => h.name) },
        onnx: writeOnnx
          ? { file: ONNX_FILE, opset: ONNX_OPSET, irVersion: ONNX_IR_VERSION, input: 'raw observation [batch, size] (normalization is inside the graph)', inputs: signature.inputs, outputs: signature.outputs }
          : null,
      },
      files,
    };
    ManifestSchema.parse(manifest);
    writeFileSync(join(temp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    if (existsSync(target)) {
      // Moved aside, not deleted first: the old bundle stays whole until the new one is complete, and the
      // path is empty only between two renames.
      const old = `${temp}.old`;
      renameSync(target, old);
      renameSync(temp, target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(temp, target);
    }
    return manifest;
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
}

export interface ReadBundleOptions {
  /**
   * The env the caller will feed the policy from, e.g. `Orchestrator-v0`. A bundle exported for another
   * env, or another version of it, is refused.
   */
  envId?: string;
  /**
   * `if-registered` (default): when the bundle's env id is registered in this process, build it once and
   * check the observation and action layout still match the manifest (labels, sizes, names), and refuse a
   * bundle whose env name is registered only under other versions. `never`: skip these checks.
   */
  verifyEnv?: 'if-registered' | 'never';
}

/** Reads and checks a bundle's manifest and file checksums; refuses anything it cannot trust. */
export function readBundle(dir: string, options: ReadBundleOptions = {}): PolicyManifest {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DataError(`Expected a policy bundle folder at ${dir}, but it does not exist.`);
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) throw new DataError(`Expected ${MANIFEST_FILE} in ${dir} (a folder written by loopgym export), but it is missing.`);
  let raw: unknown;
  try {
    raw = parseJsonSafely(readFileSync(manifestPath, 'utf8'), manifestPath);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new DataError(`Expected ${manifestPath} to be valid JSON, but parsing failed: ${(error as Error).message}`);
  }
  const format = (raw as { format?: unknown })?.format;
  const version = (raw as { formatVersion?: unknown })?.formatVersion;
  if (format !== BUNDLE_FORMAT) throw new DataError(`Expected a manifest of format "${BUNDLE_FORMAT}", but got ${describeValue(format)} in ${manifestPath}.`);
  if (typeof version !== 'number' || version > BUNDLE_FORMAT_VERSION) {
    throw new DataError(`Expected bundle format version ${BUNDLE_FORMAT_VERSION} or older, but got ${describeValue(version)}: upgrade loopgym to read this bundle.`);
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new DataError(`Expected a valid policy manifest in ${manifestPath}, but: ${issues.join('; ')}.`);
  }
  const manifest = parsed.data;
  checkManifestConsistency(manifest, manifestPath);
  verifyFiles(dir, manifest);
  checkEnvCompatibility(manifest, options);
  return manifest;
}

function checkManifestConsistency(m: PolicyManifest, where: string): void {
  const size = m.observation.size;
  const expectLength = (what: string, length: number, expected: number) => {
    if (length !== expected) throw new DataError(`Expected ${what} to have ${expected} entries in ${where}, but it has ${length}.`);
  };
  expectLength('observation.labels', m.observation.labels.length, size);
  expectLength('observation.low', m.observation.low.length, size);
  expectLength('observation.high', m.observation.high.length, size);
  if (m.observation.normalization) {
    expectLength('observation.normalization.mean', m.observation.normalization.mean.length, size);
    expectLength('observation.normalization.var', m.observation.normalization.var.length, size);
  }
  expectLength('action.names', m.action.names.length, m.action.n);
  const required = [m.models.tfjs.modelFile, m.models.tfjs.weightsFile, ...(m.models.onnx ? [m.models.onnx.file] : [])];
  for (const file of required) {
    if (!m.files[file]) throw new DataError(`Expected a checksum for ${file} in ${where}, but the manifest lists none.`);
  }
}

/** Every file the manifest lists must exist with its recorded size and sha256. */
export function verifyFiles(dir: string, manifest: PolicyManifest): void {
  for (const [file, expected] of Object.entries(manifest.files)) {
    if (file.includes('/') || file.includes('\\') || file.startsWith('.')) throw new DataError(`Expected plain file names in the manifest's files, but got ${JSON.stringify(file)}.`);
    const path = join(dir, file);
    if (!existsSync(path)) throw new DataError(`Expected ${file} (listed in ${MANIFEST_FILE}) in ${dir}, but it is missing.`);
    const data = readFileSync(path);
    const actual = sha256(data);
    if (actual !== expected.sha256) {
      throw new DataError(`Expected ${file} to have sha256 ${expected.sha256}, but got ${actual}: the file was modified or corrupted after export.`);
    }
  }
}

/** Refuses a bundle made for another env or env version, and one whose env layout changed since export. */
export function checkEnvCompatibility(manifest: PolicyManifest, options: ReadBundleOptions): void {
  const bundleId = manifest.env.id;
  if (options.envId !== undefined && options.envId !== bundleId) {
    const wanted = parseEnvId(options.envId);
    const got = parseEnvId(bundleId);
    const sameName = wanted.name === got.name && wanted.namespace === got.namespace;
    throw new DataError(
      sameName
        ? `Expected a bundle for ${options.envId} (env version ${wanted.version}), but got one for ${bundleId} (env version ${got.version}): re-train or re-export for this env version.`
        : `Expected a bundle for ${options.envId}, but got one for ${bundleId}.`,
    );
  }
  if (options.verifyEnv === 'never') return;
  const registered = listEnvs();
  if (!registered.includes(bundleId)) {
    const parsed = parseEnvId(bundleId);
    const others = registered.filter((id) => {
      try {
        const p = parseEnvId(id);
        return p.name === parsed.name && p.namespace === parsed.namespace;
      } catch {
        return false;
      }
    });
    if (others.length > 0) {
      throw new DataError(`Expected a bundle for a registered version of ${parsed.name} (${others.join(', ')}), but got one for ${bundleId}: re-train or re-export for the current env version.`);
    }
    return;
  }
  const layout = describeEnvLayout(bundleId, manifest.env.kwargs, manifest.env.maxEpisodeSteps);
  if (layout.size !== manifest.observation.size) {
    throw new DataError(`Expected ${bundleId} observations of ${manifest.observation.size} values (as exported), but the env now produces ${layout.size}: the env changed without a version bump.`);
  }
  if (layout.labels && layout.labels.join('\u0000') !== manifest.observation.labels.join('\u0000')) {
    const i = layout.labels.findIndex((label, k) => label !== manifest.observation.labels[k]);
    throw new DataError(`Expected observation label ${i} of ${bundleId} to be ${JSON.stringify(manifest.observation.labels[i])} (as exported), but the env now says ${JSON.stringify(layout.labels[i])}.`);
  }
  if (layout.numActions !== manifest.action.n) {
    throw new DataError(`Expected ${bundleId} to have ${manifest.action.n} actions (as exported), but it now has ${layout.numActions}.`);
  }
  if (layout.actionNames && layout.actionNames.join('\u0000') !== manifest.action.names.join('\u0000')) {
    const i = layout.actionNames.findIndex((name, k) => name !== manifest.action.names[k]);
    throw new DataError(`Expected action ${i} of ${bundleId} to be ${JSON.stringify(manifest.action.names[i])} (as exported), but the env now names it ${JSON.stringify(layout.actionNames[i])}.`);
  }
}

export interface EnvLayout {
  size: number;
  shape: number[];
  /** Only when the env names its observation entries (`env.observationLabels`). */
  labels: string[] | null;
  numActions: number;
  /** Only when the env names its actions (`env.actionNames`). */
  actionNames: string[] | null;
  /** Whether reset's info carries `actionMask`. */
  providesMask: boolean;
}

/** Builds the env once (seed 0) to read its observation and action layout. */
export function describeEnvLayout(envId: string, kwargs: Record<string, unknown>, maxEpisodeSteps: number | null): EnvLayout {
  let env;
  try {
    env = make(envId, { kwargs, ...(maxEpisodeSteps !== null ? { maxEpisodeSteps } : {}) });
  } catch (error) {
    throw new DataError(`Expected to build ${envId} with the bundle's kwargs to check its layout, but it failed: ${(error as Error).message}`);
  }
  try {
    const inner = env.unwrapped as unknown as { observationLabels?: unknown; actionNames?: unknown };
    const actionSpace = env.actionSpace.toJSON();
    const numActions = actionSpace.type === 'Discrete' ? actionSpace.n : env.actionSpace.flatDim;
    const { info } = env.reset({ seed: 0 });
    const strings = (v: unknown, n: number) => (Array.isArray(v) && v.length === n && v.every((s) => typeof s === 'string') ? [...(v as string[])] : null);
    return {
      size: env.observationSpace.flatDim,
      shape: env.observationSpace.shape.length > 0 ? [...env.observationSpace.shape] : [env.observationSpace.flatDim],
      labels: strings(inner.observationLabels, env.observationSpace.flatDim),
      numActions,
      actionNames: strings(inner.actionNames, numActions),
      providesMask: info.actionMask instanceof Uint8Array,
    };
  } finally {
    env.close();
  }
}
