/** Plasticity diagnostics on matrices whose answers are known by construction. */
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.js';
import { plasticityDiagnostics } from '../../src/loop/plasticity.js';

describe('plasticityDiagnostics', () => {
  it('counts dead ReLU units, measures the weight norm and the rank of the activations', () => {
    // 4 inputs x 3 units: weights all 0.5 -> Frobenius norm sqrt(12 * 0.25) = sqrt(3).
    const weights = new Float32Array(12).fill(0.5);
    // 6 samples x 3 units: unit 2 never fires; units 0 and 1 are proportional (rank 1).
    const activations = new Float32Array([1, 2, 0, 2, 4, 0, 3, 6, 0, 0, 0, 0, 1, 2, 0, 5, 10, 0]);
    const [point] = plasticityDiagnostics([{ iteration: 3, layers: [{ name: 'hidden', weights, shape: [4, 3], activations, activationShape: [6, 3], activation: 'relu' }] }]);
    const layer = point.layers[0];
    expect(point.iteration).toBe(3);
    expect(layer.weightNorm).toBeCloseTo(Math.sqrt(3), 6);
    expect(layer.deadFraction).toBeCloseTo(1 / 3, 12);
    expect(layer.saturatedFraction).toBeNull();
    expect(layer.srank).toBe(1);
    expect(layer.effectiveRank).toBeCloseTo(1, 6);
    expect(layer.rankOf).toBe('activations');
  });

  it('counts saturated tanh units and gives full rank to an identity-like weight matrix', () => {
    const activations = new Float32Array([0.995, 0.1, -0.999, -0.3, 0.991, 0.5]); // 3 samples x 2 units: unit 0 saturated
    const [point] = plasticityDiagnostics([
      { iteration: 0, layers: [{ weights: new Float32Array([1, 0, 0, 1]), shape: [2, 2], activations, activationShape: [3, 2], activation: 'tanh' }, { weights: new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), shape: [3, 3] }] },
    ]);
    expect(point.layers[0].saturatedFraction).toBe(0.5);
    expect(point.layers[0].deadFraction).toBe(0);
    expect(point.layers[1].rankOf).toBe('weights');
    expect(point.layers[1].srank).toBe(3);
    expect(point.layers[1].effectiveRank).toBeCloseTo(3, 6);
    expect(point.layers[1].name).toBe('layer1');
  });

  it('refuses weights that do not match their shape', () => {
    expect(() => plasticityDiagnostics([{ iteration: 1, layers: [{ weights: new Float32Array(5), shape: [2, 3] }] }])).toThrow(DataError);
    expect(() => plasticityDiagnostics([{ iteration: 1, layers: [{ weights: new Float32Array(5), shape: [2, 3] }] }])).toThrow(/Expected 2 x 3 = 6 weights \(iteration 1, layer0\), but got 5/);
  });
});
