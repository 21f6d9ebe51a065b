// The WebAssembly SIMD kernels of loopgym's wasm-simd engine (built by scripts/build-kernels.mjs into
// src/nn/kernels/kernels-wasm.ts). Every function works on buffers at byte addresses the caller (JS,
// src/nn/wasm-mlp.ts) lays out in the imported memory; nothing here allocates.
export { matmul, matmulNT } from './matmul';
export { tanhForward, reluForward, tanhBackward, reluBackward, columnSums, sumSquares } from './elementwise';
export { adam, rmsprop } from './optimizers';
