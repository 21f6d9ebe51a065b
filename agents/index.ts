/**
 * The agent registry: `createAgent(name, config, context)` builds a registered algorithm with a validated
 * config; `listAgents()` names them. The random baseline and the bandit algorithms are registered here;
 * baselines that live beside their env (orchestrator) register through `registerAgent` from above both.
 */
import type { Agent } from '../src/core/agent.js';
import { ConfigError } from '../src/core/errors.js';
import { closestNames } from '../src/core/names.js';
import type { AgentContext } from './common/context.js';
import type { z } from 'zod';
import { PpoAgent, PpoConfigSchema } from './ppo.js';
import { A2cAgent, A2cConfigSchema } from './a2c.js';
import { ReinforceAgent, ReinforceConfigSchema } from './reinforce.js';
import { DqnAgent, DqnConfigSchema } from './dqn.js';
import { BcAgent, BcConfigSchema } from './bc.js';
import { RandomAgent, RandomAgentConfigSchema } from './random.js';
import { banditAgents, EpsilonGreedyConfigSchema, LinUCBConfigSchema, ThompsonConfigSchema, UCB1ConfigSchema } from './bandits/index.js';

export type { AgentContext } from './common/context.js';

export type AgentFactory = (config: Record<string, unknown>, context: AgentContext) => Agent;

export interface AgentRegistration {
  name: string;
  factory: AgentFactory;
  description?: string;
  /**
   * The zod schema of the agent's config (defaults, ranges, descriptions): `loopgym agents <name>` prints
   * it and an experiment spec's `agent` section is checked against it before anything runs.
   */
  configSchema?: z.ZodType;
  /** Trains from an offline dataset (a spec's `dataset`) instead of env steps. */
  offline?: boolean;
}

const agents = new Map<string, AgentRegistration>();

export function registerAgent(registration: AgentRegistration): void {
  if (agents.has(registration.name)) throw new ConfigError(`Expected a new agent name, but ${JSON.stringify(registration.name)} is already registered.`);
  agents.set(registration.name, registration);
}

export function listAgents(): string[] {
  return [...agents.keys()].sort();
}

/** The config schema agent `name` declares (undefined when it declares none, or for an unknown name). */
export function agentConfigSchema(name: string): z.ZodType | undefined {
  return agents.get(name)?.configSchema;
}

/** True when agent `name` trains from an offline dataset (false for unknown names). */
export function agentIsOffline(name: string): boolean {
  return agents.get(name)?.offline === true;
}

/** The registration of agent `name`; an unknown name fails with the nearest registered names. */
export function agentRegistration(name: string): AgentRegistration {
  const registration = agents.get(name);
  if (!registration) {
    const hint = closestNames(name, listAgents()).join(', ');
    throw new ConfigError(`Expected a registered agent name (one of ${listAgents().join(', ')}), but got ${JSON.stringify(name)}. Did you mean ${hint}?`);
  }
  return registration;
}

/** Builds agent `name`; `context.seed` (default 0) or `context.rng` drives all of its randomness. */
export function createAgent(name: string, config: Record<string, unknown>, context: AgentContext): Agent {
  return agentRegistration(name).factory(config, context);
}

registerAgent({ name: 'ppo', factory: (config, context) => new PpoAgent(config, context), description: 'Proximal Policy Optimization (clipped), GAE, masking.', configSchema: PpoConfigSchema });
registerAgent({ name: 'a2c', factory: (config, context) => new A2cAgent(config, context), description: 'Advantage Actor-Critic (synchronous, RMSprop).', configSchema: A2cConfigSchema });
registerAgent({ name: 'reinforce', factory: (config, context) => new ReinforceAgent(config, context), description: 'REINFORCE with a learned value baseline.', configSchema: ReinforceConfigSchema });
registerAgent({ name: 'dqn', factory: (config, context) => new DqnAgent(config, context), description: 'Deep Q-Network with replay, target network, double-DQN option.', configSchema: DqnConfigSchema });
registerAgent({
  name: 'bc',
  factory: (config, context) => new BcAgent(config, context),
  description: 'Behaviour cloning: masked cross-entropy on an offline dataset (spec "dataset"), validation split, early stopping.',
  configSchema: BcConfigSchema,
  offline: true,
});
registerAgent({
  name: 'random',
  factory: (config, context) => new RandomAgent(config, context),
  description: 'Baseline: uniformly random among the allowed actions (action mask).',
  configSchema: RandomAgentConfigSchema,
});

export { PpoAgent, PpoConfigSchema, PPO_DEFAULTS, PPO_ZOO_CARTPOLE, type PpoConfig, type PpoConfigInput } from './ppo.js';
export { A2cAgent, A2cConfigSchema, A2C_DEFAULTS, A2C_ZOO_CARTPOLE, type A2cConfig, type A2cConfigInput } from './a2c.js';
export { ReinforceAgent, ReinforceConfigSchema, REINFORCE_DEFAULTS, type ReinforceConfig, type ReinforceConfigInput } from './reinforce.js';
export { DqnAgent, DqnConfigSchema, DQN_DEFAULTS, DQN_ZOO_CARTPOLE, type DqnConfig, type DqnConfigInput } from './dqn.js';
export { BcAgent, BcConfigSchema, BC_DEFAULTS, type BcConfig, type BcConfigInput } from './bc.js';
export { RandomAgent, RandomAgentConfigSchema, type RandomAgentConfig, type RandomAgentConfigInput } from './random.js';

/** Every registration (name and description), sorted by name: what `loopgym agents` lists. */
export function agentRegistrations(): AgentRegistration[] {
  return listAgents().map((name) => agents.get(name) as AgentRegistration);
}

registerAgent({
  name: 'epsilon-greedy',
  factory: banditAgents['epsilon-greedy'],
  description: 'Bandit: epsilon-greedy on sample-average (or constant step) value estimates.',
  configSchema: EpsilonGreedyConfigSchema,
});
registerAgent({ name: 'ucb1', factory: banditAgents.ucb1, description: 'Bandit: UCB1 upper confidence bounds.', configSchema: UCB1ConfigSchema });
registerAgent({ name: 'thompson', factory: banditAgents.thompson, description: 'Bandit: Gaussian Thompson sampling.', configSchema: ThompsonConfigSchema });
registerAgent({ name: 'linucb', factory: banditAgents.linucb, description: 'Contextual bandit: disjoint LinUCB on the observation vector (ml-matrix).', configSchema: LinUCBConfigSchema });
