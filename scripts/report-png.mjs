#!/usr/bin/env node
/**
 * `npm run report:png -- <report folder> [out folder]`: renders a report's plots/*.svg to PNG with
 * rsvg-convert (Debian: apt-get install librsvg2-bin), to look at a report as a reader sees it.
 * PNGs go to <out folder> (default: <report folder>/plots-png/), never into the results themselves.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [reportDir, outArg] = process.argv.slice(2);
if (!reportDir) {
  console.error('Usage: npm run report:png -- <report folder> [out folder]');
  process.exit(2);
}
const plots = join(reportDir, 'plots');
if (!existsSync(plots)) {
  console.error(`Expected a plots/ folder in ${reportDir} (write one with loopgym report), but it does not exist.`);
  process.exit(1);
}
if (spawnSync('rsvg-convert', ['--version']).status !== 0) {
  console.error('Expected rsvg-convert on the PATH, but it is missing: apt-get install librsvg2-bin');
  process.exit(1);
}
const out = outArg ?? join(reportDir, 'plots-png');
mkdirSync(out, { recursive: true });
for (const name of readdirSync(plots).filter((n) => n.endsWith('.svg')).sort()) {
  const target = join(out, name.replace(/\.svg$/, '.png'));
  const result = spawnSync('rsvg-convert', ['--zoom', '1.5', '--background-color', 'white', '-o', target, join(plots, name)], { encoding: 'utf8' });
  if (result.status !== 0) {
    console.error(`rsvg-convert failed on ${name}: ${result.stderr}`);
    process.exit(1);
  }
  console.log(target);
}
