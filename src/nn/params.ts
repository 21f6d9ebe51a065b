/**
 * A ParamSet keeps every trainable weight of a model (or of several models trained by one optimizer) in
 * ONE flat Float32Array in JavaScript, the master copy, and uploads per-layer tensors ("views") of it for
 * forward passes. Gradients are taken with respect to the views, concatenated and read back once per
 * optimizer step; the optimizer then updates the flat array in a plain loop.
 *
 * Why: for the small networks of RL, a tfjs optimizer costs ~10 tensor ops per weight matrix, each with a
 * fixed dispatch overhead that dwarfs its arithmetic; one read-back, a JS loop over a few thousand floats
 * and one upload per layer are several times cheaper, and the update is bit-identical on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors.js';

export interface ParamEntry {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

/**
 * Constants derived from an entry, for mlp.ts's denseLayer: `transpose` (W^T of a 2-D entry), `batched`
 * (a 2-D entry reshaped [1, rows, cols], the form the fused matMul kernel takes), `double` (2 * values;
 * 2-D entries batched as well).
 */
export type DerivedKind = 'transpose' | 'batched' | 'double';

export class ParamSet {
  readonly entries: ParamEntry[] = [];
  private initial: Float32Array[] = [];
  private flatValues: Float32Array | null = null;
  private viewTensors: tf.Tensor[] = [];
  size = 0;
  /**
   * 1 where a value is trained, 0 where it must stay fixed (e.g. the zero blocks of a block-diagonal
   * layer); null = all trained. Optimizers zero the gradient where this is 0, before clipping.
   */
  trainable: Uint8Array | null = null;
  /** Constant tensors derived from entries (transposed, doubled), re-uploaded with the views. */
  private readonly derivedKinds = new Map<number, Set<DerivedKind>>();
  private derivedTensors = new Map<string, tf.Tensor>();

  /** Declares a parameter with its initial values; returns its index. Only before `build`. */
  add(name: string, shape: number[], values: Float32Array): number {
    if (this.flatValues) throw new ConfigError(`Expected ParamSet.add before build(), but ${name} came after.`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new ConfigError(`Expected ${size} initial values for ${name}, but got ${values.length}.`);
    this.entries.push({ name, shape, offset: this.size, size });
    this.initial.push(values);
    this.size += size;
    return this.entries.length - 1;
  }

  /** Allocates the flat array from the declared initial values and uploads the views. */
  build(): this {
    const flat = new Float32Array(this.size);
    this.entries.forEach((e, i) => flat.set(this.initial[i], e.offset));
    this.initial = [];
    this.flatValues = flat;
    this.refresh();
    return this;
  }

  /** The master copy. Call `refresh()` after writing to it. */
  get flat(): Float32Array {
    if (!this.flatValues) throw new ConfigError('Expected ParamSet.build() before use, but it was not built.');
    return this.flatValues;
  }

  /** The current per-parameter tensors (valid until the next `refresh`). */
  get views(): tf.Tensor[] {
    return this.viewTensors;
  }

  /** Re-uploads the views (and derived constants) from the flat array; call after every change to it. */
  refresh(): void {
    const old = [...this.viewTensors, ...this.derivedTensors.values()];
    const flat = this.flat;
    this.viewTensors = this.entries.map((e) => tf.keep(tf.tensor(flat.subarray(e.offset, e.offset + e.size), e.shape, 'float32')));
    this.derivedTensors = new Map();
    for (const [index, kinds] of this.derivedKinds) {
      for (const kind of kinds) this.derivedTensors.set(`${index}/${kind}`, tf.keep(this.computeDerived(index, kind)));
    }
    for (const t of old) t.dispose();
  }

  /** Requests a derived constant of entry `index`, kept in sync with the values from now on. */
  derive(index: number, kind: DerivedKind): void {
    const entry = this.entries[index];
    if (kind !== 'double' && entry.shape.length !== 2) throw new ConfigError(`Expected a 2-D entry for ${kind}, but ${entry.name} has shape [${entry.shape}].`);
    const kinds = this.derivedKinds.get(index) ?? new Set<DerivedKind>();
    if (kinds.has(kind)) return;
    kinds.add(kind);
    this.derivedKinds.set(index, kinds);
    if (this.flatValues) this.derivedTensors.set(`${index}/${kind}`, tf.keep(this.computeDerived(index, kind)));
  }

  derived(index: number, kind: DerivedKind): tf.Tensor {
    const t = this.derivedTensors.get(`${index}/${kind}`);
    if (!t) throw new ConfigError(`Expected ${kind} of ${this.entries[index]?.name} to be requested with derive(), but it was not.`);
    return t;
  }

  private computeDerived(index: number, kind: DerivedKind): tf.Tensor {
    const e = this.entries[index];
    const values = this.flat.subarray(e.offset, e.offset + e.size);
    const shape = e.shape.length === 2 ? [1, ...e.shape] : e.shape;
    if (kind === 'double') return tf.tensor(values.map((v) => 2 * v), shape, 'float32');
    if (kind === 'batched') return tf.tensor(values, shape, 'float32');
    const [rows, cols] = e.shape;
    const out = new Float32Array(e.size);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
    return tf.tensor(out, [cols, rows], 'float32');
  }

  /**
   * Concatenates per-parameter gradients (in entry order), plus any `extras` (flattened, e.g. loss values
   * wanted for logging), and reads them back in ONE transfer. The gradient is the first `size` values.
   */
  readGradient(grads: readonly tf.Tensor[], extras: readonly tf.Tensor[] = []): Float32Array {
    const flat = tf.tidy(() => tf.concat([...grads, ...extras].map((g) => tf.reshape(g, [-1])), 0));
    const data = flat.dataSync() as Float32Array;
    flat.dispose();
    return data;
  }

  /**
   * dLoss/dParams of a scalar loss built from the views (inputs may be created inside `loss`), computed
   * in one tf.tidy and read back once. (tf.tidy must not return the typed array: it would walk every
   * element looking for tensors.)
   */
  gradient(loss: (...views: tf.Tensor[]) => tf.Scalar): Float32Array {
    let out: Float32Array | null = null;
    tf.tidy(() => {
      const { grads } = tf.valueAndGrads(loss)(this.views);
      out = this.readGradient(grads);
    });
    return out!;
  }

  /** Replaces all values (e.g. after load). */
  assign(values: Float32Array): void {
    if (values.length !== this.size) throw new ConfigError(`Expected ${this.size} parameter values, but got ${values.length}.`);
    this.flat.set(values);
    this.refresh();
  }

  /** A copy of all values. */
  read(): Float32Array {
    return this.flat.slice();
  }

  /** Copies all values from another ParamSet of the same layout (target networks). */
  copyFrom(other: ParamSet): void {
    if (other.size !== this.size) throw new ConfigError(`Expected a ParamSet of size ${this.size} to copy from, but got ${other.size}.`);
    this.assign(other.flat);
  }

  dispose(): void {
    for (const t of [...this.viewTensors, ...this.derivedTensors.values()]) t.dispose();
    this.viewTensors = [];
    this.derivedTensors = new Map();
  }
}
