/**
 * Plasticity diagnostics of a learner's networks across loop iterations: signs that a net that keeps
 * training on a changing world is losing the ability to learn (Lyle et al. 2023, "Understanding
 * plasticity in neural networks"; Sokar et al. 2023, "The dormant neuron phenomenon in deep RL";
 * Kumar et al. 2021, "Implicit under-parameterization"). A pure function of weights and activations:
 *
 * - weightNorm: Frobenius norm of the layer's weight matrix (growing norms go with lost plasticity);
 * - deadFraction: units that are zero on every input of the batch (ReLU: never positive);
 * - saturatedFraction: units in the flat part of tanh (|a| >= 0.99) or sigmoid (a <= 0.01 or >= 0.99) on
 *   every input of the batch; null for ReLU and linear layers;
 * - srank: Kumar et al.'s effective rank of the activation matrix (batch x units): the fewest singular
 *   values whose sum reaches (1 - delta) of the total, delta = 0.01;
 * - effectiveRank: Roy & Vetterli's exp(entropy of the normalized singular values), a continuous version.
 * Ranks use the activations when given, else the weight matrix.
 */
import { Matrix, SVD } from 'ml-matrix';
import { DataError } from '../core/errors.js';

export type ActivationKind = 'relu' | 'tanh' | 'sigmoid' | 'linear';

export interface LayerSnapshot {
  name?: string;
  /** Row-major weights of shape [inputs, units]. */
  weights: Float32Array;
  shape: readonly [number, number];
  /** Row-major activations (after the nonlinearity) of shape [batch, units], from a fixed probe batch. */
  activations?: Float32Array;
  activationShape?: readonly [number, number];
  activation?: ActivationKind;
}

export interface NetSnapshot {
  iteration: number;
  layers: readonly LayerSnapshot[];
}

export interface LayerDiagnostics {
  name: string;
  weightNorm: number;
  deadFraction: number | null;
  saturatedFraction: number | null;
  srank: number;
  effectiveRank: number;
  /** What the ranks were computed on. */
  rankOf: 'activations' | 'weights';
}

export interface PlasticityPoint {
  iteration: number;
  layers: LayerDiagnostics[];
}

export const SRANK_DELTA = 0.01;

export function plasticityDiagnostics(snapshots: readonly NetSnapshot[]): PlasticityPoint[] {
  return snapshots.map((snapshot) => ({
    iteration: snapshot.iteration,
    layers: snapshot.layers.map((layer, i) => layerDiagnostics(layer, layer.name ?? `layer${i}`, snapshot.iteration)),
  }));
}

function layerDiagnostics(layer: LayerSnapshot, name: string, iteration: number): LayerDiagnostics {
  const [inputs, units] = layer.shape;
  const where = `iteration ${iteration}, ${name}`;
  if (layer.weights.length !== inputs * units) {
    throw new DataError(`Expected ${inputs} x ${units} = ${inputs * units} weights (${where}), but got ${layer.weights.length}.`);
  }
  let sumSquares = 0;
  for (let i = 0; i < layer.weights.length; i++) sumSquares += layer.weights[i] * layer.weights[i];
  const weightNorm = Math.sqrt(sumSquares);
  if (layer.activations === undefined) {
    const ranks = ranksOf(layer.weights, inputs, units);
    return { name, weightNorm, deadFraction: null, saturatedFraction: null, ...ranks, rankOf: 'weights' };
  }
  const [batch, activationUnits] = layer.activationShape ?? [layer.activations.length / units, units];
  if (activationUnits !== units || !Number.isInteger(batch) || batch * units !== layer.activations.length) {
    throw new DataError(`Expected activations of shape [batch, ${units}] (${where}), but got ${layer.activations.length} values with shape ${JSON.stringify(layer.activationShape ?? null)}.`);
  }
  const kind = layer.activation ?? 'relu';
  let dead = 0;
  let saturated = 0;
  for (let u = 0; u < units; u++) {
    let alwaysZero = true;
    let alwaysFlat = true;
    for (let b = 0; b < batch; b++) {
      const a = layer.activations[b * units + u];
      if (kind === 'relu' ? a > 0 : a !== 0) alwaysZero = false;
      if (!isSaturated(a, kind)) alwaysFlat = false;
    }
    if (alwaysZero) dead++;
    if (alwaysFlat) saturated++;
  }
  const saturatedFraction = kind === 'tanh' || kind === 'sigmoid' ? saturated / units : null;
  return { name, weightNorm, deadFraction: dead / units, saturatedFraction, ...ranksOf(layer.activations, batch, units), rankOf: 'activations' };
}

function isSaturated(a: number, kind: ActivationKind): boolean {
  if (kind === 'tanh') return Math.abs(a) >= 0.99;
  if (kind === 'sigmoid') return a <= 0.01 || a >= 0.99;
  return false;
}

function ranksOf(values: Float32Array, rows: number, columns: number): { srank: number; effectiveRank: number } {
  const matrix = new Matrix(rows, columns);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) matrix.set(r, c, values[r * columns + c]);
  const singular = new SVD(matrix, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true }).diagonal.sort((a, b) => b - a);
  const total = singular.reduce((s, v) => s + v, 0);
  if (!(total > 0)) return { srank: 0, effectiveRank: 0 };
  let cumulative = 0;
  let srank = 0;
  while (srank < singular.length && cumulative < (1 - SRANK_DELTA) * total) cumulative += singular[srank++];
  let entropy = 0;
  for (const s of singular) {
    const p = s / total;
    if (p > 0) entropy -= p * Math.log(p);
  }
  return { srank, effectiveRank: Math.exp(entropy) };
}
