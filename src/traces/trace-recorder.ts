/**
 * `TraceRecorder`: a wrapper that records the life of every task of an Orchestrator env as a TaskTrace
 * (trace-schema.ts), from the decisions that touch a task (`info.decisions`), what the env reports when it
 * ends (`info.finished`; both kept by `recordTasks`, on by default) and the feedback its users leave
 * (`info.feedback`); when an episode ends, the tasks still queued or in work are recorded as `unfinished`
 * (`OrchestratorEnv.openTasks()`), so every task that arrived has one record. An episode's records are
 * complete when it ends (a preference may name a task finished earlier in the episode); `traces` holds
 * them in task-finish order. `writeTraces` writes JSONL (gzip for a `.gz` path) atomically and refuses more
 * than `maxBytes`. Recording reads what the env reports (and `openTasks()` at an episode's end): no extra random draws, so a traced
 * episode is the same episode.
 */
import { gzipSync, gunzipSync } from 'node:zlib';
import { existsSync, readFileSync } from 'node:fs';
import { Wrapper, type Env, type ResetArgs, type ResetResult, type StepResult } from '../core/env.js';
import { ConfigError, DataError } from '../core/errors.js';
import { writeFileAtomic } from '../core/atomic-fs.js';
import { OrchestratorEnv } from '../../envs/orchestrator/env.js';
import type { FeedbackEvent, OpenTask, TaskDecision, TaskOutcome } from '../../envs/orchestrator/feedback.js';
import { TASK_FEATURE_DIM } from '../plugins/types.js';
import { TaskTraceSchema, TRACE_FORMAT, TRACE_VERSION, type TaskTrace } from './trace-schema.js';

/** Default cap on a trace file: 256 MiB. */
export const DEFAULT_TRACE_MAX_BYTES = 256 * 1024 * 1024;

export class TraceRecorder extends Wrapper<Float32Array, number> {
  /** Every finished episode's task records, in order. */
  readonly traces: TaskTrace[] = [];
  private current = new Map<number, TaskTrace>();
  /** Decisions of tasks still alive, by task id (a task's list moves into its record when it ends). */
  private decisions = new Map<number, TaskTrace['decisions']>();
  private episode = -1;
  private seed: number | null = null;

  constructor(env: Env<Float32Array, number>) {
    super(env);
    if (!(env.unwrapped instanceof OrchestratorEnv)) {
      throw new ConfigError(`Expected an Orchestrator env (Orchestrator-v0, Orchestrator-drift-v0) to trace, but got ${env.unwrapped.constructor.name}.`);
    }
    if (!env.unwrapped.config.recordTasks) throw new ConfigError('Expected the env kwarg recordTasks: true (task records are what a trace is made of), but got false.');
    env.unwrapped.startRecordingDecisions();
  }

  override reset(args?: ResetArgs): ResetResult<Float32Array> {
    this.flush();
    this.episode++;
    this.seed = args?.seed ?? null;
    return super.reset(args);
  }

  override step(action: number): StepResult<Float32Array> {
    const result = super.step(action);
    const decisions = result.info.decisions as readonly TaskDecision[] | undefined;
    if (decisions) {
      for (const d of decisions) {
        let list = this.decisions.get(d.taskId);
        if (!list) this.decisions.set(d.taskId, (list = []));
        list.push({ tick: d.tick, type: d.type, worker: d.worker });
      }
    }
    const finished = result.info.finished as readonly TaskOutcome[] | undefined;
    if (finished) for (const task of finished) this.current.set(task.taskId, this.record(task));
    const feedback = result.info.feedback as readonly FeedbackEvent[] | undefined;
    if (feedback) for (const event of feedback) this.attach(event);
    if (result.terminated || result.truncated) {
      const inner = this.env.unwrapped as OrchestratorEnv;
      for (const task of inner.openTasks()) this.current.set(task.taskId, this.unfinished(task, result.info.tick as number));
      this.flush();
    }
    return result;
  }

  override close(): void {
    this.flush();
    super.close();
  }

  private record(task: TaskOutcome): TaskTrace {
    const common = this.common(task, Array.from(task.features.subarray(7, 7 + TASK_FEATURE_DIM)));
    const turnedAway = task.kind === 'abandoned' && task.latency === 0 && common.decisions.length === 0;
    return {
      ...common,
      arrivalTick: task.finishTick - task.latency,
      finishTick: task.finishTick,
      latency: task.latency,
      outcome: turnedAway ? 'turned_away' : task.kind,
      slaMet: task.slaMet,
      trueSatisfaction: task.trueSatisfaction,
    };
  }

  /** The record of a task still queued or in work when the episode ended at `tick`. */
  private unfinished(task: OpenTask, tick: number): TaskTrace {
    return {
      ...this.common(task, Array.from(task.features)),
      arrivalTick: task.arrivalTick,
      finishTick: null,
      latency: tick - task.arrivalTick,
      outcome: 'unfinished',
      slaMet: null,
      trueSatisfaction: null,
    };
  }

  /** The fields every record has from the task itself, its decisions (taken out of the pending map) and the episode. */
  private common(task: TaskOutcome | OpenTask, features: number[]) {
    const decisions = this.decisions.get(task.taskId) ?? [];
    this.decisions.delete(task.taskId);
    return {
      format: TRACE_FORMAT,
      version: TRACE_VERSION,
      episode: this.episode,
      seed: this.seed,
      taskId: task.taskId,
      plugin: task.plugin,
      category: task.category,
      complexity: task.complexity,
      priority: task.priority,
      slaTicks: task.slaTicks,
      features,
      arrivedInBurst: task.arrivedInBurst,
      cost: task.cost,
      decisions,
      worker: task.worker,
      architecture: task.architecture,
      coordinated: task.coordinated,
      retries: task.retries,
      feedback: null,
      preferences: [],
    } satisfies Partial<TaskTrace>;
  }

  private attach(event: FeedbackEvent): void {
    if (event.type === 'score') {
      const trace = this.current.get(event.taskId);
      if (trace) trace.feedback = { cat: event.cat, ratings: { ...event.ratings } };
      return;
    }
    this.current.get(event.taskA)?.preferences.push({ other: event.taskB, preferred: event.preferred === 0 });
    this.current.get(event.taskB)?.preferences.push({ other: event.taskA, preferred: event.preferred === 1 });
  }

  private flush(): void {
    for (const trace of this.current.values()) this.traces.push(trace);
    this.current.clear();
    this.decisions.clear();
  }
}

/** Writes traces as JSONL (gzip when the path ends in .gz), atomically; more than `maxBytes` is refused. */
export function writeTraces(path: string, traces: readonly TaskTrace[], maxBytes = DEFAULT_TRACE_MAX_BYTES): void {
  const text = traces.map((trace) => JSON.stringify(trace)).join('\n') + (traces.length > 0 ? '\n' : '');
  const bytes = Buffer.byteLength(text);
  if (bytes > maxBytes) {
    throw new DataError(`Expected traces of at most ${maxBytes} bytes, but ${traces.length} task records take ${bytes}; record fewer episodes or raise the limit (nothing was written).`);
  }
  writeFileAtomic(path, path.endsWith('.gz') ? gzipSync(text) : text);
}

/** Reads a JSONL (or .gz) trace file; a malformed line is refused with its line number. */
export function readTraces(path: string): TaskTrace[] {
  if (!existsSync(path)) throw new DataError(`Expected a trace file at ${path}, but it does not exist.`);
  const raw = readFileSync(path);
  const text = path.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  const traces: TaskTrace[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new DataError(`${path}:${i + 1}: Expected a JSON task trace, but the line does not parse (${(error as Error).message}).`);
    }
    const version = (value as { version?: unknown } | null)?.version;
    if (version !== TRACE_VERSION) throw new DataError(`${path}:${i + 1}: Expected a ${TRACE_FORMAT} record of version ${TRACE_VERSION}, but found version ${JSON.stringify(version)}; record the traces again with this loopgym.`);
    const parsed = TaskTraceSchema.safeParse(value);
    if (!parsed.success) throw new DataError(`${path}:${i + 1}: Expected a ${TRACE_FORMAT} v${TRACE_VERSION} record, but ${parsed.error.issues[0].path.join('.') || 'it'}: ${parsed.error.issues[0].message}.`);
    traces.push(parsed.data);
  });
  return traces;
}
