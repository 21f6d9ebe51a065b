/** The Orchestrator env's state (see OrchestratorState below) and the small types its views report. */
import { type EnvMetadata } from '../../src/core/env.js';
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
 * OrchestratorEnv (env.ts) is this state (merged into its type, written by `initState` in its constructor)
 * plus the gym API; the dynamics live in the modules beside it (verbs, advance, arrivals, finish, queue,
 * observe), as functions of this state. An interface rather than a base class: with the fields on a base
 * class the native env stepped ~3% slower (measured), and as the env's own properties it steps as before.
 */
export interface OrchestratorState {
  readonly observationSpace: Box;
  readonly actionSpace: Discrete;
  readonly metadata: EnvMetadata;
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
  readonly scanAction: number;
  readonly dispatchAction: number;
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
  company: Company;
  fixedCompany: Company | null;
  readonly userView: SatisfactionInput;
  /** Set by pinCompany (learning loops): served before `worldSeed`'s company and before drawing one. */
  pinnedCompany: Company | null;
  drawnCompany: Company | undefined;
  readonly prior: Float64Array;
  arrivalRng: Rng;
  outcomeRng: Rng;
  userRng: Rng;
  worldRng: Rng | undefined;
  pluginRngs: Rng[];
  /** Each plugin's current chunk of tasks as columns, read at pluginCursor, holding pluginBatchSize tasks. */
  readonly pluginBatches: TaskBatch[];
  readonly pluginBatchSize: Int32Array;
  /** Env category index of each plugin's local category index. */
  readonly pluginCategories: Int32Array[];
  pluginCursor: Int32Array;
  pluginGenerated: Int32Array;

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
  freeCount: number;
  nextTaskId: number;

  // Queue: ring buffer of pool slots.
  readonly queue: Int32Array;
  readonly queueMask: number;
  queueHead: number;
  queueLength: number;
  readonly queueByPriority: Int32Array;
  queueUnscanned: number;

  // In-flight work.
  readonly fTask: Int32Array;
  readonly fWorker: Int32Array;
  readonly fUnits: Int32Array;
  readonly fStart: Int32Array;
  readonly fEnd: Int32Array;
  readonly fOutcome: Int32Array;
  inflight: number;
  readonly used: Int32Array;
  /** Queued tasks past half their SLA, counted by advance() (reset() counts its own). */
  pressured: number;
  /** Per worker, the elapsed ticks beyond which in-flight work counts as overdue (1.5x observed mean). */
  readonly overdueAfter: Float64Array;
  // What the observation shows of each worker, refreshed when its statistics change (refreshWorkerStats)
  // or, for the company's fixed figures, at reset.
  readonly workerRate: Float64Array;
  readonly workerDurationObs: Float64Array;
  readonly workerCapacityObs: Float64Array;
  readonly workerCostObs: Float64Array;
  capacityTotal: number;

  // Observed statistics (what any policy could have counted).
  readonly statSuccess: Float64Array;
  readonly statTrials: Float64Array;
  readonly statDomainSuccess: Float64Array;
  readonly statDomainTrials: Float64Array;
  readonly statDurationSum: Float64Array;
  readonly statDurationCount: Float64Array;

  // Recent finished tasks for pairwise preferences.
  readonly ringId: Int32Array;
  readonly ringSatisfaction: Float64Array;
  readonly ringFeatures: Float32Array;
  ringCount: number;
  ringNext: number;
  readonly scratchFeatures: Float32Array;
  /** The one-hot indices scratchFeatures holds from its last write (cleared before the next). */
  scratchArch: number;
  scratchCategory: number;

  tick: number;
  degradation: number;
  burstLeft: number;
  ticksToBurst: number;
  /** Arrivals are a time-changed unit-rate Poisson process: cumulative intensity and the next threshold. */
  intensity: number;
  nextArrivalAt: number;
  /** Degradation per tick in the current maintenance cycle (redrawn at reset and every optimize). */
  degradationStep: number;
  arrivalEma: number;
  lastMonitor: number;
  lastOptimize: number;
  readonly mask: Uint8Array;
  /** Arrival intensity by tick of the day: arrivalRate x (0.7 + 0.6 sin(pi x time of day)). */
  readonly dayProfile: Float64Array;
  // Observations, task records and feedback events come from separate slabs, so whoever keeps one kind
  // (a feedback buffer keeps every event) holds blocks of that kind only. Records and events use 4 KB
  // blocks because infos may be structured-cloned to other threads, block and all.
  readonly obsSlab: Float32Slab;
  readonly recordSlab: Float32Slab;
  readonly eventSlab: Float32Slab;

  // Per-step accumulators.
  stepSuccess: number;
  stepLatency: number;
  stepCost: number;
  stepGoldSatisfaction: number;
  stepFeedbackSatisfaction: number;
  stepFinished: TaskOutcome[] | null;
  stepFeedback: FeedbackEvent[] | null;
  stepDecisions: TaskDecision[] | null;
  /** Whether finished-task records and feedback events are built (see stopCollectingEvents). */
  collectEvents: boolean;
  /** Build `info.decisions` (set by recordDecisions(): a TraceRecorder asks for them; off, no decision objects are made). */
  recordDecisions: boolean;

  // Episode totals, reported in info (for evaluation tables).
  totals: EpisodeTotals;

}

/** Writes a new env's state (the env's constructor calls it): config, wiring, spaces and every buffer. */
export function initState(target: OrchestratorState, kwargs: Record<string, unknown>, variant: Partial<OrchestratorConfig>): void {
  const env = target as { -readonly [K in keyof OrchestratorState]: OrchestratorState[K] };
  env.metadata = { renderModes: ['ansi'] };
  env.scanAction = 0;
  env.dispatchAction = 1;
  env.fixedCompany = null;
  env.userView = { succeeded: false, failed: false, timeliness: 0, quality: 0, creativity: 0, creativityNeed: 0, coordinated: false };
  env.pinnedCompany = null;
  env.pluginRngs = [];
  env.freeCount = 0;
  env.nextTaskId = 0;
  env.queueHead = 0;
  env.queueLength = 0;
  env.queueByPriority = new Int32Array(4);
  env.queueUnscanned = 0;
  env.inflight = 0;
  env.pressured = 0;
  env.capacityTotal = 0;
  env.ringId = new Int32Array(RING);
  env.ringSatisfaction = new Float64Array(RING);
  env.ringFeatures = new Float32Array(RING * TASK_OUTCOME_FEATURE_DIM);
  env.ringCount = 0;
  env.ringNext = 0;
  env.scratchFeatures = new Float32Array(TASK_OUTCOME_FEATURE_DIM);
  env.scratchArch = -1;
  env.scratchCategory = 0;
  env.tick = 0;
  env.degradation = 0;
  env.burstLeft = 0;
  env.ticksToBurst = 0;
  env.intensity = 0;
  env.nextArrivalAt = 0;
  env.degradationStep = 0;
  env.arrivalEma = 0;
  env.lastMonitor = 0;
  env.lastOptimize = 0;
  env.obsSlab = new Float32Slab(16384);
  env.recordSlab = new Float32Slab(1024);
  env.eventSlab = new Float32Slab(1024);
  clearStep(env);
  env.collectEvents = true;
  env.recordDecisions = false;
  env.totals = emptyTotals();
  const config = resolveOrchestratorConfig(kwargs, variant);
  env.config = config;
  const architectures = Array.isArray(config.workers) ? config.workers : drawArchitectures(config.workers, config.poolSeed);
  env.workerArchitectures = Object.freeze([...architectures]);
  const n = architectures.length;
  env.numWorkers = n;
  env.archIndex = Int32Array.from(architectures, (name) => ARCHITECTURE_NAMES.indexOf(name));

  const { plugins, mixWeights, categories, domains, categoryIndex } = taskSources(config);
  env.plugins = plugins;
  env.mixWeights = mixWeights;
  env.categoryIndex = categoryIndex;
  env.categories = Object.freeze(categories);
  env.categoryDomain = Int32Array.from(domains);
  env.pluginCategories = env.plugins.map((plugin) => Int32Array.from(plugin.categories, (category) => env.categoryIndex.get(category)!));
  env.pluginBatches = env.plugins.map(() => allocateTaskBatch(CHUNK));
  env.pluginBatchSize = new Int32Array(env.plugins.length);
  env.pluginCategoryBuiltin = Int32Array.from(categories, (c) => builtinCategoryIndex(c));
  const c = categories.length;

  env.coordinateAction = 1 + n;
  env.monitorAction = 1 + 2 * n;
  env.optimizeAction = 2 + 2 * n;
  env.actionNames = Object.freeze([
    'scan',
    ...architectures.map((a, w) => `dispatch:${a}#${w}`),
    ...architectures.map((a, w) => `coordinate:${a}#${w}`),
    'monitor',
    'optimize',
  ]);
  env.actionSpace = new Discrete(env.actionNames.length);
  env.disabled = new Uint8Array(env.actionNames.length);
  for (const verb of config.disabledVerbs) disableVerb(env, verb);
  env.mask = new Uint8Array(env.actionNames.length);
  env.dayProfile = new Float64Array(config.dayLength);
  for (let t = 0; t < config.dayLength; t++) env.dayProfile[t] = config.arrivalRate * (0.7 + 0.6 * Math.sin((Math.PI * t) / config.dayLength));

  const layout = observationLabels(categories, TASK_FEATURE_LABELS, n);
  const labels = layout.labels;
  env.workerObsOffset = layout.workerObsOffset;
  env.tailObsOffset = layout.tailObsOffset;
  env.observationLabels = Object.freeze(labels);
  let maxCapacity = 0;
  for (const a of env.archIndex) maxCapacity += ARCHITECTURES[a].capacity[1];
  const low = new Float32Array(labels.length);
  const high = new Float32Array(labels.length).fill(1);
  low[HEAD.slack] = -1;
  // Requeued tasks may push the queue past queueCapacity, by at most the in-flight capacity.
  for (let p = 0; p < 3; p++) high[p] = (config.queueCapacity + maxCapacity) / 8;
  env.observationSpace = new Box(low, high);
  const queueSlots = config.queueCapacity + maxCapacity;
  env.poolSize = queueSlots + 1;
  const size = env.poolSize;
  env.tId = new Int32Array(size);
  env.tCategory = new Int32Array(size);
  env.tPlugin = new Int32Array(size);
  env.tComplexity = new Int32Array(size);
  env.tPriority = new Int32Array(size);
  env.tSla = new Int32Array(size);
  env.tArrival = new Int32Array(size);
  env.tScanned = new Uint8Array(size);
  env.tRetries = new Int32Array(size);
  env.tBurst = new Uint8Array(size);
  env.tCost = new Float64Array(size);
  env.tFeatures = new Float32Array(size * TASK_FEATURE_DIM);
  env.freeSlots = new Int32Array(size);
  // A power-of-two ring, so wrapping is a bit mask.
  let ring = 1;
  while (ring < queueSlots) ring <<= 1;
  env.queue = new Int32Array(ring);
  env.queueMask = ring - 1;
  env.fTask = new Int32Array(maxCapacity);
  env.fWorker = new Int32Array(maxCapacity);
  env.fUnits = new Int32Array(maxCapacity);
  env.fStart = new Int32Array(maxCapacity);
  env.fEnd = new Int32Array(maxCapacity);
  env.fOutcome = new Int32Array(maxCapacity);
  env.used = new Int32Array(n);
  env.overdueAfter = new Float64Array(n);
  env.workerRate = new Float64Array(n);
  env.workerDurationObs = new Float64Array(n);
  env.workerCapacityObs = new Float64Array(n);
  env.workerCostObs = new Float64Array(n);
  env.statSuccess = new Float64Array(n);
  env.statTrials = new Float64Array(n);
  const domainCount = env.plugins.length;
  env.statDomainSuccess = new Float64Array(n * domainCount);
  env.statDomainTrials = new Float64Array(n * domainCount);
  env.statDurationSum = new Float64Array(n);
  env.statDurationCount = new Float64Array(n);
  env.prior = priorLogits(env.archIndex, categories, config);
  if (config.worldSeed !== null) env.fixedCompany = generateCompany(new Rng(`world/${config.worldSeed}`), env.archIndex, categories, env.categoryDomain, config);
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
