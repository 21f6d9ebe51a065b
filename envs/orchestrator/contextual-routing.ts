/**
 * ContextualRouting-v0: the routing decision of the Orchestrator world as a contextual bandit, for
 * bandit algorithms (LinUCB, Thompson sampling, epsilon-greedy). Each episode is ONE step: the context is
 * one task from the plugin mix, the arm is the worker it goes to, the reward is the task's success value
 * minus the money it costs; then the episode terminates and the next reset shows the next task.
 *
 * ## The world
 * One company for the env's whole life, drawn from `worldSeed` exactly as Orchestrator-v0
 * draws it (same architecture priors, skill spread, affinities; queueing, degradation and silent failures
 * are left out). A learner therefore meets the same hidden skills across episodes. Tasks come from the
 * plugin mix; `reset({seed})` restarts the task and outcome streams, `reset()` continues them.
 *
 * ## Actions: Discrete(N), names `route:<architecture>#w` in `env.actionNames`
 * Every arm is always allowed (`info.actionMask` is all ones).
 *
 * ## Observation (the context): Box float32 [0, 1], dimension C + 8, labels in `env.observationLabels`
 * | Index        | Label              | Meaning                                  |
 * |--------------|--------------------|------------------------------------------|
 * | 0 .. C-1     | `category:<c>`     | one-hot of the task's category           |
 * | C            | `complexity`       | complexity / 5                           |
 * | C + 1        | `priority`         | priority / 3                             |
 * | C + 2 .. C+7 | `feature:<f>`      | the plugin features (TASK_FEATURE_LABELS) |
 *
 * ## Reward
 * priority x 1[success] - `costWeight` x cost[w] x duration, with success ~
 * Bernoulli(sigmoid(logit[w,c] - slope[w] (complexity - 3) - (ambiguity - 0.4))) and duration as in
 * Orchestrator-v0 (no degradation). `info` carries `expectedReward` (of the chosen arm),
 * `bestExpectedReward`, `optimalArm`, `regret` (their difference, >= 0), `success` and `cost`.
 *
 * ## Episode end
 * Terminated after the single step.
 *
 * ## Arguments
 * ContextualRoutingKwargsSchema below (`loopgym envs ContextualRouting-v0` prints it): `preset`, `worldSeed`,
 * `costWeight`, and the Orchestrator world options that shape the company and the tasks.
 *
 * ## Version history
 * - v0: initial version.
 */
import { BaseEnv, type EnvMetadata, type ResetArgs, type ResetResult, type StepResult } from '../../src/core/env.js';
import { ConfigError, InvalidActionError, ResetNeededError, describeValue } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { Box, Discrete } from '../../src/core/spaces.js';
import { TASK_FEATURE_DIM, TASK_FEATURE_LABELS, type Task, type TaskPlugin } from '../../src/plugins/types.js';
import { ARCHITECTURE_NAMES, drawArchitectures } from './catalog.js';
import { z } from 'zod';
import { resolveConfig } from '../../src/core/config-schema.js';
import { orchestratorFields, orchestratorPresetField, resolveOrchestratorConfig } from './config.js';
import { generateCompany, taskSources, type Company } from './world.js';

/** The kwargs: a preset, the world seed, the cost weight, and the Orchestrator options that shape the company and tasks. */
export const ContextualRoutingKwargsSchema = z.strictObject({
  preset: orchestratorPresetField,
  worldSeed: z.number().int().default(0).describe("Seeds the company (the hidden worker skills), the same for the env's whole life"),
  costWeight: z.number().min(0).default(0.05).describe('Reward penalty per unit of worker cost (cost per tick x duration)'),
  ...z.strictObject(orchestratorFields).pick({
    workers: true,
    poolSeed: true,
    pluginMix: true,
    workerSpread: true,
    domainSpread: true,
    skillSpread: true,
    affinityWeight: true,
    complexityPenalty: true,
    durationScale: true,
  }).shape,
});
/** E[exp(0.3 Z)] for Z ~ N(0, 1): the mean of the duration noise. */
const DURATION_NOISE_MEAN = Math.exp(0.045);
const CHUNK = 64;

export class ContextualRoutingEnv extends BaseEnv<Float32Array, number> {
  readonly observationSpace: Box;
  readonly actionSpace: Discrete;
  override readonly metadata: EnvMetadata = { renderModes: [] };
  readonly actionNames: readonly string[];
  readonly observationLabels: readonly string[];
  readonly categories: readonly string[];
  readonly workerArchitectures: readonly string[];
  readonly costWeight: number;
  /** The hidden parameters (for oracles and regret analysis). */
  readonly company: Company;

  private readonly plugins: TaskPlugin[];
  private readonly mixWeights: Float64Array;
  private readonly categoryIndex: Map<string, number>;
  private readonly mask: Uint8Array;
  private taskRng!: Rng;
  private outcomeRng!: Rng;
  private pluginRngs: Rng[] = [];
  private buffers: Task[][] = [];
  private cursors: Int32Array;
  private streamsReady = false;
  private current: Task | null = null;
  private currentCategory = 0;

  constructor(kwargs: Record<string, unknown> = {}) {
    super();
    const { worldSeed, costWeight } = resolveConfig(ContextualRoutingKwargsSchema, kwargs, 'ContextualRouting-v0');
    const { worldSeed: _seed, costWeight: _weight, ...world } = kwargs;
    this.costWeight = costWeight;
    const config = resolveOrchestratorConfig(world, {}, 'ContextualRouting-v0');
    const architectures = Array.isArray(config.workers) ? config.workers : drawArchitectures(config.workers, config.poolSeed);
    this.workerArchitectures = Object.freeze([...architectures]);
    const { plugins, mixWeights, categories, domains, categoryIndex } = taskSources(config);
    this.plugins = plugins;
    this.mixWeights = mixWeights;
    this.categoryIndex = categoryIndex;
    this.categories = Object.freeze(categories);
    const archIndex = architectures.map((name) => ARCHITECTURE_NAMES.indexOf(name));
    this.company = generateCompany(new Rng(`world/${worldSeed}`), archIndex, categories, domains, config);
    this.actionNames = Object.freeze(architectures.map((a, w) => `route:${a}#${w}`));
    this.actionSpace = new Discrete(architectures.length);
    this.mask = new Uint8Array(architectures.length).fill(1);
    this.observationLabels = Object.freeze([
      ...categories.map((c) => `category:${c}`),
      'complexity',
      'priority',
      ...TASK_FEATURE_LABELS.map((f) => `feature:${f}`),
    ]);
    this.observationSpace = new Box(0, 1, [this.observationLabels.length]);
    this.cursors = new Int32Array(this.plugins.length);
  }

  reset(args: ResetArgs = {}): ResetResult<Float32Array> {
    if (args.seed !== undefined || !this.streamsReady) {
      this.reseed(args.seed);
      this.taskRng = this.rng.fork('tasks');
      this.outcomeRng = this.rng.fork('outcomes');
      this.pluginRngs = this.plugins.map((p) => this.rng.fork(`plugin:${p.name}`));
      this.buffers = this.plugins.map(() => []);
      this.cursors.fill(0);
      this.streamsReady = true;
    }
    const p = this.plugins.length === 1 ? 0 : this.taskRng.weightedIndex(this.mixWeights);
    if (this.cursors[p] >= this.buffers[p].length) {
      this.buffers[p] = this.plugins[p].generate(this.pluginRngs[p], CHUNK, { prompts: false });
      this.cursors[p] = 0;
    }
    const task = this.buffers[p][this.cursors[p]++];
    const category = this.categoryIndex.get(task.category);
    if (category === undefined) throw new ConfigError(`Expected plugin ${this.plugins[p].name} to generate its own categories, but got ${describeValue(task.category)}.`);
    this.current = task;
    this.currentCategory = category;
    const obs = new Float32Array(this.observationLabels.length);
    const c = this.categories.length;
    obs[category] = 1;
    obs[c] = task.complexity / 5;
    obs[c + 1] = task.priority / 3;
    for (let f = 0; f < TASK_FEATURE_DIM; f++) obs[c + 2 + f] = task.features[f];
    return { obs, info: { actionMask: this.mask.slice() } };
  }

  /** Expected reward of routing the current task to worker w. */
  expectedReward(worker: number): number {
    const task = this.current;
    if (!task) throw new ResetNeededError('Expected reset() before expectedReward(), but no task is current.');
    return this.successProbability(worker, task) * task.priority - this.costWeight * this.company.cost[worker] * this.meanDuration(worker, task) * DURATION_NOISE_MEAN;
  }

  step(action: number): StepResult<Float32Array> {
    const task = this.current;
    if (!task) throw new ResetNeededError('Expected reset() before step() (every episode is one step), but step() was called without one.');
    if (!Number.isInteger(action) || action < 0 || action >= this.actionNames.length) {
      throw new InvalidActionError(`Expected an arm in [0, ${this.actionNames.length - 1}] (Discrete(${this.actionNames.length})), but got ${describeValue(action)}.`);
    }
    const success = this.outcomeRng.random() < this.successProbability(action, task);
    const duration = Math.max(1, Math.round(this.meanDuration(action, task) * Math.exp(0.3 * this.outcomeRng.normal())));
    const cost = this.company.cost[action] * duration;
    const reward = (success ? task.priority : 0) - this.costWeight * cost;
    let optimalArm = 0;
    let best = -Infinity;
    for (let w = 0; w < this.actionNames.length; w++) {
      const value = this.expectedReward(w);
      if (value > best) {
        best = value;
        optimalArm = w;
      }
    }
    const expected = this.expectedReward(action);
    this.current = null;
    const obs = new Float32Array(this.observationLabels.length);
    return {
      obs,
      reward,
      terminated: true,
      truncated: false,
      info: { actionMask: this.mask.slice(), expectedReward: expected, bestExpectedReward: best, optimalArm, regret: best - expected, success, cost },
    };
  }

  private successProbability(worker: number, task: Task): number {
    const c = this.company;
    const logit = c.logit[worker * c.numCategories + this.currentCategory] - c.slope[worker] * (task.complexity - 3) - (task.features[1] - 0.4);
    return 1 / (1 + Math.exp(-logit));
  }

  private meanDuration(worker: number, task: Task): number {
    return this.company.slowness[worker] * (1 + 1.4 * task.complexity);
  }
}
