/**
 * Registers the agents that live beside their env, the Orchestrator baselines (random, round_robin,
 * greedy, oracle), in the agent registry. It sits here, above both envs/ and agents/, because an
 * algorithm in agents/ never imports an env. A baseline needs the single env it will act in
 * (`context.env`): the oracle reads that env's hidden parameters.
 */
import { listAgents, registerAgent } from '../../agents/index.js';
import { BASELINE_NAMES, createBaseline } from '../../envs/orchestrator/baselines.js';
import { BASELINE_CONFIG_SCHEMAS } from '../../envs/orchestrator/baseline-config.js';
import { ConfigError } from '../core/errors.js';
import type { Env } from '../core/env.js';

const DESCRIPTIONS: Record<string, string> = {
  random: 'Baseline: uniformly random among the allowed actions (action mask).',
  round_robin: 'Baseline (Orchestrator): dispatches to workers in turn.',
  greedy: 'Baseline (Orchestrator): dispatches by observed success rates only.',
  oracle: 'Baseline (Orchestrator): reads the hidden worker parameters; an upper reference, not optimal.',
};

for (const name of BASELINE_NAMES) {
  if (listAgents().includes(name)) continue;
  registerAgent({
    name,
    description: DESCRIPTIONS[name],
    configSchema: BASELINE_CONFIG_SCHEMAS[name],
    factory: (config, context) => {
      const env = context.env;
      if (!env || !('unwrapped' in env)) {
        throw new ConfigError(`Expected a single env in the context of baseline ${name} (it acts in that env), but got ${env ? 'a vector env' : 'none'}.`);
      }
      return createBaseline(name, env as Env<unknown, unknown>, config);
    },
  });
}
