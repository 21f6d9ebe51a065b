/**
 * The ONNX writer on its own: the graph onnxruntime runs computes what a float64 reference of the same
 * network computes (every activation, normalization with and without clipping, any batch size), and the
 * file says what the manifest promises (opset, IR version, symbolic batch dimension, metadata).
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { buildOnnxModel, onnxModelType, ONNX_OPSET } from '../../src/export/onnx.js';
import type { DenseActivation, DenseLayer, ObservationNormalization, PolicyNetwork } from '../../src/export/policy-net.js';
import { maxAbsDiff } from './fixtures.js';

function randomNetwork(rng: Rng, inputDim: number, sizes: Array<[number, DenseActivation]>, valueHead: boolean): PolicyNetwork {
  const layersFor = (spec: Array<[number, DenseActivation]>): DenseLayer[] => {
    let inDim = inputDim;
    return spec.map(([outDim, activation]) => {
      const layer = { inDim, outDim, activation, kernel: Float32Array.from({ length: inDim * outDim }, () => rng.normal(0, 0.5)), bias: Float32Array.from({ length: outDim }, () => rng.normal(0, 0.1)) };
      inDim = outDim;
      return layer;
    });
  };
  const heads: PolicyNetwork['heads'] = [{ name: 'logits', layers: layersFor(sizes) }];
  if (valueHead) heads.push({ name: 'value', layers: layersFor([[8, 'tanh'], [1, 'linear']]) });
  return { inputDim, heads };
}

/** Float64 forward pass of the same graph, written independently of the writer. */
function reference(net: PolicyNetwork, norm: ObservationNormalization | null, obs: Float32Array, batch: number): Record<string, number[]> {
  const D = net.inputDim;
  const out: Record<string, number[]> = {};
  for (const head of net.heads) out[head.name] = [];
  for (let b = 0; b < batch; b++) {
    let x = Array.from(obs.subarray(b * D, (b + 1) * D));
    if (norm) x = x.map((v, i) => Math.min(norm.clip, Math.max(-norm.clip, (v - norm.mean[i]) / Math.sqrt(norm.var[i] + norm.epsilon))));
    for (const head of net.heads) {
      let h = x;
      for (const layer of head.layers) {
        const y = Array.from(layer.bias);
        for (let i = 0; i < layer.inDim; i++) for (let o = 0; o < layer.outDim; o++) y[o] += h[i] * layer.kernel[i * layer.outDim + o];
        h = y.map((v) => (layer.activation === 'relu' ? Math.max(0, v) : layer.activation === 'tanh' ? Math.tanh(v) : layer.activation === 'sigmoid' ? 1 / (1 + Math.exp(-v)) : v));
      }
      out[head.name].push(...h);
    }
  }
  return out;
}

describe('ONNX writer', () => {
  const rng = new Rng(11);
  const cases: Array<{ label: string; net: PolicyNetwork; norm: ObservationNormalization | null }> = [
    { label: 'tanh actor-critic, clipped normalization', net: randomNetwork(rng, 6, [[16, 'tanh'], [16, 'tanh'], [5, 'linear']], true), norm: { mean: [1, -2, 0.5, 3, 0, 10], var: [4, 0.25, 1, 9, 1e-12, 100], count: 50, epsilon: 1e-8, clip: 2 } },
    { label: 'relu + sigmoid, unclipped normalization', net: randomNetwork(rng, 3, [[7, 'relu'], [4, 'sigmoid'], [2, 'linear']], false), norm: { mean: [0, 1, 2], var: [1, 2, 3], count: 5, epsilon: 1e-8, clip: Infinity } },
    { label: 'single linear layer, no normalization', net: randomNetwork(rng, 4, [[3, 'linear']], true), norm: null },
  ];

  it.each(cases)('computes what the network computes: $label', async ({ net, norm }) => {
    const session = await ort.InferenceSession.create(buildOnnxModel(net, norm));
    try {
      for (const batch of [1, 3, 17]) {
        const obs = Float32Array.from({ length: batch * net.inputDim }, () => rng.normal(0, 3));
        const result = await session.run({ obs: new ort.Tensor('float32', obs, [batch, net.inputDim]) });
        const expected = reference(net, norm, obs, batch);
        for (const head of net.heads) {
          expect(result[head.name].dims).toEqual([batch, head.layers.at(-1)!.outDim]);
          expect(maxAbsDiff(result[head.name].data as Float32Array, expected[head.name])).toBeLessThan(1e-5);
        }
      }
    } finally {
      await session.release();
    }
  });

  it('declares opset 13, a symbolic batch dimension and the metadata it was given', () => {
    const net = cases[0].net;
    const bytes = buildOnnxModel(net, cases[0].norm, { metadata: { 'loopgym.env_id': 'Orchestrator-v0' }, producerVersion: '0.1.0' });
    const model = onnxModelType().toObject(onnxModelType().decode(bytes), { longs: Number }) as {
      irVersion: number;
      producerName: string;
      opsetImport: Array<{ domain?: string; version: number }>;
      metadataProps: Array<{ key: string; value: string }>;
      graph: { input: Array<{ name: string; type: { tensorType: { elemType: number; shape: { dim: Array<{ dimParam?: string; dimValue?: number }> } } } }>; output: Array<{ name: string }>; node: Array<{ opType: string }> };
    };
    expect(model.irVersion).toBe(7);
    expect(model.producerName).toBe('loopgym');
    expect(model.opsetImport).toEqual([{ domain: '', version: ONNX_OPSET }]);
    expect(ONNX_OPSET).toBeGreaterThanOrEqual(13);
    expect(model.metadataProps).toEqual([{ key: 'loopgym.env_id', value: 'Orchestrator-v0' }]);
    const input = model.graph.input[0];
    expect(input.name).toBe('obs');
    expect(input.type.tensorType.elemType).toBe(1);
    expect(input.type.tensorType.shape.dim).toEqual([{ dimParam: 'batch' }, { dimValue: 6 }]);
    expect(model.graph.output.map((o) => o.name)).toEqual(['logits', 'value']);
    expect(model.graph.node.slice(0, 3).map((n) => n.opType)).toEqual(['Sub', 'Div', 'Clip']);
  });

  it('refuses networks it cannot express', () => {
    const net = randomNetwork(new Rng(1), 3, [[2, 'linear']], false);
    expect(() => buildOnnxModel({ ...net, heads: [{ name: 'value', layers: net.heads[0].layers }] }, null)).toThrow(/Expected the first head to be "logits" or "q_values", but got value\./);
    const wrong = { ...net.heads[0].layers[0], inDim: 5 };
    expect(() => buildOnnxModel({ inputDim: 3, heads: [{ name: 'logits', layers: [wrong] }] }, null)).toThrow(/Expected layer 0 of head "logits" to take 3 inputs, but it takes 5\./);
    expect(() => buildOnnxModel(net, { mean: [0], var: [1], count: 1, epsilon: 1e-8, clip: 10 })).toThrow(/Expected normalization statistics of length 3, but got mean 1 and var 1\./);
  });
});
