export * from './backend.js';
export * from './init.js';
export * from './params.js';
export * from './mlp.js';
export * from './optim.js';
export * from './distributions.js';
export * from './io.js';
export * from './js-loss.js';
