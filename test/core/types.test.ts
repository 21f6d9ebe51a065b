import { describe, it, expectTypeOf } from 'vitest';
import {
  Box,
  Dict,
  Discrete,
  MultiBinary,
  MultiDiscrete,
  NormalizeObservation,
  RecordEpisodeStatistics,
  Tuple,
  FlattenObservation,
  ClipAction,
  make,
  makeVec,
  type Env,
  type RunningStatsJSON,
  type StepResult,
  type VectorEnv,
  type VectorStepResult,
} from '../../src/core/index.js';

describe('type-level API', () => {
  it('make carries the observation and action types', () => {
    expectTypeOf(make<Float32Array, number>).returns.toEqualTypeOf<Env<Float32Array, number>>();
    expectTypeOf(make).returns.toEqualTypeOf<Env<unknown, unknown>>();
    expectTypeOf<Env<Float32Array, number>['step']>().parameter(0).toEqualTypeOf<number>();
    expectTypeOf<Env<Float32Array, number>['step']>().returns.toEqualTypeOf<StepResult<Float32Array>>();
    expectTypeOf(makeVec).returns.toEqualTypeOf<VectorEnv>();
    expectTypeOf<VectorStepResult['obs']>().toEqualTypeOf<Float32Array>();
  });

  it('spaces sample their value types', () => {
    expectTypeOf<Discrete['sample']>().returns.toEqualTypeOf<number>();
    expectTypeOf<Box['sample']>().returns.toEqualTypeOf<Float32Array>();
    expectTypeOf<MultiDiscrete['sample']>().returns.toEqualTypeOf<Int32Array>();
    expectTypeOf<MultiBinary['sample']>().returns.toEqualTypeOf<Uint8Array>();
    const dict = new Dict({ pos: new Box(0, 1, [2]), mode: new Discrete(2), flags: new MultiBinary(3) });
    expectTypeOf<ReturnType<typeof dict.sample>>().toEqualTypeOf<{ pos: Float32Array; mode: number; flags: Uint8Array }>();
    const tuple = new Tuple([new Discrete(2), new Box(0, 1, [1])] as const);
    expectTypeOf<ReturnType<typeof tuple.sample>>().toEqualTypeOf<readonly [number, Float32Array]>();
  });

  it('wrappers keep or change the types as documented', () => {
    expectTypeOf<RecordEpisodeStatistics<Float32Array, number>>().toExtend<Env<Float32Array, number>>();
    expectTypeOf<NormalizeObservation<number>>().toExtend<Env<Float32Array, number>>();
    expectTypeOf<NormalizeObservation<number>['getStatistics']>().returns.toEqualTypeOf<RunningStatsJSON>();
    expectTypeOf<FlattenObservation<number>>().toExtend<Env<Float32Array, number>>();
    expectTypeOf<ClipAction<Float32Array>>().toExtend<Env<Float32Array, Float32Array>>();
    expectTypeOf<ConstructorParameters<typeof NormalizeObservation<number>>[0]>().toEqualTypeOf<Env<Float32Array, number>>();
  });
});
