#!/usr/bin/env node
/**
 * `npm run bench -- <name> [args]`: builds the project (tsc -p tsconfig.build.json, so dist/ mirrors the
 * tree) and runs dist/bench/<name>.js in a child node process with the remaining args.
 * Set LOOPGYM_BENCH_NO_BUILD=1 to skip the build and run what dist/ already holds.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const available = readdirSync(join(root, 'bench'))
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();

const [name, ...rest] = process.argv.slice(2);
const usage = `Usage: npm run bench -- <name> [args]\nAvailable benches: ${available.join(', ')}`;

if (name === undefined || name === '--help' || name === '-h') {
  console.error(usage);
  process.exit(name === undefined ? 1 : 0);
}
if (!available.includes(name)) {
  console.error(`Expected a bench name, one of ${available.join(', ')}, but got ${JSON.stringify(name)}.\n${usage}`);
  process.exit(2);
}

if (process.env.LOOPGYM_BENCH_NO_BUILD !== '1') {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (build.error) {
    console.error(`Expected the build (tsc -p tsconfig.build.json) to start, but it failed: ${build.error.message}`);
    process.exit(1);
  }
  if (build.status !== 0) {
    // tsc still emits JavaScript on type errors; a type error elsewhere in the tree should not block a bench.
    process.stderr.write(build.stdout + build.stderr);
    console.error(`bench: tsc reported errors (above); running the emitted JavaScript of ${name} anyway.`);
  }
}

const script = join(root, 'dist', 'bench', `${name}.js`);
if (!existsSync(script)) {
  console.error(`Expected the build to produce ${script}, but it is missing.`);
  process.exit(1);
}
const child = spawnSync(process.execPath, [script, ...rest], { cwd: root, stdio: 'inherit' });
if (child.error) {
  console.error(`Expected to run ${script}, but it failed: ${child.error.message}`);
  process.exit(1);
}
process.exit(child.status ?? 1);
