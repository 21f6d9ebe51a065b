/**
 * The handshake between AsyncVectorEnv and its workers. Each worker has a slot of CONTROL_STRIDE int32s in
 * one shared control array: the main thread writes COMMAND then bumps REQUEST; the worker runs the command,
 * writes STATUS and sets DONE to REQUEST + 1. Arrays travel through SharedArrayBuffers; only reset
 * arguments, non-empty infos and errors go through the worker's MessagePort, read synchronously on the
 * other side with `receiveMessageOnPort` (both threads are blocked in Atomics.wait otherwise).
 */
import type { MakeOptions } from '../registry.js';
import type { SpaceJSON } from '../spaces.js';
import type { EnvSpec, Info } from '../env.js';
import type { VectorBuffers, VectorLayout } from './member-block.js';

export const CONTROL_STRIDE = 8;
export const REQUEST = 0;
export const DONE = 1;
export const COMMAND = 2;
export const STATUS = 3;
/** 1 when the worker posted a message (infos or an error) for the command just done. */
export const HAS_MESSAGE = 4;

export const CMD_INIT = 1;
export const CMD_RESET = 2;
export const CMD_STEP = 3;
export const CMD_CLOSE = 4;

export const STATUS_OK = 0;
export const STATUS_ERROR = 1;

/** DONE is set to this when a worker thread exits, so a main thread waiting on it wakes up. */
export const DONE_EXITED = -1;

export interface WorkerData {
  id: string;
  makeOptions: MakeOptions;
  workerIndex: number;
  /** Global index of the worker's first member, and how many it runs. */
  start: number;
  count: number;
  /** Module URLs (or bare names) imported before building members, so their `register` calls run here. */
  registrationModules: string[];
  control: SharedArrayBuffer;
}

export interface ReadyMessage {
  type: 'ready';
  observationSpace: SpaceJSON;
  actionSpace: SpaceJSON;
  spec: EnvSpec | undefined;
}

/** Typed arrays over SharedArrayBuffers: posting them shares the memory instead of copying it. */
export interface InitMessage {
  layout: VectorLayout;
  buffers: VectorBuffers;
  actions: Float64Array;
}

export interface ResetMessage {
  seed: number | undefined;
  options: Record<string, unknown> | undefined;
}

/** Non-empty infos of one worker's members: [local index, info] pairs. */
export interface InfosMessage {
  type: 'infos';
  infos: [number, Info][];
}

export interface ErrorMessage {
  type: 'error';
  name: string;
  message: string;
  stack: string | undefined;
}
