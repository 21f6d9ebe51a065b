import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Rng, ConfigError } from '../../src/core/index.js';
import { initBackend, backendInfo } from '../../src/nn/backend.js';
import { orthogonal, glorotUniform } from '../../src/nn/init.js';
import { ParamSet } from '../../src/nn/params.js';
import { Mlp, setDenseImpl } from '../../src/nn/mlp.js';
import { FlatAdam, FlatRmsProp, clipCoefficient } from '../../src/nn/optim.js';
import { MaskedCategorical, DiagGaussian, MASKED_LOGIT } from '../../src/nn/distributions.js';
import { folderHandler, saveWeights, loadWeights } from '../../src/nn/io.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('backend', () => {
  it('selects wasm and cpu and records the tfjs version', async () => {
    expect(await initBackend('cpu')).toEqual({ backend: 'cpu', tfjsVersion: tf.version.tfjs });
    expect(await initBackend('wasm')).toEqual({ backend: 'wasm', tfjsVersion: '4.22.0' });
    expect(backendInfo().backend).toBe('wasm');
  });

  it('auto falls back to an available backend', async () => {
    const info = await initBackend('auto');
    expect(['tensorflow', 'wasm', 'cpu']).toContain(info.backend);
    await initBackend('wasm');
  });

  it('rejects unknown names, and node when tfjs-node is absent', async () => {
    await expect(initBackend('gpu' as never)).rejects.toThrow(/Expected backend to be one of auto, node, wasm, cpu, but got "gpu"/);
    const node = await initBackend('node').then(
      (info) => info.backend,
      (error: Error) => error,
    );
    if (node instanceof Error) expect(node).toBeInstanceOf(ConfigError);
    else expect(node).toBe('tensorflow');
    await initBackend('wasm');
  });
});

describe('initializers', () => {
  it('orthogonal gives orthonormal columns (tall) or rows (wide) scaled by gain', () => {
    for (const [fanIn, fanOut] of [[8, 3], [3, 8], [5, 5]]) {
      const w = orthogonal(fanIn, fanOut, 2, new Rng(1));
      const small = Math.min(fanIn, fanOut);
      for (let a = 0; a < small; a++) {
        for (let b = 0; b < small; b++) {
          let dot = 0;
          if (fanIn >= fanOut) for (let i = 0; i < fanIn; i++) dot += w[i * fanOut + a] * w[i * fanOut + b];
          else for (let o = 0; o < fanOut; o++) dot += w[a * fanOut + o] * w[b * fanOut + o];
          expect(dot).toBeCloseTo(a === b ? 4 : 0, 4);
        }
      }
    }
  });

  it('is a function of the seed only', () => {
    expect(orthogonal(4, 6, 1, new Rng(3))).toEqual(orthogonal(4, 6, 1, new Rng(3)));
    expect(orthogonal(4, 6, 1, new Rng(3))).not.toEqual(orthogonal(4, 6, 1, new Rng(4)));
    const g = glorotUniform(10, 20, 1, new Rng(0));
    const limit = Math.sqrt(6 / 30);
    expect(Math.max(...g)).toBeLessThanOrEqual(limit);
    expect(Math.min(...g)).toBeGreaterThanOrEqual(-limit);
  });
});

describe('Mlp and ParamSet', () => {
  it('builds seeded weights and a custom dense gradient equal to the built-in one', () => {
    const params = new ParamSet();
    const mlp = new Mlp({ name: 'm', inputDim: 3, hiddenSizes: [5], outputDim: 2, activation: 'tanh', init: 'orthogonal', hiddenGain: Math.SQRT2, outputGain: 1 }, params, new Rng(0));
    params.build();
    expect(params.size).toBe(3 * 5 + 5 + 5 * 2 + 2);
    const x = tf.tensor2d([[0.1, -0.2, 0.3], [1, 2, -1]]);
    const grad = (impl: 'custom' | 'builtin') => {
      setDenseImpl(impl);
      const { value, grads } = tf.valueAndGrads((...views: tf.Tensor[]) => tf.sum(tf.square(mlp.apply(x, params, views))) as tf.Scalar)(params.views);
      const out = { value: value.dataSync()[0], grad: params.readGradient(grads) };
      tf.dispose([value, ...grads]);
      return out;
    };
    const custom = grad('custom');
    const builtin = grad('builtin');
    setDenseImpl('custom');
    expect(custom.value).toBeCloseTo(builtin.value, 5);
    custom.grad.forEach((g, i) => expect(g).toBeCloseTo(builtin.grad[i], 5));
    x.dispose();
    params.dispose();
  });

  it('applies with the weights of whichever ParamSet it is given (target networks)', () => {
    for (const activation of ['tanh', 'relu'] as const) {
      const options = { name: 'q', inputDim: 3, hiddenSizes: [6], outputDim: 2, activation, init: 'glorot' as const, hiddenGain: 1, outputGain: 1 };
      const online = new ParamSet();
      const target = new ParamSet();
      const q = new Mlp(options, online, new Rng(1));
      const other = new Mlp(options, target, new Rng(2));
      online.build();
      target.build();
      const x = tf.tensor2d([[0.5, -1, 2]]);
      const viaQ = tf.tidy(() => Array.from(q.apply(x, target).dataSync()));
      const viaOther = tf.tidy(() => Array.from(other.apply(x).dataSync()));
      const viaOnline = tf.tidy(() => Array.from(q.apply(x).dataSync()));
      expect(viaQ).toEqual(viaOther);
      expect(viaQ).not.toEqual(viaOnline);
      target.copyFrom(online);
      expect(tf.tidy(() => Array.from(q.apply(x, target).dataSync()))).toEqual(viaOnline);
      x.dispose();
      online.dispose();
      target.dispose();
    }
  });

  it('rejects non-positive layer sizes', () => {
    expect(() => new Mlp({ name: 'm', inputDim: 3, hiddenSizes: [0], outputDim: 2, activation: 'tanh', init: 'glorot', hiddenGain: 1, outputGain: 1 }, new ParamSet(), new Rng(0))).toThrow(
      /Expected hiddenSizes entry to be a positive integer, but got 0/,
    );
  });
});

describe('optimizers', () => {
  function paramsOf(values: number[]): ParamSet {
    const p = new ParamSet();
    p.add('w', [values.length], Float32Array.from(values));
    return p.build();
  }

  it('Adam follows torch.optim.Adam (first step moves each weight by lr * sign(g))', () => {
    const p = paramsOf([1, -1, 0.5]);
    const adam = new FlatAdam(p, { eps: 1e-8 });
    adam.step(Float32Array.from([0.3, -2, 0]), 0.1);
    expect(Array.from(p.read())).toEqual([expect.closeTo(0.9, 6), expect.closeTo(-0.9, 6), expect.closeTo(0.5, 6)]);
    // Second step, hand-computed with beta1 0.9, beta2 0.999.
    adam.step(Float32Array.from([0.1, 0, 0]), 0.1);
    const m = 0.9 * 0.03 + 0.1 * 0.1;
    const v = 0.999 * 0.3 ** 2 * 0.001 + 0.001 * 0.01;
    const expected = 0.9 - (0.1 / (1 - 0.81)) * m / (Math.sqrt(v) / Math.sqrt(1 - 0.999 ** 2) + 1e-8);
    expect(p.read()[0]).toBeCloseTo(expected, 5);
    p.dispose();
  });

  it('clips by global norm and round-trips its state', () => {
    expect(clipCoefficient(Float32Array.from([3, 4]), 1)).toBeCloseTo(0.2, 6);
    expect(clipCoefficient(Float32Array.from([0.3, 0.4]), 1)).toBe(1);
    const p = paramsOf([0, 0]);
    const rms = new FlatRmsProp(p, { alpha: 0.99, eps: 1e-5, maxGradNorm: 0.5 });
    rms.step(Float32Array.from([3, 4]), 0.01);
    const q = paramsOf(Array.from(p.read()));
    const copy = new FlatRmsProp(q, { alpha: 0.99, eps: 1e-5, maxGradNorm: 0.5 });
    copy.setState(rms.getState());
    rms.step(Float32Array.from([1, -1]), 0.01);
    copy.step(Float32Array.from([1, -1]), 0.01);
    expect(q.read()).toEqual(p.read());
    expect(() => copy.setState({ kind: 'adam', t: 1, slots: [] })).toThrow(/Expected rmsprop optimizer state with 1 slots, but got adam with 0/);
    p.dispose();
    q.dispose();
  });
});

describe('MaskedCategorical', () => {
  const logits = Float32Array.from([0.5, -1, 2, 0, /* row 1 */ 1, 1, 1, 1]);

  it('samples with the Rng in proportion to softmax, never a masked action', () => {
    const rng = new Rng(5);
    const counts = [0, 0, 0, 0];
    const probs = MaskedCategorical.probs(logits, 0, 4);
    for (let k = 0; k < 20000; k++) counts[MaskedCategorical.sample(logits, 0, 4, rng).action]++;
    counts.forEach((c, i) => expect(c / 20000).toBeCloseTo(probs[i], 1));
    const mask = Uint8Array.from([1, 1, 0, 1, 0, 1, 0, 0]);
    for (let k = 0; k < 2000; k++) {
      expect(MaskedCategorical.sample(logits, 0, 4, rng, mask).action).not.toBe(2);
      expect(MaskedCategorical.sample(logits, 1, 4, rng, mask).action).toBe(1);
    }
    expect(MaskedCategorical.sample(logits, 0, 4, rng, mask, true).action).toBe(0);
    expect(MaskedCategorical.sample(logits, 0, 4, rng, undefined, true).action).toBe(2);
  });

  it('JS log-probs agree with the tensor log-probs and entropy', () => {
    const mask = Uint8Array.from([1, 1, 0, 1, 1, 1, 1, 1]);
    const t = tf.tidy(() => {
      const lp = MaskedCategorical.logProbs(tf.tensor2d(logits, [2, 4]), tf.tensor2d(MaskedCategorical.maskBias(mask, 2, 4), [2, 4]));
      const taken = MaskedCategorical.logProb(lp, tf.tensor2d([1, 0, 0, 0, 0, 0, 1, 0], [2, 4]));
      return tf.concat([taken, MaskedCategorical.entropy(lp)]);
    });
    const [lp0, lp1, h0, h1] = t.dataSync();
    t.dispose();
    const p0 = MaskedCategorical.probs(logits, 0, 4, mask);
    expect(p0[2]).toBe(0);
    expect(lp0).toBeCloseTo(Math.log(p0[0]), 5);
    expect(lp1).toBeCloseTo(Math.log(0.25), 5);
    expect(h0).toBeCloseTo(-[0, 1, 3].reduce((s, i) => s + p0[i] * Math.log(p0[i]), 0), 5);
    expect(h1).toBeCloseTo(Math.log(4), 5);
    expect(MASKED_LOGIT).toBeLessThan(-1e8);
  });
});

describe('DiagGaussian', () => {
  it('log-prob and entropy match the closed form', () => {
    const rng = new Rng(2);
    const out = new Float32Array(2);
    const mean = Float32Array.from([0.5, -1]);
    const logStd = Float32Array.from([0, Math.log(2)]);
    const lpJs = DiagGaussian.sample(mean, logStd, 0, 2, rng, out);
    const lpT = tf.tidy(() => DiagGaussian.logProb(tf.tensor2d(mean, [1, 2]), tf.tensor1d(logStd), tf.tensor2d(out, [1, 2])).dataSync()[0]);
    expect(lpT).toBeCloseTo(lpJs, 4);
    const h = tf.tidy(() => DiagGaussian.entropy(tf.tensor1d(logStd)).dataSync()[0]);
    expect(h).toBeCloseTo(Math.log(2) + 2 * (0.5 + 0.5 * Math.log(2 * Math.PI)), 5);
  });
});

describe('folder IO', () => {
  it('round-trips a LayersModel in the standard layout (model.json + weights.bin)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'loopgym-io-'));
    const params = new ParamSet();
    const mlp = new Mlp({ name: 'pi', inputDim: 4, hiddenSizes: [8], outputDim: 2, activation: 'tanh', init: 'orthogonal', hiddenGain: 1, outputGain: 1 }, params, new Rng(0));
    params.build();
    const model = mlp.toLayersModel(params);
    await model.save(folderHandler(dir));
    expect(existsSync(path.join(dir, 'model.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'weights.bin'))).toBe(true);
    const loaded = await tf.loadLayersModel(folderHandler(dir));
    const x = tf.tensor2d([[0.1, 0.2, 0.3, 0.4]]);
    const a = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
    const b = tf.tidy(() => (loaded.predict(x) as tf.Tensor).dataSync());
    const c = tf.tidy(() => mlp.apply(x).dataSync());
    expect(Array.from(b)).toEqual(Array.from(a));
    Array.from(c).forEach((v, i) => expect(v).toBeCloseTo(a[i], 6));
    tf.dispose([x]);
    model.dispose();
    loaded.dispose();
    params.dispose();
  });

  it('round-trips bare weights and reports missing folders', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'loopgym-io-'));
    const before = tf.memory().numTensors;
    await saveWeights(dir, [{ name: 'a', shape: [2, 2], values: Float32Array.from([1, 2, 3, 4]) }, { name: 'b', shape: [1], values: Float32Array.from([5]) }]);
    const back = await loadWeights(dir);
    expect(back.map((w) => [w.name, w.shape, Array.from(w.values)])).toEqual([['a', [2, 2], [1, 2, 3, 4]], ['b', [1], [5]]]);
    expect(tf.memory().numTensors).toBe(before);
    await expect(loadWeights(path.join(dir, 'nope'))).rejects.toThrow(/Expected a readable tfjs model.json at .*nope/);
  });
});
