/** The Orchestrator env's state (see OrchestratorState below) and the small types its views report. */
import { BaseEnv, type EnvMetadata } from '../../src/core/env.js';
import { Rng } from '../../src/core/rng.js';
import { Box, Discrete } from '../../src/core/spaces.js';
import { TASK_FEATURE_DIM, TASK_FEATURE_LABELS, allocateTaskBatch, type TaskBatch, type TaskPlugin } from '../../src/plugins/types.js';
import { ARCHITECTURES, ARCHITECTURE_NAMES, drawArchitectures } from './catalog.js';
import { resolveOrchestratorConfig, type OrchestratorConfig, type OrchestratorVerb } from './config.js';
import { TASK_OUTCOME_FEATURE_DIM, builtinCategoryIndex, type FeedbackEvent, type TaskDecision, type TaskOutcome } from './feedback.js';
import { Float32Slab } from './slab.js';
import { CHUNK, RING } from './constants.js';
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
 * OrchestratorEnv (env.ts) extends this state with the gym API; the dynamics live in the modules beside it
 * (verbs, advance, arrivals, finish, queue, observe), as functions of this state. Fields are `declare`d
 * (no emitted initializers) and every one is first written in the constructor below, so V8 sizes the object
 * for all of them: a field first written elsewhere lands in an out-of-object property array, and with the
 * fields written by a helper function (105 of 130 out of the object) `make()` stepped ~7% slower.
 */
export abstract class OrchestratorState extends BaseEnv<Float32Array, number> {
  declare readonly observationSpace: Box;
  declare readonly actionSpace: Discrete;
  declare readonly metadata: EnvMetadata;
  declare readonly config: OrchestratorConfig;
  declare readonly actionNames: readonly string[];
  declare readonly observationLabels: readonly string[];
  /** Architecture name per worker slot. */
  declare readonly workerArchitectures: readonly string[];
  /** Categories of the plugin mix, in observation one-hot order. */
  declare readonly categories: readonly string[];
  declare readonly plugins: readonly TaskPlugin[];
  declare readonly numWorkers: number;
  /** Action indices of the fixed verbs; dispatch w is `dispatchAction + w`, coordinate w `coordinateAction + w`. */
  declare readonly scanAction: number;
  declare readonly dispatchAction: number;
  declare readonly coordinateAction: number;
  declare readonly monitorAction: number;
  declare readonly optimizeAction: number;
  /** Observation index of worker w's block is `workerObsOffset + 6 w`; the tail follows the workers. */
  declare readonly workerObsOffset: number;
  declare readonly tailObsOffset: number;

  declare readonly archIndex: Int32Array;
  declare readonly categoryIndex: Map<string, number>;
  /** Plugin (domain) index of each category: the first plugin in the mix that declares it. */
  declare readonly categoryDomain: Int32Array;
  declare readonly pluginCategoryBuiltin: Int32Array;
  declare readonly mixWeights: Float64Array;
  declare readonly disabled: Uint8Array;
  declare company: Company;
  declare fixedCompany: Company | null;
  declare readonly userView: SatisfactionInput;
  /** Set by pinCompany (learning loops): served before `worldSeed`'s company and before drawing one. */
  declare pinnedCompany: Company | null;
  declare drawnCompany: Company | undefined;
  declare readonly prior: Float64Array;
  declare arrivalRng: Rng;
  declare outcomeRng: Rng;
  declare userRng: Rng;
  declare worldRng: Rng | undefined;
  declare pluginRngs: Rng[];
  /** Each plugin's current chunk of tasks as columns, read at pluginCursor, holding pluginBatchSize tasks. */
  declare readonly pluginBatches: TaskBatch[];
  declare readonly pluginBatchSize: Int32Array;
  /** Env category index of each plugin's local category index. */
  declare readonly pluginCategories: Int32Array[];
  declare pluginCursor: Int32Array;
  declare pluginGenerated: Int32Array;

  // Task pool (structure of arrays) and its free list.
  declare readonly poolSize: number;
  declare readonly tId: Int32Array;
  declare readonly tCategory: Int32Array;
  declare readonly tPlugin: Int32Array;
  declare readonly tComplexity: Int32Array;
  declare readonly tPriority: Int32Array;
  declare readonly tSla: Int32Array;
  declare readonly tArrival: Int32Array;
  declare readonly tScanned: Uint8Array;
  declare readonly tRetries: Int32Array;
  declare readonly tBurst: Uint8Array;
  declare readonly tCost: Float64Array;
  declare readonly tFeatures: Float32Array;
  declare readonly freeSlots: Int32Array;
  declare freeCount: number;
  declare nextTaskId: number;

  // Queue: ring buffer of pool slots.
  declare readonly queue: Int32Array;
  declare readonly queueMask: number;
  declare queueHead: number;
  declare queueLength: number;
  declare readonly queueByPriority: Int32Array;
  declare queueUnscanned: number;

  // In-flight work.
  declare readonly fTask: Int32Array;
  declare readonly fWorker: Int32Array;
  declare readonly fUnits: Int32Array;
  declare readonly fStart: Int32Array;
  declare readonly fEnd: Int32Array;
  declare readonly fOutcome: Int32Array;
  declare inflight: number;
  declare readonly used: Int32Array;
  /** Queued tasks past half their SLA, counted by advance() (reset() counts its own). */
  declare pressured: number;
  /** Per worker, the elapsed ticks beyond which in-flight work counts as overdue (1.5x observed mean). */
  declare readonly overdueAfter: Float64Array;
  // What the observation shows of each worker, refreshed when its statistics change (refreshWorkerStats)
  // or, for the company's fixed figures, at reset.
  declare readonly workerRate: Float64Array;
  declare readonly workerDurationObs: Float64Array;
  declare readonly workerCapacityObs: Float64Array;
  declare readonly workerCostObs: Float64Array;
  declare capacityTotal: number;

  // Observed statistics (what any policy could have counted).
  declare readonly statSuccess: Float64Array;
  declare readonly statTrials: Float64Array;
  declare readonly statDomainSuccess: Float64Array;
  declare readonly statDomainTrials: Float64Array;
  declare readonly statDurationSum: Float64Array;
  declare readonly statDurationCount: Float64Array;

  // Recent finished tasks for pairwise preferences.
  declare readonly ringId: Int32Array;
  declare readonly ringSatisfaction: Float64Array;
  declare readonly ringFeatures: Float32Array;
  declare ringCount: number;
  declare ringNext: number;
  declare readonly scratchFeatures: Float32Array;
  /** The one-hot indices scratchFeatures holds from its last write (cleared before the next). */
  declare scratchArch: number;
  declare scratchCategory: number;

  declare tick: number;
  declare degradation: number;
  declare burstLeft: number;
  declare ticksToBurst: number;
  /** Arrivals are a time-changed unit-rate Poisson process: cumulative intensity and the next threshold. */
  declare intensity: number;
  declare nextArrivalAt: number;
  /** Degradation per tick in the current maintenance cycle (redrawn at reset and every optimize). */
  declare degradationStep: number;
  declare arrivalEma: number;
  declare lastMonitor: number;
  declare lastOptimize: number;
  declare readonly mask: Uint8Array;
  /** Arrival intensity by tick of the day: arrivalRate x (0.7 + 0.6 sin(pi x time of day)). */
  declare readonly dayProfile: Float64Array;
  // Observations, task records and feedback events come from separate slabs, so whoever keeps one kind
  // (a feedback buffer keeps every event) holds blocks of that kind only. Records and events use 4 KB
  // blocks because infos may be structured-cloned to other threads, block and all.
  declare readonly obsSlab: Float32Slab;
  declare readonly recordSlab: Float32Slab;
  declare readonly eventSlab: Float32Slab;

  // Per-step accumulators.
  declare stepSuccess: number;
  declare stepLatency: number;
  declare stepCost: number;
  declare stepGoldSatisfaction: number;
  declare stepFeedbackSatisfaction: number;
  declare stepFinished: TaskOutcome[] | null;
  declare stepFeedback: FeedbackEvent[] | null;
  declare stepDecisions: TaskDecision[] | null;
  /** Whether finished-task records and feedback events are built (see stopCollectingEvents). */
  declare collectEvents: boolean;
  /** Build `info.decisions` (set by recordDecisions(): a TraceRecorder asks for them; off, no decision objects are made). */
  declare recordDecisions: boolean;

  // Episode totals, reported in info (for evaluation tables).
  declare totals: EpisodeTotals;

  /** Writes a new env's state: config, wiring, spaces and every buffer. */
  protected constructor(kwargs: Record<string, unknown>, variant: Partial<OrchestratorConfig>) {
    super();
    this.metadata = { renderModes: ['ansi'] };
    this.scanAction = 0;
    this.dispatchAction = 1;
    this.fixedCompany = null;
    this.userView = { succeeded: false, failed: false, timeliness: 0, quality: 0, creativity: 0, creativityNeed: 0, coordinated: false };
    this.pinnedCompany = null;
    this.pluginRngs = [];
    this.freeCount = 0;
    this.nextTaskId = 0;
    this.queueHead = 0;
    this.queueLength = 0;
    this.queueByPriority = new Int32Array(4);
    this.queueUnscanned = 0;
    this.inflight = 0;
    this.pressured = 0;
    this.capacityTotal = 0;
    this.ringId = new Int32Array(RING);
    this.ringSatisfaction = new Float64Array(RING);
    this.ringFeatures = new Float32Array(RING * TASK_OUTCOME_FEATURE_DIM);
    this.ringCount = 0;
    this.ringNext = 0;
    this.scratchFeatures = new Float32Array(TASK_OUTCOME_FEATURE_DIM);
    this.scratchArch = -1;
    this.scratchCategory = 0;
    this.tick = 0;
    this.degradation = 0;
    this.burstLeft = 0;
    this.ticksToBurst = 0;
    this.intensity = 0;
    this.nextArrivalAt = 0;
    this.degradationStep = 0;
    this.arrivalEma = 0;
    this.lastMonitor = 0;
    this.lastOptimize = 0;
    this.obsSlab = new Float32Slab(16384);
    this.recordSlab = new Float32Slab(1024);
    this.eventSlab = new Float32Slab(1024);
    // Written here too, not only by clearStep() and reset(): see the class comment.
    this.stepSuccess = 0;
    this.stepLatency = 0;
    this.stepCost = 0;
    this.stepGoldSatisfaction = 0;
    this.stepFeedbackSatisfaction = 0;
    this.stepFinished = null;
    this.stepFeedback = null;
    this.stepDecisions = null;
    this.company = undefined as unknown as Company;
    this.drawnCompany = undefined;
    this.worldRng = undefined;
    this.arrivalRng = this.rng;
    this.outcomeRng = this.rng;
    this.userRng = this.rng;
    this.pluginCursor = new Int32Array(0);
    this.pluginGenerated = new Int32Array(0);
    this.collectEvents = true;
    this.recordDecisions = false;
    this.totals = emptyTotals();
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
    this.pluginCategories = this.plugins.map((plugin) => Int32Array.from(plugin.categories, (category) => categoryIndex.get(category)!));
    this.pluginBatches = this.plugins.map(() => allocateTaskBatch(CHUNK));
    this.pluginBatchSize = new Int32Array(this.plugins.length);
    this.pluginCategoryBuiltin = Int32Array.from(categories, (c) => builtinCategoryIndex(c));

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
    for (const verb of config.disabledVerbs) disableVerb(this, verb);
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
}

function disableVerb(env: OrchestratorState, verb: OrchestratorVerb): void {
  const n = env.numWorkers;
  if (verb === 'scan') env.disabled[0] = 1;
  else if (verb === 'dispatch') env.disabled.fill(1, 1, 1 + n);
  else if (verb === 'coordinate') env.disabled.fill(1, 1 + n, 1 + 2 * n);
  else if (verb === 'monitor') env.disabled[1 + 2 * n] = 1;
  else env.disabled[2 + 2 * n] = 1;
}
/** Zeroes the per-step sums and drops the step's records, events and decisions (before every tick). */
export function clearStep(env: OrchestratorState): void {
  env.stepSuccess = 0;
  env.stepLatency = 0;
  env.stepCost = 0;
  env.stepGoldSatisfaction = 0;
  env.stepFeedbackSatisfaction = 0;
  env.stepFinished = null;
  env.stepFeedback = null;
  env.stepDecisions = null;
}
