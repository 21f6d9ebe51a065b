/**
 * Registers Orchestrator-v0, Orchestrator-drift-v0 and ContextualRouting-v0. Importing this module
 * registers them (envs/index.ts does); `registerOrchestratorEnvs()` is idempotent.
 */
import { listEnvs, register } from '../../src/core/registry.js';
import { addDefaultRegistrationModule } from '../../src/core/vector-envs/async-vector-env.js';
import { ORCHESTRATOR_DRIFT_OVERRIDES, OrchestratorDriftKwargsSchema, OrchestratorKwargsSchema } from './config.js';
import { ContextualRoutingEnv, ContextualRoutingKwargsSchema } from './contextual-routing.js';
import { OrchestratorEnv } from './env.js';
import { orchestratorVectorEntryPoint } from './vector-env.js';

export const ORCHESTRATOR_ENV_IDS = ['Orchestrator-v0', 'Orchestrator-drift-v0', 'ContextualRouting-v0'] as const;

export function registerOrchestratorEnvs(): void {
  const known = new Set(listEnvs());
  if (!known.has('Orchestrator-v0')) {
    register({
      id: 'Orchestrator-v0',
      entryPoint: (kwargs) => new OrchestratorEnv(kwargs),
      vectorEntryPoint: orchestratorVectorEntryPoint('Orchestrator-v0'),
      maxEpisodeSteps: 200,
      kwargs: { preset: 'default' },
      kwargsSchema: OrchestratorKwargsSchema,
      producesFeedback: true,
      description: 'A seeded multi-agent workflow: scan, dispatch, coordinate, monitor or optimize each tick of a 200-tick workday.',
    });
  }
  if (!known.has('Orchestrator-drift-v0')) {
    register({
      id: 'Orchestrator-drift-v0',
      entryPoint: (kwargs) => new OrchestratorEnv(kwargs, ORCHESTRATOR_DRIFT_OVERRIDES),
      vectorEntryPoint: orchestratorVectorEntryPoint('Orchestrator-drift-v0', ORCHESTRATOR_DRIFT_OVERRIDES),
      maxEpisodeSteps: 200,
      kwargs: { preset: 'default' },
      kwargsSchema: OrchestratorDriftKwargsSchema,
      producesFeedback: true,
      description: 'Orchestrator-v0 whose hidden worker skills drift during the day.',
    });
  }
  if (!known.has('ContextualRouting-v0')) {
    register({
      id: 'ContextualRouting-v0',
      entryPoint: (kwargs) => new ContextualRoutingEnv(kwargs),
      kwargs: { preset: 'default' },
      kwargsSchema: ContextualRoutingKwargsSchema,
      description: 'A contextual bandit from the Orchestrator world: route one task (context) to one worker (arm).',
    });
  }
}

registerOrchestratorEnvs();
// AsyncVectorEnv workers import this module too, so they know these ids.
addDefaultRegistrationModule(import.meta.url);
