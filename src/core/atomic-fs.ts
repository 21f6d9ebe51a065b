/**
 * File writes that never leave a half-written file: write to a temporary file in the same folder, then
 * rename over the target (rename is atomic within one file system). A crash leaves either the old file or
 * the new one, plus at worst a stray `*.tmp` that readers ignore.
 */
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join, basename, resolve } from 'node:path';
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

/**
 * Creates `dir` if needed and checks it is writable by creating and removing a probe file, with an error
 * that names the folder. Folders are created one level at a time (a bounded loop): Node's recursive mkdir
 * spins forever on some special file systems (`--out /proc/x`).
 */
export function ensureWritableDir(dir: string): void {
  const fail = (reason: string) => new DataError(`Expected a writable folder at ${dir}, but ${reason}.`);
  const target = resolve(dir);
  const missing: string[] = [];
  let existing = target;
  while (!existsSync(existing)) {
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  if (existsSync(existing) && !statSync(existing).isDirectory()) throw fail(`${existing} is a file`);
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fail(`${folder} cannot be created (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  const probe = join(target, `.loopgym-write-probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (error) {
    throw fail(`a file cannot be written there (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}
