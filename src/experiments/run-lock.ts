/**
 * A per-run lock, so two sweeps on one results folder (two terminals, cluster shards with overlapping
 * ranges) never write the same run at once. `<run-dir>.lock` (beside the run folder, which a run clears when
 * it starts) is created atomically (`open(..., 'wx')`) and holds the owner's pid, host and start time. A lock
 * is stale, and is taken over, when its process is gone (same host, `kill(pid, 0)` fails with ESRCH) or it
 * is older than `staleAfterMs` (default 7 days: a run on another host that died); otherwise the second writer
 * gets a RunLockedError naming the owner.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { LoopgymError } from '../core/errors.js';

export class RunLockedError extends LoopgymError {}

export interface LockOwner {
  pid: number;
  host: string;
  started: string;
}

export interface RunLock {
  path: string;
  release(): void;
}

export const DEFAULT_STALE_AFTER_MS = 7 * 24 * 3600 * 1000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' && typeof owner.started === 'string' ? (owner as LockOwner) : null;
  } catch {
    return null;
  }
}

/** Why the lock at `path` may be taken over, or null while its owner may still be writing. */
function staleReason(owner: LockOwner | null, staleAfterMs: number, now: number): string | null {
  if (owner === null) return 'unreadable lock file';
  if (owner.host === hostname() && !processAlive(owner.pid)) return `process ${owner.pid} is gone`;
  const age = now - Date.parse(owner.started);
  if (!(age < staleAfterMs)) return `older than ${Math.round(staleAfterMs / 3600000)} h`;
  return null;
}

/** Takes the lock of run folder `runDir`; throws RunLockedError while another live process holds it. */
export function acquireRunLock(runDir: string, options: { staleAfterMs?: number; onStale?: (reason: string) => void } = {}): RunLock {
  const path = `${runDir}.lock`;
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(path);
      // Wall time, for the lock's age only: it never enters a result.
      const reason = staleReason(owner, staleAfterMs, new Date().getTime());
      if (reason === null) {
        throw new RunLockedError(
          `Expected run ${runDir} to be free, but it is being written by process ${owner!.pid} on ${owner!.host} since ${owner!.started} (another sweep on the same folder?). Wait for it, or remove ${path} if that process is gone.`,
        );
      }
      options.onStale?.(`${path}: ${reason}; taking it over`);
      rmSync(path, { force: true });
      continue;
    }
    const owner: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
    writeSync(fd, JSON.stringify(owner));
    closeSync(fd);
    return { path, release: () => rmSync(path, { force: true }) };
  }
  throw new RunLockedError(`Expected to take the lock ${path}, but other processes kept taking it.`);
}
