import { describe, it, expect } from 'vitest';
import { Box, Dict, Discrete, MultiBinary, MultiDiscrete, Rng, Space, SpaceError, Tuple, spaceFromJSON, type SpaceJSON } from '../../src/core/index.js';

const examples: [string, () => Space<unknown>][] = [
  ['Discrete', () => new Discrete(5)],
  ['Discrete with start', () => new Discrete(3, -1)],
  ['bounded Box', () => new Box(-1, 2, [3])],
  ['2-d Box', () => new Box(0, 1, [2, 3])],
  ['half-bounded Box', () => new Box([0, -Infinity], [Infinity, 5])],
  ['unbounded Box', () => new Box(-Infinity, Infinity, [4])],
  ['MultiDiscrete', () => new MultiDiscrete([2, 3, 4])],
  ['MultiBinary', () => new MultiBinary(6)],
  ['Dict', () => new Dict({ position: new Box(-1, 1, [2]), mode: new Discrete(3), flags: new MultiBinary(2) })],
  ['Tuple', () => new Tuple([new Discrete(2), new Box(0, 1, [2]), new MultiDiscrete([3, 2])])],
  ['nested', () => new Dict({ inner: new Tuple([new Discrete(4), new Dict({ x: new Box(0, 10, [1]) })]) })],
];

describe.each(examples)('%s', (_, build) => {
  it('samples members of itself, reproducibly from the same seed', () => {
    const space = build();
    const a = new Rng(7);
    const b = new Rng(7);
    for (let i = 0; i < 50; i++) {
      const x = space.sample(a);
      expect(space.contains(x)).toBe(true);
      expect(space.sample(b)).toEqual(x);
    }
  });

  it('round-trips through toJSON and JSON text', () => {
    const space = build();
    const json = JSON.parse(JSON.stringify(space.toJSON())) as SpaceJSON;
    const rebuilt = spaceFromJSON(json);
    expect(rebuilt.equals(space)).toBe(true);
    expect(space.equals(rebuilt)).toBe(true);
    expect(rebuilt.toJSON()).toEqual(space.toJSON());
  });

  it('flattens to flatDim numbers and unflattens back to the same value', () => {
    const space = build();
    const rng = new Rng(3);
    for (let i = 0; i < 20; i++) {
      const x = space.sample(rng);
      const flat = space.flatten(x);
      expect(flat).toBeInstanceOf(Float32Array);
      expect(flat.length).toBe(space.flatDim);
      expect(space.unflatten(flat)).toEqual(x);
      const padded = new Float32Array(space.flatDim + 3);
      space.flattenInto(x, padded, 2);
      expect(space.unflatten(padded, 2)).toEqual(x);
    }
  });

  it('rejects values of the wrong kind', () => {
    const space = build();
    for (const bad of [null, undefined, 'a', {}, [], Number.NaN, new Float64Array(3)]) expect(space.contains(bad)).toBe(false);
  });
});

describe('Discrete', () => {
  it('contains exactly start..start+n-1', () => {
    const space = new Discrete(3, 2);
    expect([1, 2, 3, 4, 5].map((v) => space.contains(v))).toEqual([false, true, true, true, false]);
    expect(space.contains(2.5)).toBe(false);
  });

  it('samples only allowed actions under a mask, and start under an all-zero mask', () => {
    const space = new Discrete(4, 10);
    const rng = new Rng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(space.sample(rng, Uint8Array.of(0, 1, 0, 1)));
    expect([...seen].sort()).toEqual([11, 13]);
    expect(space.sample(rng, new Uint8Array(4))).toBe(10);
  });

  it('flattens one-hot', () => {
    expect(Array.from(new Discrete(4, 1).flatten(3))).toEqual([0, 0, 1, 0]);
  });

  it('refuses bad arguments and masks with messages naming expected and actual', () => {
    expect(() => new Discrete(0)).toThrow(SpaceError);
    expect(() => new Discrete(2.5)).toThrow(/Expected Discrete n to be a positive integer, but got 2.5/);
    expect(() => new Discrete(3).sample(new Rng(0), new Uint8Array(2))).toThrow(/Expected a mask of length 3.*but got length 2/);
    expect(() => new Discrete(3).unflatten([0, 0, 0])).toThrow(/one-hot/);
  });
});

describe('Box', () => {
  it('samples inside finite bounds and on the right side of half bounds', () => {
    const box = new Box([0, -Infinity, -Infinity], [Infinity, 5, Infinity]);
    const rng = new Rng(9);
    for (let i = 0; i < 100; i++) {
      const x = box.sample(rng);
      expect(x[0]).toBeGreaterThanOrEqual(0);
      expect(x[1]).toBeLessThanOrEqual(5);
      expect(Number.isFinite(x[2])).toBe(true);
    }
    expect(box.isBounded()).toBe(false);
    expect(new Box(0, 1, [2]).isBounded()).toBe(true);
  });

  it('contains checks length, bounds and NaN', () => {
    const box = new Box(-1, 1, [2]);
    expect(box.contains(Float32Array.of(0, 1))).toBe(true);
    expect(box.contains(Float32Array.of(0, 1.5))).toBe(false);
    expect(box.contains(Float32Array.of(0, Number.NaN))).toBe(false);
    expect(box.contains(Float32Array.of(0))).toBe(false);
    expect(box.contains([0, 0])).toBe(false);
  });

  it('writes infinite bounds as strings in JSON', () => {
    const json = new Box(-Infinity, 1, [2]).toJSON();
    expect(json).toMatchObject({ type: 'Box', low: ['-inf', '-inf'], high: [1, 1] });
  });

  it('refuses bad bounds and shapes', () => {
    expect(() => new Box(1, 0, [2])).toThrow(/Expected low <= high at index 0 of Box, but got low=1, high=0/);
    expect(() => new Box(0, 1)).toThrow(/Expected a shape/);
    expect(() => new Box([0, 0], [1, 1, 1])).toThrow(/Expected Box high of length 2, but got length 3/);
    expect(() => new Box(0, 1, [0])).toThrow(SpaceError);
    expect(() => spaceFromJSON({ type: 'Box', low: ['x' as unknown as number], high: [1], shape: [1], dtype: 'float32' })).toThrow(/Expected a number, "inf" or "-inf"/);
  });
});

describe('MultiDiscrete and MultiBinary', () => {
  it('MultiDiscrete masks each element separately', () => {
    const space = new MultiDiscrete([3, 2]);
    const rng = new Rng(4);
    for (let i = 0; i < 50; i++) {
      const x = space.sample(rng, [Uint8Array.of(0, 0, 1), Uint8Array.of(1, 0)]);
      expect(Array.from(x)).toEqual([2, 0]);
    }
    expect(space.contains(Int32Array.of(2, 2))).toBe(false);
    expect(() => new MultiDiscrete([])).toThrow(/non-empty nvec/);
    expect(() => new MultiDiscrete([2, 0])).toThrow(/positive integer, but got 0/);
  });

  it('MultiBinary holds only 0 and 1', () => {
    const space = new MultiBinary(3);
    expect(space.contains(Uint8Array.of(1, 0, 1))).toBe(true);
    expect(space.contains(Uint8Array.of(1, 2, 1))).toBe(false);
    expect(() => new MultiBinary(-1)).toThrow(SpaceError);
  });
});

describe('Dict and Tuple', () => {
  it('Dict passes masks to its sub-spaces by key', () => {
    const space = new Dict({ a: new Discrete(3), b: new Box(0, 1, [1]) });
    const rng = new Rng(2);
    for (let i = 0; i < 20; i++) expect(space.sample(rng, { a: Uint8Array.of(0, 1, 0) }).a).toBe(1);
  });

  it('Dict containment needs exactly its keys', () => {
    const space = new Dict({ a: new Discrete(2) });
    expect(space.contains({ a: 1 })).toBe(true);
    expect(space.contains({ a: 1, b: 0 })).toBe(false);
    expect(space.contains({ b: 0 })).toBe(false);
  });

  it('Dict and Tuple flatten in key/position order', () => {
    const dict = new Dict({ first: new Discrete(2), second: new Box(5, 6, [1]) });
    expect(Array.from(dict.flatten({ first: 1, second: Float32Array.of(5.5) }))).toEqual([0, 1, 5.5]);
    const tuple = new Tuple([new Box(5, 6, [1]), new Discrete(2)]);
    expect(Array.from(tuple.flatten([Float32Array.of(5.5), 0]))).toEqual([5.5, 1, 0]);
  });

  it('equality looks at order and sub-spaces', () => {
    expect(new Dict({ a: new Discrete(2), b: new Discrete(3) }).equals(new Dict({ b: new Discrete(3), a: new Discrete(2) }))).toBe(false);
    expect(new Tuple([new Discrete(2)]).equals(new Tuple([new Discrete(3)]))).toBe(false);
    expect(new Discrete(2).equals(new MultiBinary(2))).toBe(false);
  });

  it('refuse to be empty', () => {
    expect(() => new Dict({})).toThrow(/Expected at least one sub-space in Dict, but got none/);
    expect(() => new Tuple([])).toThrow(/Expected at least one sub-space in Tuple, but got none/);
  });
});

describe('spaceFromJSON', () => {
  it('names the allowed types when given an unknown one', () => {
    expect(() => spaceFromJSON({ type: 'Graph' } as unknown as SpaceJSON)).toThrow(
      /Expected a space JSON with type Discrete, Box, MultiDiscrete, MultiBinary, Dict or Tuple, but got "Graph"/,
    );
  });
});
