// Matrix products on float32 row-major buffers in linear memory (byte addresses), f32x4 SIMD.
//
// Every output cell is computed in ONE arithmetic order, whatever path (vector tile or scalar tail)
// computes it: the products are summed in ascending inner index starting from +0, then the bias is
// added. Only exactly rounded IEEE operations are used (no fused multiply-add), so a cell has the same
// bits on every machine, engine tier (Liftoff or TurboFan) and tile position.
//
// matmul:   C[M,N] = A @ B (+ bias), A's element (i, p) at a + 4 (i aRow + p aCol): a plain [M,K] A has
//           (aRow, aCol) = (K, 1); X^T of an [K,M] X (the weight gradient X^T dZ) has (1, M).
// matmulNT: C[M,K] = A[M,N] @ B[K,N]^T (+ bias), dot products along rows of both: the input gradient dZ W^T,
//           and the forward pass of a narrow output layer from its transposed weights (see wasm-mlp.ts).

// ---- matmul: tiles of 2 rows x 16 columns (8 accumulators; measured ~5% faster than 4 x 8, while 6 x 8
// and a 2x unrolled inner loop were 20-30% slower), then 8, then 4 columns, then single cells.

@inline function tile1x8(a: usize, aRow: i32, aCol: i32, b: usize, c: usize, bias: usize, i: i32, j: i32, K: i32, N: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let pa = a + (<usize>(i * aRow) << 2);
  const sa = <usize>aCol << 2;
  let pb = b + (<usize>j << 2);
  const sb = <usize>N << 2;
  for (let p = 0; p < K; p++) {
    const a0 = f32x4.splat(load<f32>(pa));
    c0 = f32x4.add(c0, f32x4.mul(a0, v128.load(pb)));
    c1 = f32x4.add(c1, f32x4.mul(a0, v128.load(pb, 16)));
    pa += sa;
    pb += sb;
  }
  if (bias != 0) {
    c0 = f32x4.add(c0, v128.load(bias + (<usize>j << 2)));
    c1 = f32x4.add(c1, v128.load(bias + (<usize>j << 2), 16));
  }
  const pc = c + (<usize>(i * N + j) << 2);
  v128.store(pc, c0);
  v128.store(pc, c1, 16);
}

@inline function tile1x4(a: usize, aRow: i32, aCol: i32, b: usize, c: usize, bias: usize, i: i32, j: i32, K: i32, N: i32): void {
  let c0 = f32x4.splat(0);
  let pa = a + (<usize>(i * aRow) << 2);
  const sa = <usize>aCol << 2;
  let pb = b + (<usize>j << 2);
  const sb = <usize>N << 2;
  for (let p = 0; p < K; p++) {
    c0 = f32x4.add(c0, f32x4.mul(f32x4.splat(load<f32>(pa)), v128.load(pb)));
    pa += sa;
    pb += sb;
  }
  if (bias != 0) c0 = f32x4.add(c0, v128.load(bias + (<usize>j << 2)));
  v128.store(c + (<usize>(i * N + j) << 2), c0);
}

@inline function cell(a: usize, aRow: i32, aCol: i32, b: usize, c: usize, bias: usize, i: i32, j: i32, K: i32, N: i32): void {
  let s: f32 = 0;
  let pa = a + (<usize>(i * aRow) << 2);
  const sa = <usize>aCol << 2;
  let pb = b + (<usize>j << 2);
  const sb = <usize>N << 2;
  for (let p = 0; p < K; p++) {
    s = s + load<f32>(pa) * load<f32>(pb);
    pa += sa;
    pb += sb;
  }
  if (bias != 0) s = s + load<f32>(bias + (<usize>j << 2));
  store<f32>(c + (<usize>(i * N + j) << 2), s);
}

/** One row's cells from column j0 on: 8-wide, then 4-wide, then single cells. */
@inline function rowFrom(a: usize, aRow: i32, aCol: i32, b: usize, c: usize, bias: usize, i: i32, j0: i32, K: i32, N: i32): void {
  let j = j0;
  for (; j + 8 <= N; j += 8) tile1x8(a, aRow, aCol, b, c, bias, i, j, K, N);
  for (; j + 4 <= N; j += 4) tile1x4(a, aRow, aCol, b, c, bias, i, j, K, N);
  for (; j < N; j++) cell(a, aRow, aCol, b, c, bias, i, j, K, N);
}



@inline function tile2x16(a: usize, aRow: i32, aCol: i32, b: usize, c: usize, bias: usize, i: i32, j: i32, K: i32, N: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  let pa = a + (<usize>(i * aRow) << 2);
  const r1 = <usize>aRow << 2;
  const sa = <usize>aCol << 2;
  let pb = b + (<usize>j << 2);
  const sb = <usize>N << 2;
  for (let p = 0; p < K; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const b2 = v128.load(pb, 32);
    const b3 = v128.load(pb, 48);
    const a0 = f32x4.splat(load<f32>(pa));
    const a1 = f32x4.splat(load<f32>(pa + r1));
    c00 = f32x4.add(c00, f32x4.mul(a0, b0));
    c01 = f32x4.add(c01, f32x4.mul(a0, b1));
    c02 = f32x4.add(c02, f32x4.mul(a0, b2));
    c03 = f32x4.add(c03, f32x4.mul(a0, b3));
    c10 = f32x4.add(c10, f32x4.mul(a1, b0));
    c11 = f32x4.add(c11, f32x4.mul(a1, b1));
    c12 = f32x4.add(c12, f32x4.mul(a1, b2));
    c13 = f32x4.add(c13, f32x4.mul(a1, b3));
    pa += sa;
    pb += sb;
  }
  if (bias != 0) {
    const pbias = bias + (<usize>j << 2);
    const bb0 = v128.load(pbias), bb1 = v128.load(pbias, 16), bb2 = v128.load(pbias, 32), bb3 = v128.load(pbias, 48);
    c00 = f32x4.add(c00, bb0);
    c01 = f32x4.add(c01, bb1);
    c02 = f32x4.add(c02, bb2);
    c03 = f32x4.add(c03, bb3);
    c10 = f32x4.add(c10, bb0);
    c11 = f32x4.add(c11, bb1);
    c12 = f32x4.add(c12, bb2);
    c13 = f32x4.add(c13, bb3);
  }
  let pc = c + (<usize>(i * N + j) << 2);
  v128.store(pc, c00);
  v128.store(pc, c01, 16);
  v128.store(pc, c02, 32);
  v128.store(pc, c03, 48);
  pc += sb;
  v128.store(pc, c10);
  v128.store(pc, c11, 16);
  v128.store(pc, c12, 32);
  v128.store(pc, c13, 48);
}

export function matmul(a: usize, aRow: i32, aCol: i32, b: usize, c: usize, bias: usize, M: i32, K: i32, N: i32): void {
  const N16 = N & ~15;
  const M2 = M & ~1;
  // Column strips outside, row pairs inside: one strip of B (K x 16 values) stays in cache while every pair
  // of rows of A passes over it.
  for (let j = 0; j < N16; j += 16) for (let i = 0; i < M2; i += 2) tile2x16(a, aRow, aCol, b, c, bias, i, j, K, N);
  if (N16 < N) for (let i = 0; i < M2; i++) rowFrom(a, aRow, aCol, b, c, bias, i, N16, K, N);
  for (let i = M2; i < M; i++) rowFrom(a, aRow, aCol, b, c, bias, i, 0, K, N);
}

// ---- matmulNT: C(i, k) = sum_j A(i, j) B(k, j); 4-lane partial sums along j, added lane 0 + 1, 2 + 3,
// then the two, then the tail j >= N & ~3 one by one, then the bias.

@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

@inline function dotTail(a: usize, b: usize, from: i32, N: i32, s: f32): f32 {
  for (let j = from; j < N; j++) s = s + load<f32>(a + (<usize>j << 2)) * load<f32>(b + (<usize>j << 2));
  return s;
}

@inline function withBias(s: f32, bias: usize, k: i32): f32 {
  return bias != 0 ? s + load<f32>(bias + (<usize>k << 2)) : s;
}

@inline function dot1x1(a: usize, b: usize, c: usize, bias: usize, i: i32, k: i32, N: i32, K: i32): void {
  const pa = a + (<usize>(i * N) << 2);
  const pb = b + (<usize>(k * N) << 2);
  const N4 = N & ~3;
  let acc = f32x4.splat(0);
  for (let j = 0; j < N4; j += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(pa + (<usize>j << 2)), v128.load(pb + (<usize>j << 2))));
  store<f32>(c + (<usize>(i * K + k) << 2), withBias(dotTail(pa, pb, N4, N, hsum(acc)), bias, k));
}

@inline function dot4x2(a: usize, b: usize, c: usize, bias: usize, i: i32, k: i32, N: i32, K: i32): void {
  const row = <usize>N << 2;
  const pa = a + (<usize>(i * N) << 2);
  const pb = b + (<usize>(k * N) << 2);
  const N4 = N & ~3;
  let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
  let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
  for (let j = 0; j < N4; j += 4) {
    const o = <usize>j << 2;
    const b0 = v128.load(pb + o);
    const b1 = v128.load(pb + row + o);
    const a0 = v128.load(pa + o);
    const a1 = v128.load(pa + row + o);
    const a2 = v128.load(pa + 2 * row + o);
    const a3 = v128.load(pa + 3 * row + o);
    s00 = f32x4.add(s00, f32x4.mul(a0, b0));
    s01 = f32x4.add(s01, f32x4.mul(a0, b1));
    s10 = f32x4.add(s10, f32x4.mul(a1, b0));
    s11 = f32x4.add(s11, f32x4.mul(a1, b1));
    s20 = f32x4.add(s20, f32x4.mul(a2, b0));
    s21 = f32x4.add(s21, f32x4.mul(a2, b1));
    s30 = f32x4.add(s30, f32x4.mul(a3, b0));
    s31 = f32x4.add(s31, f32x4.mul(a3, b1));
  }
  const pc = c + (<usize>(i * K + k) << 2);
  const rc = <usize>K << 2;
  store<f32>(pc, withBias(dotTail(pa, pb, N4, N, hsum(s00)), bias, k));
  store<f32>(pc, withBias(dotTail(pa, pb + row, N4, N, hsum(s01)), bias, k + 1), 4);
  store<f32>(pc + rc, withBias(dotTail(pa + row, pb, N4, N, hsum(s10)), bias, k));
  store<f32>(pc + rc, withBias(dotTail(pa + row, pb + row, N4, N, hsum(s11)), bias, k + 1), 4);
  store<f32>(pc + 2 * rc, withBias(dotTail(pa + 2 * row, pb, N4, N, hsum(s20)), bias, k));
  store<f32>(pc + 2 * rc, withBias(dotTail(pa + 2 * row, pb + row, N4, N, hsum(s21)), bias, k + 1), 4);
  store<f32>(pc + 3 * rc, withBias(dotTail(pa + 3 * row, pb, N4, N, hsum(s30)), bias, k));
  store<f32>(pc + 3 * rc, withBias(dotTail(pa + 3 * row, pb + row, N4, N, hsum(s31)), bias, k + 1), 4);
}

export function matmulNT(a: usize, b: usize, c: usize, bias: usize, M: i32, N: i32, K: i32): void {
  const K2 = K & ~1;
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    for (let k = 0; k < K2; k += 2) dot4x2(a, b, c, bias, i, k, N, K);
    if (K2 < K) for (let r = 0; r < 4; r++) dot1x1(a, b, c, bias, i + r, K2, N, K);
  }
  for (; i < M; i++) for (let k = 0; k < K; k++) dot1x1(a, b, c, bias, i, k, N, K);
}
