/**
 * Where a result came from: loopgym version, git commit (when the working folder is a checkout), Node,
 * the learning engine (wasm-simd with its kernels' hash, or tfjs), tfjs backend and version, platform and
 * CPU. Written into every run's config.json. Results are bit-identical within one engine (and, for tfjs,
 * one backend), not across them.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, platform, arch, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { KERNELS_SHA256 } from '../nn/kernels/kernels-wasm.js';

export interface Provenance {
  loopgymVersion: string;
  gitCommit: string | null;
  gitDirty: boolean | null;
  node: string;
  /** The agent's engine (`wasm-simd` or `tfjs`); null for agents without networks. */
  engine: string | null;
  /** sha256 of the WebAssembly kernels, when the engine is wasm-simd. */
  kernelsSha256: string | null;
  tfjsBackend: string | null;
  tfjsVersion: string | null;
  platform: string;
  cpu: string;
  cores: number;
}

let packageVersion: string | undefined;

/** loopgym's version from its package.json (found above this module in both src/ and dist/ layouts). */
export function loopgymVersion(): string {
  if (packageVersion) return packageVersion;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'loopgym' && pkg.version) return (packageVersion = pkg.version);
    } catch {
      // not here; look one folder up
    }
    dir = dirname(dir);
  }
  return (packageVersion = 'unknown');
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** The engine an agent (or its resolved config) names, if any. */
export function engineOf(agent: unknown): string | null {
  const engine = (agent as { config?: { engine?: unknown } } | null)?.config?.engine;
  return typeof engine === 'string' ? engine : null;
}

export function collectProvenance(backend: { backend: string; tfjsVersion: string } | null, engine: string | null = null): Provenance {
  const commit = git(['rev-parse', 'HEAD']);
  const status = commit === null ? null : git(['status', '--porcelain', '--untracked-files=no']);
  const cpuList = cpus();
  return {
    loopgymVersion: loopgymVersion(),
    gitCommit: commit,
    gitDirty: status === null ? null : status.length > 0,
    node: process.version,
    engine,
    kernelsSha256: engine === 'wasm-simd' ? KERNELS_SHA256 : null,
    tfjsBackend: backend?.backend ?? null,
    tfjsVersion: backend?.tfjsVersion ?? null,
    platform: `${platform()}-${arch()} ${release()}`,
    cpu: cpuList[0]?.model ?? 'unknown',
    cores: cpuList.length,
  };
}
