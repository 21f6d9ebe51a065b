/** The Orchestrator env's state (see OrchestratorState below) and the small types its views report. */
import { BaseEnv, type EnvMetadata } from '../../src/core/env.js';
import { Rng } from '../../src/core/rng.js';
import { Box, Discrete } from '../../src/core/spaces.js';
import { TASK_FEATURE_DIM, TASK_FEATURE_LABELS, allocateTaskBatch, type Task, type TaskBatch, type TaskPlugin } from '../../src/plugins/types.js';
import { ARCHITECTURES, ARCHITECTURE_NAMES, drawArchitectures } from './catalog.js';
import { resolveOrchestratorConfig, type OrchestratorConfig, type OrchestratorVerb } from './config.js';
import { TASK_OUTCOME_FEATURE_DIM, builtinCategoryIndex, type FeedbackEvent, type TaskDecision, type TaskOutcome } from './feedback.js';
import { Float32Slab } from './slab.js';
import { CHUNK, RING } from './constants.js';
import { advance } from './advance.js';
import { refreshWorkerStats } from './finish.js';
import { monitor, scan } from './verbs.js';
import { generateCompany, priorLogits, taskSources, type Company } from './world.js';
import { HEAD, observationLabels } from './observation.js';
import { type SatisfactionInput } from './users.js';

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

export function emptyTotals(): EpisodeTotals {
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

/**
 * The Orchestrator env's state, declared and allocated once (structures of arrays, no allocation per step):
 * config and wiring (workers, plugins, categories, actions, spaces), the random streams, the task pool and
 * its free list, the waiting queue (a power-of-two ring of pool slots), the work in flight, the company's
 * hidden parameters, the statistics a policy could have counted, and the per-step and per-episode sums.
 * OrchestratorEnv (env.ts) is this state plus the gym API; the dynamics live in the modules beside it
 * (verbs, advance, arrivals, finish, queue, observe), as functions of this state.
 */
export abstract class OrchestratorState extends BaseEnv<Float32Array, number> {
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

  readonly archIndex: Int32Array;
  readonly categoryIndex: Map<string, number>;
  /** Plugin (domain) index of each category: the first plugin in the mix that declares it. */
  readonly categoryDomain: Int32Array;
  readonly pluginCategoryBuiltin: Int32Array;
  readonly mixWeights: Float64Array;
  readonly disabled: Uint8Array;
  company!: Company;
  fixedCompany: Company | null = null;
  readonly userView: SatisfactionInput = { succeeded: false, failed: false, timeliness: 0, quality: 0, creativity: 0, creativityNeed: 0, coordinated: false };
  /** Set by pinCompany (learning loops): served before `worldSeed`'s company and before drawing one. */
  pinnedCompany: Company | null = null;
  drawnCompany: Company | undefined;
  readonly prior: Float64Array;
  arrivalRng!: Rng;
  outcomeRng!: Rng;
  userRng!: Rng;
  worldRng: Rng | undefined;
  pluginRngs: Rng[] = [];
  /** Each plugin's current chunk of tasks as columns, read at pluginCursor, holding pluginBatchSize tasks. */
  readonly pluginBatches: TaskBatch[];
  readonly pluginBatchSize: Int32Array;
  /** Env category index of each plugin's local category index. */
  readonly pluginCategories: Int32Array[];
  pluginCursor!: Int32Array;
  pluginGenerated!: Int32Array;

  // Task pool (structure of arrays) and its free list.
  readonly poolSize: number;
  readonly tId: Int32Array;
  readonly tCategory: Int32Array;
  readonly tPlugin: Int32Array;
  readonly tComplexity: Int32Array;
  readonly tPriority: Int32Array;
  readonly tSla: Int32Array;
  readonly tArrival: Int32Array;
  readonly tScanned: Uint8Array;
  readonly tRetries: Int32Array;
  readonly tBurst: Uint8Array;
  readonly tCost: Float64Array;
  readonly tFeatures: Float32Array;
  readonly freeSlots: Int32Array;
  freeCount = 0;
  nextTaskId = 0;

  // Queue: ring buffer of pool slots.
  readonly queue: Int32Array;
  readonly queueMask: number;
  queueHead = 0;
  queueLength = 0;
  readonly queueByPriority = new Int32Array(4);
  queueUnscanned = 0;

  // In-flight work.
  readonly fTask: Int32Array;
  readonly fWorker: Int32Array;
  readonly fUnits: Int32Array;
  readonly fStart: Int32Array;
  readonly fEnd: Int32Array;
  readonly fOutcome: Int32Array;
  inflight = 0;
  readonly used: Int32Array;
  /** Queued tasks past half their SLA, counted by advance() (reset() counts its own). */
  pressured = 0;
  /** Per worker, the elapsed ticks beyond which in-flight work counts as overdue (1.5x observed mean). */
  readonly overdueAfter: Float64Array;
  // What the observation shows of each worker, refreshed when its statistics change (refreshWorkerStats)
  // or, for the company's fixed figures, at reset.
  readonly workerRate: Float64Array;
  readonly workerDurationObs: Float64Array;
  readonly workerCapacityObs: Float64Array;
  readonly workerCostObs: Float64Array;
  capacityTotal = 0;

  // Observed statistics (what any policy could have counted).
  readonly statSuccess: Float64Array;
  readonly statTrials: Float64Array;
  readonly statDomainSuccess: Float64Array;
  readonly statDomainTrials: Float64Array;
  readonly statDurationSum: Float64Array;
  readonly statDurationCount: Float64Array;

  // Recent finished tasks for pairwise preferences.
  readonly ringId = new Int32Array(RING);
  readonly ringSatisfaction = new Float64Array(RING);
  readonly ringFeatures = new Float32Array(RING * TASK_OUTCOME_FEATURE_DIM);
  ringCount = 0;
  ringNext = 0;
  readonly scratchFeatures = new Float32Array(TASK_OUTCOME_FEATURE_DIM);
  /** The one-hot indices scratchFeatures holds from its last write (cleared before the next). */
  scratchArch = -1;
  scratchCategory = 0;

  tick = 0;
  degradation = 0;
  burstLeft = 0;
  ticksToBurst = 0;
  /** Arrivals are a time-changed unit-rate Poisson process: cumulative intensity and the next threshold. */
  intensity = 0;
  nextArrivalAt = 0;
  /** Degradation per tick in the current maintenance cycle (redrawn at reset and every optimize). */
  degradationStep = 0;
  arrivalEma = 0;
  lastMonitor = 0;
  lastOptimize = 0;
  readonly mask: Uint8Array;
  /** Arrival intensity by tick of the day: arrivalRate x (0.7 + 0.6 sin(pi x time of day)). */
  readonly dayProfile: Float64Array;
  // Observations, task records and feedback events come from separate slabs, so whoever keeps one kind
  // (a feedback buffer keeps every event) holds blocks of that kind only. Records and events use 4 KB
  // blocks because infos may be structured-cloned to other threads, block and all.
  readonly obsSlab = new Float32Slab(16384);
  readonly recordSlab = new Float32Slab(1024);
  readonly eventSlab = new Float32Slab(1024);

  // Per-step accumulators.
  stepSuccess = 0;
  stepLatency = 0;
  stepCost = 0;
  stepGoldSatisfaction = 0;
  stepFeedbackSatisfaction = 0;
  stepFinished: TaskOutcome[] | null = null;
  stepFeedback: FeedbackEvent[] | null = null;
  stepDecisions: TaskDecision[] | null = null;
  /** Whether finished-task records and feedback events are built (see stopCollectingEvents). */
  collectEvents = true;

  // Episode totals, reported in info (for evaluation tables).
  totals: EpisodeTotals = emptyTotals();

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
}
