/** loopgym's public API. */
export * from './core/index.js';
import '../envs/index.js';
