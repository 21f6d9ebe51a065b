import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import * as errors from '../errors.js';
import { ConfigError, InvalidActionError, LoopgymError, ResetNeededError, describeValue } from '../errors.js';
import type { EnvSpec, Info } from '../env.js';
import { spaceFromJSON, type Space } from '../spaces.js';
import type { VectorActions, VectorEnv, VectorResetResult, VectorStepResult } from '../vector.js';
import {
  NO_EPISODES,
  allocateBuffers,
  anyMask,
  collectEpisodes,
  expectedActionCount,
  vectorLayout,
  type VectorBuffers,
  type VectorLayout,
} from './member-block.js';
import { runnableModuleUrl } from './module-paths.js';
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
  type ErrorMessage,
  type InfosMessage,
  type InitMessage,
  type ReadyMessage,
  type ResetMessage,
  type WorkerData,
} from './protocol.js';

export interface AsyncVectorEnvOptions {
  numEnvs: number;
  /** Constructor arguments for every member, merged over the registered ones (as in `make`). */
  kwargs?: Record<string, unknown>;
  /** Overrides the registered step limit; `null` removes the TimeLimit wrapper (as in `make`). */
  maxEpisodeSteps?: number | null;
  /** Worker threads; each runs a contiguous slice of members. Default: min(numEnvs, available cores). */
  numWorkers?: number;
  /**
   * Modules each worker imports before building its members, so the env id is registered there: file URLs
   * (e.g. your module's `import.meta.url`), paths, or package names. TypeScript sources are replaced by
   * their compiled twins in dist/. Default: the modules added with `addDefaultRegistrationModule`.
   */
  registrationModules?: readonly string[];
}

const defaultModules: string[] = [];

/**
 * Adds a module every AsyncVectorEnv worker imports by default. A module that registers envs calls it with
 * its own `import.meta.url`, so `makeVec(id, {vectorizationMode: 'async'})` finds its envs in workers.
 */
export function addDefaultRegistrationModule(specifier: string): void {
  if (!defaultModules.includes(specifier)) defaultModules.push(specifier);
}

export function defaultRegistrationModules(): readonly string[] {
  return defaultModules;
}

/** Errors thrown in a worker come back as the same loopgym error class (or built-in Error kind). */
const BUILTIN_ERRORS: Record<string, new (message: string) => Error> = { TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };

function rebuildError(message: ErrorMessage, workerIndex: number): Error {
  const candidate = (errors as Record<string, unknown>)[message.name];
  const Kind =
    typeof candidate === 'function' && (candidate === LoopgymError || candidate.prototype instanceof LoopgymError)
      ? (candidate as new (message: string) => Error)
      : BUILTIN_ERRORS[message.name];
  const error = Kind ? new Kind(message.message) : new Error(message.message);
  if (!Kind) error.name = message.name;
  if (message.stack) {
    const frames = message.stack.split('\n').filter((line) => line.trimStart().startsWith('at '));
    error.stack = `${error.name}: ${error.message}\n    [in AsyncVectorEnv worker ${workerIndex}]\n${frames.join('\n')}\n${(error.stack ?? '').split('\n').slice(1).join('\n')}`;
  }
  return error;
}

function workerScriptUrl(): URL {
  // From sources (vitest) this module is a .ts file; the worker must be the compiled one in dist/.
  if (import.meta.url.endsWith('.js')) return new URL('./worker.js', import.meta.url);
  return new URL(runnableModuleUrl(new URL('./worker.ts', import.meta.url).href));
}

/**
 * Runs the members of a vector env in `worker_threads` workers, behind the same contract as SyncVectorEnv and
 * with bit-identical results for the same seed and actions. Observations, rewards, flags, masks and actions
 * live in SharedArrayBuffers; each step is one Atomics handshake per worker, with no copying of arrays
 * between threads. Infos that are not empty are posted (structured clone), so they must be cloneable;
 * empty infos read as a shared frozen `{}`.
 *
 * Workers build members by id through their own registry, so the id's registering module must be listed
 * in `registrationModules` (or added with `addDefaultRegistrationModule`). The constructor and every call
 * block until the workers answer. Call `close()` to end the workers (they do not keep the process alive).
 */
export class AsyncVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly numWorkers: number;
  readonly singleObservationSpace: Space<unknown>;
  readonly singleActionSpace: Space<unknown>;
  readonly obsDim: number;
  readonly spec?: EnvSpec;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly starts: number[] = [];
  private readonly counts: number[] = [];
  private readonly control: Int32Array;
  private readonly layout: VectorLayout;
  private readonly buffers: VectorBuffers;
  private readonly actions: Float64Array;
  private readonly infos: Info[];
  private readonly result: VectorStepResult;
  private readonly messageSlots: (ReadyMessage | InfosMessage | undefined)[] = [];
  private sequence = 0;
  private hasReset = false;
  private closed = false;

  constructor(readonly id: string, options: AsyncVectorEnvOptions) {
    const numEnvs = options.numEnvs;
    if (!Number.isInteger(numEnvs) || numEnvs <= 0) throw new ConfigError(`Expected numEnvs to be a positive integer, but got ${describeValue(numEnvs)}.`);
    const numWorkers = options.numWorkers ?? Math.min(numEnvs, availableParallelism());
    if (!Number.isInteger(numWorkers) || numWorkers <= 0 || numWorkers > numEnvs) {
      throw new ConfigError(`Expected numWorkers to be an integer in [1, numEnvs=${numEnvs}], but got ${describeValue(numWorkers)}.`);
    }
    this.numEnvs = numEnvs;
    this.numWorkers = numWorkers;
    const modules = (options.registrationModules ?? defaultModules).map((m) => runnableModuleUrl(m));
    const makeOptions: { kwargs?: Record<string, unknown>; maxEpisodeSteps?: number | null } = {};
    if (options.kwargs !== undefined) makeOptions.kwargs = options.kwargs;
    if (options.maxEpisodeSteps !== undefined) makeOptions.maxEpisodeSteps = options.maxEpisodeSteps;

    this.control = new Int32Array(new SharedArrayBuffer(numWorkers * CONTROL_STRIDE * 4));
    const script = workerScriptUrl();
    let ready: ReadyMessage[];
    try {
      for (let w = 0, start = 0; w < numWorkers; w++) {
        // Contiguous slices, the first (numEnvs % numWorkers) one member larger.
        const count = Math.floor(numEnvs / numWorkers) + (w < numEnvs % numWorkers ? 1 : 0);
        this.starts.push(start);
        this.counts.push(count);
        start += count;
        const { port1, port2 } = new MessageChannel();
        const data: WorkerData & { port: MessagePort } = {
          id,
          makeOptions,
          workerIndex: w,
          start: this.starts[w],
          count,
          registrationModules: modules,
          control: this.control.buffer as SharedArrayBuffer,
          port: port2,
        };
        let worker: Worker;
        try {
          worker = new Worker(script, { workerData: data, transferList: [port2] });
        } catch (error) {
          if ((error as Error).name !== 'DataCloneError') throw error;
          throw new ConfigError(`Expected kwargs that can be copied to worker threads (structured clone) for AsyncVectorEnv, but: ${(error as Error).message}`);
        }
        // Errors reach the caller through the handshake; this listener only keeps an 'error' event from crashing the process.
        worker.on('error', () => {});
        worker.unref();
        this.workers.push(worker);
        this.ports.push(port1);
      }
      ready = this.collect(0, 'ready') as ReadyMessage[];
    } catch (error) {
      this.terminate();
      throw error;
    }

    for (let w = 1; w < numWorkers; w++) {
      const [mine, first] = [ready[w], ready[0]].map((r) => JSON.stringify([r.observationSpace, r.actionSpace]));
      if (mine !== first) {
        this.terminate();
        throw new ConfigError(`Expected every AsyncVectorEnv worker to build members with the spaces ${first}, but worker ${w} built ${mine}.`);
      }
    }
    this.singleObservationSpace = spaceFromJSON(ready[0].observationSpace);
    this.singleActionSpace = spaceFromJSON(ready[0].actionSpace);
    this.spec = ready[0].spec;
    this.layout = vectorLayout(numEnvs, this.singleObservationSpace, this.singleActionSpace);
    this.obsDim = this.layout.obsDim;
    this.buffers = allocateBuffers(this.layout, (bytes) => new SharedArrayBuffer(bytes));
    this.actions = new Float64Array(new SharedArrayBuffer(expectedActionCount(this.layout) * 8));
    this.infos = new Array<Info>(numEnvs).fill(EMPTY_INFO);
    this.result = {
      obs: this.buffers.obs,
      rewards: this.buffers.rewards,
      terminated: this.buffers.terminated,
      truncated: this.buffers.truncated,
      autoreset: this.buffers.autoreset,
      infos: this.infos,
      actionMasks: undefined,
      episodes: NO_EPISODES,
    };
    try {
      const init: InitMessage = { layout: this.layout, buffers: this.buffers, actions: this.actions };
      for (const port of this.ports) port.postMessage(init);
      this.run(CMD_INIT);
    } catch (error) {
      this.terminate();
      throw error;
    }
  }

  reset(args: { seed?: number; options?: Record<string, unknown> } = {}): VectorResetResult {
    this.assertOpen();
    if (args.seed !== undefined && !Number.isFinite(args.seed)) throw new ConfigError(`Expected a finite seed, but got ${describeValue(args.seed)}.`);
    const message: ResetMessage = { seed: args.seed, options: args.options };
    // Every port gets the same message, so a clone failure happens at the first post, before any worker has one queued.
    for (const port of this.ports) postCloneable(port, message, 'reset options');
    this.run(CMD_RESET);
    this.hasReset = true;
    return anyMask(this.buffers, this.numEnvs) ? { obs: this.buffers.obs, infos: this.infos, actionMasks: this.buffers.masks } : { obs: this.buffers.obs, infos: this.infos };
  }

  step(actions: VectorActions): VectorStepResult {
    this.assertOpen();
    if (!this.hasReset) throw new ResetNeededError('Expected reset() before the first step() of the vector env, but step() was called first.');
    if (actions.length !== this.actions.length) {
      throw new InvalidActionError(`Expected ${this.actions.length} actions (${this.numEnvs} envs x ${this.layout.actionLength}), but got ${actions.length}.`);
    }
    this.actions.set(actions);
    this.run(CMD_STEP);
    this.result.episodes = collectEpisodes(this.buffers, this.numEnvs);
    this.result.actionMasks = anyMask(this.buffers, this.numEnvs) ? this.buffers.masks : undefined;
    return this.result;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      // Let members close themselves; a stuck or dead worker is terminated regardless.
      this.run(CMD_CLOSE, 5_000);
    } catch {
      // Closing must not throw: the workers are terminated below whatever happened.
    }
    this.terminate();
  }

  private terminate(): void {
    for (const worker of this.workers) void worker.terminate();
    for (const port of this.ports) port.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new LoopgymError('Expected an open vector env, but close() was already called.');
  }

  /** Sends one command to every worker, waits for all of them, then reads their infos and errors. */
  private run(command: number, timeoutMs = Infinity): void {
    const request = ++this.sequence;
    const control = this.control;
    for (let w = 0; w < this.numWorkers; w++) {
      const at = w * CONTROL_STRIDE;
      Atomics.store(control, at + COMMAND, command);
      Atomics.store(control, at + REQUEST, request);
      Atomics.notify(control, at + REQUEST);
    }
    const messages = this.collect(request, 'infos', timeoutMs);
    if (command === CMD_STEP || command === CMD_RESET) {
      for (let w = 0; w < this.numWorkers; w++) {
        const start = this.starts[w];
        this.infos.fill(EMPTY_INFO, start, start + this.counts[w]);
        const message = messages[w] as InfosMessage | undefined;
        if (message !== undefined) for (const [j, info] of message.infos) this.infos[start + j] = info;
      }
    }
  }

  /**
   * Waits until every worker has answered `request`, takes the message each posted, and throws the first
   * worker error (after draining every worker's message, so the next command starts clean).
   */
  private collect(request: number, expected: 'ready' | 'infos', timeoutMs = Infinity): (ReadyMessage | InfosMessage | undefined)[] {
    const control = this.control;
    const deadline = Number.isFinite(timeoutMs) ? performance.now() + timeoutMs : Infinity;
    const messages = this.messageSlots;
    let failure: Error | undefined;
    for (let w = 0; w < this.numWorkers; w++) {
      const at = w * CONTROL_STRIDE;
      for (;;) {
        const done = Atomics.load(control, at + DONE);
        if (done === request + 1) break;
        if (done === DONE_EXITED) {
          // A worker that failed while starting reports its error and then ends; prefer that report.
          const last = receiveMessageOnPort(this.ports[w])?.message as ErrorMessage | undefined;
          if (last?.type === 'error') throw rebuildError(last, w);
          throw new LoopgymError(`Expected AsyncVectorEnv worker ${w} to be running, but its thread exited.`);
        }
        const left = deadline - performance.now();
        if (left <= 0) throw new LoopgymError(`Expected AsyncVectorEnv worker ${w} to answer within ${timeoutMs} ms, but it did not.`);
        Atomics.wait(control, at + DONE, done, Math.min(left, 1_000));
      }
      messages[w] = undefined;
      const posted = expected === 'ready' || Atomics.load(control, at + HAS_MESSAGE) === 1;
      if (!posted) continue;
      const received = receiveMessageOnPort(this.ports[w])?.message as ReadyMessage | InfosMessage | ErrorMessage | undefined;
      if (received?.type === 'error') failure ??= rebuildError(received, w);
      else if (Atomics.load(control, at + STATUS) === STATUS_ERROR) failure ??= new LoopgymError(`Expected an error report from AsyncVectorEnv worker ${w}, but got none.`);
      else messages[w] = received;
    }
    if (failure) throw failure;
    return messages;
  }
}

function postCloneable(port: MessagePort, message: unknown, what: string): void {
  try {
    port.postMessage(message);
  } catch (error) {
    if ((error as Error).name !== 'DataCloneError') throw error;
    throw new ConfigError(`Expected ${what} that can be copied to worker threads (structured clone) for AsyncVectorEnv, but: ${(error as Error).message}`);
  }
}

/** The info of a member that reported none: one shared frozen object, so empty steps allocate nothing. */
const EMPTY_INFO: Info = Object.freeze({}) as Info;
