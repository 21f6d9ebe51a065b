// Optimizer updates over flat float32 parameter, gradient and moment buffers (byte addresses, n values),
// with torch.optim's update rules. The scalars that depend on the step count (bias corrections) are
// computed by the caller in float64 and passed in as float32. Vector and tail code do the same operations
// in the same order.

/**
 * torch.optim.Adam (no weight decay, no amsgrad): g = grad scale (the clip factor); m = b1 m + (1 - b1) g;
 * v = b2 v + (1 - b2) g g; p -= stepSize m / (sqrt(v) / bc2Sqrt + eps), with stepSize = lr / (1 - b1^t) and
 * bc2Sqrt = sqrt(1 - b2^t).
 */
export function adam(p: usize, g: usize, m: usize, v: usize, n: i32, scale: f32, b1: f32, b2: f32, stepSize: f32, bc2Sqrt: f32, eps: f32): void {
  const vs = f32x4.splat(scale), vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2);
  const c1 = f32x4.splat(<f32>1 - b1), c2 = f32x4.splat(<f32>1 - b2);
  const vStep = f32x4.splat(stepSize), vBc = f32x4.splat(bc2Sqrt), vEps = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gi = f32x4.mul(v128.load(g + o), vs);
    const mi = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(c1, gi));
    const vi = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(f32x4.mul(c2, gi), gi));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vi), vBc), vEps);
    v128.store(p + o, f32x4.sub(v128.load(p + o), f32x4.div(f32x4.mul(vStep, mi), denom)));
  }
  const k1 = <f32>1 - b1, k2 = <f32>1 - b2;
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o) * scale;
    const mi = b1 * load<f32>(m + o) + k1 * gi;
    const vi = b2 * load<f32>(v + o) + k2 * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(p + o, load<f32>(p + o) - (stepSize * mi) / (sqrt<f32>(vi) / bc2Sqrt + eps));
  }
}

/** torch.optim.RMSprop (no momentum, not centred): g = grad scale; v = alpha v + (1 - alpha) g g; p -= lr g / (sqrt(v) + eps). */
export function rmsprop(p: usize, g: usize, v: usize, n: i32, scale: f32, alpha: f32, lr: f32, eps: f32): void {
  const vs = f32x4.splat(scale), va = f32x4.splat(alpha), c = f32x4.splat(<f32>1 - alpha);
  const vLr = f32x4.splat(lr), vEps = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gi = f32x4.mul(v128.load(g + o), vs);
    const vi = f32x4.add(f32x4.mul(va, v128.load(v + o)), f32x4.mul(f32x4.mul(c, gi), gi));
    v128.store(v + o, vi);
    v128.store(p + o, f32x4.sub(v128.load(p + o), f32x4.div(f32x4.mul(vLr, gi), f32x4.add(f32x4.sqrt(vi), vEps))));
  }
  const k = <f32>1 - alpha;
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o) * scale;
    const vi = alpha * load<f32>(v + o) + k * gi * gi;
    store<f32>(v + o, vi);
    store<f32>(p + o, load<f32>(p + o) - (lr * gi) / (sqrt<f32>(vi) + eps));
  }
}
