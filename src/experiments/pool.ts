/**
 * Runs sweep plans in parallel worker processes (`--workers N`). Each run is independent and seeded, so
 * the folders written are identical to a serial run's; only the order in which runs finish differs, and
 * the outcomes are returned in plan order.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LoopgymError } from '../core/errors.js';
import { runnableModuleUrl } from '../core/vector-envs/module-paths.js';
import type { RunPlan } from './sweep.js';
import type { ProgressEvent, RunOptions, RunOutcome } from './runner.js';
import { finishedRun } from './store.js';
import { join } from 'node:path';
import type { WorkerReply, WorkerRequest } from './run-worker.js';

/** A run that failed inside a worker, re-raised in the parent with the worker's error class name and message. */
export class RunFailedError extends LoopgymError {}

export async function runPlansInWorkers(
  plans: readonly RunPlan[],
  experimentDir: string,
  workers: number,
  options: Pick<RunOptions, 'resume' | 'onProgress' | 'onRun'> = {},
): Promise<RunOutcome[]> {
  const script = fileURLToPath(runnableModuleUrl(new URL('./run-worker.js', import.meta.url).href));
  const outcomes = new Array<RunOutcome>(plans.length);
  let next = 0;
  let failure: Error | undefined;
  const children: ChildProcess[] = [];

  const runOn = (child: ChildProcess): Promise<void> =>
    new Promise((resolve, reject) => {
      let current: RunPlan | undefined;
      const dispatch = () => {
        current = undefined;
        if (failure || next >= plans.length) return resolve();
        const plan = plans[next++];
        current = plan;
        // A finished run is skipped by the worker: announce only the runs that will train.
        if (finishedRun(join(experimentDir, plan.runId)) === null) options.onRun?.({ plan, state: 'start' });
        child.send({ type: 'run', plan, experimentDir, resume: options.resume ?? false } satisfies WorkerRequest);
      };
      child.on('message', (reply: WorkerReply) => {
        if (reply.type === 'progress') return options.onProgress?.(reply.event as ProgressEvent);
        if (reply.type === 'error') {
          failure ??= new RunFailedError(`Run ${reply.runId} failed: ${reply.name}: ${reply.message}`);
          return reject(failure);
        }
        const index = reply.outcome.plan.index;
        outcomes[plans.findIndex((p) => p.index === index)] = reply.outcome;
        options.onRun?.({ plan: reply.outcome.plan, state: reply.outcome.skipped ? 'skipped' : 'done' });
        dispatch();
      });
      child.on('exit', (code, signal) => {
        if (!current) return;
        failure ??= new RunFailedError(`Expected the worker running ${current.runId} to finish it, but it exited (code ${code}, signal ${signal}).`);
        reject(failure);
      });
      dispatch();
    });

  try {
    const count = Math.max(1, Math.min(workers, plans.length));
    for (let i = 0; i < count; i++) children.push(fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    await Promise.all(children.map(runOn));
  } finally {
    for (const child of children) child.kill();
  }
  if (failure) throw failure;
  return outcomes;
}
