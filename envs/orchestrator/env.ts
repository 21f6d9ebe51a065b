/**
 * Orchestrator-v0: a seeded simulation of a multi-agent workflow system. The policy is the orchestrator:
 * tasks stream in from data plugins (src/plugins), a pool of worker agents with hidden strengths does the
 * work, and every tick (one step) the policy takes one of five verbs.
 *
 * ## The world (defaults of the `default` preset in brackets; every knob is a kwarg, see config.ts)
 * - **Company.** `reset({seed})` draws the hidden worker parameters (world.ts) around the architecture
 *   priors of catalog.ts. Success logit of worker w on category c (at complexity 3) = architecture base
 *   + N(0, `workerSpread` [0.8]) for the worker + N(0, `domainSpread` [1.2]) per (worker, plugin domain)
 *   + `affinityWeight` [0.9] x catalog affinity + N(0, `skillSpread` [0.7]) per (worker, category).
 *   Also drawn: a complexity slope (architecture slope x `complexityPenalty` [1.5] x U(0.8, 1.2)), a
 *   slowness, a cost per tick, a capacity of 1-3 units, answer quality and creativity. Same seed, same
 *   company; an unseeded reset starts the next workday with the next company of the same stream;
 *   `worldSeed` pins one company for every episode, `pinCompany(company)` a given one (learning loops
 *   evolve it between iterations). Architectures sit in fixed slots (`workers`, default
 *   react, chain_of_thought, reflection, evaluator, tree_of_thought, retrieval_augmented), so action names
 *   never change.
 * - **Tasks.** Arrivals form a Poisson process with intensity `arrivalRate` [0.46/tick] x (0.7 + 0.6
 *   sin(pi x time of day)) x (`burstMultiplier` [2.2] during a burst). Bursts start with probability
 *   `burstProbability` [0.02] per tick and last `burstLength` [4-12] ticks. Each arrival's plugin is drawn
 *   from `pluginMix` [the three built-ins, equal shares]; the plugin gives category, complexity 1-5,
 *   priority 1-3, SLA budget and six features. A workday starts with min(queueCapacity, Poisson(3 x
 *   arrivalRate)) tasks queued. The queue is FIFO; a requeued task goes to its head. Arrivals beyond
 *   `queueCapacity` [48] are turned away and a task waiting `abandonAfter` [2] SLAs is abandoned (both
 *   score as abandoned).
 * - **Work.** Worker w on a task of category c, complexity x, ambiguity a succeeds with probability
 *   p = sigmoid(logit[w,c] - slope[w] (x - 3) - (a - 0.4)); with a reviewer (coordinate) p + (1 - p)
 *   `reviewGain` [0.8] ((x - 1)/4)^2; then times (1 - `degradationFailure` [0.45] D). Duration =
 *   max(1, round(slowness[w] (1 + 1.4x) (1 + `degradationLatency` [1] D) exp(N(0, 0.3)))) ticks, x1.2 with
 *   a reviewer. A failure is silent with probability `silentFailureRate` [0.5] + `degradationSilent` [0.3] D:
 *   the worker hangs past its apparent finish, holding its capacity and costing money, until `monitor`
 *   finds it or its SLA deadline passes (then it surfaces as failed and late).
 * - **Degradation** D in [0, 1] grows each tick by a step drawn per maintenance cycle
 *   (`degradationRate` [0.006] x U(0.5, 1.5), redrawn at reset and at every `optimize`, which sets D = 0).
 * - **Drift** (Orchestrator-drift-v0): with probability `skillDriftRate` [0.03] per tick one worker's logits
 *   all move by N(0, `skillDriftScale` [0.8]); observed statistics decay by `statsDecay` [0.97] per outcome.
 *
 * ## Actions: Discrete(3 + 2N), names in `env.actionNames` (N workers, default 6 -> 15 actions)
 * | Index     | Name                  | Effect (each takes the tick)                                        | Allowed when                       |
 * |-----------|-----------------------|---------------------------------------------------------------------|------------------------------------|
 * | 0         | `scan`                | reveals category, complexity and features of the next `scanDepth` [4] unscanned queued tasks | an unscanned task is queued |
 * | 1 + w     | `dispatch:<arch>#w`   | the head task goes to worker w (1 capacity unit)                    | queue non-empty, w has a free unit |
 * | 1 + N + w | `coordinate:<arch>#w` | head task to w with a reviewing partner: more success on complex tasks; 2 units, 2x cost, 1.2x time | queue non-empty, w has 2 free units |
 * | 1 + 2N    | `monitor`             | finds hung (silently failed) tasks, frees their workers, requeues them at the head | always (it doubles as the no-op) |
 * | 2 + 2N    | `optimize`            | maintenance: clears degradation D to 0                              | always                             |
 * `disabledVerbs` masks verbs for ablations (monitor and optimize cannot both be disabled, so some action
 * is always allowed). `info.actionMask` (Uint8Array, 1 = allowed) comes with every reset and step; a masked
 * or out-of-range action throws InvalidActionError naming the action and the reason.
 *
 * ## Observation: Box float32, dimension 24 + C + 6N (C categories of the plugin mix, default 13 -> 73)
 * Labels in `env.observationLabels`. Unscanned, the head task shows only its priority, slack and retry flag.
 * | Index         | Label                         | Meaning, bounds                                                   |
 * |---------------|-------------------------------|-------------------------------------------------------------------|
 * | 0-2           | `queue_priority_<p>`          | queued tasks of priority p / 8, [0, (queueCapacity + capacity)/8] |
 * | 3             | `queue_unscanned_fraction`    | [0, 1]                                                            |
 * | 4             | `head_present`                | 0/1                                                               |
 * | 5             | `head_scanned`                | 0/1                                                               |
 * | 6             | `head_priority`               | priority / 3 (0 when the queue is empty)                          |
 * | 7             | `head_complexity`             | complexity / 5 (0 unscanned)                                      |
 * | 8             | `head_slack`                  | (deadline - now) / SLA, clipped to [-1, 1]                        |
 * | 9             | `head_retried`                | 0/1                                                               |
 * | 10 .. 9+C     | `head_category:<c>`           | one-hot (all 0 unscanned)                                         |
 * | 10+C .. 15+C  | `head_feature:<f>`            | plugin features, [0, 1] (0 unscanned)                             |
 * | 16+C + 6w + 0 | `worker<w>:load`              | used units / capacity                                             |
 * |         + 1   | `worker<w>:capacity`          | capacity / 3                                                      |
 * |         + 2   | `worker<w>:success_rate`      | observed (successes + 1) / (outcomes + 2)                         |
 * |         + 3   | `worker<w>:head_success_rate` | observed on the head task's domain (plugin), shrunk to the overall rate with weight 2; the overall rate when unscanned |
 * |         + 4   | `worker<w>:mean_duration`     | observed mean ticks of its successes / 30, clipped to 1 (prior 12) |
 * |         + 5   | `worker<w>:cost`              | cost per tick / 2 (prices are public)                             |
 * | 16+C+6N + 0-7 | `inflight_fraction`, `overdue_fraction` (in flight longer than 1.5x the worker's observed mean), `degradation_signal` (D rounded down to a tenth: a coarse gauge), `sla_pressure` (queued fraction past half their SLA), `time_of_day`, `since_monitor` (ticks / 50, clipped), `since_optimize` (ticks / 100, clipped), `arrival_rate` (EMA of arrivals per tick / 2, clipped) | all [0, 1] |
 * Observed statistics count every outcome the orchestrator could see: completions, surfaced hangs and
 * hangs found by monitor.
 *
 * ## Reward (`rewardWeights`, defaults success 1, sla 0.5, cost 0.04, satisfaction 1)
 * Per step, over the tasks that finished this tick and the work in flight:
 * - `success`: + success x priority per succeeded task;
 * - `latency`: - sla x priority per task that missed its SLA (late, hung until its deadline, abandoned);
 * - `cost`: - cost x sum of cost[w] x units over in-flight work this tick (hung work keeps costing);
 * - `satisfaction`: by `rewardMode`: `gold` = satisfaction x sum (true satisfaction - 0.5) over finished
 *   tasks; `feedback` = satisfaction x sum over this step's score events ((CAT - 1)/9 - 0.5) / feedbackRate
 *   (scaled so its size matches the gold term); `none` = 0.
 * `info.rewardComponents` holds the four weighted terms and `info.goldReward` the reward with the gold
 * satisfaction term, whatever the mode. A learned-reward wrapper replaces the satisfaction term: subtract
 * `rewardComponents.satisfaction`, add its prediction over `info.finished[i].features` (TaskOutcome records;
 * each carries its own gold `satisfactionTerm`).
 *
 * ## Simulated users (hidden)
 * True satisfaction of a finished task, with timeliness t = 1 within SLA, else max(0, 1 - overrun / SLA):
 * succeeded 0.35 + 0.3 quality[w] + 0.2 t + 0.15 creativity[w] creativity_need + 0.05 if reviewed;
 * failed 0.1 + 0.1 t; hung or abandoned 0.02; plus the user's mood, uniform noise of std `moodNoise` [0.02],
 * clipped to [0, 1]. quality[w] and creativity[w] are the catalog values + N(0, `qualitySpread` [0.1]) per company. A
 * `feedbackRate` [0.3] share of finished tasks gets a ScoreFeedback: CAT = round(1 + 9 s + N(0, `catNoise`
 * [1])) in 1-10, ratings round(1 + 4 driver + N(0, `ratingNoise` [0.6])) in 1-5 with drivers usefulness
 * (success ? 0.5 + 0.5 t : 0.1), quality (quality[w], x0.2 on failure), creativity (creativity[w] (0.5 + 0.5
 * creativity_need), x0.5 on failure), novelty ((0.6 creativity[w] + 0.4 creativity_need), x0.6 on failure).
 * With probability `preferenceRate` [0.1] a finished task is compared with one of the last 16 finished
 * (Bradley-Terry, `preferenceTemperature` [8]). Events are in `info.feedback` (types in feedback.ts; a
 * frozen empty array when there are none); `info.finished` lists TaskOutcome records and `info.decisions`
 * the decisions that touched a task this step (TaskDecision: scanned, dispatched, coordinated, requeued),
 * both with `recordTasks`.
 *
 * ## Episode end
 * Never terminated: `make` cuts a workday of 200 ticks (= `dayLength`) with the TimeLimit wrapper.
 *
 * ## Presets (`preset` kwarg; any option can be overridden next to it)
 * - `easy`: arrivals 0.34/tick, rare bursts, domain spread 1.0, skill spread 0.5, complexity penalty 1.2,
 *   30% silent failures, degradation 0.003/tick. Routing still pays, but random is on a par with
 *   round-robin here (little queueing pressure to punish wasted ticks).
 * - `default`: as above.
 * - `hard`: arrivals 0.54/tick, more bursts, domain spread 1.4, skill spread 0.9, complexity penalty 1.8,
 *   60% (+40% x D) silent failures, degradation 0.008/tick.
 *
 * ## Tuning rationale (measured figures are printed by test/orchestrator/baselines.test.ts)
 * - One verb per tick makes verbs compete for the orchestrator's time: ~0.5 arrivals/tick plus scans leave
 *   some slack for maintenance, and a policy that wastes ticks (random) builds queues and misses SLAs,
 *   which is what separates round-robin from random.
 * - Durations (~2-15 ticks) keep utilization near 20-50%, so the router usually has a free choice of
 *   worker: what it knows, not capacity, decides success. Skill has a general, a per-domain and a
 *   per-category part. From ~100 outcomes a day a greedy router learns which workers are good overall and
 *   beats round-robin; using the domain and category parts takes scans and per-domain statistics, which
 *   is left for learners (greedy ends near 0.6 of the random-to-oracle range), and only the oracle knows
 *   all three.
 * - A reviewer rescues a growing share of failures as complexity rises ((x-1)/4 squared) while doubling
 *   cost and capacity, so coordinating everything (as random often does) or nothing both lose.
 * - Half the failures hang a worker, so `monitor` frees capacity and recovers tasks; degradation reaches
 *   ~0.6 by midday without `optimize`, cutting success by a quarter and slowing work by 60% (2x at D = 1),
 *   so maintenance pays; `scan` costs a tick, so it pays only for a router that uses what it reveals.
 *
 * ## Speed
 * `step` allocates only its result: the observation is a view cut from a shared slab (slab.ts; a
 * separate array per step, never overwritten), the mask a small on-heap copy, plus the info and
 * reward-component objects; tasks and workers live in preallocated typed arrays; `info.finished` and
 * `info.feedback` arrays exist only when something finished. Tasks come in chunks of 32 through the
 * plugin's `generateBatch` (typed-array columns, no objects) when it has one, else `generate` without
 * prompt text. `stepInPlace` (what OrchestratorVectorEnv calls, vector-env.ts) allocates nothing: it
 * writes observation and mask into the caller's buffers and builds no info, records or events.
 *
 * ## Version history
 * - v0: initial version. Revised before any release: the user's mood noise on true satisfaction is now
 *   std 0.02 (was 0.05, option `moodNoise`): at 0.05 the mood alone capped any reward model's held-out
 *   Spearman against true satisfaction at 0.825 (bench/reward-model.ts); transitions and the random
 *   streams are unchanged, satisfaction values and the gold satisfaction term move. Added without changing
 *   dynamics: `qualitySpread`, `stepInPlace`, the native vector env.
 */
import { BaseEnv, type EnvMetadata, type Info, type ResetArgs, type ResetResult, type StepResult } from '../../src/core/env.js';
import { ConfigError, InvalidActionError, ResetNeededError, describeValue } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { Box, Discrete } from '../../src/core/spaces.js';
import { TASK_FEATURE_DIM, TASK_FEATURE_LABELS, allocateTaskBatch, type Task, type TaskBatch, type TaskPlugin } from '../../src/plugins/types.js';
import { ARCHITECTURES, ARCHITECTURE_NAMES, drawArchitectures } from './catalog.js';
import { resolveOrchestratorConfig, type OrchestratorConfig, type OrchestratorVerb } from './config.js';
import {
  TASK_OUTCOME_FEATURE_DIM,
  builtinCategoryIndex,
  writeOutcomeFeatures,
  clearOutcomeOneHots,
  type FeedbackEvent,
  type OutcomeKind,
  type TaskDecision,
  type OpenTask,
  type TaskOutcome,
} from './feedback.js';
import { Float32Slab } from './slab.js';
import { copyCompany, generateCompany, priorLogits, taskSources, type Company } from './world.js';
import { HEAD, SCALE, TAIL, WORKER, observationLabels } from './observation.js';
import { meanDuration, successLogit, successProbability } from './dynamics.js';
import { catScore, preferenceProbability, rating, ratingDrivers, trueSatisfaction, type SatisfactionInput } from './users.js';

export interface RewardComponents {
  success: number;
  latency: number;
  cost: number;
  satisfaction: number;
}

/** Totals of one episode. `latencySum` covers worked (not abandoned) tasks; `cost` is money, before weighting. */
export interface EpisodeTotals {
  finished: number;
  succeeded: number;
  /** Finished tasks a worker handled (not abandoned). */
  worked: number;
  latencySum: number;
  cost: number;
  satisfactionSum: number;
  slaMissed: number;
  abandoned: number;
}

function emptyTotals(): EpisodeTotals {
  return { finished: 0, succeeded: 0, worked: 0, latencySum: 0, cost: 0, satisfactionSum: 0, slaMissed: 0, abandoned: 0 };
}

/** What the oracle may read: hidden parameters and hidden state, through `env.hidden()`. */
export interface OrchestratorHiddenView {
  /** The live hidden parameters: redrawn in place at every reset (and edited by drift), so copy what you keep. */
  company: Company;
  /** True degradation D in [0, 1]. */
  degradation: number;
  /** In-flight tasks that failed silently and are past their apparent finish (what `monitor` would find). */
  hungTasks: number;
  /**
   * Success probability of the head task on worker w under the current degradation. For an unscanned
   * head the oracle knows only the pool: category-averaged logit at complexity 3 and mean ambiguity.
   */
  headSuccessProbability(worker: number, coordinated: boolean): number;
  /** Expected duration of the head task on worker w (complexity 3 when unscanned). */
  headExpectedDuration(worker: number, coordinated: boolean): number;
}

const RING = 16;
const CHUNK = 32;
const PRIOR_DURATION = 12;
const EMPTY_FINISHED: readonly TaskOutcome[] = Object.freeze([]) as readonly TaskOutcome[];
const EMPTY_FEEDBACK: readonly FeedbackEvent[] = Object.freeze([]) as readonly FeedbackEvent[];
const EMPTY_DECISIONS: readonly TaskDecision[] = Object.freeze([]) as readonly TaskDecision[];


const OUTCOME_SUCCEEDED = 0;
const OUTCOME_FAILED = 1;
const OUTCOME_HUNG = 2;
const KIND_NAMES: readonly OutcomeKind[] = ['succeeded', 'failed', 'stalled', 'abandoned'];
const KIND_ABANDONED = 3;

export class OrchestratorEnv extends BaseEnv<Float32Array, number> {
  readonly observationSpace: Box;
  readonly actionSpace: Discrete;
  override readonly metadata: EnvMetadata = { renderModes: ['ansi'] };
  readonly config: OrchestratorConfig;
  readonly actionNames: readonly string[];
  readonly observationLabels: readonly string[];
  /** Architecture name per worker slot. */
  readonly workerArchitectures: readonly string[];
  /** Categories of the plugin mix, in observation one-hot order. */
  readonly categories: readonly string[];
  readonly plugins: readonly TaskPlugin[];
  readonly numWorkers: number;
  /** Action indices of the fixed verbs; dispatch w is `dispatchAction + w`, coordinate w `coordinateAction + w`. */
  readonly scanAction = 0;
  readonly dispatchAction = 1;
  readonly coordinateAction: number;
  readonly monitorAction: number;
  readonly optimizeAction: number;
  /** Observation index of worker w's block is `workerObsOffset + 6 w`; the tail follows the workers. */
  readonly workerObsOffset: number;
  readonly tailObsOffset: number;

  private readonly archIndex: Int32Array;
  private readonly categoryIndex: Map<string, number>;
  /** Plugin (domain) index of each category: the first plugin in the mix that declares it. */
  private readonly categoryDomain: Int32Array;
  private readonly pluginCategoryBuiltin: Int32Array;
  private readonly mixWeights: Float64Array;
  private readonly disabled: Uint8Array;
  private company!: Company;
  private fixedCompany: Company | null = null;
  private readonly userView: SatisfactionInput = { succeeded: false, failed: false, timeliness: 0, quality: 0, creativity: 0, creativityNeed: 0, coordinated: false };
  /** Set by pinCompany (learning loops): served before `worldSeed`'s company and before drawing one. */
  private pinnedCompany: Company | null = null;
  private drawnCompany: Company | undefined;
  private readonly prior: Float64Array;
  private arrivalRng!: Rng;
  private outcomeRng!: Rng;
  private userRng!: Rng;
  private worldRng: Rng | undefined;
  private pluginRngs: Rng[] = [];
  /** Each plugin's current chunk of tasks as columns, read at pluginCursor, holding pluginBatchSize tasks. */
  private readonly pluginBatches: TaskBatch[];
  private readonly pluginBatchSize: Int32Array;
  /** Env category index of each plugin's local category index. */
  private readonly pluginCategories: Int32Array[];
  private pluginCursor!: Int32Array;
  private pluginGenerated!: Int32Array;

  // Task pool (structure of arrays) and its free list.
  private readonly poolSize: number;
  private readonly tId: Int32Array;
  private readonly tCategory: Int32Array;
  private readonly tPlugin: Int32Array;
  private readonly tComplexity: Int32Array;
  private readonly tPriority: Int32Array;
  private readonly tSla: Int32Array;
  private readonly tArrival: Int32Array;
  private readonly tScanned: Uint8Array;
  private readonly tRetries: Int32Array;
  private readonly tBurst: Uint8Array;
  private readonly tCost: Float64Array;
  private readonly tFeatures: Float32Array;
  private readonly freeSlots: Int32Array;
  private freeCount = 0;
  private nextTaskId = 0;

  // Queue: ring buffer of pool slots.
  private readonly queue: Int32Array;
  private readonly queueMask: number;
  private queueHead = 0;
  private queueLength = 0;
  private readonly queueByPriority = new Int32Array(4);
  private queueUnscanned = 0;

  // In-flight work.
  private readonly fTask: Int32Array;
  private readonly fWorker: Int32Array;
  private readonly fUnits: Int32Array;
  private readonly fStart: Int32Array;
  private readonly fEnd: Int32Array;
  private readonly fOutcome: Int32Array;
  private inflight = 0;
  private readonly used: Int32Array;
  /** Queued tasks past half their SLA, counted by advance() (reset() counts its own). */
  private pressured = 0;
  /** Per worker, the elapsed ticks beyond which in-flight work counts as overdue (1.5x observed mean). */
  private readonly overdueAfter: Float64Array;
  // What the observation shows of each worker, refreshed when its statistics change (refreshWorkerStats)
  // or, for the company's fixed figures, at reset.
  private readonly workerRate: Float64Array;
  private readonly workerDurationObs: Float64Array;
  private readonly workerCapacityObs: Float64Array;
  private readonly workerCostObs: Float64Array;
  private capacityTotal = 0;

  // Observed statistics (what any policy could have counted).
  private readonly statSuccess: Float64Array;
  private readonly statTrials: Float64Array;
  private readonly statDomainSuccess: Float64Array;
  private readonly statDomainTrials: Float64Array;
  private readonly statDurationSum: Float64Array;
  private readonly statDurationCount: Float64Array;

  // Recent finished tasks for pairwise preferences.
  private readonly ringId = new Int32Array(RING);
  private readonly ringSatisfaction = new Float64Array(RING);
  private readonly ringFeatures = new Float32Array(RING * TASK_OUTCOME_FEATURE_DIM);
  private ringCount = 0;
  private ringNext = 0;
  private readonly scratchFeatures = new Float32Array(TASK_OUTCOME_FEATURE_DIM);
  /** The one-hot indices scratchFeatures holds from its last write (cleared before the next). */
  private scratchArch = -1;
  private scratchCategory = 0;

  private tick = 0;
  private degradation = 0;
  private burstLeft = 0;
  private ticksToBurst = 0;
  /** Arrivals are a time-changed unit-rate Poisson process: cumulative intensity and the next threshold. */
  private intensity = 0;
  private nextArrivalAt = 0;
  /** Degradation per tick in the current maintenance cycle (redrawn at reset and every optimize). */
  private degradationStep = 0;
  private arrivalEma = 0;
  private lastMonitor = 0;
  private lastOptimize = 0;
  private readonly mask: Uint8Array;
  /** Arrival intensity by tick of the day: arrivalRate x (0.7 + 0.6 sin(pi x time of day)). */
  private readonly dayProfile: Float64Array;
  // Observations, task records and feedback events come from separate slabs, so whoever keeps one kind
  // (a feedback buffer keeps every event) holds blocks of that kind only. Records and events use 4 KB
  // blocks because infos may be structured-cloned to other threads, block and all.
  private readonly obsSlab = new Float32Slab(16384);
  private readonly recordSlab = new Float32Slab(1024);
  private readonly eventSlab = new Float32Slab(1024);

  // Per-step accumulators.
  private stepSuccess = 0;
  private stepLatency = 0;
  private stepCost = 0;
  private stepGoldSatisfaction = 0;
  private stepFeedbackSatisfaction = 0;
  private stepFinished: TaskOutcome[] | null = null;
  private stepFeedback: FeedbackEvent[] | null = null;
  private stepDecisions: TaskDecision[] | null = null;
  /** Whether finished-task records and feedback events are built (see stopCollectingEvents). */
  private collectEvents = true;

  // Episode totals, reported in info (for evaluation tables).
  private totals: EpisodeTotals = emptyTotals();

  constructor(kwargs: Record<string, unknown> = {}, variant: Partial<OrchestratorConfig> = {}) {
    super();
    const config = resolveOrchestratorConfig(kwargs, variant);
    this.config = config;
    const architectures = Array.isArray(config.workers) ? config.workers : drawArchitectures(config.workers, config.poolSeed);
    this.workerArchitectures = Object.freeze([...architectures]);
    const n = architectures.length;
    this.numWorkers = n;
    this.archIndex = Int32Array.from(architectures, (name) => ARCHITECTURE_NAMES.indexOf(name));

    const { plugins, mixWeights, categories, domains, categoryIndex } = taskSources(config);
    this.plugins = plugins;
    this.mixWeights = mixWeights;
    this.categoryIndex = categoryIndex;
    this.categories = Object.freeze(categories);
    this.categoryDomain = Int32Array.from(domains);
    this.pluginCategories = this.plugins.map((plugin) => Int32Array.from(plugin.categories, (category) => this.categoryIndex.get(category)!));
    this.pluginBatches = this.plugins.map(() => allocateTaskBatch(CHUNK));
    this.pluginBatchSize = new Int32Array(this.plugins.length);
    this.pluginCategoryBuiltin = Int32Array.from(categories, (c) => builtinCategoryIndex(c));
    const c = categories.length;

    this.coordinateAction = 1 + n;
    this.monitorAction = 1 + 2 * n;
    this.optimizeAction = 2 + 2 * n;
    this.actionNames = Object.freeze([
      'scan',
      ...architectures.map((a, w) => `dispatch:${a}#${w}`),
      ...architectures.map((a, w) => `coordinate:${a}#${w}`),
      'monitor',
      'optimize',
    ]);
    this.actionSpace = new Discrete(this.actionNames.length);
    this.disabled = new Uint8Array(this.actionNames.length);
    for (const verb of config.disabledVerbs) this.disableVerb(verb);
    this.mask = new Uint8Array(this.actionNames.length);
    this.dayProfile = new Float64Array(config.dayLength);
    for (let t = 0; t < config.dayLength; t++) this.dayProfile[t] = config.arrivalRate * (0.7 + 0.6 * Math.sin((Math.PI * t) / config.dayLength));

    const layout = observationLabels(categories, TASK_FEATURE_LABELS, n);
    const labels = layout.labels;
    this.workerObsOffset = layout.workerObsOffset;
    this.tailObsOffset = layout.tailObsOffset;
    this.observationLabels = Object.freeze(labels);
    let maxCapacity = 0;
    for (const a of this.archIndex) maxCapacity += ARCHITECTURES[a].capacity[1];
    const low = new Float32Array(labels.length);
    const high = new Float32Array(labels.length).fill(1);
    low[HEAD.slack] = -1;
    // Requeued tasks may push the queue past queueCapacity, by at most the in-flight capacity.
    for (let p = 0; p < 3; p++) high[p] = (config.queueCapacity + maxCapacity) / 8;
    this.observationSpace = new Box(low, high);
    const queueSlots = config.queueCapacity + maxCapacity;
    this.poolSize = queueSlots + 1;
    const size = this.poolSize;
    this.tId = new Int32Array(size);
    this.tCategory = new Int32Array(size);
    this.tPlugin = new Int32Array(size);
    this.tComplexity = new Int32Array(size);
    this.tPriority = new Int32Array(size);
    this.tSla = new Int32Array(size);
    this.tArrival = new Int32Array(size);
    this.tScanned = new Uint8Array(size);
    this.tRetries = new Int32Array(size);
    this.tBurst = new Uint8Array(size);
    this.tCost = new Float64Array(size);
    this.tFeatures = new Float32Array(size * TASK_FEATURE_DIM);
    this.freeSlots = new Int32Array(size);
    // A power-of-two ring, so wrapping is a bit mask.
    let ring = 1;
    while (ring < queueSlots) ring <<= 1;
    this.queue = new Int32Array(ring);
    this.queueMask = ring - 1;
    this.fTask = new Int32Array(maxCapacity);
    this.fWorker = new Int32Array(maxCapacity);
    this.fUnits = new Int32Array(maxCapacity);
    this.fStart = new Int32Array(maxCapacity);
    this.fEnd = new Int32Array(maxCapacity);
    this.fOutcome = new Int32Array(maxCapacity);
    this.used = new Int32Array(n);
    this.overdueAfter = new Float64Array(n);
    this.workerRate = new Float64Array(n);
    this.workerDurationObs = new Float64Array(n);
    this.workerCapacityObs = new Float64Array(n);
    this.workerCostObs = new Float64Array(n);
    this.statSuccess = new Float64Array(n);
    this.statTrials = new Float64Array(n);
    const domainCount = this.plugins.length;
    this.statDomainSuccess = new Float64Array(n * domainCount);
    this.statDomainTrials = new Float64Array(n * domainCount);
    this.statDurationSum = new Float64Array(n);
    this.statDurationCount = new Float64Array(n);
    this.prior = priorLogits(this.archIndex, categories, config);
    if (config.worldSeed !== null) this.fixedCompany = generateCompany(new Rng(`world/${config.worldSeed}`), this.archIndex, categories, this.categoryDomain, config);
  }

  private disableVerb(verb: OrchestratorVerb): void {
    const n = this.numWorkers;
    if (verb === 'scan') this.disabled[0] = 1;
    else if (verb === 'dispatch') this.disabled.fill(1, 1, 1 + n);
    else if (verb === 'coordinate') this.disabled.fill(1, 1 + n, 1 + 2 * n);
    else if (verb === 'monitor') this.disabled[1 + 2 * n] = 1;
    else this.disabled[2 + 2 * n] = 1;
  }

  reset(args: ResetArgs = {}): ResetResult<Float32Array> {
    // Streams are rebuilt only on a seeded reset; an unseeded reset continues them (a new company from the
    // world stream, the next tasks from the plugin streams), which keeps resets cheap and deterministic.
    if (args.seed !== undefined || this.worldRng === undefined) {
      this.reseed(args.seed);
      this.worldRng = this.rng.fork('world');
      this.arrivalRng = this.rng.fork('arrivals');
      this.outcomeRng = this.rng.fork('outcomes');
      this.userRng = this.rng.fork('users');
      this.pluginRngs = this.plugins.map((p) => this.rng.fork(`plugin:${p.name}`));
      this.pluginBatchSize.fill(0);
      this.pluginCursor = new Int32Array(this.plugins.length);
      this.pluginGenerated = new Int32Array(this.plugins.length);
    }
    const cfg = this.config;
    // Drift edits logits in place, so a pinned company is copied; a drawn one reuses the previous arrays.
    const pinned = this.pinnedCompany ?? this.fixedCompany;
    this.company = pinned
      ? copyCompany(pinned)
      : generateCompany(this.worldRng!, this.archIndex, this.categories, this.categoryDomain, cfg, this.drawnCompany, this.prior);
    if (!pinned) this.drawnCompany = this.company;

    this.freeCount = this.poolSize;
    for (let i = 0; i < this.poolSize; i++) this.freeSlots[i] = this.poolSize - 1 - i;
    this.nextTaskId = 0;
    this.queueHead = 0;
    this.queueLength = 0;
    this.queueByPriority.fill(0);
    this.queueUnscanned = 0;
    this.inflight = 0;
    this.used.fill(0);
    this.pressured = 0;
    this.statSuccess.fill(0);
    this.statTrials.fill(0);
    this.statDomainSuccess.fill(0);
    this.statDomainTrials.fill(0);
    this.statDurationSum.fill(0);
    this.statDurationCount.fill(0);
    this.capacityTotal = 0;
    for (let w = 0; w < this.numWorkers; w++) {
      const capacity = this.company.capacity[w];
      this.capacityTotal += capacity;
      this.workerCapacityObs[w] = capacity / 3;
      const cost = this.company.cost[w] / 2;
      this.workerCostObs[w] = cost > 1 ? 1 : cost;
      this.refreshWorkerStats(w);
    }
    this.ringCount = 0;
    this.ringNext = 0;
    this.tick = 0;
    this.degradation = 0;
    this.burstLeft = 0;
    this.ticksToBurst = this.drawTicksToBurst();
    this.intensity = 0;
    this.nextArrivalAt = this.arrivalRng.exponential(1);
    this.degradationStep = cfg.degradationRate * this.outcomeRng.uniform(0.5, 1.5);
    this.arrivalEma = cfg.arrivalRate;
    this.lastMonitor = 0;
    this.lastOptimize = 0;
    this.totals = emptyTotals();
    this.clearStep();

    // The overnight backlog never overflows the queue, so a workday starts with nothing to score.
    const initial = Math.min(cfg.queueCapacity, this.arrivalRng.poisson(3 * cfg.arrivalRate));
    for (let i = 0; i < initial; i++) this.arrive();
    this.computeMask();
    return { obs: this.observe(), info: { actionMask: this.mask.slice(), tick: 0 } };
  }

  step(action: number): StepResult<Float32Array> {
    this.simulate(action);
    const w = this.config.rewardWeights;
    const success = w.success * this.stepSuccess;
    const latency = -w.sla * this.stepLatency;
    const cost = -w.cost * this.stepCost;
    const info: Info = {
      actionMask: this.mask.slice(),
      tick: this.tick,
      rewardComponents: { success, latency, cost, satisfaction: this.satisfactionTerm() } satisfies RewardComponents,
      goldReward: success + latency + cost + w.satisfaction * this.stepGoldSatisfaction,
      finished: this.stepFinished ?? EMPTY_FINISHED,
      feedback: this.stepFeedback ?? EMPTY_FEEDBACK,
      decisions: this.stepDecisions ?? EMPTY_DECISIONS,
    };
    return { obs: this.observe(), reward: this.stepReward(), terminated: false, truncated: false, info };
  }

  /**
   * The allocation-free step behind OrchestratorVectorEnv: the same transition, draws and reward as
   * `step(action)`, with the observation written to `obs[obsOffset, obsOffset + obsDim)` and the action mask
   * to `mask[maskOffset, maskOffset + numActions)`. Builds no info; call `stopCollectingEvents()` first so
   * that no task records or feedback events are built either.
   */
  stepInPlace(action: number, obs: Float32Array, obsOffset: number, mask: Uint8Array, maskOffset: number): number {
    this.simulate(action);
    this.writeObservation(obs, obsOffset);
    const own = this.mask;
    for (let a = 0; a < own.length; a++) mask[maskOffset + a] = own[a];
    return this.stepReward();
  }

  /**
   * From now on, finished-task records (`info.finished`) and feedback events (`info.feedback`) are not
   * built: step infos carry empty lists. The users' random draws still happen, so transitions and rewards
   * (also in `feedback` mode) stay exactly those of an env that collects them.
   */
  stopCollectingEvents(): void {
    this.collectEvents = false;
  }

  /** Checks the action, then plays one tick: the verb, then time (work, abandonment, arrivals), then the mask. */
  private simulate(action: number): void {
    const n = this.numWorkers;
    if (!Number.isInteger(action) || action < 0 || action >= this.mask.length) {
      throw new InvalidActionError(`Expected an action in [0, ${this.mask.length - 1}] (Discrete(${this.mask.length})), but got ${describeValue(action)}.`);
    }
    if (this.company === undefined) throw new ResetNeededError('Expected reset() before step(), but step() was called first.');
    if (this.mask[action] === 0) throw new InvalidActionError(`Expected an allowed action, but got ${action} (${this.actionNames[action]}): ${this.maskReason(action)}.`);
    this.clearStep();

    if (action === 0) this.scan();
    else if (action <= n) this.startWork(action - 1, 1);
    else if (action <= 2 * n) this.startWork(action - 1 - n, 2);
    else if (action === this.monitorAction) this.monitor();
    else {
      this.degradation = 0;
      this.degradationStep = this.config.degradationRate * this.outcomeRng.uniform(0.5, 1.5);
      this.lastOptimize = this.tick + 1;
    }
    this.advance();
    this.computeMask();
  }

  /** The satisfaction term of this step's reward under the configured rewardMode. */
  private satisfactionTerm(): number {
    const mode = this.config.rewardMode;
    const weight = this.config.rewardWeights.satisfaction;
    return mode === 'gold' ? weight * this.stepGoldSatisfaction : mode === 'feedback' ? weight * this.stepFeedbackSatisfaction : 0;
  }

  private stepReward(): number {
    const w = this.config.rewardWeights;
    return w.success * this.stepSuccess + -w.sla * this.stepLatency + -w.cost * this.stepCost + this.satisfactionTerm();
  }

  /**
   * Serves every following reset on a copy of `company` (a learning loop keeps one company that evolves
   * between iterations, src/loop); `null` goes back to `worldSeed`'s company or to drawing one. Pinning
   * consumes no random draws, so the task and outcome streams of a seeded reset are unchanged. The company
   * must have this env's shape (workers x categories).
   */
  pinCompany(company: Company | null): void {
    if (company !== null && (company.numWorkers !== this.numWorkers || company.numCategories !== this.categories.length)) {
      throw new ConfigError(
        `Expected a company of ${this.numWorkers} workers x ${this.categories.length} categories (this env's workers and plugin mix), but got ${company.numWorkers} x ${company.numCategories}.`,
      );
    }
    this.pinnedCompany = company === null ? null : copyCompany(company);
  }

  /** Hidden parameters and state for the oracle baseline (and for analysis); see OrchestratorHiddenView. */
  hidden(): OrchestratorHiddenView {
    const env = this;
    return {
      company: this.company,
      degradation: this.degradation,
      hungTasks: this.countHung(),
      headSuccessProbability: (worker, coordinated) => env.headProbability(worker, coordinated),
      headExpectedDuration: (worker, coordinated) => env.headDuration(worker, coordinated),
    };
  }

  /**
   * The tasks not finished yet, queued (in queue order) then in work: what a trace records as `unfinished` when
   * an episode is cut off. Builds objects and draws nothing: for the end of an episode, not every step.
   */
  openTasks(): OpenTask[] {
    const open: OpenTask[] = [];
    const describe = (slot: number, worker: number, units: number, cost: number): OpenTask => ({
      taskId: this.tId[slot],
      plugin: this.plugins[this.tPlugin[slot]].name,
      category: this.categories[this.tCategory[slot]],
      complexity: this.tComplexity[slot],
      priority: this.tPriority[slot],
      slaTicks: this.tSla[slot],
      arrivalTick: this.tArrival[slot],
      retries: this.tRetries[slot],
      arrivedInBurst: this.tBurst[slot] === 1,
      worker,
      architecture: worker >= 0 ? this.workerArchitectures[worker] : '',
      coordinated: units === 2,
      cost,
      features: this.tFeatures.slice(slot * TASK_FEATURE_DIM, (slot + 1) * TASK_FEATURE_DIM),
    });
    for (let i = 0; i < this.queueLength; i++) {
      const slot = this.queue[(this.queueHead + i) & this.queueMask];
      open.push(describe(slot, -1, 0, this.tCost[slot]));
    }
    for (let k = 0; k < this.inflight; k++) {
      const slot = this.fTask[k];
      const running = this.company.cost[this.fWorker[k]] * this.fUnits[k] * (this.tick - this.fStart[k]);
      open.push(describe(slot, this.fWorker[k], this.fUnits[k], this.tCost[slot] + running));
    }
    return open;
  }

  /** Totals of the episode so far (for evaluation tables). */
  episodeTotals(): EpisodeTotals {
    return { ...this.totals };
  }

  /**
   * The episode's figures as rates and means (the experiment runner reads these from any env that has
   * this method): success rate and satisfaction over finished tasks, latency over worked tasks, money spent.
   */
  episodeMetrics(): Record<string, number> {
    const t = this.totals;
    return {
      successRate: t.finished > 0 ? t.succeeded / t.finished : 0,
      meanLatency: t.worked > 0 ? t.latencySum / t.worked : 0,
      cost: t.cost,
      satisfaction: t.finished > 0 ? t.satisfactionSum / t.finished : 0,
      slaMissed: t.slaMissed,
      abandoned: t.abandoned,
      finished: t.finished,
    };
  }

  render(): string {
    const lines = [`tick ${this.tick}  queue ${this.queueLength} (unscanned ${this.queueUnscanned})  in flight ${this.inflight}  degradation ${this.degradation.toFixed(2)}`];
    for (let w = 0; w < this.numWorkers; w++) {
      const rate = (this.statSuccess[w] + 1) / (this.statTrials[w] + 2);
      lines.push(`  ${this.actionNames[1 + w].slice(9).padEnd(24)} load ${this.used[w]}/${this.company?.capacity[w] ?? '?'}  observed success ${rate.toFixed(2)}`);
    }
    return lines.join('\n');
  }

  // ---- verbs ----

  private scan(): void {
    let left = this.config.scanDepth;
    const wrap = this.queueMask;
    for (let i = 0; i < this.queueLength && left > 0; i++) {
      const slot = this.queue[(this.queueHead + i) & wrap];
      if (this.tScanned[slot] === 0) {
        this.tScanned[slot] = 1;
        this.queueUnscanned--;
        left--;
        this.decide('scanned', slot, -1);
      }
    }
  }

  private startWork(worker: number, units: number): void {
    const slot = this.popHead();
    const cfg = this.config;
    const c = this.company;
    const complexity = this.tComplexity[slot];
    const ambiguity = this.tFeatures[slot * TASK_FEATURE_DIM + 1];
    const p = successProbability(successLogit(c, worker, this.tCategory[slot], complexity, ambiguity), complexity, units === 2, this.degradation, cfg);
    const rng = this.outcomeRng;
    let outcome = OUTCOME_SUCCEEDED;
    if (rng.random() >= p) {
      outcome = rng.random() < cfg.silentFailureRate + cfg.degradationSilent * this.degradation ? OUTCOME_HUNG : OUTCOME_FAILED;
    }
    const mean = meanDuration(c, worker, complexity, units === 2, this.degradation, cfg);
    const duration = Math.max(1, Math.round(mean * Math.exp(0.3 * rng.normal())));
    const k = this.inflight++;
    this.fTask[k] = slot;
    this.fWorker[k] = worker;
    this.fUnits[k] = units;
    this.fStart[k] = this.tick;
    this.fEnd[k] = this.tick + duration;
    this.fOutcome[k] = outcome;
    this.used[worker] += units;
    this.decide(units === 2 ? 'coordinated' : 'dispatched', slot, worker);
  }

  /** Notes a decision that touched the task in `slot` (info.decisions), when task records are kept. */
  private decide(type: TaskDecision['type'], slot: number, worker: number): void {
    if (this.config.recordTasks && this.collectEvents) (this.stepDecisions ??= []).push({ type, taskId: this.tId[slot], tick: this.tick, worker });
  }

  private monitor(): void {
    this.lastMonitor = this.tick + 1;
    for (let k = 0; k < this.inflight; k++) {
      if (this.fOutcome[k] !== OUTCOME_HUNG || this.tick < this.fEnd[k]) continue;
      const slot = this.fTask[k];
      const worker = this.fWorker[k];
      this.observeOutcome(worker, this.tCategory[slot], false, this.tick - this.fStart[k]);
      this.tRetries[slot]++;
      this.chargeTask(k, this.tick);
      this.decide('requeued', slot, worker);
      this.pushHead(slot);
      this.removeInflight(k);
      k--;
    }
  }

  // ---- time ----

  private advance(): void {
    const cfg = this.config;
    const c = this.company;
    this.tick++;
    const now = this.tick;
    this.degradation = Math.min(1, this.degradation + this.degradationStep);
    // Drift draws from the world stream, so the same seed drifts the same way whatever the policy does.
    if (cfg.skillDriftRate > 0 && this.worldRng!.random() < cfg.skillDriftRate) {
      const world = this.worldRng!;
      const w = world.integer(0, this.numWorkers);
      for (let k = 0; k < c.numCategories; k++) c.logit[w * c.numCategories + k] += world.normal(0, cfg.skillDriftScale);
    }

    let cost = 0;
    for (let k = 0; k < this.inflight; k++) {
      const worker = this.fWorker[k];
      cost += c.cost[worker] * this.fUnits[k];
      const outcome = this.fOutcome[k];
      const slot = this.fTask[k];
      if (outcome === OUTCOME_HUNG) {
        if (now < this.fEnd[k] || now < this.tArrival[slot] + this.tSla[slot]) continue;
        this.observeOutcome(worker, this.tCategory[slot], false, now - this.fStart[k]);
        this.chargeTask(k, now);
        this.finish(slot, OUTCOME_HUNG, worker, this.fUnits[k] === 2);
      } else {
        if (now < this.fEnd[k]) continue;
        const succeeded = outcome === OUTCOME_SUCCEEDED;
        this.observeOutcome(worker, this.tCategory[slot], succeeded, now - this.fStart[k]);
        this.chargeTask(k, now);
        this.finish(slot, outcome, worker, this.fUnits[k] === 2);
      }
      this.removeInflight(k);
      k--;
    }
    this.stepCost += cost;
    this.totals.cost += cost;

    // Abandonment (waiting longer than abandonAfter SLAs); the same pass counts SLA pressure for observe(),
    // which arrivals below cannot change (a new task has waited 0 ticks).
    let pressured = 0;
    if (this.queueLength > 0) {
      const wrap = this.queueMask;
      const abandonAfter = cfg.abandonAfter;
      let kept = 0;
      let abandonedAny = false;
      for (let i = 0; i < this.queueLength; i++) {
        const slot = this.queue[(this.queueHead + i) & wrap];
        const waited = now - this.tArrival[slot];
        const sla = this.tSla[slot];
        if (waited > abandonAfter * sla) {
          abandonedAny = true;
          this.dequeueCounts(slot);
          this.finish(slot, KIND_ABANDONED, -1, false);
        } else {
          if (abandonedAny) this.queue[(this.queueHead + kept) & wrap] = slot;
          kept++;
          if (2 * waited > sla) pressured++;
        }
      }
      this.queueLength = kept;
    }
    this.pressured = pressured;

    // Arrivals.
    if (this.burstLeft > 0) {
      if (--this.burstLeft === 0) this.ticksToBurst = this.drawTicksToBurst();
    } else if (--this.ticksToBurst <= 0 && cfg.burstProbability > 0) {
      this.burstLeft = this.arrivalRng.integer(cfg.burstLength[0], cfg.burstLength[1] + 1);
    }
    this.intensity += this.dayProfile[now % cfg.dayLength] * (this.burstLeft > 0 ? cfg.burstMultiplier : 1);
    let count = 0;
    while (this.nextArrivalAt <= this.intensity) {
      this.arrive();
      count++;
      this.nextArrivalAt += this.arrivalRng.exponential(1);
    }
    this.arrivalEma += 0.1 * (count - this.arrivalEma);
  }

  /** Ticks until the next burst: geometric with the per-tick start probability (one draw per burst). */
  private drawTicksToBurst(): number {
    const p = this.config.burstProbability;
    if (p <= 0) return Infinity;
    if (p >= 1) return 1;
    return 1 + Math.floor(Math.log(1 - this.arrivalRng.random()) / Math.log(1 - p));
  }

  private arrive(): void {
    const p = this.mixWeights.length === 1 ? 0 : this.arrivalRng.weightedIndex(this.mixWeights);
    if (this.pluginCursor[p] >= this.pluginBatchSize[p]) this.refill(p);
    const i = this.pluginCursor[p]++;
    const batch = this.pluginBatches[p];
    // The pool keeps one spare slot, so a task turned away at a full queue can be scored like any other.
    const slot = this.freeSlots[--this.freeCount];
    const priority = batch.priority[i];
    this.tId[slot] = this.nextTaskId++;
    this.tCategory[slot] = this.pluginCategories[p][batch.category[i]];
    this.tPlugin[slot] = p;
    this.tComplexity[slot] = batch.complexity[i];
    this.tPriority[slot] = priority;
    this.tSla[slot] = batch.slaTicks[i];
    this.tArrival[slot] = this.tick;
    this.tScanned[slot] = 0;
    this.tRetries[slot] = 0;
    this.tBurst[slot] = this.burstLeft > 0 ? 1 : 0;
    this.tCost[slot] = 0;
    const base = slot * TASK_FEATURE_DIM;
    const from = i * TASK_FEATURE_DIM;
    for (let f = 0; f < TASK_FEATURE_DIM; f++) this.tFeatures[base + f] = batch.features[from + f];
    if (this.queueLength >= this.config.queueCapacity) {
      this.finish(slot, KIND_ABANDONED, -1, false);
      return;
    }
    this.queue[(this.queueHead + this.queueLength) & this.queueMask] = slot;
    this.queueLength++;
    this.queueByPriority[priority]++;
    this.queueUnscanned++;
  }

  /** The plugin's next CHUNK tasks, through its allocation-free generateBatch when it has one; checked either way. */
  private refill(p: number): void {
    const plugin = this.plugins[p];
    let count = CHUNK;
    if (plugin.generateBatch) {
      plugin.generateBatch(this.pluginRngs[p], CHUNK, this.pluginBatches[p]);
    } else {
      const tasks = plugin.generate(this.pluginRngs[p], CHUNK, { tick: this.tick, startId: this.pluginGenerated[p], prompts: false });
      if (!Array.isArray(tasks) || tasks.length === 0) throw new ConfigError(`Expected plugin ${plugin.name} to generate ${CHUNK} tasks, but got ${describeValue(tasks)}.`);
      count = tasks.length;
      if (count > this.pluginBatches[p].category.length) this.pluginBatches[p] = allocateTaskBatch(count);
      tasksToBatch(plugin, tasks, this.pluginBatches[p]);
    }
    validateBatch(plugin, this.pluginBatches[p], count);
    this.pluginGenerated[p] += count;
    this.pluginBatchSize[p] = count;
    this.pluginCursor[p] = 0;
  }

  // ---- finishing and users ----

  private finish(slot: number, kind: number, worker: number, coordinated: boolean): void {
    const cfg = this.config;
    const c = this.company;
    const now = this.tick;
    const latency = now - this.tArrival[slot];
    const sla = this.tSla[slot];
    const priority = this.tPriority[slot];
    const succeeded = kind === OUTCOME_SUCCEEDED;
    const slaMet = latency <= sla && kind !== OUTCOME_HUNG && kind !== KIND_ABANDONED;
    const timeliness = latency <= sla ? 1 : Math.max(0, 1 - (latency - sla) / sla);
    const fBase = slot * TASK_FEATURE_DIM;
    const creativityNeed = this.tFeatures[fBase + 5];
    const rng = this.userRng;
    const hasWorker = worker >= 0;
    // One reused view of the task for the user model (finish() runs for every task: no allocation).
    const userView = this.userView;
    userView.succeeded = succeeded;
    userView.failed = kind === OUTCOME_FAILED;
    userView.timeliness = timeliness;
    userView.quality = hasWorker ? c.quality[worker] : 0;
    userView.creativity = hasWorker ? c.creativity[worker] : 0;
    userView.creativityNeed = creativityNeed;
    userView.coordinated = coordinated;
    const satisfaction = trueSatisfaction(userView, rng.random(), cfg.moodNoise);

    if (succeeded) this.stepSuccess += priority;
    if (!slaMet) this.stepLatency += priority;
    this.stepGoldSatisfaction += satisfaction - 0.5;
    const t = this.totals;
    t.finished++;
    if (succeeded) t.succeeded++;
    if (!slaMet) t.slaMissed++;
    if (kind === KIND_ABANDONED) t.abandoned++;
    else {
      t.worked++;
      t.latencySum += latency;
    }
    t.satisfactionSum += satisfaction;

    const giveScore = cfg.feedbackRate > 0 && rng.random() < cfg.feedbackRate;
    const givePreference = cfg.preferenceRate > 0 && this.ringCount > 0 && rng.random() < cfg.preferenceRate;
    // Outcome features are what records and events carry; without them only the draws below matter.
    const features = this.scratchFeatures;
    if (this.collectEvents) {
      const arch = worker >= 0 ? this.archIndex[worker] : -1;
      clearOutcomeOneHots(features, this.scratchArch, this.scratchCategory);
      this.scratchArch = arch;
      this.scratchCategory = this.pluginCategoryBuiltin[this.tCategory[slot]];
      writeOutcomeFeatures(features, succeeded, slaMet, latency, sla, this.tComplexity[slot], priority, coordinated, this.tRetries[slot], this.tFeatures, fBase, arch, this.scratchCategory);
    }

    if (cfg.recordTasks && this.collectEvents) {
      const record: TaskOutcome = {
        taskId: this.tId[slot],
        plugin: this.plugins[this.tPlugin[slot]].name,
        category: this.categories[this.tCategory[slot]],
        worker,
        architecture: worker >= 0 ? this.workerArchitectures[worker] : '',
        kind: KIND_NAMES[kind],
        success: succeeded,
        slaMet,
        latency,
        slaTicks: sla,
        complexity: this.tComplexity[slot],
        priority,
        coordinated,
        retries: this.tRetries[slot],
        finishTick: now,
        arrivedInBurst: this.tBurst[slot] === 1,
        cost: this.tCost[slot],
        features: this.recordSlab.copy(features, 0, TASK_OUTCOME_FEATURE_DIM),
        trueSatisfaction: satisfaction,
        satisfactionTerm: cfg.rewardWeights.satisfaction * (satisfaction - 0.5),
      };
      (this.stepFinished ??= []).push(record);
    }
    if (giveScore) {
      const cat = catScore(satisfaction, rng.normal(0, cfg.catNoise));
      const noise = cfg.ratingNoise;
      const creativityNoise = rng.normal(0, noise);
      const usefulnessNoise = rng.normal(0, noise);
      const noveltyNoise = rng.normal(0, noise);
      const qualityNoise = rng.normal(0, noise);
      if (this.collectEvents) {
        const drivers = ratingDrivers(userView, hasWorker);
        (this.stepFeedback ??= []).push({
          type: 'score',
          taskId: this.tId[slot],
          tick: now,
          cat,
          ratings: {
            creativity: rating(drivers.creativity, creativityNoise),
            usefulness: rating(drivers.usefulness, usefulnessNoise),
            novelty: rating(drivers.novelty, noveltyNoise),
            quality: rating(drivers.quality, qualityNoise),
          },
          features: this.eventSlab.copy(features, 0, TASK_OUTCOME_FEATURE_DIM),
        });
      }
      if (cfg.feedbackRate > 0) this.stepFeedbackSatisfaction += ((cat - 1) / 9 - 0.5) / cfg.feedbackRate;
    }
    if (givePreference) {
      const j = rng.integer(0, this.ringCount);
      const pA = preferenceProbability(satisfaction, this.ringSatisfaction[j], cfg.preferenceTemperature);
      const preferred: 0 | 1 = rng.random() < pA ? 0 : 1;
      if (this.collectEvents) {
        (this.stepFeedback ??= []).push({
          type: 'preference',
          tick: now,
          taskA: this.tId[slot],
          taskB: this.ringId[j],
          preferred,
          featuresA: this.eventSlab.copy(features, 0, TASK_OUTCOME_FEATURE_DIM),
          featuresB: this.eventSlab.copy(this.ringFeatures, j * TASK_OUTCOME_FEATURE_DIM, TASK_OUTCOME_FEATURE_DIM),
        });
      }
    }
    const r = this.ringNext;
    this.ringId[r] = this.tId[slot];
    this.ringSatisfaction[r] = satisfaction;
    if (this.collectEvents) {
      const ringAt = r * TASK_OUTCOME_FEATURE_DIM;
      for (let f = 0; f < TASK_OUTCOME_FEATURE_DIM; f++) this.ringFeatures[ringAt + f] = features[f];
    }
    this.ringNext = (r + 1) % RING;
    if (this.ringCount < RING) this.ringCount++;

    this.freeSlots[this.freeCount++] = slot;
  }

  private observeOutcome(worker: number, category: number, succeeded: boolean, duration: number): void {
    const decay = this.config.statsDecay;
    const cell = worker * this.plugins.length + this.categoryDomain[category];
    if (decay < 1) {
      this.statSuccess[worker] *= decay;
      this.statTrials[worker] *= decay;
      this.statDomainSuccess[cell] *= decay;
      this.statDomainTrials[cell] *= decay;
    }
    if (succeeded) {
      this.statSuccess[worker] += 1;
      this.statDomainSuccess[cell] += 1;
      this.statDurationSum[worker] += duration;
      this.statDurationCount[worker] += 1;
    }
    this.statTrials[worker] += 1;
    this.statDomainTrials[cell] += 1;
    this.refreshWorkerStats(worker);
  }

  private refreshWorkerStats(w: number): void {
    this.workerRate[w] = (this.statSuccess[w] + 1) / (this.statTrials[w] + 2);
    const meanDuration = this.statDurationCount[w] > 0 ? this.statDurationSum[w] / this.statDurationCount[w] : PRIOR_DURATION;
    this.overdueAfter[w] = 1.5 * meanDuration;
    this.workerDurationObs[w] = meanDuration >= 30 ? 1 : meanDuration / 30;
  }

  // ---- queue and in-flight bookkeeping ----

  private popHead(): number {
    const slot = this.queue[this.queueHead];
    this.queueHead = (this.queueHead + 1) & this.queueMask;
    this.queueLength--;
    this.dequeueCounts(slot);
    return slot;
  }

  private pushHead(slot: number): void {
    this.queueHead = (this.queueHead - 1) & this.queueMask;
    this.queue[this.queueHead] = slot;
    this.queueLength++;
    this.queueByPriority[this.tPriority[slot]]++;
    if (this.tScanned[slot] === 0) this.queueUnscanned++;
  }

  private dequeueCounts(slot: number): void {
    this.queueByPriority[this.tPriority[slot]]--;
    if (this.tScanned[slot] === 0) this.queueUnscanned--;
  }

  private removeInflight(k: number): void {
    this.used[this.fWorker[k]] -= this.fUnits[k];
    const last = --this.inflight;
    if (k !== last) {
      this.fTask[k] = this.fTask[last];
      this.fWorker[k] = this.fWorker[last];
      this.fUnits[k] = this.fUnits[last];
      this.fStart[k] = this.fStart[last];
      this.fEnd[k] = this.fEnd[last];
      this.fOutcome[k] = this.fOutcome[last];
    }
  }

  /**
   * Adds in-flight work k's cost to its task (TaskOutcome.cost): advance() charged cost x units on every tick
   * from its start + 1 to `now`. Called when the work ends (finished or requeued), not per tick.
   */
  private chargeTask(k: number, now: number): void {
    this.tCost[this.fTask[k]] += this.company.cost[this.fWorker[k]] * this.fUnits[k] * (now - this.fStart[k]);
  }

  private countHung(): number {
    let hung = 0;
    for (let k = 0; k < this.inflight; k++) if (this.fOutcome[k] === OUTCOME_HUNG && this.tick >= this.fEnd[k]) hung++;
    return hung;
  }

  private clearStep(): void {
    this.stepSuccess = 0;
    this.stepLatency = 0;
    this.stepCost = 0;
    this.stepGoldSatisfaction = 0;
    this.stepFeedbackSatisfaction = 0;
    this.stepFinished = null;
    this.stepFeedback = null;
    this.stepDecisions = null;
  }

  // ---- mask and observation ----

  private computeMask(): void {
    const mask = this.mask;
    const disabled = this.disabled;
    const n = this.numWorkers;
    const capacity = this.company.capacity;
    const hasHead = this.queueLength > 0;
    mask[0] = this.queueUnscanned > 0 && !disabled[0] ? 1 : 0;
    for (let w = 0; w < n; w++) {
      const free = capacity[w] - this.used[w];
      mask[1 + w] = hasHead && free >= 1 && !disabled[1 + w] ? 1 : 0;
      mask[1 + n + w] = hasHead && free >= 2 && !disabled[1 + n + w] ? 1 : 0;
    }
    mask[1 + 2 * n] = disabled[1 + 2 * n] ? 0 : 1;
    mask[2 + 2 * n] = disabled[2 + 2 * n] ? 0 : 1;
  }

  private maskReason(action: number): string {
    const n = this.numWorkers;
    if (this.disabled[action]) return 'its verb is in disabledVerbs';
    if (action === 0) return 'no unscanned task is queued';
    if (this.queueLength === 0) return 'the queue is empty';
    const worker = action <= n ? action - 1 : action - 1 - n;
    return `worker ${worker} has ${this.company.capacity[worker] - this.used[worker]} free capacity units and needs ${action <= n ? 1 : 2}`;
  }

  private observe(): Float32Array {
    const obs = this.obsSlab.take(this.observationLabels.length);
    this.writeObservation(obs, 0);
    return obs;
  }

  /** Writes every entry of the observation (the layout in the doc comment) to `obs[o, o + obsDim)`. */
  private writeObservation(obs: Float32Array, o: number): void {
    const cfg = this.config;
    const c = this.company;
    const nc = c.numCategories;
    const now = this.tick;
    obs[o + HEAD.queuePriority1] = this.queueByPriority[1] / SCALE.queueCount;
    obs[o + HEAD.queuePriority2] = this.queueByPriority[2] / SCALE.queueCount;
    obs[o + HEAD.queuePriority3] = this.queueByPriority[3] / SCALE.queueCount;
    obs[o + HEAD.unscannedFraction] = this.queueLength > 0 ? this.queueUnscanned / this.queueLength : 0;
    // The head-task block is zero unless a head is queued (and its scanned part unless it is scanned).
    for (let i = o + HEAD.present; i < o + this.workerObsOffset; i++) obs[i] = 0;
    let headCategory = -1;
    if (this.queueLength > 0) {
      const slot = this.queue[this.queueHead];
      obs[o + HEAD.present] = 1;
      obs[o + HEAD.priority] = this.tPriority[slot] / SCALE.priority;
      const slack = (this.tArrival[slot] + this.tSla[slot] - now) / this.tSla[slot];
      obs[o + HEAD.slack] = slack < -1 ? -1 : slack > 1 ? 1 : slack;
      obs[o + HEAD.retried] = this.tRetries[slot] > 0 ? 1 : 0;
      if (this.tScanned[slot] === 1) {
        headCategory = this.tCategory[slot];
        obs[o + HEAD.scanned] = 1;
        obs[o + HEAD.complexity] = this.tComplexity[slot] / SCALE.complexity;
        obs[o + HEAD.category + headCategory] = 1;
        const base = slot * TASK_FEATURE_DIM;
        const at = o + HEAD.category + nc;
        for (let f = 0; f < TASK_FEATURE_DIM; f++) obs[at + f] = this.tFeatures[base + f];
      }
    }
    let at = o + this.workerObsOffset;
    let usedTotal = 0;
    for (let w = 0; w < this.numWorkers; w++) {
      usedTotal += this.used[w];
      const rate = this.workerRate[w];
      obs[at + WORKER.load] = this.used[w] / c.capacity[w];
      obs[at + WORKER.capacity] = this.workerCapacityObs[w];
      obs[at + WORKER.successRate] = rate;
      if (headCategory >= 0) {
        const cell = w * this.plugins.length + this.categoryDomain[headCategory];
        obs[at + WORKER.headSuccessRate] = (this.statDomainSuccess[cell] + 2 * rate) / (this.statDomainTrials[cell] + 2);
      } else obs[at + WORKER.headSuccessRate] = rate;
      obs[at + WORKER.meanDuration] = this.workerDurationObs[w];
      obs[at + WORKER.cost] = this.workerCostObs[w];
      at += WORKER.size;
    }
    let overdue = 0;
    const overdueAfter = this.overdueAfter;
    for (let k = 0; k < this.inflight; k++) if (now - this.fStart[k] > overdueAfter[this.fWorker[k]]) overdue++;
    const pressured = this.pressured;
    const t = o + this.tailObsOffset;
    obs[t + TAIL.inflightFraction] = usedTotal / this.capacityTotal;
    obs[t + TAIL.overdueFraction] = this.inflight > 0 ? overdue / this.inflight : 0;
    // A coarse gauge: the policy sees degradation only to the tenth below.
    obs[t + TAIL.degradationSignal] = Math.floor(this.degradation * 10) / 10;
    obs[t + TAIL.slaPressure] = this.queueLength > 0 ? pressured / this.queueLength : 0;
    obs[t + TAIL.timeOfDay] = (now % cfg.dayLength) / cfg.dayLength;
    obs[t + TAIL.sinceMonitor] = Math.min(1, (now - this.lastMonitor) / SCALE.sinceMonitor);
    obs[t + TAIL.sinceOptimize] = Math.min(1, (now - this.lastOptimize) / SCALE.sinceOptimize);
    obs[t + TAIL.arrivalRate] = Math.min(1, this.arrivalEma / SCALE.arrivalRate);
  }

  // ---- oracle helpers ----

  private headProbability(worker: number, coordinated: boolean): number {
    if (this.queueLength === 0) return 0;
    const c = this.company;
    const slot = this.queue[this.queueHead];
    let logit: number;
    let complexity = 3;
    if (this.tScanned[slot] === 1) {
      complexity = this.tComplexity[slot];
      logit = successLogit(c, worker, this.tCategory[slot], complexity, this.tFeatures[slot * TASK_FEATURE_DIM + 1]);
    } else {
      logit = 0;
      for (let k = 0; k < c.numCategories; k++) logit += c.logit[worker * c.numCategories + k];
      logit /= c.numCategories;
    }
    return successProbability(logit, complexity, coordinated, this.degradation, this.config);
  }

  private headDuration(worker: number, coordinated: boolean): number {
    const slot = this.queue[this.queueHead];
    const complexity = this.queueLength > 0 && this.tScanned[slot] === 1 ? this.tComplexity[slot] : 3;
    return meanDuration(this.company, worker, complexity, coordinated, this.degradation, this.config);
  }
}



/** Copies generated tasks into batch columns, checking what only the objects show (category name, feature count). */
function tasksToBatch(plugin: TaskPlugin, tasks: readonly Task[], out: TaskBatch): void {
  const where = `plugin ${plugin.name}`;
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i];
    const category = task ? plugin.categories.indexOf(task.category) : -1;
    if (category < 0) throw new ConfigError(`Expected ${where} to generate tasks of its categories (${plugin.categories.join(', ')}), but got ${describeValue(task?.category)}.`);
    if (!Array.isArray(task.features) || task.features.length !== TASK_FEATURE_DIM) {
      throw new ConfigError(`Expected ${where} to give ${TASK_FEATURE_DIM} features in [0, 1], but got ${describeValue(task.features)}.`);
    }
    out.category[i] = category;
    // Int32 columns would silently truncate a bad value, so non-integers are stored as -1 and refused below.
    out.complexity[i] = Number.isInteger(task.complexity) ? task.complexity : -1;
    out.priority[i] = Number.isInteger(task.priority) ? task.priority : -1;
    out.slaTicks[i] = Number.isInteger(task.slaTicks) ? task.slaTicks : -1;
    for (let f = 0; f < TASK_FEATURE_DIM; f++) out.features[i * TASK_FEATURE_DIM + f] = task.features[f];
  }
}

/** Refuses a batch whose task `i < count` breaks the Task contract, naming the plugin and the value. */
function validateBatch(plugin: TaskPlugin, batch: TaskBatch, count: number): void {
  const where = `plugin ${plugin.name}`;
  for (let i = 0; i < count; i++) {
    const category = batch.category[i];
    if (category < 0 || category >= plugin.categories.length) {
      throw new ConfigError(`Expected ${where} to give category indices in [0, ${plugin.categories.length - 1}], but got ${category}.`);
    }
    const complexity = batch.complexity[i];
    if (complexity < 1 || complexity > 5) throw new ConfigError(`Expected ${where} to give complexity 1-5, but got ${describeValue(complexity)}.`);
    const priority = batch.priority[i];
    if (priority < 1 || priority > 3) throw new ConfigError(`Expected ${where} to give priority 1-3, but got ${describeValue(priority)}.`);
    const sla = batch.slaTicks[i];
    if (sla < 1) throw new ConfigError(`Expected ${where} to give slaTicks as a positive integer, but got ${describeValue(sla)}.`);
    for (let f = i * TASK_FEATURE_DIM; f < (i + 1) * TASK_FEATURE_DIM; f++) {
      const value = batch.features[f];
      if (!(value >= 0 && value <= 1)) throw new ConfigError(`Expected ${where} to give ${TASK_FEATURE_DIM} features in [0, 1], but got ${describeValue(value)}.`);
    }
  }
}
