import { describe, it, expect } from 'vitest';
import { BaseEnv, Box, Discrete, EnvCheckError, checkEnv, type ResetArgs, type ResetResult, type StepResult } from '../../src/core/index.js';

type Fault = 'none' | 'obsOutside' | 'resetNondeterministic' | 'nanReward' | 'nanObs' | 'seedIgnored' | 'closeTwice' | 'badInfo' | 'stepNondeterministic';

/** A random walk on [-1, 1] with a mask forbidding action 2 until step 3, plus one optional fault. */
class WalkEnv extends BaseEnv<Float32Array, number> {
  readonly observationSpace = new Box(-1, 1, [2]);
  readonly actionSpace = new Discrete(3);
  private x = 0;
  private t = 0;
  private closed = false;
  private resets = 0;
  private calls = 0;

  constructor(private readonly fault: Fault = 'none') {
    super();
  }

  reset(args: ResetArgs = {}): ResetResult<Float32Array> {
    this.reseed(this.fault === 'seedIgnored' ? undefined : args.seed);
    this.resets++;
    this.x = this.rng.uniform(-0.5, 0.5) + (this.fault === 'resetNondeterministic' ? this.resets * 1e-3 : 0);
    this.t = 0;
    return { obs: this.obs(), info: { actionMask: Uint8Array.of(1, 1, 0) } };
  }

  step(action: number): StepResult<Float32Array> {
    if (this.t < 3 && action === 2) throw new Error('masked action taken');
    this.t++;
    this.calls++;
    this.x = Math.max(-1, Math.min(1, this.x + (action - 1) * 0.1 + this.rng.normal(0, 0.01)));
    let reward = -Math.abs(this.x);
    if (this.fault === 'nanReward' && this.t === 5) reward = Number.NaN;
    if (this.fault === 'stepNondeterministic') reward += this.calls * 1e-6;
    const obs = this.obs();
    if (this.fault === 'obsOutside' && this.t === 4) obs[0] = 3;
    if (this.fault === 'nanObs' && this.t === 2) obs[1] = Number.NaN;
    const info = this.fault === 'badInfo' ? (null as never) : { actionMask: this.t < 3 ? Uint8Array.of(1, 1, 0) : Uint8Array.of(1, 1, 1) };
    return { obs, reward, terminated: this.t >= 20, truncated: false, info };
  }

  override close(): void {
    if (this.fault === 'closeTwice' && this.closed) throw new Error('already closed');
    this.closed = true;
  }

  private obs(): Float32Array {
    return Float32Array.of(this.x, this.t / 20);
  }
}

describe('checkEnv', () => {
  it('passes a well-behaved env (and respects its action mask)', () => {
    expect(() => checkEnv(new WalkEnv())).not.toThrow();
  });

  it.each<[Fault, RegExp]>([
    ['obsOutside', /Expected the step\(\) observation to lie in \{"type":"Box".*but got Float32Array\(2\) \[3, /],
    ['resetNondeterministic', /Expected reset\(\{seed\}\) twice with the same seed to give the same observation, but they differ/],
    ['seedIgnored', /Expected reset\(\{seed\}\) twice with the same seed to give the same observation|Expected reset with seeds 123 and 124 to give different observations/],
    ['nanReward', /Expected step\(\) reward to be a finite number, but got NaN/],
    ['nanObs', /Expected the step\(\) observation to lie in|Expected finite observations/],
    ['stepNondeterministic', /Expected the same seed and actions to give the same step results, but step 0 differs/],
    ['badInfo', /Expected step\(\) info to be a plain object, but got null/],
    ['closeTwice', /Expected close\(\) to be callable twice, but the second call threw: already closed/],
  ])('fails on %s with a clear message', (fault, message) => {
    expect(() => checkEnv(new WalkEnv(fault))).toThrow(EnvCheckError);
    expect(() => checkEnv(new WalkEnv(fault))).toThrow(message);
  });
});
