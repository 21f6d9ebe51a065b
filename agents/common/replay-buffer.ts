/**
 * Off-policy storage: a ring of preallocated typed arrays. A transition stores the next observation
 * explicitly (with next-step autoreset the final observation of an episode is the one returned by the
 * ending step) and `terminated` only: a truncated transition bootstraps from its next observation.
 */
import type { Rng } from '../../src/core/rng.js';

export interface ReplayBatch {
  obs: Float32Array;
  nextObs: Float32Array;
  actions: Int32Array;
  rewards: Float32Array;
  terminated: Float32Array;
  /** Masks of the next observation (numActions per row), when the env reports masks. */
  nextMasks: Uint8Array | null;
}

export class ReplayBuffer {
  readonly obs: Float32Array;
  readonly nextObs: Float32Array;
  readonly actions: Int32Array;
  readonly rewards: Float32Array;
  readonly terminated: Uint8Array;
  nextMasks: Uint8Array | null = null;
  pos = 0;
  size = 0;
  private batch: ReplayBatch | null = null;

  constructor(readonly capacity: number, readonly obsDim: number, readonly numActions: number) {
    this.obs = new Float32Array(capacity * obsDim);
    this.nextObs = new Float32Array(capacity * obsDim);
    this.actions = new Int32Array(capacity);
    this.rewards = new Float32Array(capacity);
    this.terminated = new Uint8Array(capacity);
  }

  /** Adds one transition; `obs`/`nextObs`/`nextMask` are read at the given offsets (vector-env rows). */
  add(obs: ArrayLike<number>, obsOffset: number, action: number, reward: number, nextObs: ArrayLike<number>, nextOffset: number, terminated: boolean, nextMask?: Uint8Array, maskOffset = 0): void {
    const d = this.obsDim;
    const at = this.pos * d;
    for (let k = 0; k < d; k++) {
      this.obs[at + k] = obs[obsOffset + k];
      this.nextObs[at + k] = nextObs[nextOffset + k];
    }
    this.actions[this.pos] = action;
    this.rewards[this.pos] = reward;
    this.terminated[this.pos] = terminated ? 1 : 0;
    if (nextMask) {
      this.nextMasks ??= new Uint8Array(this.capacity * this.numActions).fill(1);
      this.nextMasks.set(nextMask.subarray(maskOffset, maskOffset + this.numActions), this.pos * this.numActions);
    }
    this.pos = (this.pos + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /** The stored arrays as one byte buffer (for save); `pos` and `size` travel separately. */
  toBytes(): Buffer {
    const parts = [this.obs, this.nextObs, this.actions, this.rewards, this.terminated, this.nextMasks ?? new Uint8Array(0)];
    return Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
  }

  /** Restores what toBytes wrote into a buffer of the same capacity and dimensions. */
  static fromBytes(bytes: Uint8Array, capacity: number, obsDim: number, numActions: number, pos: number, size: number): ReplayBuffer {
    const r = new ReplayBuffer(capacity, obsDim, numActions);
    let at = 0;
    const take = (target: Float32Array | Int32Array | Uint8Array): void => {
      new Uint8Array(target.buffer, target.byteOffset, target.byteLength).set(bytes.subarray(at, at + target.byteLength));
      at += target.byteLength;
    };
    [r.obs, r.nextObs, r.actions, r.rewards, r.terminated].forEach(take);
    if (at < bytes.byteLength) {
      r.nextMasks = new Uint8Array(capacity * numActions);
      take(r.nextMasks);
    }
    r.pos = pos;
    r.size = size;
    return r;
  }

  /** Draws `batchSize` transitions uniformly with replacement; the returned arrays are reused per call. */
  sample(batchSize: number, rng: Rng): ReplayBatch {
    const d = this.obsDim;
    const n = this.numActions;
    if (!this.batch || this.batch.actions.length !== batchSize) {
      this.batch = {
        obs: new Float32Array(batchSize * d),
        nextObs: new Float32Array(batchSize * d),
        actions: new Int32Array(batchSize),
        rewards: new Float32Array(batchSize),
        terminated: new Float32Array(batchSize),
        nextMasks: null,
      };
    }
    const b = this.batch;
    if (this.nextMasks && !b.nextMasks) b.nextMasks = new Uint8Array(batchSize * n);
    for (let j = 0; j < batchSize; j++) {
      const i = rng.integer(0, this.size);
      b.obs.set(this.obs.subarray(i * d, i * d + d), j * d);
      b.nextObs.set(this.nextObs.subarray(i * d, i * d + d), j * d);
      b.actions[j] = this.actions[i];
      b.rewards[j] = this.rewards[i];
      b.terminated[j] = this.terminated[i];
      if (this.nextMasks && b.nextMasks) b.nextMasks.set(this.nextMasks.subarray(i * n, i * n + n), j * n);
    }
    return b;
  }
}
