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
 * frozen empty array when there are none); `info.finished` lists TaskOutcome records (`recordTasks`) and,
 * after `startRecordingDecisions()` (a TraceRecorder calls it), `info.decisions` the decisions that touched a
 * task this step (TaskDecision: scanned, dispatched, coordinated, requeued).
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
 * ## Files (one concern each)
 * env.ts (this doc, the gym API and the step wiring), state.ts (every field, declared and allocated once),
 * verbs.ts (scan, dispatch/coordinate, monitor), advance.ts (one tick of time), arrivals.ts (the arrival
 * process and plugin chunks), finish.ts (a task ends: users, feedback, sums; observed worker statistics),
 * queue.ts (queue and in-flight books), observe.ts (mask, observation, the oracle's head-task view),
 * dynamics.ts (success probability and duration: one copy), users.ts (satisfaction, CAT, ratings,
 * preferences), observation.ts (labels and named offsets), constants.ts, world.ts, catalog.ts, config.ts.
 * The dynamics are functions of the state (`env` as their first argument), so the split costs no
 * indirection, and every random draw happens in the order it always did (test/orchestrator/trajectory-hash).
 *
 * ## Version history
 * - Info additions for traces (no change of dynamics): `info.decisions`, TaskOutcome `arrivedInBurst`
 *   and `cost`, `openTasks()`.
 * - v0: initial version. Revised before any release: the user's mood noise on true satisfaction is now
 *   std 0.02 (was 0.05, option `moodNoise`): at 0.05 the mood alone capped any reward model's held-out
 *   Spearman against true satisfaction at 0.825 (bench/reward-model.ts); transitions and the random
 *   streams are unchanged, satisfaction values and the gold satisfaction term move. Added without changing
 *   dynamics: `qualitySpread`, `stepInPlace`, the native vector env.
 */
import { type Info, type ResetArgs, type ResetResult, type StepResult } from '../../src/core/env.js';
import type { OrchestratorConfig } from './config.js';
import { ConfigError, InvalidActionError, ResetNeededError, describeValue } from '../../src/core/errors.js';
import { TASK_FEATURE_DIM } from '../../src/plugins/types.js';
import { type OpenTask } from './feedback.js';
import { EMPTY_DECISIONS, EMPTY_FEEDBACK, EMPTY_FINISHED } from './constants.js';
import { advance } from './advance.js';
import { arrive, drawTicksToBurst } from './arrivals.js';
import { refreshWorkerStats } from './finish.js';
import { computeMask, headDuration, headProbability, maskReason, writeObservation } from './observe.js';
import { countHung, workCost } from './queue.js';
import { monitor, scan, startWork } from './verbs.js';
import { copyCompany, generateCompany, type Company } from './world.js';
import { OrchestratorState, clearStep, emptyTotals, type EpisodeTotals, type OrchestratorHiddenView, type RewardComponents } from './state.js';

export type { EpisodeTotals, OrchestratorHiddenView, RewardComponents } from './state.js';

/** The gym API over OrchestratorState (state.ts: every field, allocated by its constructor). */
export class OrchestratorEnv extends OrchestratorState {
  constructor(kwargs: Record<string, unknown> = {}, variant: Partial<OrchestratorConfig> = {}) {
    super(kwargs, variant);
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
      refreshWorkerStats(this, w);
    }
    this.ringCount = 0;
    this.ringNext = 0;
    this.tick = 0;
    this.degradation = 0;
    this.burstLeft = 0;
    this.ticksToBurst = drawTicksToBurst(this);
    this.intensity = 0;
    this.nextArrivalAt = this.arrivalRng.exponential(1);
    this.degradationStep = cfg.degradationRate * this.outcomeRng.uniform(0.5, 1.5);
    this.arrivalEma = cfg.arrivalRate;
    this.lastMonitor = 0;
    this.lastOptimize = 0;
    this.totals = emptyTotals();
    clearStep(this);

    // The overnight backlog never overflows the queue, so a workday starts with nothing to score.
    const initial = Math.min(cfg.queueCapacity, this.arrivalRng.poisson(3 * cfg.arrivalRate));
    for (let i = 0; i < initial; i++) arrive(this);
    computeMask(this);
    return { obs: this.observe(), info: { actionMask: this.mask.slice(), tick: 0 } };
  }

  step(action: number): StepResult<Float32Array> {
    this.simulate(action);
    const w = this.config.rewardWeights;
    const success = w.success * this.stepSuccess;
    const latency = -w.sla * this.stepLatency;
    const cost = -w.cost * this.stepCost;
    const satisfaction = this.satisfactionTerm();
    const info: Info = {
      actionMask: this.mask.slice(),
      tick: this.tick,
      rewardComponents: { success, latency, cost, satisfaction } satisfies RewardComponents,
      goldReward: success + latency + cost + w.satisfaction * this.stepGoldSatisfaction,
      finished: this.stepFinished ?? EMPTY_FINISHED,
      feedback: this.stepFeedback ?? EMPTY_FEEDBACK,
      decisions: this.stepDecisions ?? EMPTY_DECISIONS,
    };
    // The same sum, in the same order, as stepReward(), from the terms computed once above.
    return { obs: this.observe(), reward: success + latency + cost + satisfaction, terminated: false, truncated: false, info };
  }

  /**
   * The allocation-free step behind OrchestratorVectorEnv: the same transition, draws and reward as
   * `step(action)`, with the observation written to `obs[obsOffset, obsOffset + obsDim)` and the action mask
   * to `mask[maskOffset, maskOffset + numActions)`. Builds no info; call `stopCollectingEvents()` first so
   * that no task records or feedback events are built either.
   */
  stepInPlace(action: number, obs: Float32Array, obsOffset: number, mask: Uint8Array, maskOffset: number): number {
    this.simulate(action);
    writeObservation(this, obs, obsOffset);
    const own = this.mask;
    for (let a = 0; a < own.length; a++) mask[maskOffset + a] = own[a];
    return this.stepReward();
  }

  /** From now on, steps report the decisions that touched a task in `info.decisions` (TraceRecorder calls it). */
  startRecordingDecisions(): void {
    this.recordDecisions = true;
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
    if (this.mask[action] === 0) throw new InvalidActionError(`Expected an allowed action, but got ${action} (${this.actionNames[action]}): ${maskReason(this, action)}.`);
    clearStep(this);

    if (action === 0) scan(this);
    else if (action <= n) startWork(this, action - 1, 1);
    else if (action <= 2 * n) startWork(this, action - 1 - n, 2);
    else if (action === this.monitorAction) monitor(this);
    else {
      this.degradation = 0;
      this.degradationStep = this.config.degradationRate * this.outcomeRng.uniform(0.5, 1.5);
      this.lastOptimize = this.tick + 1;
    }
    advance(this);
    computeMask(this);
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
      hungTasks: countHung(this),
      headSuccessProbability: (worker, coordinated) => headProbability(env, worker, coordinated),
      headExpectedDuration: (worker, coordinated) => headDuration(env, worker, coordinated),
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
      const running = workCost(this, k, this.tick);
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


  // ---- mask and observation ----

  private observe(): Float32Array {
    const obs = this.obsSlab.take(this.observationLabels.length);
    writeObservation(this, obs, 0);
    return obs;
  }

}
