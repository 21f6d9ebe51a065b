/**
 * File writes that never leave a half-written file: write to a temporary file in the same folder, then
 * rename over the target (rename is atomic within one file system). A crash leaves either the old file or
 * the new one, plus at worst a stray `*.tmp` that readers ignore.
 */
import { mkdirSync, renameSync, writeFileSync, rmSync, accessSync, constants } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { DataError } from './errors.js';

let tempCounter = 0;

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  ensureWritableDir(dir);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${tempCounter++}.tmp`);
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new DataError(`Expected to write ${path}, but the write failed: ${(error as Error).message}`);
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Creates `dir` if needed and checks it is writable, with an error that names the folder. */
export function ensureWritableDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new DataError(`Expected a writable folder at ${dir}, but ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
}
