/**
 * The worker-thread side of AsyncVectorEnv: imports the registration modules, builds its slice of members
 * with `make`, then serves INIT / RESET / STEP / CLOSE commands over the shared control array until closed.
 * Runs only as compiled JavaScript (dist/), never from the TypeScript sources.
 */
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Env, Info } from '../env.js';
import { DataError, LoopgymError, UnknownEnvError } from '../errors.js';
import { make } from '../registry.js';
import { MemberBlock, checkSameSpaces } from './member-block.js';
import {
  CMD_CLOSE,
  CMD_INIT,
  CMD_RESET,
  CMD_STEP,
  COMMAND,
  CONTROL_STRIDE,
  DONE,
  DONE_EXITED,
  HAS_MESSAGE,
  REQUEST,
  STATUS,
  STATUS_ERROR,
  STATUS_OK,
  type ErrorMessage,
  type InfosMessage,
  type InitMessage,
  type ReadyMessage,
  type ResetMessage,
  type WorkerData,
} from './protocol.js';

const data = workerData as WorkerData & { port: MessagePort };
const control = new Int32Array(data.control);
const base = data.workerIndex * CONTROL_STRIDE;
const port = data.port;

// Whatever ends this thread, wake a main thread that may be waiting on it.
process.on('exit', () => {
  Atomics.store(control, base + DONE, DONE_EXITED);
  Atomics.notify(control, base + DONE);
});

function finish(request: number, status: number): void {
  Atomics.store(control, base + STATUS, status);
  Atomics.store(control, base + DONE, request + 1);
  Atomics.notify(control, base + DONE);
}

function postError(error: unknown): void {
  const e = error instanceof Error ? error : new Error(String(error));
  const message: ErrorMessage = { type: 'error', name: e.name, message: e.message, stack: e.stack };
  port.postMessage(message);
  Atomics.store(control, base + HAS_MESSAGE, 1);
}

function hasKeys(info: Info): boolean {
  for (const _ in info) return true;
  return false;
}

function postInfos(block: MemberBlock): void {
  let infos: [number, Info][] | undefined;
  for (let j = 0; j < block.infos.length; j++) {
    if (hasKeys(block.infos[j])) (infos ??= []).push([j, block.infos[j]]);
  }
  if (infos === undefined) return;
  const message: InfosMessage = { type: 'infos', infos };
  try {
    port.postMessage(message);
  } catch (error) {
    throw new DataError(`Expected infos that can be copied between threads (structured clone) in AsyncVectorEnv, but posting them failed: ${(error as Error).message}`);
  }
  Atomics.store(control, base + HAS_MESSAGE, 1);
}

function takeMessage<T>(): T {
  const received = receiveMessageOnPort(port);
  if (!received) throw new LoopgymError('Expected a message from the main thread with this command, but none was queued.');
  return received.message as T;
}

async function main(): Promise<void> {
  const envs: Env<unknown, unknown>[] = [];
  try {
    for (const specifier of data.registrationModules) await import(specifier);
    for (let j = 0; j < data.count; j++) envs.push(make(data.id, data.makeOptions));
    checkSameSpaces(envs);
    const ready: ReadyMessage = {
      type: 'ready',
      observationSpace: envs[0].observationSpace.toJSON(),
      actionSpace: envs[0].actionSpace.toJSON(),
      spec: envs[0].spec,
    };
    port.postMessage(ready);
    finish(0, STATUS_OK);
  } catch (error) {
    if (error instanceof UnknownEnvError) {
      error.message += ` AsyncVectorEnv workers know the envs registered by their registrationModules (${JSON.stringify(data.registrationModules)}); add the module that registers ${JSON.stringify(data.id)}.`;
    }
    postError(error);
    finish(0, STATUS_ERROR);
    return;
  }

  let block: MemberBlock | undefined;
  let actions: Float64Array | undefined;
  let seen = 0;
  for (;;) {
    Atomics.wait(control, base + REQUEST, seen);
    const request = Atomics.load(control, base + REQUEST);
    if (request === seen) continue;
    seen = request;
    const command = Atomics.load(control, base + COMMAND);
    Atomics.store(control, base + HAS_MESSAGE, 0);
    let status = STATUS_OK;
    try {
      if (command === CMD_STEP) {
        block!.step(actions!);
        postInfos(block!);
      } else if (command === CMD_RESET) {
        const { seed, options } = takeMessage<ResetMessage>();
        block!.reset(seed, options);
        postInfos(block!);
      } else if (command === CMD_INIT) {
        const init = takeMessage<InitMessage>();
        block = new MemberBlock(envs, data.start, init.layout, init.buffers);
        actions = init.actions;
      } else if (command === CMD_CLOSE) {
        for (const env of envs) env.close();
        finish(seen, STATUS_OK);
        port.close();
        return;
      } else {
        throw new LoopgymError(`Expected a known AsyncVectorEnv command, but got ${command}.`);
      }
    } catch (error) {
      status = STATUS_ERROR;
      postError(error);
    }
    finish(seen, status);
  }
}

void main();
