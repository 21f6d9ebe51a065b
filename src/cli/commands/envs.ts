import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { describeConfig, type ConfigFieldDoc } from '../../core/config-schema.js';
import { envKwargsSchema, listEnvs, make, spec } from '../../core/registry.js';
import { formatConfigTable, formatTable, printJson, printLine, type GlobalOptions } from '../output.js';

export interface EnvSummary {
  id: string;
  observationSpace: unknown;
  actionSpace: unknown;
  maxEpisodeSteps: number | null;
  rewardThreshold: number | null;
  description: string;
}

interface EnvsArgs extends GlobalOptions {
  id?: string;
}

export function describeEnv(id: string): EnvSummary {
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
}

export function describeEnvs(): EnvSummary[] {
  return listEnvs().map(describeEnv);
}

function shortSpace(json: unknown): string {
  const space = json as { type: string; n?: number; shape?: number[]; nvec?: number[] };
  if (space.type === 'Discrete') return `Discrete(${space.n})`;
  if (space.type === 'Box') return `Box(${space.shape?.join('x')})`;
  if (space.type === 'MultiDiscrete') return `MultiDiscrete(${space.nvec?.length})`;
  if (space.type === 'MultiBinary') return `MultiBinary(${space.n})`;
  return space.type;
}

export const envsCommand: CommandModule<GlobalOptions, EnvsArgs> = {
  command: 'envs [id]',
  describe: 'List the registered environments with their spaces, or document one env (spaces and every kwarg with its type, default and meaning)',
  builder: (yargs: Argv<GlobalOptions>) => yargs.positional('id', { type: 'string', describe: 'An env id, e.g. Orchestrator-v0' }),
  handler: (argv: ArgumentsCamelCase<EnvsArgs>) => {
    if (argv.id === undefined) {
      const envs = describeEnvs();
      if (argv.json) return printJson(envs);
      const rows = envs.map((e) => [e.id, shortSpace(e.observationSpace), shortSpace(e.actionSpace), e.maxEpisodeSteps ?? '-', e.rewardThreshold ?? '-', e.description]);
      printLine(argv, formatTable(['id', 'observation', 'action', 'max steps', 'reward threshold', 'description'], rows));
      return;
    }
    const env = describeEnv(argv.id);
    const schema = envKwargsSchema(argv.id);
    const kwargs: ConfigFieldDoc[] = schema ? describeConfig(schema) : [];
    if (argv.json) return printJson({ ...env, kwargs });
    printLine(argv, `${env.id}: ${env.description}`);
    printLine(argv, `observation ${shortSpace(env.observationSpace)}, action ${shortSpace(env.actionSpace)}, max steps ${env.maxEpisodeSteps ?? '-'}, reward threshold ${env.rewardThreshold ?? '-'}\n`);
    printLine(argv, kwargs.length > 0 ? formatConfigTable(kwargs) : schema ? `${env.id} takes no kwargs.` : `${env.id} declares no kwargs schema.`);
  },
};
