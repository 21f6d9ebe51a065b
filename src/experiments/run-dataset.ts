/**
 * `exportDataset(runDir, outDir, options)` (`loopgym dataset export`): a finished run's saved policy, played
 * on fresh seeded episodes of its env with the gold reward, written as an offline-RL dataset in Minari's
 * layout (src/datasets/minari-export.ts has the format, the selection and the atomic write).
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DataError } from '../core/errors.js';
import { datasetTarget, recordDataset, resolveDatasetOptions, type ExportedDataset } from '../datasets/minari-export.js';
import { disposeAgent, loadRunAgent } from './runner.js';
import { requireFinishedRun } from './store.js';

export async function exportDataset(runDir: string, outDir: string, input: Record<string, unknown>): Promise<ExportedDataset> {
  // Everything that can be refused is refused before the policy is loaded or anything is written.
  const options = resolveDatasetOptions(input);
  requireFinishedRun(runDir);
  if (!existsSync(join(runDir, 'policy'))) throw new DataError(`Expected a trained policy in ${join(runDir, 'policy')}, but the run has none.`);
  datasetTarget(outDir, options);
  const { spec, agent, evalEnv } = await loadRunAgent(runDir);
  try {
    return await recordDataset(agent, evalEnv, outDir, options, {
      agent: spec.agent.name,
      source: `run ${spec.name}/${basename(resolve(runDir))}`,
      envId: spec.env.id,
      deterministic: spec.evaluation.deterministic,
    });
  } finally {
    evalEnv.close();
    disposeAgent(agent);
  }
}
