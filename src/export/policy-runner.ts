/**
 * `loadPolicy(dir)` reads a policy bundle (manifest + checksums + env checks, see bundle.ts) and returns a
 * PolicyRunner: raw observation (+ optional mask) in, `{action, name, probs, value?}` out.
 *
 * The runner normalizes with the same code the agents use (RunningMeanStd.normalizeInto, float64), runs
 * the bundle's tfjs model and picks actions with the agents' deterministic rule (argmax over allowed
 * actions, first index on ties), so it chooses what `agent.act(obs, {mask, deterministic: true})` chose.
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { DataError, describeValue } from '../core/errors.js';
import { RunningMeanStd } from '../core/running-stats.js';
import { ensureBackend, type BackendName } from '../nn/backend.js';
import { MaskedCategorical } from '../nn/distributions.js';
import { folderHandler } from '../nn/io.js';
import { normalizationFromManifest, readBundle, type PolicyManifest, type ReadBundleOptions } from './bundle.js';

/** A caller's observation or mask does not fit the policy (the HTTP service answers these with 400). */
export class PolicyInputError extends DataError {}

export interface Decision {
  /** Index of the chosen action. */
  action: number;
  /** Its name (manifest action.names). */
  name: string;
  /** Probability of each action; forbidden actions have 0. For Q-value policies, one-hot on `action`. */
  probs: number[];
  /** State value, for policies with a value head. */
  value?: number;
  /** Q-value of each action, for Q-value policies. */
  qValues?: number[];
}

export type MaskInput = ArrayLike<number | boolean> | null | undefined;

export interface LoadPolicyOptions extends ReadBundleOptions {
  /** tfjs backend for inference. Default `auto` (keeps an already chosen wasm/node backend). */
  backend?: BackendName;
}

export async function loadPolicy(dir: string, options: LoadPolicyOptions = {}): Promise<PolicyRunner> {
  const manifest = readBundle(dir, options);
  await ensureBackend(options.backend ?? 'auto');
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(folderHandler(dir));
  } catch (error) {
    throw new DataError(`Expected a loadable tfjs model in ${join(dir, manifest.models.tfjs.modelFile)}, but loading failed: ${(error as Error).message}`);
  }
  const expectedOutputs = manifest.models.tfjs.outputs.length;
  if (model.outputs.length !== expectedOutputs || model.inputs[0]?.shape[1] !== manifest.observation.size) {
    model.dispose();
    throw new DataError(`Expected a tfjs model with input [batch, ${manifest.observation.size}] and ${expectedOutputs} output(s), but ${dir} holds input ${JSON.stringify(model.inputs[0]?.shape)} and ${model.outputs.length} output(s).`);
  }
  return new PolicyRunner(manifest, model);
}

export class PolicyRunner {
  readonly obsSize: number;
  readonly numActions: number;
  readonly actionNames: readonly string[];
  readonly observationLabels: readonly string[];
  readonly envId: string;
  private readonly stats: RunningMeanStd | null;
  private readonly epsilon: number;
  private readonly clip: number;
  private readonly isQ: boolean;
  private readonly valueOutput: number;
  private disposed = false;

  constructor(readonly manifest: PolicyManifest, private readonly model: tf.LayersModel) {
    this.obsSize = manifest.observation.size;
    this.numActions = manifest.action.n;
    this.actionNames = manifest.action.names;
    this.observationLabels = manifest.observation.labels;
    this.envId = manifest.env.id;
    const norm = normalizationFromManifest(manifest.observation.normalization);
    this.stats = norm ? RunningMeanStd.fromJSON({ mean: norm.mean, var: norm.var, count: norm.count }) : null;
    this.epsilon = norm?.epsilon ?? 0;
    this.clip = norm?.clip ?? Infinity;
    this.isQ = manifest.policy.kind === 'q-values';
    this.valueOutput = manifest.models.tfjs.outputs.indexOf('value');
  }

  /** One decision. Throws PolicyInputError when `obs` or `mask` does not fit the policy. */
  decide(obs: ArrayLike<number>, mask?: MaskInput): Decision {
    return this.run([obs], [mask], false)[0];
  }

  /** Decisions for many observations in one forward pass; `masks[i]` may be null/undefined (all allowed). */
  decideBatch(observations: readonly ArrayLike<number>[], masks?: readonly MaskInput[]): Decision[] {
    return this.run(observations, masks, true);
  }

  private run(observations: readonly ArrayLike<number>[], masks: readonly MaskInput[] | undefined, batched: boolean): Decision[] {
    if (this.disposed) throw new DataError('Expected a live PolicyRunner, but it was disposed.');
    if (!Array.isArray(observations)) throw new PolicyInputError(`Expected an array of observations, but got ${describeValue(observations)}.`);
    const B = observations.length;
    if (B === 0) return [];
    if (masks !== undefined && masks.length !== B) throw new PolicyInputError(`Expected one mask per observation (${B}), but got ${masks.length}.`);
    const D = this.obsSize;
    const n = this.numActions;
    const x = new Float32Array(B * D);
    const maskRows = new Uint8Array(B * n).fill(1);
    for (let b = 0; b < B; b++) {
      const where = batched ? `[${b}]` : '';
      this.checkObservation(observations[b], where);
      const mask = masks?.[b];
      if (mask !== null && mask !== undefined) this.readMask(mask, where, maskRows, b * n);
      if (this.stats) this.stats.normalizeInto(observations[b], x, this.epsilon, this.clip, 0, b * D);
      else for (let i = 0; i < D; i++) x[b * D + i] = observations[b][i];
      for (let i = 0; i < D; i++) {
        if (!Number.isFinite(x[b * D + i])) {
          throw new PolicyInputError(`Expected obs${where}[${i}] (${this.observationLabels[i]}) to stay finite after normalization, but ${describeValue(observations[b][i])} overflows float32 there.`);
        }
      }
    }
    const outputs = this.forward(x, B);
    const actionOut = outputs[0];
    const decisions: Decision[] = [];
    for (let b = 0; b < B; b++) {
      const base = b * n;
      // Never answer with a non-finite number: an observation far outside the training range can overflow.
      for (const out of outputs) {
        const width = out.length / B;
        for (let j = b * width; j < (b + 1) * width; j++) {
          if (!Number.isFinite(out[j])) {
            throw new PolicyInputError(`Expected the policy's outputs for obs${batched ? `[${b}]` : ''} to be finite, but the network overflowed (an observation far outside the range it was trained on).`);
          }
        }
      }
      let action = -1;
      for (let a = 0; a < n; a++) {
        if (!maskRows[base + a]) continue;
        if (action < 0 || actionOut[base + a] > actionOut[base + action]) action = a;
      }
      let probs: number[];
      if (this.isQ) {
        probs = Array.from({ length: n }, (_, a) => (a === action ? 1 : 0));
      } else {
        probs = Array.from(MaskedCategorical.probs(actionOut, b, n, maskRows));
      }
      const decision: Decision = { action, name: this.actionNames[action], probs };
      if (this.valueOutput >= 0) decision.value = outputs[this.valueOutput][b];
      if (this.isQ) decision.qValues = Array.from(actionOut.subarray(base, base + n));
      decisions.push(decision);
    }
    return decisions;
  }

  /** Raw network outputs for raw observations (row-major [B, size]), one Float32Array per head. */
  outputs(observationsFlat: Float32Array, batch: number): Float32Array[] {
    const D = this.obsSize;
    if (observationsFlat.length !== batch * D) throw new PolicyInputError(`Expected ${batch * D} values (${batch} x ${D}), but got ${observationsFlat.length}.`);
    const x = new Float32Array(batch * D);
    if (this.stats) for (let b = 0; b < batch; b++) this.stats.normalizeInto(observationsFlat, x, this.epsilon, this.clip, b * D, b * D);
    else x.set(observationsFlat);
    return this.forward(x, batch);
  }

  private forward(x: Float32Array, batch: number): Float32Array[] {
    const tensors = tf.tidy(() => {
      const out = this.model.predict(tf.tensor2d(x, [batch, this.obsSize]));
      return Array.isArray(out) ? out : [out];
    });
    try {
      return tensors.map((t) => t.dataSync() as Float32Array);
    } finally {
      tf.dispose(tensors);
    }
  }

  private checkObservation(obs: ArrayLike<number>, where: string): void {
    if (obs === null || typeof obs !== 'object' || typeof obs.length !== 'number') {
      throw new PolicyInputError(`Expected obs${where} to be an array of ${this.obsSize} numbers, but got ${describeValue(obs)}.`);
    }
    if (obs.length !== this.obsSize) {
      throw new PolicyInputError(`Expected obs${where} of length ${this.obsSize} (the ${this.envId} observation), but got length ${obs.length}.`);
    }
    for (let i = 0; i < obs.length; i++) {
      const v = obs[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new PolicyInputError(`Expected obs${where}[${i}] (${this.observationLabels[i]}) to be a finite number, but got ${describeValue(v)}.`);
      }
      // The network computes in float32: 1e39 or 3.5e38 become Infinity there.
      if (!Number.isFinite(Math.fround(v))) {
        throw new PolicyInputError(`Expected obs${where}[${i}] (${this.observationLabels[i]}) to be a finite float32 number (|x| <= 3.4e38), but got ${describeValue(v)}.`);
      }
    }
  }

  private readMask(mask: ArrayLike<number | boolean>, where: string, out: Uint8Array, offset: number): void {
    if (typeof mask !== 'object' || typeof mask.length !== 'number') {
      throw new PolicyInputError(`Expected mask${where} to be an array of ${this.numActions} zeros and ones, but got ${describeValue(mask)}.`);
    }
    if (mask.length !== this.numActions) throw new PolicyInputError(`Expected mask${where} of length ${this.numActions} (one per action), but got length ${mask.length}.`);
    let allowed = 0;
    for (let a = 0; a < mask.length; a++) {
      const v = mask[a];
      const bit = v === 1 || v === true ? 1 : v === 0 || v === false ? 0 : -1;
      if (bit < 0) throw new PolicyInputError(`Expected mask${where}[${a}] to be 0 or 1, but got ${describeValue(v)}.`);
      out[offset + a] = bit;
      allowed += bit;
    }
    if (allowed === 0) throw new PolicyInputError(`Expected mask${where} to allow at least one action, but got all zeros.`);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }
}
