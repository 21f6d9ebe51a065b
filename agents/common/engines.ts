/** Builds a learner's networks on the configured engine (policy-value-net.ts describes the engines). */
import type { Rng } from '../../src/core/rng.js';
import type { OptimizerSpec } from '../../src/nn/optim.js';
import { ConfigError } from '../../src/core/errors.js';
import { ActorCritic } from './actor-critic.js';
import type { ActorCriticOptions, Engine, PolicyValueNet } from './policy-value-net.js';
import type { QNet, QNetOptions } from './q-net.js';
import { TfjsQNet } from './tfjs-q-net.js';

export function createPolicyValueNet(engine: Engine, options: ActorCriticOptions, optimizer: OptimizerSpec, rng: Rng): PolicyValueNet {
  if (engine === 'tfjs') return new ActorCritic(options, optimizer, rng);
  throw new ConfigError(`Expected engine "tfjs", but got ${JSON.stringify(engine)} (not built yet).`);
}

export function createQNet(engine: Engine, options: QNetOptions, rng: Rng): QNet {
  if (engine === 'tfjs') return new TfjsQNet(options, rng);
  throw new ConfigError(`Expected engine "tfjs", but got ${JSON.stringify(engine)} (not built yet).`);
}
