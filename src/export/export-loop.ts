/**
 * `loopgym export <loop>/replicate-<r>/policies/<name> --out <dir>`: a learning loop's champion (or its
 * initial policy) to a policy bundle. The env comes from the loop's loop.json (the world's env id and
 * kwargs; schedule events never change the observation or action shapes), and the bundle's `training`
 * section names the loop, the replicate and the policy.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DataError } from '../core/errors.js';
import { parseLoopSpec } from '../loop/loop-spec.js';
import { exportAgentDir, type ExportOptions, type ExportResult } from './export-run.js';

/** The loop.json of the loop a policy folder belongs to, or null when `dir` is not a loop policy folder. */
export function loopManifestOf(dir: string): string | null {
  const absolute = resolve(dir);
  const policies = dirname(absolute);
  const replicate = dirname(policies);
  if (basename(policies) !== 'policies' || !/^replicate-\d+$/.test(basename(replicate))) return null;
  const manifest = join(dirname(replicate), 'loop.json');
  return existsSync(manifest) && existsSync(join(absolute, 'agent.json')) && statSync(absolute).isDirectory() ? manifest : null;
}

export async function exportLoopPolicy(policyDir: string, outDir: string, options: ExportOptions = {}): Promise<ExportResult> {
  const manifest = loopManifestOf(policyDir);
  if (manifest === null) {
    throw new DataError(`Expected a loop policy folder (<loop>/replicate-<r>/policies/<name> with agent.json, beside the loop's loop.json), but ${policyDir} is not one.`);
  }
  let raw: { spec?: unknown };
  try {
    raw = JSON.parse(readFileSync(manifest, 'utf8')) as { spec?: unknown };
  } catch (error) {
    throw new DataError(`Expected ${manifest} to be valid JSON, but parsing failed: ${(error as Error).message}`);
  }
  const spec = parseLoopSpec(raw.spec, manifest);
  const absolute = resolve(policyDir);
  const replicate = Number(basename(dirname(dirname(absolute))).slice('replicate-'.length));
  return exportAgentDir(
    policyDir,
    outDir,
    {
      env: { id: spec.world.env, kwargs: { ...spec.world.kwargs, rewardMode: 'gold' } },
      training: { loop: spec.name, replicate, policy: basename(absolute), learner: spec.learner.agent.name, rewardMode: spec.learner.reward.mode },
    },
    options,
  );
}
