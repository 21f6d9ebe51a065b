/**
 * The bandit agents: epsilon-greedy, UCB1, Gaussian Thompson sampling and disjoint LinUCB, one file each,
 * on the shared BanditAgent (bandit-agent.ts).
 */
import type { BanditContext } from './bandit-agent.js';
import { EpsilonGreedyAgent, type EpsilonGreedyConfigInput } from './epsilon-greedy.js';
import { LinUCBAgent, type LinUCBConfigInput } from './linucb.js';
import { ThompsonAgent, type ThompsonConfigInput } from './thompson.js';
import { UCB1Agent, type UCB1ConfigInput } from './ucb1.js';

export * from './bandit-agent.js';
export * from './epsilon-greedy.js';
export * from './ucb1.js';
export * from './thompson.js';
export * from './linucb.js';

/** The bandit agents by name, in the shape of the agent registry's factories (`registerAgent`). */
export const banditAgents = {
  'epsilon-greedy': (config: Record<string, unknown> = {}, context: BanditContext = {}) => new EpsilonGreedyAgent(config as EpsilonGreedyConfigInput, context),
  ucb1: (config: Record<string, unknown> = {}, context: BanditContext = {}) => new UCB1Agent(config as UCB1ConfigInput, context),
  thompson: (config: Record<string, unknown> = {}, context: BanditContext = {}) => new ThompsonAgent(config as ThompsonConfigInput, context),
  linucb: (config: Record<string, unknown> = {}, context: BanditContext = {}) => new LinUCBAgent(config as LinUCBConfigInput, context),
} as const;
