/**
 * Registers the agents that live beside their env, the Orchestrator baselines (round_robin, greedy,
 * oracle), in the agent registry (the fourth baseline, random, is a general agent: agents/random.ts). It
 * sits here, above both envs/ and agents/, because an algorithm in agents/ never imports an env. A baseline
 * needs the single env it will act in (`context.env`): the oracle reads that env's hidden parameters.
 */
import { createAgent, listAgents, registerAgent } from '../../agents/index.js';
import { ORCHESTRATOR_BASELINE_NAMES, createBaseline } from '../../envs/orchestrator/baselines.js';
import type { BaselineFactory } from '../../envs/orchestrator/evaluate.js';
import { BASELINE_CONFIG_SCHEMAS } from '../../envs/orchestrator/baseline-config.js';
import { ConfigError } from '../core/errors.js';
import type { Env } from '../core/env.js';
import { make } from '../core/registry.js';
import { PatternRouter, PatternRouterConfigSchema } from '../traces/pattern-router.js';

const DESCRIPTIONS: Record<string, string> = {
  round_robin: 'Baseline (Orchestrator): dispatches to workers in turn.',
  greedy: 'Baseline (Orchestrator): dispatches by observed success rates only.',
  oracle: 'Baseline (Orchestrator): reads the hidden worker parameters; an upper reference, not optimal.',
};

for (const name of ORCHESTRATOR_BASELINE_NAMES) {
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

if (!listAgents().includes('pattern_router')) {
  registerAgent({
    name: 'pattern_router',
    description: 'Baseline (Orchestrator): learns a routing table per category from traced greedy workdays, then routes by it.',
    configSchema: PatternRouterConfigSchema,
    factory: (config, context) => {
      const env = context.env;
      if (!env || !('unwrapped' in env)) {
        // Trained through a vector env: act on a single env of the same id.
        const spec = (env as { spec?: { id: string; kwargs: Record<string, unknown> } } | undefined)?.spec;
        return new PatternRouter(make(spec?.id ?? 'Orchestrator-v0', { kwargs: spec?.kwargs ?? {} }), config);
      }
      return new PatternRouter(env as Env<unknown, unknown>, config);
    },
  });
}

/** Every baseline by name through the agent registry (random included), for `evaluateBaselines`. */
export const createBaselineAgent: BaselineFactory = (name, env, options) =>
  createAgent(name, { ...options }, { observationSpace: env.observationSpace, actionSpace: env.actionSpace, env }) as ReturnType<BaselineFactory>;
