// Elementwise passes over float32 buffers (byte addresses, n values), f32x4 with scalar tails that do
// the same operations in the same order. Vector constants are built once, outside the loops (V8 would
// rebuild a constant inside a loop body on every iteration).

// tanh(x) = (e - 1) / (e + 1), e = exp(2x) with x clamped to [-9, 9] (tanh(9) rounds to 1 in float32).
// exp(y) = 2^n p(r): n = nearest(y / ln 2), r = y - n ln 2 (ln 2 in two parts, so n ln2hi is exact),
// p = the degree-7 Taylor polynomial of exp (|r| <= ln 2 / 2: error below 6e-9), 2^n built in the exponent
// bits. Absolute error against float64 tanh is about 1e-7.
const CLAMP: f32 = 9;
const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693145751953125;
const LN2_LO: f32 = 1.42860682030941723e-6;

@inline function tanhVec(x: v128, lo: v128, hi: v128, log2e: v128, ln2hi: v128, ln2lo: v128, one: v128, two: v128, c2: v128, c3: v128, c4: v128, c5: v128, c6: v128, c7: v128, bias: v128): v128 {
  const y = f32x4.mul(f32x4.pmin(f32x4.pmax(x, lo), hi), two);
  const n = f32x4.nearest(f32x4.mul(y, log2e));
  const r = f32x4.sub(f32x4.sub(y, f32x4.mul(n, ln2hi)), f32x4.mul(n, ln2lo));
  let p = f32x4.add(c6, f32x4.mul(r, c7));
  p = f32x4.add(c5, f32x4.mul(r, p));
  p = f32x4.add(c4, f32x4.mul(r, p));
  p = f32x4.add(c3, f32x4.mul(r, p));
  p = f32x4.add(c2, f32x4.mul(r, p));
  p = f32x4.add(one, f32x4.mul(r, p));
  p = f32x4.add(one, f32x4.mul(r, p));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), bias), 23);
  const e = f32x4.mul(p, scale);
  return f32x4.div(f32x4.sub(e, one), f32x4.add(e, one));
}

/** y = tanh(x), in place allowed (x == y). */
export function tanhForward(x: usize, y: usize, n: i32): void {
  const lo = f32x4.splat(-CLAMP), hi = f32x4.splat(CLAMP);
  const log2e = f32x4.splat(LOG2E), ln2hi = f32x4.splat(LN2_HI), ln2lo = f32x4.splat(LN2_LO);
  const one = f32x4.splat(1), two = f32x4.splat(2);
  const c2 = f32x4.splat(<f32>(1.0 / 2)), c3 = f32x4.splat(<f32>(1.0 / 6)), c4 = f32x4.splat(<f32>(1.0 / 24));
  const c5 = f32x4.splat(<f32>(1.0 / 120)), c6 = f32x4.splat(<f32>(1.0 / 720)), c7 = f32x4.splat(<f32>(1.0 / 5040));
  const bias = i32x4.splat(127);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const v0 = tanhVec(v128.load(x + o), lo, hi, log2e, ln2hi, ln2lo, one, two, c2, c3, c4, c5, c6, c7, bias);
    const v1 = tanhVec(v128.load(x + o, 16), lo, hi, log2e, ln2hi, ln2lo, one, two, c2, c3, c4, c5, c6, c7, bias);
    v128.store(y + o, v0);
    v128.store(y + o, v1, 16);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, tanhVec(v128.load(x + o), lo, hi, log2e, ln2hi, ln2lo, one, two, c2, c3, c4, c5, c6, c7, bias));
  }
  // The tail through the same vector code (one lane used), so every value has the same bits.
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = tanhVec(f32x4.splat(load<f32>(x + o)), lo, hi, log2e, ln2hi, ln2lo, one, two, c2, c3, c4, c5, c6, c7, bias);
    store<f32>(y + o, f32x4.extract_lane(v, 0));
  }
}

/** y = max(x, 0) (0 for NaN), in place allowed. */
export function reluForward(x: usize, y: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.pmax(zero, v128.load(x + o)));
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(y + (<usize>i << 2), v > 0 ? v : 0);
  }
}

/** dz = dy (1 - y y), y = tanh output; dz may alias dy. */
export function tanhBackward(dy: usize, y: usize, dz: usize, n: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(y + o);
    v128.store(dz + o, f32x4.mul(v128.load(dy + o), f32x4.sub(one, f32x4.mul(v, v))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(y + o);
    store<f32>(dz + o, load<f32>(dy + o) * (<f32>1 - v * v));
  }
}

/** dz = y > 0 ? dy : 0, y = relu output (the gradient at 0 is 0, as in torch and tfjs); dz may alias dy. */
export function reluBackward(dy: usize, y: usize, dz: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dz + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(y + o), zero)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dz + o, load<f32>(y + o) > 0 ? load<f32>(dy + o) : 0);
  }
}

/** out[j] = sum over rows i (ascending, from +0) of x[i, j], x [M, N] row-major: bias gradients. */
export function columnSums(x: usize, out: usize, M: i32, N: i32): void {
  const row = <usize>N << 2;
  let j = 0;
  for (; j + 4 <= N; j += 4) {
    let acc = f32x4.splat(0);
    let p = x + (<usize>j << 2);
    for (let i = 0; i < M; i++) {
      acc = f32x4.add(acc, v128.load(p));
      p += row;
    }
    v128.store(out + (<usize>j << 2), acc);
  }
  for (; j < N; j++) {
    let s: f32 = 0;
    let p = x + (<usize>j << 2);
    for (let i = 0; i < M; i++) {
      s = s + load<f32>(p);
      p += row;
    }
    store<f32>(out + (<usize>j << 2), s);
  }
}

/** Sum of squares of n float32 values, accumulated in float64 (four lane sums, combined in a fixed order). */
export function sumSquares(x: usize, n: i32): f64 {
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const a = f64x2.promote_low_f32x4(v);
    const b = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
    lo = f64x2.add(lo, f64x2.mul(a, a));
    hi = f64x2.add(hi, f64x2.mul(b, b));
  }
  let s = (f64x2.extract_lane(lo, 0) + f64x2.extract_lane(lo, 1)) + (f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1));
  for (; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    s += v * v;
  }
  return s;
}
