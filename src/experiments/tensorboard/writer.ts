/**
 * Writes TensorBoard event files: `<dir>/events.out.tfevents.<time>.<host>.<pid>.<n>`, a TFRecord stream
 * of Event messages whose first one carries `file_version: "brain.Event:2"`. Each `addScalars` call is one
 * Event with one `simple_value` per tag, appended at once, so `tensorboard --logdir` shows a run while it
 * trains and a killed run keeps every whole record (readers stop at a cut-off tail).
 *
 * An event file is a log stream, not a result: its name and wall times differ between identical runs, so
 * it stays out of the byte-identical files (like timing.json). Wall time comes from `clock` (seconds since
 * the epoch); tests pass a fixed one.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ensureWritableDir } from '../../core/atomic-fs.js';
import { DataError } from '../../core/errors.js';
import { encodeEvent, FILE_VERSION, type ScalarValue } from './event.js';
import { encodeRecord } from './records.js';

export interface TensorBoardWriterOptions {
  /** Seconds since the Unix epoch; default: the wall clock. */
  clock?: () => number;
  /** Host name in the file name; default: os.hostname(). */
  host?: string;
}

/** The wall clock in seconds since the epoch (event wall times are meant to vary between runs). */
export function wallClockSeconds(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

/** Numbers event files written by this process, as TensorFlow's writer does, so two writers never share a name. */
let fileCounter = 0;

export class TensorBoardWriter {
  readonly path: string;
  private fd: number | null;
  private readonly clock: () => number;

  constructor(readonly dir: string, options: TensorBoardWriterOptions = {}) {
    this.clock = options.clock ?? wallClockSeconds;
    const now = this.clock();
    const host = (options.host ?? hostname()).replace(/[^\w.-]+/g, '_');
    ensureWritableDir(dir);
    this.path = join(dir, `events.out.tfevents.${Math.floor(now)}.${host}.${process.pid}.${fileCounter++}`);
    this.fd = openSync(this.path, 'wx');
    this.append(encodeEvent({ wallTime: now, step: 0, fileVersion: FILE_VERSION }));
  }

  /** One Event at `step` holding every scalar given (record keys as tags, e.g. `rollout/ep_rew_mean`). */
  addScalars(step: number, scalars: Readonly<Record<string, number>> | readonly ScalarValue[]): void {
    const values = Array.isArray(scalars) ? [...(scalars as readonly ScalarValue[])] : Object.entries(scalars).map(([tag, value]) => ({ tag, value }));
    if (values.length === 0) return;
    if (!Number.isSafeInteger(step) || step < 0) throw new DataError(`Expected a non-negative integer step for TensorBoard, but got ${step}.`);
    this.append(encodeEvent({ wallTime: this.clock(), step, scalars: values }));
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }

  private append(event: Uint8Array): void {
    if (this.fd === null) throw new DataError(`Expected an open TensorBoard event file, but ${this.path} is closed.`);
    const record = encodeRecord(event);
    let written = 0;
    while (written < record.length) written += writeSync(this.fd, record, written, record.length - written);
  }
}
