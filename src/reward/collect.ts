/**
 * Offline feedback collection: run an orchestrator env under fixed policies and keep what the simulated
 * users said, plus every finished task with its true satisfaction. Used to study reward models apart from
 * RL (learning curves, benchmarks) and to pretrain one before a run.
 *
 * Episodes cycle through `policies` (default random, greedy, round_robin), so the data spans the outcomes
 * a learning policy goes through, from chaotic to competent.
 */
import { ConfigError, describeValue } from '../core/errors.js';
import type { Agent } from '../core/agent.js';
import type { Env } from '../core/env.js';
import { make } from '../core/registry.js';
import { RandomAgent } from '../../agents/random.js';
import { createBaseline } from '../../envs/orchestrator/baselines.js';
import type { TaskOutcome } from '../../envs/orchestrator/feedback.js';
import '../../envs/orchestrator/register.js';
import { FeedbackBuffer } from './feedback-buffer.js';
import { RewardLearner } from './learned-reward-wrapper.js';
import type { RewardDataset, RewardModel } from './reward-model.js';

export interface CollectFeedbackOptions {
  /** Env id. Default `Orchestrator-v0`. */
  envId?: string;
  /** Env kwargs, e.g. `{preset: 'default'}`. */
  kwargs?: Record<string, unknown>;
  /** Env steps in total. */
  steps: number;
  /** Baseline names cycled per episode. Default ['random', 'greedy', 'round_robin']. */
  policies?: string[];
  /** Episode i is reset with seed `seed + i`. Default 0. */
  seed?: number;
  /**
   * Called after every step that finished tasks, with those tasks (in `tasks` order) and the env, while
   * the env still holds the episode's hidden state (analysis, e.g. `env.unwrapped.hidden()`).
   */
  onFinished?: (finished: readonly TaskOutcome[], env: Env<Float32Array, number>) => void;
}

export interface CollectedFeedback {
  /** Every feedback event, with the true satisfaction attached (evaluation only). */
  buffer: FeedbackBuffer;
  /** Every finished task: x = features, y = truth = true satisfaction. */
  tasks: RewardDataset;
  steps: number;
  episodes: number;
}

/** A policy by name: random (agents/random.ts) or one of the Orchestrator's baselines. */
function policy(name: string, env: Env<unknown, unknown>, seed: number): Agent<Float32Array, number> {
  if (name === 'random') return new RandomAgent({ seed }, { observationSpace: env.observationSpace, actionSpace: env.actionSpace });
  return createBaseline(name, env, { seed });
}

export function collectFeedback(options: CollectFeedbackOptions): CollectedFeedback {
  const { envId = 'Orchestrator-v0', kwargs = {}, steps, policies = ['random', 'greedy', 'round_robin'], seed = 0, onFinished } = options;
  if (!Number.isInteger(steps) || steps <= 0) throw new ConfigError(`Expected steps to be a positive integer, but got ${describeValue(steps)}.`);
  if (policies.length === 0) throw new ConfigError('Expected at least one policy name, but got an empty list.');
  const env = make<Float32Array, number>(envId, { kwargs });
  const agents = policies.map((name, i) => policy(name, env as Env<unknown, unknown>, seed + i));
  // A learner with no model use: its ingest joins feedback with the truth exactly as in training runs.
  const learner = new RewardLearner({ model: placeholderModel(), heldOutFraction: 0 });
  const features: number[] = [];
  const truth: number[] = [];
  let episodes = 0;
  let { obs, info } = env.reset({ seed });
  for (let t = 0; t < steps; t++) {
    const agent = agents[episodes % agents.length];
    const result = env.step(agent.act(obs, { mask: info.actionMask as Uint8Array }));
    learner.ingest(result.info);
    const finished = (result.info.finished as readonly TaskOutcome[] | undefined) ?? [];
    for (const task of finished) {
      for (let i = 0; i < task.features.length; i++) features.push(task.features[i]);
      truth.push(task.trueSatisfaction);
    }
    if (onFinished && finished.length > 0) onFinished(finished, env);
    if (result.terminated || result.truncated) {
      episodes++;
      ({ obs, info } = env.reset({ seed: seed + episodes }));
    } else {
      obs = result.obs;
      info = result.info;
    }
  }
  env.close();
  const dim = learner.buffer.dim;
  const truthArray = Float32Array.from(truth);
  return {
    buffer: learner.buffer,
    tasks: { dim, x: Float32Array.from(features), y: truthArray, truth: truthArray, pairA: new Float32Array(0), pairB: new Float32Array(0), preferred: new Uint8Array(0) },
    steps,
    episodes,
  };
}

function placeholderModel(): RewardModel {
  const fail = (): never => {
    throw new ConfigError('Expected no model calls during collection, but got one.');
  };
  return {
    kind: 'none',
    dim: new FeedbackBuffer().dim,
    fitted: false,
    warmStarts: false,
    fit: fail,
    update: fail,
    predict: fail,
    predictWithUncertainty: fail,
    evaluate: fail,
    save: fail,
    load: fail,
    dispose: () => {},
  };
}
