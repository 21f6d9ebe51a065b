/**
 * Atomic file writes for reward-layer artifacts (feedback JSONL, model folders): write a temporary file in
 * the target's folder, then rename over the target, so a crash leaves the old file or the new one and never
 * a half-written one. src/experiments has the same helper, but the reward layer sits below it and may not
 * import it.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DataError } from '../core/errors.js';

let tempCounter = 0;

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new DataError(`Expected a writable folder at ${dir}, but got ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  const temp = join(dir, `.${basename(path)}.${process.pid}.${tempCounter++}.tmp`);
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new DataError(`Expected to write ${path}, but the write failed: ${(error as Error).message}`);
  }
}
