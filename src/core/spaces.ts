/**
 * Spaces describe the set of valid observations or actions, as in Gymnasium: Discrete, Box, MultiDiscrete,
 * MultiBinary, Dict and Tuple. Each samples from an Rng it is handed (never one of its own), checks
 * membership, serializes to JSON and flattens to a Float32Array.
 *
 * Value types: Discrete -> number; Box -> Float32Array; MultiDiscrete -> Int32Array;
 * MultiBinary -> Uint8Array; Dict -> Record<string, value>; Tuple -> value[].
 */
import { SpaceError, describeValue } from './errors.js';
import type { Rng } from './rng.js';

export type SpaceJSON =
  | { type: 'Discrete'; n: number; start: number }
  | { type: 'Box'; low: number[]; high: number[]; shape: number[]; dtype: 'float32' }
  | { type: 'MultiDiscrete'; nvec: number[] }
  | { type: 'MultiBinary'; n: number }
  | { type: 'Dict'; spaces: Record<string, SpaceJSON> }
  | { type: 'Tuple'; spaces: SpaceJSON[] };

export abstract class Space<T> {
  /** Shape of one value (empty for Discrete, the array shape for Box). */
  abstract readonly shape: readonly number[];
  /** Length of the Float32Array that `flatten` produces. */
  abstract readonly flatDim: number;
  /** Draws a value. `mask` restricts the draw where the space supports one (see each subclass). */
  abstract sample(rng: Rng, mask?: unknown): T;
  abstract contains(value: unknown): value is T;
  abstract toJSON(): SpaceJSON;
  /** Writes the value's flat encoding into `out` at `offset` (Discrete is one-hot, as in Gymnasium). */
  abstract flattenInto(value: T, out: Float32Array, offset: number): void;
  /** Reads a value back from its flat encoding. */
  abstract unflatten(flat: ArrayLike<number>, offset?: number): T;
  abstract equals(other: Space<unknown>): boolean;

  flatten(value: T): Float32Array {
    const out = new Float32Array(this.flatDim);
    this.flattenInto(value, out, 0);
    return out;
  }

  toString(): string {
    return JSON.stringify(this.toJSON());
  }
}

function assertPositiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new SpaceError(`Expected ${what} to be a positive integer, but got ${describeValue(value)}.`);
  }
}

function product(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** Integers {start, ..., start + n - 1}. `sample(rng, mask)` takes a Uint8Array(n) mask, 1 = allowed. */
export class Discrete extends Space<number> {
  readonly shape: readonly number[] = [];
  readonly flatDim: number;

  constructor(readonly n: number, readonly start = 0) {
    super();
    assertPositiveInteger(n, 'Discrete n');
    if (!Number.isInteger(start)) throw new SpaceError(`Expected Discrete start to be an integer, but got ${describeValue(start)}.`);
    this.flatDim = n;
  }

  sample(rng: Rng, mask?: Uint8Array): number {
    if (mask === undefined) return this.start + rng.integer(0, this.n);
    if (mask.length !== this.n) {
      throw new SpaceError(`Expected a mask of length ${this.n} for Discrete(${this.n}), but got length ${mask.length}.`);
    }
    let allowed = 0;
    for (let i = 0; i < this.n; i++) if (mask[i]) allowed++;
    if (allowed === 0) return this.start; // Gymnasium's rule: an all-zero mask samples `start`.
    let pick = rng.integer(0, allowed);
    for (let i = 0; i < this.n; i++) {
      if (mask[i] && pick-- === 0) return this.start + i;
    }
    return this.start;
  }

  contains(value: unknown): value is number {
    return typeof value === 'number' && Number.isInteger(value) && value >= this.start && value < this.start + this.n;
  }

  toJSON(): SpaceJSON {
    return { type: 'Discrete', n: this.n, start: this.start };
  }

  flattenInto(value: number, out: Float32Array, offset: number): void {
    out.fill(0, offset, offset + this.n);
    out[offset + value - this.start] = 1;
  }

  unflatten(flat: ArrayLike<number>, offset = 0): number {
    for (let i = 0; i < this.n; i++) if (flat[offset + i] !== 0) return this.start + i;
    throw new SpaceError(`Expected a one-hot vector of length ${this.n}, but found no non-zero entry.`);
  }

  equals(other: Space<unknown>): boolean {
    return other instanceof Discrete && other.n === this.n && other.start === this.start;
  }
}

/**
 * A float32 box: every element lies in [low[i], high[i]] (bounds may be infinite). Sampling follows
 * Gymnasium: uniform where both bounds are finite, shifted exponential where one is, normal where neither is.
 */
export class Box extends Space<Float32Array> {
  readonly shape: readonly number[];
  readonly flatDim: number;
  readonly low: Float32Array;
  readonly high: Float32Array;

  constructor(low: number | ArrayLike<number>, high: number | ArrayLike<number>, shape?: readonly number[]) {
    super();
    const inferred = shape ?? (typeof low !== 'number' ? [low.length] : typeof high !== 'number' ? [high.length] : undefined);
    if (inferred === undefined) throw new SpaceError('Expected a shape for a Box with scalar low and high, but got none.');
    inferred.forEach((d) => assertPositiveInteger(d, 'every Box dimension'));
    this.shape = [...inferred];
    this.flatDim = product(this.shape);
    this.low = Box.broadcast(low, this.flatDim, 'low');
    this.high = Box.broadcast(high, this.flatDim, 'high');
    for (let i = 0; i < this.flatDim; i++) {
      if (Number.isNaN(this.low[i]) || Number.isNaN(this.high[i]) || this.low[i] > this.high[i]) {
        throw new SpaceError(`Expected low <= high at index ${i} of Box, but got low=${this.low[i]}, high=${this.high[i]}.`);
      }
    }
  }

  private static broadcast(bound: number | ArrayLike<number>, size: number, name: string): Float32Array {
    if (typeof bound === 'number') return new Float32Array(size).fill(bound);
    if (bound.length !== size) throw new SpaceError(`Expected Box ${name} of length ${size}, but got length ${bound.length}.`);
    return Float32Array.from(bound);
  }

  isBounded(): boolean {
    for (let i = 0; i < this.flatDim; i++) if (!Number.isFinite(this.low[i]) || !Number.isFinite(this.high[i])) return false;
    return true;
  }

  sample(rng: Rng): Float32Array {
    const out = new Float32Array(this.flatDim);
    for (let i = 0; i < this.flatDim; i++) {
      const lo = this.low[i];
      const hi = this.high[i];
      const loFinite = Number.isFinite(lo);
      const hiFinite = Number.isFinite(hi);
      if (loFinite && hiFinite) out[i] = rng.uniform(lo, hi);
      else if (loFinite) out[i] = lo + rng.exponential();
      else if (hiFinite) out[i] = hi - rng.exponential();
      else out[i] = rng.normal();
      // Rounding to float32 can step just past a bound; clamp back inside.
      if (out[i] < lo) out[i] = lo;
      if (out[i] > hi) out[i] = hi;
    }
    return out;
  }

  contains(value: unknown): value is Float32Array {
    if (!(value instanceof Float32Array) || value.length !== this.flatDim) return false;
    for (let i = 0; i < this.flatDim; i++) {
      const v = value[i];
      if (!(v >= this.low[i] && v <= this.high[i])) return false;
    }
    return true;
  }

  toJSON(): SpaceJSON {
    return { type: 'Box', low: Array.from(this.low, finiteOrString), high: Array.from(this.high, finiteOrString), shape: [...this.shape], dtype: 'float32' } as SpaceJSON;
  }

  flattenInto(value: Float32Array, out: Float32Array, offset: number): void {
    out.set(value, offset);
  }

  unflatten(flat: ArrayLike<number>, offset = 0): Float32Array {
    const out = new Float32Array(this.flatDim);
    for (let i = 0; i < this.flatDim; i++) out[i] = flat[offset + i];
    return out;
  }

  equals(other: Space<unknown>): boolean {
    if (!(other instanceof Box) || other.shape.length !== this.shape.length) return false;
    if (other.shape.some((d, i) => d !== this.shape[i])) return false;
    for (let i = 0; i < this.flatDim; i++) if (other.low[i] !== this.low[i] || other.high[i] !== this.high[i]) return false;
    return true;
  }
}

/** JSON has no infinity: infinite bounds are written as the strings "inf" and "-inf". */
function finiteOrString(v: number): number | string {
  return Number.isFinite(v) ? v : v > 0 ? 'inf' : '-inf';
}

function parseBound(v: number | string): number {
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (typeof v === 'number') return v;
  throw new SpaceError(`Expected a number, "inf" or "-inf" as a Box bound, but got ${describeValue(v)}.`);
}

/** A vector of independent Discrete values; element i lies in [0, nvec[i]). Flattens to concatenated one-hots. */
export class MultiDiscrete extends Space<Int32Array> {
  readonly shape: readonly number[];
  readonly flatDim: number;
  readonly nvec: Int32Array;

  constructor(nvec: ArrayLike<number>) {
    super();
    if (nvec.length === 0) throw new SpaceError('Expected a non-empty nvec for MultiDiscrete, but got an empty one.');
    Array.from(nvec).forEach((n) => assertPositiveInteger(n, 'every MultiDiscrete nvec entry'));
    this.nvec = Int32Array.from(nvec);
    this.shape = [this.nvec.length];
    this.flatDim = this.nvec.reduce((a, b) => a + b, 0);
  }

  /** `mask`, when given, is one Uint8Array per element (1 = allowed). */
  sample(rng: Rng, mask?: Uint8Array[]): Int32Array {
    const out = new Int32Array(this.nvec.length);
    for (let i = 0; i < this.nvec.length; i++) {
      out[i] = mask ? new Discrete(this.nvec[i]).sample(rng, mask[i]) : rng.integer(0, this.nvec[i]);
    }
    return out;
  }

  contains(value: unknown): value is Int32Array {
    if (!(value instanceof Int32Array) || value.length !== this.nvec.length) return false;
    for (let i = 0; i < value.length; i++) if (value[i] < 0 || value[i] >= this.nvec[i]) return false;
    return true;
  }

  toJSON(): SpaceJSON {
    return { type: 'MultiDiscrete', nvec: Array.from(this.nvec) };
  }

  flattenInto(value: Int32Array, out: Float32Array, offset: number): void {
    let at = offset;
    for (let i = 0; i < this.nvec.length; i++) {
      out.fill(0, at, at + this.nvec[i]);
      out[at + value[i]] = 1;
      at += this.nvec[i];
    }
  }

  unflatten(flat: ArrayLike<number>, offset = 0): Int32Array {
    const out = new Int32Array(this.nvec.length);
    let at = offset;
    for (let i = 0; i < this.nvec.length; i++) {
      out[i] = new Discrete(this.nvec[i]).unflatten(flat, at);
      at += this.nvec[i];
    }
    return out;
  }

  equals(other: Space<unknown>): boolean {
    return other instanceof MultiDiscrete && other.nvec.length === this.nvec.length && other.nvec.every((n, i) => n === this.nvec[i]);
  }
}

/** n independent bits (Uint8Array of 0/1). */
export class MultiBinary extends Space<Uint8Array> {
  readonly shape: readonly number[];
  readonly flatDim: number;

  constructor(readonly n: number) {
    super();
    assertPositiveInteger(n, 'MultiBinary n');
    this.shape = [n];
    this.flatDim = n;
  }

  sample(rng: Rng): Uint8Array {
    const out = new Uint8Array(this.n);
    for (let i = 0; i < this.n; i++) out[i] = rng.random() < 0.5 ? 0 : 1;
    return out;
  }

  contains(value: unknown): value is Uint8Array {
    if (!(value instanceof Uint8Array) || value.length !== this.n) return false;
    for (let i = 0; i < this.n; i++) if (value[i] > 1) return false;
    return true;
  }

  toJSON(): SpaceJSON {
    return { type: 'MultiBinary', n: this.n };
  }

  flattenInto(value: Uint8Array, out: Float32Array, offset: number): void {
    for (let i = 0; i < this.n; i++) out[offset + i] = value[i];
  }

  unflatten(flat: ArrayLike<number>, offset = 0): Uint8Array {
    const out = new Uint8Array(this.n);
    for (let i = 0; i < this.n; i++) out[i] = flat[offset + i] ? 1 : 0;
    return out;
  }

  equals(other: Space<unknown>): boolean {
    return other instanceof MultiBinary && other.n === this.n;
  }
}

type ValueOf<S> = S extends Space<infer T> ? T : never;

/** Named sub-spaces. Keys keep their insertion order, which is also the flattening order. */
export class Dict<S extends Record<string, Space<unknown>> = Record<string, Space<unknown>>> extends Space<{ [K in keyof S]: ValueOf<S[K]> }> {
  readonly shape: readonly number[] = [];
  readonly flatDim: number;

  constructor(readonly spaces: S) {
    super();
    if (Object.keys(spaces).length === 0) throw new SpaceError('Expected at least one sub-space in Dict, but got none.');
    this.flatDim = Object.values(spaces).reduce((sum, s) => sum + s.flatDim, 0);
  }

  sample(rng: Rng, mask?: { [K in keyof S]?: unknown }): { [K in keyof S]: ValueOf<S[K]> } {
    const out: Record<string, unknown> = {};
    for (const [key, space] of Object.entries(this.spaces)) out[key] = space.sample(rng, mask?.[key]);
    return out as { [K in keyof S]: ValueOf<S[K]> };
  }

  contains(value: unknown): value is { [K in keyof S]: ValueOf<S[K]> } {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const record = value as Record<string, unknown>;
    if (Object.keys(record).length !== Object.keys(this.spaces).length) return false;
    return Object.entries(this.spaces).every(([key, space]) => key in record && space.contains(record[key]));
  }

  toJSON(): SpaceJSON {
    const spaces: Record<string, SpaceJSON> = {};
    for (const [key, space] of Object.entries(this.spaces)) spaces[key] = space.toJSON();
    return { type: 'Dict', spaces };
  }

  flattenInto(value: { [K in keyof S]: ValueOf<S[K]> }, out: Float32Array, offset: number): void {
    let at = offset;
    for (const [key, space] of Object.entries(this.spaces)) {
      space.flattenInto((value as Record<string, unknown>)[key], out, at);
      at += space.flatDim;
    }
  }

  unflatten(flat: ArrayLike<number>, offset = 0): { [K in keyof S]: ValueOf<S[K]> } {
    const out: Record<string, unknown> = {};
    let at = offset;
    for (const [key, space] of Object.entries(this.spaces)) {
      out[key] = space.unflatten(flat, at);
      at += space.flatDim;
    }
    return out as { [K in keyof S]: ValueOf<S[K]> };
  }

  equals(other: Space<unknown>): boolean {
    if (!(other instanceof Dict)) return false;
    const mine = Object.keys(this.spaces);
    const theirs = Object.keys(other.spaces);
    return mine.length === theirs.length && mine.every((k, i) => theirs[i] === k && this.spaces[k].equals(other.spaces[k]));
  }
}

/** An ordered list of sub-spaces. */
export class Tuple<S extends readonly Space<unknown>[] = Space<unknown>[]> extends Space<{ [K in keyof S]: ValueOf<S[K]> }> {
  readonly shape: readonly number[] = [];
  readonly flatDim: number;

  constructor(readonly spaces: S) {
    super();
    if (spaces.length === 0) throw new SpaceError('Expected at least one sub-space in Tuple, but got none.');
    this.flatDim = spaces.reduce((sum, s) => sum + s.flatDim, 0);
  }

  sample(rng: Rng, mask?: unknown[]): { [K in keyof S]: ValueOf<S[K]> } {
    return this.spaces.map((space, i) => space.sample(rng, mask?.[i])) as { [K in keyof S]: ValueOf<S[K]> };
  }

  contains(value: unknown): value is { [K in keyof S]: ValueOf<S[K]> } {
    return Array.isArray(value) && value.length === this.spaces.length && this.spaces.every((space, i) => space.contains(value[i]));
  }

  toJSON(): SpaceJSON {
    return { type: 'Tuple', spaces: this.spaces.map((s) => s.toJSON()) };
  }

  flattenInto(value: { [K in keyof S]: ValueOf<S[K]> }, out: Float32Array, offset: number): void {
    let at = offset;
    this.spaces.forEach((space, i) => {
      space.flattenInto((value as unknown[])[i], out, at);
      at += space.flatDim;
    });
  }

  unflatten(flat: ArrayLike<number>, offset = 0): { [K in keyof S]: ValueOf<S[K]> } {
    let at = offset;
    return this.spaces.map((space) => {
      const v = space.unflatten(flat, at);
      at += space.flatDim;
      return v;
    }) as { [K in keyof S]: ValueOf<S[K]> };
  }

  equals(other: Space<unknown>): boolean {
    return other instanceof Tuple && other.spaces.length === this.spaces.length && this.spaces.every((s, i) => s.equals(other.spaces[i]));
  }
}

/** Rebuilds a space from `toJSON()` output. */
export function spaceFromJSON(json: SpaceJSON): Space<unknown> {
  switch (json?.type) {
    case 'Discrete':
      return new Discrete(json.n, json.start ?? 0);
    case 'Box':
      return new Box(json.low.map(parseBound), json.high.map(parseBound), json.shape);
    case 'MultiDiscrete':
      return new MultiDiscrete(json.nvec);
    case 'MultiBinary':
      return new MultiBinary(json.n);
    case 'Dict': {
      const spaces: Record<string, Space<unknown>> = {};
      for (const [key, sub] of Object.entries(json.spaces)) spaces[key] = spaceFromJSON(sub);
      return new Dict(spaces);
    }
    case 'Tuple':
      return new Tuple(json.spaces.map(spaceFromJSON));
    default:
      throw new SpaceError(
        `Expected a space JSON with type Discrete, Box, MultiDiscrete, MultiBinary, Dict or Tuple, but got ${describeValue((json as { type?: unknown })?.type)}.`,
      );
  }
}
