/**
 * Hands out fresh, zeroed typed arrays cut from large shared buffers. Each array is its own memory (never
 * reused or overwritten), so callers may keep observations and masks as long as they like, while the step
 * pays for one small view object instead of a separate backing-store allocation (V8 allocates arrays above
 * 64 bytes off-heap, which costs more than the rest of a step). A buffer is freed once no view of it lives.
 */
export class Float32Slab {
  private buffer: ArrayBuffer;
  private used = 0;

  constructor(private readonly chunk: number) {
    this.buffer = new ArrayBuffer(chunk * 4);
  }

  take(length: number): Float32Array {
    if (this.used + length > this.chunk) {
      this.buffer = new ArrayBuffer(Math.max(this.chunk, length) * 4);
      this.used = 0;
    }
    const view = new Float32Array(this.buffer, this.used * 4, length);
    this.used += length;
    return view;
  }

  /** A fresh array holding a copy of `source[start, start + length)`. */
  copy(source: Float32Array, start: number, length: number): Float32Array {
    const view = this.take(length);
    for (let i = 0; i < length; i++) view[i] = source[start + i];
    return view;
  }
}
