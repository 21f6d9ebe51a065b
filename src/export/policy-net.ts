/**
 * The exported network in a framework-neutral form: one or more MLP heads reading the same (normalized)
 * observation. Both the tfjs LayersModel of a bundle and its ONNX graph are generated from this one
 * description, so they cannot drift apart.
 *
 * Heads: `logits` (policy-gradient agents: action logits) or `q_values` (DQN: action = argmax), plus an
 * optional `value` (state value of actor-critic agents). The action head always comes first.
 */
import * as tf from '@tensorflow/tfjs';
import { DataError, describeValue } from '../core/errors.js';
import { folderHandler } from '../nn/io.js';

export type DenseActivation = 'linear' | 'relu' | 'tanh' | 'sigmoid';
export const DENSE_ACTIVATIONS: readonly DenseActivation[] = ['linear', 'relu', 'tanh', 'sigmoid'];

export type HeadName = 'logits' | 'q_values' | 'value';
export const ACTION_HEADS: readonly HeadName[] = ['logits', 'q_values'];

export interface DenseLayer {
  inDim: number;
  outDim: number;
  /** Row-major [inDim, outDim], the tfjs dense-kernel layout: y = x @ kernel + bias. */
  kernel: Float32Array;
  bias: Float32Array;
  activation: DenseActivation;
}

export interface PolicyHead {
  name: HeadName;
  layers: DenseLayer[];
}

export interface PolicyNetwork {
  inputDim: number;
  /** The action head (`logits` or `q_values`) first, then `value` when present. */
  heads: PolicyHead[];
}

/** Observation normalization as the agents apply it: clip((obs - mean) / sqrt(var + epsilon), -clip, clip). */
export interface ObservationNormalization {
  mean: number[];
  var: number[];
  count: number;
  epsilon: number;
  /** Infinity when the agent does not clip (written as null in JSON). */
  clip: number;
}

export function headOutputDim(head: PolicyHead): number {
  return head.layers[head.layers.length - 1].outDim;
}

/** Refuses networks the exporters cannot express: wrong chaining, unknown activations, a missing action head. */
export function validateNetwork(net: PolicyNetwork): void {
  if (!Number.isInteger(net.inputDim) || net.inputDim <= 0) throw new DataError(`Expected a positive network input size, but got ${describeValue(net.inputDim)}.`);
  if (net.heads.length === 0 || !ACTION_HEADS.includes(net.heads[0].name)) {
    throw new DataError(`Expected the first head to be "logits" or "q_values", but got ${net.heads.map((h) => h.name).join(', ') || 'no heads'}.`);
  }
  const names = new Set<string>();
  for (const head of net.heads) {
    if (names.has(head.name)) throw new DataError(`Expected distinct head names, but "${head.name}" appears twice.`);
    names.add(head.name);
    if (head.layers.length === 0) throw new DataError(`Expected head "${head.name}" to have at least one dense layer, but it has none.`);
    let inDim = net.inputDim;
    head.layers.forEach((layer, i) => {
      const where = `layer ${i} of head "${head.name}"`;
      if (layer.inDim !== inDim) throw new DataError(`Expected ${where} to take ${inDim} inputs, but it takes ${layer.inDim}.`);
      if (layer.kernel.length !== layer.inDim * layer.outDim) throw new DataError(`Expected ${layer.inDim * layer.outDim} kernel values in ${where}, but got ${layer.kernel.length}.`);
      if (layer.bias.length !== layer.outDim) throw new DataError(`Expected ${layer.outDim} bias values in ${where}, but got ${layer.bias.length}.`);
      if (!DENSE_ACTIVATIONS.includes(layer.activation)) throw new DataError(`Expected the activation of ${where} to be one of ${DENSE_ACTIVATIONS.join(', ')}, but got ${JSON.stringify(layer.activation)}.`);
      inDim = layer.outDim;
    });
  }
  if (names.has('value') && headOutputDim(net.heads.find((h) => h.name === 'value')!) !== 1) {
    throw new DataError(`Expected the value head to have 1 output, but it has ${headOutputDim(net.heads.find((h) => h.name === 'value')!)}.`);
  }
}

/**
 * Reads an MLP head from a tfjs LayersModel made only of Dense layers (what `Mlp.toLayersModel` saves).
 * Any other layer is refused: the ONNX writer only knows dense layers.
 */
export function headFromLayersModel(model: tf.LayersModel, name: HeadName, source: string): PolicyHead {
  const layers: DenseLayer[] = [];
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === 'InputLayer') continue;
    if (className !== 'Dense') throw new DataError(`Expected only Dense layers in ${source} (MLP policies), but found a ${className} layer (${layer.name}).`);
    const config = layer.getConfig() as { units: number; activation?: string; useBias?: boolean };
    const activation = (config.activation ?? 'linear') as DenseActivation;
    if (!DENSE_ACTIVATIONS.includes(activation)) {
      throw new DataError(`Expected a dense activation among ${DENSE_ACTIVATIONS.join(', ')} in ${source}, but layer ${layer.name} uses ${JSON.stringify(activation)}.`);
    }
    const weights = layer.getWeights();
    const kernel = weights[0];
    const [inDim, outDim] = kernel.shape as [number, number];
    const bias = config.useBias === false ? new Float32Array(outDim) : Float32Array.from(weights[1].dataSync() as Float32Array);
    layers.push({ inDim, outDim, kernel: Float32Array.from(kernel.dataSync() as Float32Array), bias, activation });
  }
  return { name, layers };
}

/** Loads a head saved in the tfjs folder layout (model.json + weights.bin). */
export async function loadHead(dir: string, name: HeadName): Promise<PolicyHead> {
  const model = await tf.loadLayersModel(folderHandler(dir));
  try {
    return headFromLayersModel(model, name, dir);
  } finally {
    model.dispose();
  }
}

/**
 * A functional LayersModel with one input (`obs`, normalized) and one output per head, in head order.
 * Layers are named `<head>_<i>` so model.json reads as the network it is.
 */
export function networkToLayersModel(net: PolicyNetwork): tf.LayersModel {
  validateNetwork(net);
  const input = tf.input({ shape: [net.inputDim], name: 'obs', dtype: 'float32' });
  const outputs: tf.SymbolicTensor[] = [];
  const assignments: Array<{ layer: tf.layers.Layer; spec: DenseLayer }> = [];
  for (const head of net.heads) {
    let h: tf.SymbolicTensor = input;
    head.layers.forEach((spec, i) => {
      const layer = tf.layers.dense({ units: spec.outDim, activation: spec.activation, name: `${head.name}_${i}` });
      h = layer.apply(h) as tf.SymbolicTensor;
      assignments.push({ layer, spec });
    });
    outputs.push(h);
  }
  const model = tf.model({ inputs: input, outputs, name: 'loopgym_policy' });
  for (const { layer, spec } of assignments) {
    const weights = [tf.tensor2d(spec.kernel, [spec.inDim, spec.outDim]), tf.tensor1d(spec.bias)];
    layer.setWeights(weights);
    tf.dispose(weights);
  }
  return model;
}
