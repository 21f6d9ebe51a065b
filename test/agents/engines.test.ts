/**
 * The wasm-simd engine against the tfjs engine (the reference): the same initial weights from the same
 * stream, and one update on the same minibatch within 1e-5, for the actor-critic nets (PPO's loss, Adam;
 * A2C's RMSprop) and DQN's Q net; and the wasm engine's bits the same under V8's two WebAssembly tiers.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { Rng } from '../../src/core/rng.js';
import { initBackend } from '../../src/nn/backend.js';
import { createPolicyValueNet, createQNet } from '../../agents/common/engines.js';
import { actorCriticLoss, type MinibatchInputs } from '../../agents/common/on-policy.js';
import type { OptimizerSpec } from '../../src/nn/optim.js';
import type { ActorCriticOptions } from '../../agents/common/policy-value-net.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const flatSubnets = (net: { subnet(w: 'pi' | 'vf'): Array<{ kernel: Float32Array; bias: Float32Array }> }) =>
  (['pi', 'vf'] as const).flatMap((w) => net.subnet(w).flatMap((l) => [...l.kernel, ...l.bias]));

function minibatch(rows: number, obsDim: number, nA: number, rng: Rng): MinibatchInputs {
  return {
    obs: Float32Array.from({ length: rows * obsDim }, () => rng.normal()),
    actions: Int32Array.from({ length: rows }, () => rng.integer(0, nA)),
    masks: null,
    logProbs: Float32Array.from({ length: rows }, () => -Math.log(nA) + 0.1 * rng.normal()),
    advantages: Float32Array.from({ length: rows }, () => rng.normal()),
    returns: Float32Array.from({ length: rows }, () => rng.normal()),
    values: Float32Array.from({ length: rows }, () => rng.normal()),
  };
}

describe('actor-critic engines', () => {
  const cases: Array<[string, ActorCriticOptions, OptimizerSpec]> = [
    ['PPO zoo (tanh, Adam, clip)', { obsDim: 4, numActions: 2, piHidden: [64, 64], vfHidden: [64, 64], activation: 'tanh', init: 'orthogonal' }, { kind: 'adam', eps: 1e-5, maxGradNorm: 0.5 }],
    ['unequal depths (relu, RMSprop)', { obsDim: 6, numActions: 5, piHidden: [32], vfHidden: [16, 8], activation: 'relu', init: 'orthogonal' }, { kind: 'rmsprop', alpha: 0.99, eps: 1e-5, maxGradNorm: 0.5 }],
  ];
  it.each(cases)('%s: same initial weights, and one update within 1e-5', (_name, options, optimizer) => {
    const tfjs = createPolicyValueNet('tfjs', options, optimizer, new Rng(11));
    const wasm = createPolicyValueNet('wasm-simd', options, optimizer, new Rng(11));
    expect(flatSubnets(wasm)).toEqual(flatSubnets(tfjs));
    const rows = 256;
    const mb = minibatch(rows, options.obsDim, options.numActions, new Rng(12));
    const lossOptions = { numActions: options.numActions, clipRange: 0.2, clipRangeVf: null, vfCoef: 0.5, entCoef: 0.01, normalizeAdvantage: false };
    for (const net of [tfjs, wasm]) {
      const stats = { pgLoss: 0, vLoss: 0, entropy: 0, approxKl: 0, clipFraction: 0 };
      net.gradient(mb.obs, rows, (out, g) => actorCriticLoss(out, g, mb, lossOptions, stats));
      net.step(1e-3);
    }
    expect(maxAbsDiff(flatSubnets(wasm), flatSubnets(tfjs))).toBeLessThan(1e-5);
    const [lt, lw] = [new Float32Array(rows * options.numActions), new Float32Array(rows * options.numActions)];
    tfjs.forward(mb.obs, rows, lt, new Float32Array(rows));
    wasm.forward(mb.obs, rows, lw, new Float32Array(rows));
    expect(maxAbsDiff(lw, lt)).toBeLessThan(1e-5);
    expect(wasm.optimizer.stepCount).toBe(1);
    tfjs.dispose();
    wasm.dispose();
  });

  it('a minibatch larger than the arena grows it and keeps weights and optimizer state', () => {
    const options: ActorCriticOptions = { obsDim: 3, numActions: 2, piHidden: [8], vfHidden: [8], activation: 'tanh', init: 'orthogonal' };
    const net = createPolicyValueNet('wasm-simd', options, { kind: 'adam', eps: 1e-8, maxGradNorm: null }, new Rng(1));
    const rows = 1000;
    const mb = minibatch(rows, 3, 2, new Rng(2));
    const lossOptions = { numActions: 2, clipRange: null, clipRangeVf: null, vfCoef: 0.5, entCoef: 0, normalizeAdvantage: false };
    const stats = { pgLoss: 0, vLoss: 0, entropy: 0, approxKl: 0, clipFraction: 0 };
    net.gradient(mb.obs.subarray(0, 30), 10, (out, g) => actorCriticLoss(out, g, { ...mb, actions: mb.actions.subarray(0, 10), logProbs: mb.logProbs.subarray(0, 10), advantages: mb.advantages!.subarray(0, 10), returns: mb.returns.subarray(0, 10), values: mb.values.subarray(0, 10) }, lossOptions, stats));
    net.step(1e-3);
    const before = net.getWeights();
    const state = net.optimizer.getState();
    net.gradient(mb.obs, rows, (out, g) => actorCriticLoss(out, g, mb, lossOptions, stats));
    expect(net.getWeights()).toEqual(before);
    expect(net.optimizer.getState()).toEqual(state);
    net.step(1e-3);
    expect(net.optimizer.stepCount).toBe(2);
    net.dispose();
  });
});

describe('Q-net engines', () => {
  it('DQN zoo net (relu [256, 256]): same initial weights, one Huber step within 1e-5, target unchanged until synced', () => {
    const options = { obsDim: 4, numActions: 2, hidden: [256, 256], activation: 'relu' as const, init: 'torch' as const, maxGradNorm: 10 };
    const tfjs = createQNet('tfjs', options, new Rng(5));
    const wasm = createQNet('wasm-simd', options, new Rng(5));
    expect(Array.from(wasm.getWeights('online'))).toEqual(Array.from(tfjs.getWeights('online')));
    const rng = new Rng(6);
    const B = 64;
    const obs = Float32Array.from({ length: B * 4 }, () => rng.normal());
    const actions = Int32Array.from({ length: B }, () => rng.integer(0, 2));
    const y = Float64Array.from({ length: B }, () => rng.normal());
    for (const net of [tfjs, wasm]) {
      net.gradient(obs, B, (out, dq) => {
        let total = 0;
        for (let j = 0; j < B; j++) {
          const err = out[j * 2 + actions[j]] - y[j];
          total += Math.abs(err) < 1 ? 0.5 * err * err : Math.abs(err) - 0.5;
          dq[j * 2 + actions[j]] = (Math.abs(err) < 1 ? err : Math.sign(err)) / B;
        }
        return total / B;
      });
      net.step(2.3e-3);
    }
    expect(maxAbsDiff(wasm.getWeights('online'), tfjs.getWeights('online'))).toBeLessThan(1e-5);
    expect(maxAbsDiff(wasm.qValues('online', obs, B), tfjs.qValues('online', obs, B))).toBeLessThan(1e-5);
    expect(Array.from(wasm.getWeights('target'))).toEqual(Array.from(tfjs.getWeights('target')));
    wasm.syncTarget();
    expect(wasm.getWeights('target')).toEqual(wasm.getWeights('online'));
    // A forward pass over more rows than the arena holds runs in chunks, with the same values.
    const many = Float32Array.from({ length: 600 * 4 }, () => rng.normal());
    const whole = wasm.qValues('target', many, 600);
    expect(whole.subarray(300 * 2, 301 * 2)).toEqual(wasm.qValues('target', many.subarray(300 * 4), 1));
    tfjs.dispose();
    wasm.dispose();
  });
});

describe('wasm-simd engine bits', () => {
  it('are the same under V8 Liftoff only, TurboFan only and the default tiering', () => {
    // 20 PPO-sized Adam steps on the built module (dist/, as npm test builds first); prints a hash of the weights.
    const script = `
      const { WasmMlp } = await import('./dist/src/nn/wasm-mlp.js');
      const { createHash } = await import('node:crypto');
      const net = new WasmMlp({ inputDim: 4, hiddenSizes: [64, 64], outputDim: 3, activation: 'tanh', maxRows: 256, optimizerSlots: 2 });
      const w = net.getWeights();
      let s = 1;
      const next = () => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5;
      for (let i = 0; i < w.length; i++) w[i] = next() * 0.3;
      net.setWeights(w);
      for (let t = 1; t <= 20; t++) {
        const x = net.input(256);
        for (let i = 0; i < x.length; i++) x[i] = next() * 4;
        const out = net.forward(256);
        const g = net.outputGradient(256);
        for (let i = 0; i < g.length; i++) g[i] = out[i] / 256 - next() * 0.01;
        net.backward(256);
        net.adamStep(1e-3, 0.9, 0.999, 1e-5, t, Math.min(1, 0.5 / Math.sqrt(net.gradientSumSquares())));
      }
      console.log(createHash('sha256').update(new Uint8Array(net.getWeights().buffer)).digest('hex'));
    `;
    const run = (flags: string[]) => execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8' }).trim();
    const hashes = [run([]), run(['--liftoff-only']), run(['--no-liftoff'])];
    expect(hashes[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(hashes).size).toBe(1);
  });
});
