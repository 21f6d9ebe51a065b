/**
 * The task trace record (JSONL, one task per line), format `loopgym.task-trace`, version 2. A record is the
 * life of one task of Orchestrator-v0 / -drift-v0 as the env reports it when the task ends
 * (`info.finished`), the decisions that touched it (`info.decisions`) and the user feedback it received
 * (`info.feedback`):
 *
 * | field | meaning |
 * |---|---|
 * | `format`, `version` | `loopgym.task-trace`, 2 |
 * | `episode`, `seed` | the episode's index in the recording and its reset seed (null when unseeded) |
 * | `taskId` | the env's task number within the episode |
 * | `plugin`, `category`, `complexity` (1-5), `priority` (1-3), `slaTicks` | what the task was |
 * | `features` | the six plugin features of the task, [0, 1] |
 * | `arrivalTick`, `finishTick`, `latency` | ticks; latency = finish - arrival (unfinished: finishTick null, latency = ticks waited until the cut) |
 * | `arrivedInBurst` | the task arrived during an arrival burst |
 * | `cost` | worker cost spent on it (per-unit cost x units x ticks in work, every attempt; the env's cost term sums these) |
 * | `decisions` | `[{tick, type, worker}]` in order: `scanned` (worker -1), `dispatched` / `coordinated` to a worker, `requeued` (monitor found it hung on that worker) |
 * | `worker`, `architecture` | the slot and architecture that worked it last (-1 and "" when abandoned) |
 * | `coordinated`, `retries` | dispatched with a reviewer; times it was requeued (found hung by monitor) |
 * | `outcome` | `succeeded`, `failed`, `stalled` (a silent failure that surfaced at its deadline), `abandoned` (waited too long in the queue) `turned_away` (arrived at a full queue), or `unfinished` (still queued or in work when the episode was cut off) |
 * | `slaMet` | finished within its SLA (null when unfinished) |
 * | `trueSatisfaction` | the hidden truth (for analysis and evaluation only, never for training; null when unfinished) |
 * | `feedback` | `{cat, ratings}` when the user scored it, else null; `preferences`: [{other, preferred}] |
 *
 * Version 1 (no `arrivedInBurst`, no `decisions`, turned-away tasks counted as `abandoned`) is refused by
 * readTraces with a message naming the version. Every task that arrived in a recorded episode has exactly one
 * record: those still queued or in work when it ends are recorded then, as `unfinished`.
 */
import { z } from 'zod';

export const TRACE_FORMAT = 'loopgym.task-trace';
export const TRACE_VERSION = 2;

export const TaskTraceSchema = z.strictObject({
  format: z.literal(TRACE_FORMAT),
  version: z.literal(TRACE_VERSION),
  episode: z.number().int().min(0),
  seed: z.number().int().nullable(),
  taskId: z.number().int().min(0),
  plugin: z.string(),
  category: z.string(),
  complexity: z.number().int().min(1).max(5),
  priority: z.number().int().min(1).max(3),
  slaTicks: z.number().min(0),
  features: z.array(z.number()),
  arrivalTick: z.number().int(),
  finishTick: z.number().int().nullable(),
  latency: z.number().min(0),
  arrivedInBurst: z.boolean(),
  cost: z.number().min(0),
  decisions: z.array(z.strictObject({ tick: z.number().int(), type: z.enum(['scanned', 'dispatched', 'coordinated', 'requeued']), worker: z.number().int().min(-1) })),
  worker: z.number().int().min(-1),
  architecture: z.string(),
  coordinated: z.boolean(),
  retries: z.number().int().min(0),
  outcome: z.enum(['succeeded', 'failed', 'stalled', 'abandoned', 'turned_away', 'unfinished']),
  slaMet: z.boolean().nullable(),
  trueSatisfaction: z.number().min(0).max(1).nullable(),
  feedback: z.strictObject({ cat: z.number().int().min(1).max(10), ratings: z.record(z.string(), z.number()) }).nullable(),
  preferences: z.array(z.strictObject({ other: z.number().int(), preferred: z.boolean() })),
});

export type TaskTrace = z.output<typeof TaskTraceSchema>;

/** A trace of a task that ended (every outcome but `unfinished`). */
export type FinishedTrace = TaskTrace & { finishTick: number; slaMet: boolean; trueSatisfaction: number };

export function isFinished(trace: TaskTrace): trace is FinishedTrace {
  return trace.outcome !== 'unfinished';
}
