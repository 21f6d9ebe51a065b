import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(m?[jt]s|tsx)$/.test(name) ? [full] : [];
  });
}

describe('randomness and time come only from Rng', () => {
  it.each(['Math.random(', 'Date.now('])('%s appears nowhere in src/, envs/ or agents/', (needle) => {
    const offenders = ['src', 'envs', 'agents']
      .flatMap((dir) => sourceFiles(path.join(root, dir)))
      .filter((file) => readFileSync(file, 'utf8').includes(needle))
      .map((file) => path.relative(root, file));
    expect(offenders).toEqual([]);
  });
});
