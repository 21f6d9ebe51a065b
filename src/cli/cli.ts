/** The `loopgym` command line. Each command lives in ./commands and has its own --help. */
import yargs from 'yargs';
import '../../envs/index.js';
import '../experiments/builtin-agents.js';
import { envsCommand } from './commands/envs.js';
import { checkEnvCommand } from './commands/check-env.js';
import { pluginsCommand } from './commands/plugins.js';
import { baselinesCommand } from './commands/baselines.js';
import { agentsCommand } from './commands/agents.js';
import { rewardModelsCommand } from './commands/reward-models.js';
import { trainCommand, sweepCommand } from './commands/train.js';
import { evalCommand } from './commands/eval.js';
import { reportCommand, compareCommand } from './commands/report.js';
import { exportCommand, serveCommand } from './commands/export.js';
import { curveCommand } from './commands/curve.js';
import { loopCommand } from './commands/loop.js';
import { analyzeCommand } from './commands/analyze.js';
import { datasetCommand } from './commands/dataset.js';
import { checkFlags, checkFlagValues } from './flag-checks.js';
import { BACKEND_NAMES } from '../nn/backend.js';

/** A usage mistake (unknown command or flag, missing argument): exit code 2, like most CLIs. */
export class CliUsageError extends Error {}

/** Parses `argv` (without node and script) and runs the command; errors propagate to the caller. */
export async function runCli(argv: string[]): Promise<void> {
  checkFlagValues(argv);
  const cli = yargs(argv)
    .scriptName('loopgym')
    .usage('$0 <command> [options]')
    .option('json', { type: 'boolean', default: false, describe: 'Print machine-readable JSON' })
    .option('quiet', { type: 'boolean', default: false, describe: 'Print only errors' })
    .option('backend', { choices: BACKEND_NAMES, describe: 'TensorFlow.js backend (default: auto = node, else wasm, else cpu)' })
    .option('out', { type: 'string', describe: 'Output folder (results root for train/sweep, bundle for export)' })
    .command(trainCommand)
    .command(sweepCommand)
    .command(evalCommand)
    .command(reportCommand)
    .command(compareCommand)
    .command(exportCommand)
    .command(serveCommand)
    .command(loopCommand)
    .command(analyzeCommand)
    .command(datasetCommand)
    .command(curveCommand)
    .command(envsCommand)
    .command(agentsCommand)
    .command(rewardModelsCommand)
    .command(pluginsCommand)
    .command(checkEnvCommand)
    .command(baselinesCommand)
    .middleware((args) => checkFlags(args as Record<string, unknown>), true)
    .demandCommand(1, 'Expected a command; see loopgym --help.')
    .recommendCommands()
    .strict()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .fail((message, error) => {
      throw error ?? new CliUsageError(message);
    });
  await cli.parseAsync();
}
