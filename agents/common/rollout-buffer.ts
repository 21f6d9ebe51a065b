/**
 * On-policy storage: preallocated typed arrays shaped (numSteps, numEnvs, ...), written at a cursor, and
 * GAE as one backward loop beside them.
 *
 * Row (t, i) holds the observation member i showed at step t, the action taken, the value and log-prob
 * the policy gave, and what the env answered. With next-step autoreset a row whose step was an autoreset
 * is not a transition: it is marked invalid (`valid = 0`) and never trained on, but its value -- the value
 * of the final observation of the episode that ended one row earlier -- is what a truncated episode
 * bootstraps from.
 */
export class RolloutBuffer {
  readonly obs: Float32Array;
  readonly actions: Float32Array;
  readonly rewards: Float32Array;
  readonly values: Float32Array;
  readonly logProbs: Float32Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  readonly valid: Uint8Array;
  /** Action masks (numActions per row), present when the env reports them. */
  masks: Uint8Array | null = null;
  readonly advantages: Float32Array;
  readonly returns: Float32Array;
  /** Row cursor: the next step index to write. */
  pos = 0;

  constructor(
    readonly numSteps: number,
    readonly numEnvs: number,
    readonly obsDim: number,
    readonly actionDim = 1,
    readonly numActions = 0,
  ) {
    const rows = numSteps * numEnvs;
    this.obs = new Float32Array(rows * obsDim);
    this.actions = new Float32Array(rows * actionDim);
    this.rewards = new Float32Array(rows);
    this.values = new Float32Array(rows);
    this.logProbs = new Float32Array(rows);
    this.terminated = new Uint8Array(rows);
    this.truncated = new Uint8Array(rows);
    this.valid = new Uint8Array(rows);
    this.advantages = new Float32Array(rows);
    this.returns = new Float32Array(rows);
  }

  get size(): number {
    return this.numSteps * this.numEnvs;
  }

  get full(): boolean {
    return this.pos >= this.numSteps;
  }

  reset(): void {
    this.pos = 0;
  }

  /** Copies the action masks of the current step (numEnvs * numActions) into the buffer. */
  storeMasks(masks: Uint8Array | undefined): void {
    if (!masks || this.numActions === 0) return;
    this.masks ??= new Uint8Array(this.size * this.numActions).fill(1);
    this.masks.set(masks.subarray(0, this.numEnvs * this.numActions), this.pos * this.numEnvs * this.numActions);
  }

  /**
   * Computes advantages and returns with GAE(lambda). `lastValues` are V(obs after the last step), per
   * member. Termination cuts bootstrapping; truncation bootstraps from the value of the final observation.
   */
  computeGae(lastValues: ArrayLike<number>, gamma: number, lambda: number): void {
    const T = this.pos;
    const N = this.numEnvs;
    for (let i = 0; i < N; i++) {
      let gae = 0;
      for (let t = T - 1; t >= 0; t--) {
        const row = t * N + i;
        if (!this.valid[row]) {
          this.advantages[row] = 0;
          this.returns[row] = 0;
          gae = 0;
          continue;
        }
        // The next row holds the next observation's value; after an ending step it is the final
        // observation (the next row is that member's autoreset row), which truncation bootstraps from.
        const nextValue = t === T - 1 ? lastValues[i] : this.values[row + N];
        const ended = this.terminated[row] || this.truncated[row];
        const delta = this.rewards[row] + (this.terminated[row] ? 0 : gamma * nextValue) - this.values[row];
        gae = delta + (ended ? 0 : gamma * lambda * gae);
        this.advantages[row] = gae;
        this.returns[row] = gae + this.values[row];
      }
    }
  }

  /** Indices of the rows that are real transitions, in row order. */
  validIndices(): Int32Array {
    const rows = this.pos * this.numEnvs;
    let count = 0;
    for (let r = 0; r < rows; r++) count += this.valid[r];
    const out = new Int32Array(count);
    let k = 0;
    for (let r = 0; r < rows; r++) if (this.valid[r]) out[k++] = r;
    return out;
  }
}
