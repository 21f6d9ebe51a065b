import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { ConfigError } from '../../core/errors.js';
import { exportDataset } from '../../experiments/run-dataset.js';
import { datasetInfo } from '../../datasets/dataset-info.js';
import { printJson, printLine, type GlobalOptions } from '../output.js';

interface ExportArgs extends GlobalOptions {
  runDir: string;
  id: string;
  episodes: number;
  top?: number;
  minReturn?: number;
  format: 'hdf5' | 'jsonl';
}

const exportCommand: CommandModule<GlobalOptions, ExportArgs> = {
  command: 'export <run-dir>',
  describe: "Replay a finished run's policy on fresh seeded episodes and write an offline-RL dataset (Minari layout)",
  builder: (yargs: Argv<GlobalOptions>) =>
    yargs
      .positional('run-dir', { type: 'string', demandOption: true, describe: 'A finished run folder' })
      .option('id', { type: 'string', demandOption: true, describe: 'Dataset id, e.g. loopgym/orchestrator-ppo-v0 (must end in -v<N>)' })
      .option('episodes', { type: 'number', default: 100, describe: 'Episodes to play' })
      .option('top', { type: 'number', describe: 'Keep the best fraction by return, in (0, 1]' })
      .option('min-return', { type: 'number', describe: 'Keep episodes with at least this return' })
      .option('format', { choices: ['hdf5', 'jsonl'] as const, default: 'hdf5' as const, describe: 'hdf5 (Minari) or jsonl' }) as unknown as Argv<ExportArgs>,
  handler: async (argv: ArgumentsCamelCase<ExportArgs>) => {
    if (!argv.out) throw new ConfigError('Expected --out, the folder that receives the dataset, but got none.');
    const result = await exportDataset(argv.runDir, argv.out, {
      id: argv.id,
      episodes: argv.episodes,
      format: argv.format,
      ...(argv.top !== undefined ? { top: argv.top } : {}),
      ...(argv.minReturn !== undefined ? { minReturn: argv.minReturn } : {}),
    });
    if (argv.json) return printJson({ dir: result.dir, metadata: result.metadata });
    printLine(argv, `dataset ${result.metadata.dataset_id}: ${result.metadata.total_episodes} episodes, ${result.metadata.total_steps} steps -> ${result.dir}`);
  },
};

const infoCommand: CommandModule<GlobalOptions, GlobalOptions & { dir: string }> = {
  command: 'info <dir>',
  describe: 'Check a dataset folder and print what it holds',
  builder: (yargs) => yargs.positional('dir', { type: 'string', demandOption: true, describe: 'A dataset folder (<out>/<namespace>/<name>-vN)' }) as unknown as Argv<GlobalOptions & { dir: string }>,
  handler: async (argv) => {
    const info = await datasetInfo(argv.dir);
    if (argv.json) return printJson(info);
    printLine(argv, `${info.datasetId} (${info.dataFormat}, Minari ${info.minariVersion}): ${info.totalEpisodes} episodes, ${info.totalSteps} steps, observations ${JSON.stringify(info.observationShape)}, ${info.numActions} actions`);
    if (info.description) printLine(argv, info.description);
  },
};

export const datasetCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'dataset <action>',
  describe: 'Offline-RL datasets: export a run as a Minari dataset, inspect one',
  builder: (yargs) => yargs.command(exportCommand).command(infoCommand).demandCommand(1, 'Expected dataset export <run-dir> or dataset info <dir>.'),
  handler: () => {},
};
