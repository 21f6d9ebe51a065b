/**
 * CartPole-v1: Gymnasium's classic cart-pole (Barto, Sutton & Anderson, 1983), with the same constants,
 * the same float64 Euler integration in the same operation order, and float32 observations, so that a
 * trajectory recorded in Gymnasium replays from its initial state (`options.initialState`) with the same
 * float32 observations. The one ingredient not shared is sin/cos: V8's (fdlibm) and glibc's (what
 * CPython uses on Linux) differ in the last bit for ~1.5% of angles, and in an unstable system such a bit
 * can grow. Checked against 3000 episodes computed in CPython: all 1500 random-action episodes and 1493 of
 * 1500 500-step balancing episodes matched on every observation. (Gymnasium itself differs between Linux
 * and macOS for the same reason.) Initial states come from loopgym's `Rng`, not numpy's, so seeds do not
 * carry across libraries.
 *
 * A pole is attached by an un-actuated joint to a cart moving on a frictionless track; the agent pushes the
 * cart left or right with a fixed force and must keep the pole upright.
 *
 * ## Actions: Discrete(2)
 * | Action | Meaning                          |
 * |--------|----------------------------------|
 * | 0      | push the cart left  (force -10 N) |
 * | 1      | push the cart right (force +10 N) |
 *
 * ## Observation: Box(4), float32
 * | Index | Meaning                       | Low         | High       |
 * |-------|-------------------------------|-------------|------------|
 * | 0     | cart position (m)             | -4.8        | 4.8        |
 * | 1     | cart velocity (m/s)           | -f32 max    | f32 max    |
 * | 2     | pole angle (rad, 0 = upright) | -0.41887903 | 0.41887903 |
 * | 3     | pole angular velocity (rad/s) | -f32 max    | f32 max    |
 * The bounds are twice the termination thresholds, so the terminating observation still lies in the space.
 *
 * ## Reward
 * +1 for every step, including the one that terminates. A step taken after termination (without reset)
 * returns 0 and warns once, as in Gymnasium; `make` wraps the env in OrderEnforcing, which refuses it.
 *
 * ## Start
 * All four state variables uniform in [-0.05, 0.05) from the env's Rng (drawn in the order x, xDot,
 * theta, thetaDot). Reset options: `{initialState: [x, xDot, theta, thetaDot]}` starts from that exact
 * float64 state (no draw); `{low, high}` changes the uniform bounds, as Gymnasium's `options`.
 *
 * ## Episode end
 * Terminated when |x| > 2.4 or |theta| > 12 degrees (0.2094 rad). Truncated after 500 steps by the
 * TimeLimit wrapper that `make('CartPole-v1')` adds (`rewardThreshold` 475).
 *
 * ## Vectorized
 * `CartPoleVectorEnv` (what `makeVec('CartPole-v1', {numEnvs})` builds) steps all members in one loop over
 * structure-of-arrays state; member i follows exactly the trajectory of a single CartPole-v1 seeded
 * `seed + i` given the same actions, across autoresets.
 *
 * ## Version history
 * - v1: Gymnasium CartPole-v1 dynamics, step limit 500, reward threshold 475.
 */
import { BaseEnv, DEFAULT_SEED, type EnvMetadata, type EnvSpec, type Info, type ResetArgs, type ResetResult, type StepResult } from '../src/core/env.js';
import { z } from 'zod';
import { resolveConfig } from '../src/core/config-schema.js';
import { ConfigError, InvalidActionError, ResetNeededError, describeValue } from '../src/core/errors.js';
import { spec, type VectorEnvFactory } from '../src/core/registry.js';
import { Rng } from '../src/core/rng.js';
import { Box, Discrete } from '../src/core/spaces.js';
import type { EpisodeRecord, VectorActions, VectorEnv, VectorResetResult, VectorStepResult } from '../src/core/vector.js';

// Gymnasium's constants, computed with the same expressions so every derived double is the same bits.
const GRAVITY = 9.8;
const MASS_CART = 1.0;
const MASS_POLE = 0.1;
const TOTAL_MASS = MASS_POLE + MASS_CART;
const LENGTH = 0.5; // half the pole's length
const POLEMASS_LENGTH = MASS_POLE * LENGTH;
const FORCE_MAG = 10.0;
const TAU = 0.02;
export const CARTPOLE_THETA_THRESHOLD = (12 * 2 * Math.PI) / 360;
export const CARTPOLE_X_THRESHOLD = 2.4;
const FLOAT32_MAX = 3.4028234663852886e38;
const DEFAULT_LOW = -0.05;
const DEFAULT_HIGH = 0.05;

function cartPoleObservationSpace(): Box {
  const high = [CARTPOLE_X_THRESHOLD * 2, FLOAT32_MAX, CARTPOLE_THETA_THRESHOLD * 2, FLOAT32_MAX];
  return new Box(
    high.map((h) => -h),
    high,
  );
}

/** CartPole-v1 takes no kwargs (Gymnasium's physics constants are fixed by the version). */
export const CartPoleKwargsSchema = z.strictObject({});

/** Uniform reset bounds from Gymnasium-style `{low, high}` options (defaults -0.05 and 0.05). */
function parseResetBounds(options: Record<string, unknown> | undefined): { low: number; high: number } {
  const low = options?.low ?? DEFAULT_LOW;
  const high = options?.high ?? DEFAULT_HIGH;
  if (typeof low !== 'number' || !Number.isFinite(low)) throw new ConfigError(`Expected options.low to be a finite number, but got ${describeValue(low)}.`);
  if (typeof high !== 'number' || !Number.isFinite(high)) throw new ConfigError(`Expected options.high to be a finite number, but got ${describeValue(high)}.`);
  if (low > high) throw new ConfigError(`Expected options.low <= options.high, but got low=${low}, high=${high}.`);
  return { low, high };
}

function parseInitialState(value: unknown): [number, number, number, number] {
  const ok =
    (Array.isArray(value) || value instanceof Float64Array || value instanceof Float32Array) &&
    value.length === 4 &&
    Array.prototype.every.call(value, (v: unknown) => typeof v === 'number' && Number.isFinite(v));
  if (!ok) {
    throw new ConfigError(`Expected options.initialState to be 4 finite numbers [x, xDot, theta, thetaDot], but got ${describeValue(value)}.`);
  }
  const s = value as ArrayLike<number>;
  return [s[0], s[1], s[2], s[3]];
}

function invalidAction(action: unknown): InvalidActionError {
  return new InvalidActionError(`Expected a CartPole action in Discrete(2) (0 = push left, 1 = push right), but got ${describeValue(action)}.`);
}

export class CartPoleEnv extends BaseEnv<Float32Array, number> {
  readonly observationSpace = cartPoleObservationSpace();
  readonly actionSpace = new Discrete(2);
  override readonly metadata: EnvMetadata = { renderModes: ['ansi'], renderFps: 50 };

  // The float64 state; the observation is its float32 cast.
  private x = 0;
  private xDot = 0;
  private theta = 0;
  private thetaDot = 0;
  private hasState = false;
  /** null while the episode runs; then the number of steps taken after termination (Gymnasium's counter). */
  private stepsBeyondTerminated: number | null = null;

  constructor(kwargs: Record<string, unknown> = {}) {
    super();
    resolveConfig(CartPoleKwargsSchema, kwargs, 'CartPole-v1');
  }

  /** The float64 state [x, xDot, theta, thetaDot]. */
  get state(): [number, number, number, number] {
    return [this.x, this.xDot, this.theta, this.thetaDot];
  }

  reset(args: ResetArgs = {}): ResetResult<Float32Array> {
    this.reseed(args.seed);
    const options = args.options;
    if (options?.initialState !== undefined) {
      if (options.low !== undefined || options.high !== undefined) {
        throw new ConfigError('Expected either options.initialState or options.low/high, but got both.');
      }
      [this.x, this.xDot, this.theta, this.thetaDot] = parseInitialState(options.initialState);
    } else {
      const { low, high } = parseResetBounds(options);
      this.x = this.rng.uniform(low, high);
      this.xDot = this.rng.uniform(low, high);
      this.theta = this.rng.uniform(low, high);
      this.thetaDot = this.rng.uniform(low, high);
    }
    this.hasState = true;
    this.stepsBeyondTerminated = null;
    return { obs: this.observation(), info: {} };
  }

  step(action: number): StepResult<Float32Array> {
    if (action !== 0 && action !== 1) throw invalidAction(action);
    if (!this.hasState) throw new ResetNeededError('Expected reset() before the first step(), but step() was called first.');
    const force = action === 1 ? FORCE_MAG : -FORCE_MAG;
    const x = this.x;
    const xDot = this.xDot;
    const theta = this.theta;
    const thetaDot = this.thetaDot;
    const cosTheta = Math.cos(theta);
    const sinTheta = Math.sin(theta);
    // Same expressions and association as Gymnasium (https://coneural.org/florian/papers/05_cart_pole.pdf).
    const temp = (force + POLEMASS_LENGTH * (thetaDot * thetaDot) * sinTheta) / TOTAL_MASS;
    const thetaAcc = (GRAVITY * sinTheta - cosTheta * temp) / (LENGTH * (4.0 / 3.0 - (MASS_POLE * (cosTheta * cosTheta)) / TOTAL_MASS));
    const xAcc = temp - (POLEMASS_LENGTH * thetaAcc * cosTheta) / TOTAL_MASS;
    const nextX = x + TAU * xDot;
    const nextTheta = theta + TAU * thetaDot;
    this.x = nextX;
    this.xDot = xDot + TAU * xAcc;
    this.theta = nextTheta;
    this.thetaDot = thetaDot + TAU * thetaAcc;

    const terminated =
      nextX < -CARTPOLE_X_THRESHOLD || nextX > CARTPOLE_X_THRESHOLD || nextTheta < -CARTPOLE_THETA_THRESHOLD || nextTheta > CARTPOLE_THETA_THRESHOLD;
    let reward = 1.0;
    if (terminated) {
      if (this.stepsBeyondTerminated === null) this.stepsBeyondTerminated = 0;
      else reward = this.stepBeyondTermination();
    }
    return { obs: this.observation(), reward, terminated, truncated: false, info: {} };
  }

  /** Kept out of `step` so the hot path stays small; Gymnasium warns once and pays 0. */
  private stepBeyondTermination(): number {
    if (this.stepsBeyondTerminated === 0) {
      process.emitWarning(
        "CartPole-v1: step() was called after the episode terminated; call reset() once terminated is true. Further steps are undefined behaviour and pay reward 0.",
        { code: 'LOOPGYM_STEP_AFTER_TERMINATED' },
      );
    }
    this.stepsBeyondTerminated = (this.stepsBeyondTerminated ?? 0) + 1;
    return 0.0;
  }

  private observation(): Float32Array {
    const obs = new Float32Array(4);
    obs[0] = this.x;
    obs[1] = this.xDot;
    obs[2] = this.theta;
    obs[3] = this.thetaDot;
    return obs;
  }

  /** One line: the track (cart `C`, pole leaning `/`, `|` or `\`) and the state. */
  render(): string {
    if (!this.hasState) return 'CartPole-v1 (not reset)';
    const width = 25;
    const position = Math.round(((Math.max(-CARTPOLE_X_THRESHOLD, Math.min(CARTPOLE_X_THRESHOLD, this.x)) + CARTPOLE_X_THRESHOLD) / (2 * CARTPOLE_X_THRESHOLD)) * (width - 1));
    const pole = this.theta > 0.035 ? '/' : this.theta < -0.035 ? '\\' : '|';
    const track = Array.from({ length: width }, (_, i) => (i === position ? pole : '.')).join('');
    const f = (v: number) => (v >= 0 ? '+' : '') + v.toFixed(3);
    const degrees = ((this.theta * 180) / Math.PI).toFixed(1);
    return `[${track}] x=${f(this.x)} xDot=${f(this.xDot)} theta=${f(this.theta)} (${degrees} deg) thetaDot=${f(this.thetaDot)}`;
  }
}

export interface CartPoleVectorConfig {
  numEnvs: number;
  /** Members are truncated after this many steps (makeVec passes the registered 500); undefined = never. */
  maxEpisodeSteps?: number;
}

/**
 * CartPole-v1 vectorized natively: one Float64Array per state variable, stepped in one loop, writing into
 * buffers it owns (views valid until the next step or reset). Next-step autoreset as `VectorEnv` documents.
 * Each member has its own Rng, seeded `seed + i`, so member i reproduces a single CartPole-v1 seeded
 * `seed + i` (with TimeLimit at the same step limit) given the same actions. Nothing is allocated per step
 * except the `episodes` list on steps where an episode ends.
 */
export class CartPoleVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace = cartPoleObservationSpace();
  readonly singleActionSpace = new Discrete(2);
  readonly obsDim = 4;
  readonly maxEpisodeSteps: number | undefined;
  spec?: EnvSpec;

  private readonly x: Float64Array;
  private readonly xDot: Float64Array;
  private readonly theta: Float64Array;
  private readonly thetaDot: Float64Array;
  /** cos and sin of every member's angle, computed in a pass of their own (see `step`). */
  private readonly cosTheta: Float64Array;
  private readonly sinTheta: Float64Array;
  private readonly elapsed: Int32Array;
  /** 1 where the member's episode ended on the previous step (it resets on this one). */
  private readonly ended: Uint8Array;
  private rngs: Rng[];
  private low = DEFAULT_LOW;
  private high = DEFAULT_HIGH;
  private hasReset = false;

  private readonly obs: Float32Array;
  private readonly rewards: Float32Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly autoreset: Uint8Array;
  private readonly infos: Info[];
  private readonly result: VectorStepResult;

  constructor(config: CartPoleVectorConfig) {
    const { numEnvs, maxEpisodeSteps } = config;
    if (!Number.isInteger(numEnvs) || numEnvs <= 0) throw new ConfigError(`Expected numEnvs to be a positive integer, but got ${describeValue(numEnvs)}.`);
    if (maxEpisodeSteps !== undefined && (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0)) {
      throw new ConfigError(`Expected maxEpisodeSteps to be a positive integer or undefined, but got ${describeValue(maxEpisodeSteps)}.`);
    }
    this.numEnvs = numEnvs;
    this.maxEpisodeSteps = maxEpisodeSteps;
    this.x = new Float64Array(numEnvs);
    this.xDot = new Float64Array(numEnvs);
    this.theta = new Float64Array(numEnvs);
    this.thetaDot = new Float64Array(numEnvs);
    this.cosTheta = new Float64Array(numEnvs);
    this.sinTheta = new Float64Array(numEnvs);
    this.elapsed = new Int32Array(numEnvs);
    this.ended = new Uint8Array(numEnvs);
    // A first reset without a seed behaves as reset({seed: DEFAULT_SEED}), like a single env's.
    this.rngs = Array.from({ length: numEnvs }, (_, i) => new Rng(DEFAULT_SEED + i));
    this.obs = new Float32Array(numEnvs * 4);
    this.rewards = new Float32Array(numEnvs);
    this.terminated = new Uint8Array(numEnvs);
    this.truncated = new Uint8Array(numEnvs);
    this.autoreset = new Uint8Array(numEnvs);
    this.infos = Array.from({ length: numEnvs }, () => ({}));
    this.result = {
      obs: this.obs,
      rewards: this.rewards,
      terminated: this.terminated,
      truncated: this.truncated,
      autoreset: this.autoreset,
      infos: this.infos,
      episodes: NO_EPISODES,
    };
  }

  reset(args: { seed?: number; options?: Record<string, unknown> } = {}): VectorResetResult {
    const { seed, options } = args;
    if (seed !== undefined) {
      if (!Number.isFinite(seed)) throw new ConfigError(`Expected a finite seed, but got ${describeValue(seed)}.`);
      this.rngs = Array.from({ length: this.numEnvs }, (_, i) => new Rng(seed + i));
    }
    if (options?.initialState !== undefined) {
      throw new ConfigError('Expected options.low/high for a vector CartPole reset, but got options.initialState (use a single CartPoleEnv to replay one state).');
    }
    ({ low: this.low, high: this.high } = parseResetBounds(options));
    for (let i = 0; i < this.numEnvs; i++) this.resetMember(i);
    this.ended.fill(0);
    this.hasReset = true;
    return { obs: this.obs, infos: this.infos };
  }

  private resetMember(i: number): void {
    const rng = this.rngs[i];
    const low = this.low;
    const high = this.high;
    const x = rng.uniform(low, high);
    const xDot = rng.uniform(low, high);
    const theta = rng.uniform(low, high);
    const thetaDot = rng.uniform(low, high);
    this.x[i] = x;
    this.xDot[i] = xDot;
    this.theta[i] = theta;
    this.thetaDot[i] = thetaDot;
    this.elapsed[i] = 0;
    const o = i * 4;
    this.obs[o] = x;
    this.obs[o + 1] = xDot;
    this.obs[o + 2] = theta;
    this.obs[o + 3] = thetaDot;
  }

  step(actions: VectorActions): VectorStepResult {
    if (!this.hasReset) throw new ResetNeededError('Expected reset() before the first step() of the vector env, but step() was called first.');
    const n = this.numEnvs;
    if (actions.length !== n) throw new InvalidActionError(`Expected ${n} actions (one per member), but got ${actions.length}.`);
    const xs = this.x;
    const xDots = this.xDot;
    const thetas = this.theta;
    const thetaDots = this.thetaDot;
    const elapsed = this.elapsed;
    const ended = this.ended;
    const obs = this.obs;
    const rewards = this.rewards;
    const terminatedOut = this.terminated;
    const truncatedOut = this.truncated;
    const autoresetOut = this.autoreset;
    const limit = this.maxEpisodeSteps ?? 0x7fffffff;
    // Validate before stepping anyone, so a bad action leaves every member untouched.
    for (let i = 0; i < n; i++) {
      const action = actions[i];
      if (action !== 0 && action !== 1 && ended[i] === 0) {
        throw new InvalidActionError(`Expected a CartPole action in Discrete(2) for member ${i}, but got ${describeValue(action)}.`);
      }
    }
    // The trig calls get a loop of their own: the physics loop below is then pure arithmetic, and the
    // CPU can overlap the division chains of consecutive members (measured ~15% faster).
    const cosines = this.cosTheta;
    const sines = this.sinTheta;
    for (let i = 0; i < n; i++) {
      const theta = thetas[i];
      cosines[i] = Math.cos(theta);
      sines[i] = Math.sin(theta);
    }
    let episodes = NO_EPISODES;

    for (let i = 0; i < n; i++) {
      if (ended[i] === 1) {
        this.resetMember(i);
        ended[i] = 0;
        rewards[i] = 0;
        terminatedOut[i] = 0;
        truncatedOut[i] = 0;
        autoresetOut[i] = 1;
        continue;
      }
      const force = actions[i] === 1 ? FORCE_MAG : -FORCE_MAG;
      const x = xs[i];
      const xDot = xDots[i];
      const theta = thetas[i];
      const thetaDot = thetaDots[i];
      const cosTheta = cosines[i];
      const sinTheta = sines[i];
      // Identical to CartPoleEnv.step, expression for expression.
      const temp = (force + POLEMASS_LENGTH * (thetaDot * thetaDot) * sinTheta) / TOTAL_MASS;
      const thetaAcc = (GRAVITY * sinTheta - cosTheta * temp) / (LENGTH * (4.0 / 3.0 - (MASS_POLE * (cosTheta * cosTheta)) / TOTAL_MASS));
      const xAcc = temp - (POLEMASS_LENGTH * thetaAcc * cosTheta) / TOTAL_MASS;
      const nextX = x + TAU * xDot;
      const nextXDot = xDot + TAU * xAcc;
      const nextTheta = theta + TAU * thetaDot;
      const nextThetaDot = thetaDot + TAU * thetaAcc;
      xs[i] = nextX;
      xDots[i] = nextXDot;
      thetas[i] = nextTheta;
      thetaDots[i] = nextThetaDot;
      const o = i * 4;
      obs[o] = nextX;
      obs[o + 1] = nextXDot;
      obs[o + 2] = nextTheta;
      obs[o + 3] = nextThetaDot;
      rewards[i] = 1;
      autoresetOut[i] = 0;
      const terminated =
        nextX < -CARTPOLE_X_THRESHOLD || nextX > CARTPOLE_X_THRESHOLD || nextTheta < -CARTPOLE_THETA_THRESHOLD || nextTheta > CARTPOLE_THETA_THRESHOLD;
      const length = ++elapsed[i];
      const truncated = length >= limit;
      terminatedOut[i] = terminated ? 1 : 0;
      truncatedOut[i] = truncated ? 1 : 0;
      if (terminated || truncated) {
        ended[i] = 1;
        if (episodes === NO_EPISODES) episodes = [];
        // Every step pays 1, so the return is the length.
        episodes.push({ envIndex: i, return: length, length });
      }
    }
    this.result.episodes = episodes;
    return this.result;
  }

  close(): void {}
}

/** Shared by every step on which no episode ends; frozen so a caller cannot fill it by mistake. */
const NO_EPISODES = Object.freeze([]) as unknown as EpisodeRecord[];

/** `vectorEntryPoint` of CartPole-v1: what `makeVec('CartPole-v1', {numEnvs})` calls in native mode. */
export const cartPoleVectorEntryPoint: VectorEnvFactory = (numEnvs, kwargs, maxEpisodeSteps) => {
  resolveConfig(CartPoleKwargsSchema, kwargs, 'CartPole-v1');
  const env = new CartPoleVectorEnv({ numEnvs, maxEpisodeSteps });
  env.spec = spec('CartPole-v1', { kwargs, maxEpisodeSteps: maxEpisodeSteps ?? null });
  return env;
};
