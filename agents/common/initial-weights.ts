/**
 * The initial weights of the policy and value MLPs, drawn once for every engine: the same draws as two
 * separate MLPs seeded with rng.fork('pi') and rng.fork('vf'), layer by layer (kernel, then bias). With
 * `orthogonal` init (SB3's ortho_init) hidden kernels get gain sqrt(2), the policy head 0.01 and the value
 * head 1; other inits use gain 1.
 */
import type { Rng } from '../../src/core/rng.js';
import { initBias, initKernel } from '../../src/nn/init.js';
import type { ActorCriticOptions } from './policy-value-net.js';

export interface InitialLayer {
  /** [inDim, outDim], row-major. */
  kernel: Float32Array;
  bias: Float32Array;
  inDim: number;
  outDim: number;
}

export function initialWeights(options: ActorCriticOptions, rng: Rng): { pi: InitialLayer[]; vf: InitialLayer[] } {
  const { obsDim, numActions, piHidden, vfHidden, init } = options;
  const ortho = init === 'orthogonal';
  const hiddenGain = ortho ? Math.SQRT2 : 1;
  const piRng = rng.fork('pi');
  const vfRng = rng.fork('vf');
  const draw = (sizes: number[], outputGain: number, r: Rng): InitialLayer[] =>
    sizes.slice(0, -1).map((inDim, i) => {
      const outDim = sizes[i + 1];
      const kernel = initKernel(init, inDim, outDim, i === sizes.length - 2 ? outputGain : hiddenGain, r);
      return { kernel, bias: initBias(init, inDim, outDim, r), inDim, outDim };
    });
  return { pi: draw([obsDim, ...piHidden, numActions], ortho ? 0.01 : 1, piRng), vf: draw([obsDim, ...vfHidden, 1], 1, vfRng) };
}
