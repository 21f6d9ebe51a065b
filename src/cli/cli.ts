/** The `loopgym` command line. Each command lives in ./commands and has its own --help. */
import yargs from 'yargs';
import '../../envs/index.js';
import { envsCommand } from './commands/envs.js';
import { checkEnvCommand } from './commands/check-env.js';

/** A usage mistake (unknown command or flag, missing argument): exit code 2, like most CLIs. */
export class CliUsageError extends Error {}

/** Parses `argv` (without node and script) and runs the command; errors propagate to the caller. */
export async function runCli(argv: string[]): Promise<void> {
  const cli = yargs(argv)
    .scriptName('loopgym')
    .usage('$0 <command> [options]')
    .option('json', { type: 'boolean', default: false, describe: 'Print machine-readable JSON' })
    .option('quiet', { type: 'boolean', default: false, describe: 'Print only errors' })
    .command(envsCommand)
    .command(checkEnvCommand)
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
