/** What `createAgent` hands an algorithm: the env's spaces, the randomness, and optionally the env itself. */
import { Rng } from '../../src/core/rng.js';
import type { Space } from '../../src/core/spaces.js';
import type { VectorEnv } from '../../src/core/vector.js';
import type { Env } from '../../src/core/env.js';

export interface AgentContext {
  observationSpace: Space<unknown>;
  actionSpace: Space<unknown>;
  /** Root seed when no rng is given (default 0). */
  seed?: number;
  rng?: Rng;
  /**
   * The env the agent will act in: baselines that read an env's internals (the orchestrator's) need it;
   * learners may use it to check their config against the env early (PPO: batchSize vs numEnvs).
   */
  env?: Env<unknown, unknown> | VectorEnv;
}

/** The agent's root stream: `context.rng` itself, else a new one from `context.seed` (default 0). */
export function rootRng(context: Pick<AgentContext, 'rng' | 'seed'>): Rng {
  return context.rng ?? new Rng(context.seed ?? 0);
}
