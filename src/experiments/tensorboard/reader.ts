/**
 * Reads TensorBoard event files back (what tests and scripts use to check a run's curves without Python):
 * every Event of a file, or every scalar of a folder's event files by tag.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../../core/errors.js';
import { decodeEvent, FILE_VERSION, type TensorBoardEvent } from './event.js';
import { decodeRecords } from './records.js';

export const EVENT_FILE = /^events\.out\.tfevents\./;

export interface EventFile {
  path: string;
  events: TensorBoardEvent[];
  /** Bytes of a record cut short at the end (a writer still running or killed); 0 for a whole file. */
  truncatedBytes: number;
}

export function readEventFile(path: string): EventFile {
  const { records, truncatedBytes } = decodeRecords(readFileSync(path), path);
  const events = records.map(decodeEvent);
  if (events.length > 0 && events[0].fileVersion !== FILE_VERSION) {
    throw new DataError(`${path}: Expected the first event to carry file_version "${FILE_VERSION}", but got ${JSON.stringify(events[0].fileVersion ?? null)}.`);
  }
  return { path, events, truncatedBytes };
}

/** Event files directly in `dir`, sorted by name. */
export function eventFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DataError(`Expected a folder of TensorBoard event files at ${dir}, but it does not exist.`);
  return readdirSync(dir).filter((name) => EVENT_FILE.test(name)).sort().map((name) => join(dir, name));
}

export interface ScalarPoint {
  step: number;
  wallTime: number;
  value: number;
}

/** Every scalar in the event files of `dir` (or one file), by tag, in the order written. */
export function readScalars(dirOrFile: string): Map<string, ScalarPoint[]> {
  const files = existsSync(dirOrFile) && statSync(dirOrFile).isFile() ? [dirOrFile] : eventFiles(dirOrFile);
  const byTag = new Map<string, ScalarPoint[]>();
  for (const file of files) {
    for (const event of readEventFile(file).events) {
      for (const scalar of event.scalars ?? []) {
        const points = byTag.get(scalar.tag) ?? [];
        points.push({ step: event.step, wallTime: event.wallTime, value: scalar.value });
        byTag.set(scalar.tag, points);
      }
    }
  }
  return byTag;
}
