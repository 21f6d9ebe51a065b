import type { CommandModule } from 'yargs';
import { listEnvs, make, spec } from '../../core/registry.js';
import { formatTable, printJson, printLine, type GlobalOptions } from '../output.js';

export interface EnvSummary {
  id: string;
  observationSpace: unknown;
  actionSpace: unknown;
  maxEpisodeSteps: number | null;
  rewardThreshold: number | null;
  description: string;
}

export function describeEnvs(): EnvSummary[] {
  return listEnvs().map((id) => {
    const env = make(id);
    try {
      const resolved = spec(id);
      return {
        id,
        observationSpace: env.observationSpace.toJSON(),
        actionSpace: env.actionSpace.toJSON(),
        maxEpisodeSteps: resolved.maxEpisodeSteps ?? null,
        rewardThreshold: resolved.rewardThreshold ?? null,
        description: resolved.description ?? '',
      };
    } finally {
      env.close();
    }
  });
}

function shortSpace(json: unknown): string {
  const space = json as { type: string; n?: number; shape?: number[]; nvec?: number[] };
  if (space.type === 'Discrete') return `Discrete(${space.n})`;
  if (space.type === 'Box') return `Box(${space.shape?.join('x')})`;
  if (space.type === 'MultiDiscrete') return `MultiDiscrete(${space.nvec?.length})`;
  if (space.type === 'MultiBinary') return `MultiBinary(${space.n})`;
  return space.type;
}

export const envsCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'envs',
  describe: 'List the registered environments with their spaces',
  handler: (argv) => {
    const envs = describeEnvs();
    if (argv.json) return printJson(envs);
    const rows = envs.map((e) => [e.id, shortSpace(e.observationSpace), shortSpace(e.actionSpace), e.maxEpisodeSteps ?? '-', e.rewardThreshold ?? '-', e.description]);
    printLine(argv, formatTable(['id', 'observation', 'action', 'max steps', 'reward threshold', 'description'], rows));
  },
};
