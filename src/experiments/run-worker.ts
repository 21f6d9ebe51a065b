/**
 * A sweep worker process: receives run plans from the parent over IPC, runs each with `runPlan`, and
 * answers with the outcome (or the error's class and message). One plan at a time; the parent keeps the
 * queue, so a slow run never holds others back.
 */
import '../../envs/index.js';
import type { RunPlan } from './sweep.js';
import { runPlan, type ProgressEvent, type RunOutcome } from './runner.js';

export type WorkerRequest = { type: 'run'; plan: RunPlan; experimentDir: string; resume: boolean };
export type WorkerReply =
  | { type: 'done'; outcome: RunOutcome }
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'error'; runId: string; name: string; message: string };

function send(reply: WorkerReply): void {
  process.send?.(reply);
}

process.on('message', (request: WorkerRequest) => {
  if (request.type !== 'run') return;
  runPlan(request.plan, request.experimentDir, { resume: request.resume, onProgress: (event) => send({ type: 'progress', event }) })
    .then((outcome) => send({ type: 'done', outcome }))
    .catch((error: Error) => send({ type: 'error', runId: request.plan.runId, name: error.name, message: error.message }));
});
