/**
 * The network plumbing the actor-critic learners (PPO, A2C, REINFORCE) share around their learn(): build
 * the policy/value MLPs from the config, act, save and load (policy/ and value/ folders, one optimizer).
 * Only the optimizer and learn() differ between them.
 */
import type { ActOptions } from '../../src/core/agent.js';
import { MaskedCategorical } from '../../src/nn/distributions.js';
import type { FlatOptimizer } from '../../src/nn/optim.js';
import { ActorCritic, type ActorCriticOptions } from './actor-critic.js';
import { ACTOR_CRITIC_EXPORT, type AgentFolder } from './agent-folder.js';
import type { LearnerState, Normalization } from './learner-state.js';

/** The network fields of an actor-critic learner's config (PPO, A2C, REINFORCE). */
export interface ActorCriticConfig {
  piLayers: number[];
  vfLayers: number[];
  activation: ActorCriticOptions['activation'];
  init: ActorCriticOptions['init'];
  gamma: number;
  normalizeObs: boolean;
  /** Absent: rewards are not scaled (REINFORCE). */
  normalizeReward?: boolean;
}

/** The normalization an actor-critic learner applies, from its config. */
export function normalizationOf(c: ActorCriticConfig): Normalization {
  return { obs: c.normalizeObs, reward: c.normalizeReward ?? false, gamma: c.gamma };
}

/** The policy and value MLPs of the config, initialized from the learner's `main` stream (fork `init`). */
export function actorCriticFor(c: ActorCriticConfig, learner: LearnerState<'act'>): ActorCritic {
  const options = { obsDim: learner.obsDim, numActions: learner.numActions, piHidden: c.piLayers, vfHidden: c.vfLayers, activation: c.activation, init: c.init };
  return new ActorCritic(options, learner.rngs.main.fork('init'));
}

/** act() of the actor-critic learners: normalize (without updating the statistics), then sample or take the mode. */
export function actorCriticAct(net: ActorCritic, learner: LearnerState<'act'>, obs: Float32Array, options: ActOptions): number {
  const x = new Float32Array(learner.obsDim);
  learner.normalizer!.observations(obs, 1, x, false);
  return MaskedCategorical.sample(net.logits(x, 1), 0, learner.numActions, learner.rngs.act, options.mask, options.deterministic ?? false).action;
}

/** save() of the actor-critic learners: policy/ and value/ (tfjs LayersModels), optimizer state, agent.json. */
export async function saveActorCritic(dir: string, learner: LearnerState<'act'>, config: object, net: ActorCritic, optimizer: FlatOptimizer): Promise<void> {
  await net.save(dir);
  await learner.save(dir, { config, networks: { policy: 'policy', value: 'value' }, optimizer, export: ACTOR_CRITIC_EXPORT });
}

/** load() of the actor-critic learners, into a network and optimizer freshly built for the loaded config. */
export async function loadActorCritic(dir: string, saved: AgentFolder, learner: LearnerState<'act'>, net: ActorCritic, optimizer: FlatOptimizer, normalization: Normalization): Promise<void> {
  await net.load(dir);
  await learner.restore(dir, saved, optimizer, normalization);
}
