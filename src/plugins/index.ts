export * from './types.js';
export * from './template.js';
export * from './registry.js';
export { customerSupportPlugin } from './customer-support.js';
export { salesResearchPlugin } from './sales-research.js';
export { benchmarkPlugin } from './benchmark.js';
