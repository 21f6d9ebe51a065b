/**
 * A loop worker process (`workers` > 1 in a loop spec): receives one replicate at a time from the parent
 * over IPC, runs it with `runReplicate` into its own folder, and reports each iteration and the end (or the
 * error's class and message). Replicates are seeded by index, so the files equal a serial run's.
 */
import '../../envs/index.js';
import { initBackend } from '../nn/backend.js';
import { parseLoopSpec } from './loop-spec.js';
import { runReplicate, type IterationRecord } from './loop-replicate.js';

export type LoopWorkerRequest = { type: 'replicate'; spec: unknown; replicate: number; dir: string };
export type LoopWorkerReply =
  | { type: 'iteration'; record: IterationRecord; resumed: boolean }
  | { type: 'done'; replicate: number; records: IterationRecord[] }
  | { type: 'error'; replicate: number; name: string; message: string };

function send(reply: LoopWorkerReply): void {
  process.send?.(reply);
}

process.on('message', (request: LoopWorkerRequest) => {
  if (request.type !== 'replicate') return;
  const spec = parseLoopSpec(request.spec);
  initBackend()
    .then(() => runReplicate(spec, request.replicate, request.dir, { onIteration: (record, resumed) => send({ type: 'iteration', record, resumed }) }))
    .then((records) => send({ type: 'done', replicate: request.replicate, records }))
    .catch((error: Error) => send({ type: 'error', replicate: request.replicate, name: error.name, message: error.message }));
});
