/**
 * SB3's "identity env" for learning tests: the observation is a one-hot of a target in {0..n-1}, drawn
 * afresh every step; the reward is 1 when the action equals the target, else 0. A random policy earns
 * 1/n per step; a learned one approaches 1. Episodes are `length` steps (terminated at the end).
 *
 * With `masked: true` one wrong action per step (target+1 mod n) is forbidden through `info.actionMask`,
 * and taking it is counted in `invalidActions` (and rewarded -1), so tests can check masking is honoured.
 */
import { BaseEnv, Box, Discrete, type ResetArgs, type ResetResult, type StepResult } from '../../src/core/index.js';

export interface IdentityEnvOptions {
  n?: number;
  length?: number;
  masked?: boolean;
}

export class IdentityEnv extends BaseEnv<Float32Array, number> {
  readonly observationSpace: Box;
  readonly actionSpace: Discrete;
  readonly n: number;
  readonly length: number;
  readonly masked: boolean;
  invalidActions = 0;
  private target = 0;
  private t = 0;

  constructor(options: IdentityEnvOptions = {}) {
    super();
    this.n = options.n ?? 4;
    this.length = options.length ?? 10;
    this.masked = options.masked ?? false;
    this.observationSpace = new Box(0, 1, [this.n]);
    this.actionSpace = new Discrete(this.n);
  }

  private observe(): { obs: Float32Array; info: Record<string, unknown> } {
    const obs = new Float32Array(this.n);
    obs[this.target] = 1;
    const info: Record<string, unknown> = {};
    if (this.masked) {
      const mask = new Uint8Array(this.n).fill(1);
      mask[(this.target + 1) % this.n] = 0;
      info.actionMask = mask;
    }
    return { obs, info };
  }

  reset(args: ResetArgs = {}): ResetResult<Float32Array> {
    this.reseed(args.seed);
    this.t = 0;
    this.target = this.rng.integer(0, this.n);
    return this.observe();
  }

  step(action: number): StepResult<Float32Array> {
    let reward = action === this.target ? 1 : 0;
    if (this.masked && action === (this.target + 1) % this.n) {
      this.invalidActions++;
      reward = -1;
    }
    this.t++;
    this.target = this.rng.integer(0, this.n);
    const { obs, info } = this.observe();
    return { obs, reward, terminated: this.t >= this.length, truncated: false, info };
  }
}

/** Mean reward per step of `act` on fresh identity-env episodes (deterministic policy). */
export function identityScore(act: (obs: Float32Array, mask?: Uint8Array) => number, options: IdentityEnvOptions = {}, episodes = 20, seed = 999): number {
  const env = new IdentityEnv(options);
  let total = 0;
  let steps = 0;
  for (let e = 0; e < episodes; e++) {
    let { obs, info } = env.reset(e === 0 ? { seed } : {});
    for (;;) {
      const r = env.step(act(obs, info.actionMask as Uint8Array | undefined));
      total += r.reward;
      steps++;
      obs = r.obs;
      info = r.info;
      if (r.terminated || r.truncated) break;
    }
  }
  return total / steps;
}
