/** Builds a learner's networks on the configured engine (policy-value-net.ts describes the engines). */
import type { Rng } from '../../src/core/rng.js';
import type { OptimizerSpec } from '../../src/nn/optim.js';
import { ConfigError } from '../../src/core/errors.js';
import { ActorCritic } from './actor-critic.js';
import { WasmActorCritic } from './wasm-actor-critic.js';
import { ENGINES, type ActorCriticOptions, type Engine, type PolicyValueNet } from './policy-value-net.js';
import type { QNet, QNetOptions } from './q-net.js';
import { TfjsQNet } from './tfjs-q-net.js';
import { WasmQNet } from './wasm-q-net.js';

export function createPolicyValueNet(engine: Engine, options: ActorCriticOptions, optimizer: OptimizerSpec, rng: Rng): PolicyValueNet {
  if (engine === 'tfjs') return new ActorCritic(options, optimizer, rng);
  if (engine === 'wasm-simd') return new WasmActorCritic(options, optimizer, rng);
  throw new ConfigError(`Expected engine to be one of ${ENGINES.join(', ')}, but got ${JSON.stringify(engine)}.`);
}

export function createQNet(engine: Engine, options: QNetOptions, rng: Rng): QNet {
  if (engine === 'tfjs') return new TfjsQNet(options, rng);
  if (engine === 'wasm-simd') return new WasmQNet(options, rng);
  throw new ConfigError(`Expected engine to be one of ${ENGINES.join(', ')}, but got ${JSON.stringify(engine)}.`);
}

/**
 * A saved config as it loads: a folder saved before engines existed was trained by the tfjs engine, so it
 * continues on that engine (its optimizer state is in the tfjs layout).
 */
export function savedConfigWithEngine(config: unknown): Record<string, unknown> {
  const saved = config as Record<string, unknown>;
  return 'engine' in saved ? saved : { ...saved, engine: 'tfjs' };
}
