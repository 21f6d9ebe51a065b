/**
 * The files of a policy/value pair, the same from every engine: `policy/` (observation -> logits) and
 * `value/` (observation -> value) as tfjs LayersModels with `activation` on the hidden layers.
 */
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { DataError } from '../../src/core/errors.js';
import { denseLayersModel } from '../../src/nn/mlp.js';
import { folderHandler, loadWeights } from '../../src/nn/io.js';
import type { ActorCriticOptions, PolicyValueNet } from './policy-value-net.js';

export interface LayerWeights {
  /** [inDim, outDim], row-major. */
  kernel: Float32Array;
  bias: Float32Array;
}

const FOLDERS = [
  ['policy', 'pi'],
  ['value', 'vf'],
] as const;

/** The policy as a standalone tfjs LayersModel (observation -> logits), for export. */
export function policyLayersModel(net: Pick<PolicyValueNet, 'options' | 'subnet'>): tf.Sequential {
  return denseLayersModel('pi', net.options.obsDim, net.subnet('pi'), net.options.activation);
}

/** Writes `policy/` and `value/` from the net's sub-nets. */
export async function savePolicyValue(dir: string, net: Pick<PolicyValueNet, 'options' | 'subnet'>): Promise<void> {
  for (const [sub, which] of FOLDERS) {
    const model = denseLayersModel(which, net.options.obsDim, net.subnet(which), net.options.activation);
    await model.save(folderHandler(path.join(dir, sub)));
    model.dispose();
  }
}

/** Reads `policy/` and `value/`, checked against the architecture in `options`. */
export async function readPolicyValue(dir: string, options: ActorCriticOptions): Promise<{ pi: LayerWeights[]; vf: LayerWeights[] }> {
  const sizes = { pi: [options.obsDim, ...options.piHidden, options.numActions], vf: [options.obsDim, ...options.vfHidden, 1] };
  const out: { pi: LayerWeights[]; vf: LayerWeights[] } = { pi: [], vf: [] };
  for (const [sub, which] of FOLDERS) {
    const folder = path.join(dir, sub);
    const weights = await loadWeights(folder);
    const dims = sizes[which];
    const layers = dims.length - 1;
    if (weights.length !== 2 * layers) throw new DataError(`Expected ${2 * layers} weight arrays in ${folder}, but found ${weights.length}.`);
    for (let i = 0; i < layers; i++) {
      const kernel = weights[2 * i].values;
      const bias = weights[2 * i + 1].values;
      if (kernel.length !== dims[i] * dims[i + 1] || bias.length !== dims[i + 1]) {
        throw new DataError(`Expected layer ${i} of ${folder} to be ${dims[i]}x${dims[i + 1]}, but it has ${kernel.length} kernel and ${bias.length} bias values.`);
      }
      out[which].push({ kernel, bias });
    }
  }
  return out;
}
