import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { checkEnv } from '../../core/check-env.js';
import { make } from '../../core/registry.js';
import { printJson, printLine, type GlobalOptions } from '../output.js';

interface CheckEnvArgs extends GlobalOptions {
  id: string;
  seed: number;
  steps: number;
}

export const checkEnvCommand: CommandModule<GlobalOptions, CheckEnvArgs> = {
  command: 'check-env <id>',
  describe: "Run Gymnasium's env checks on a registered env",
  builder: (yargs) =>
    yargs
      .positional('id', { type: 'string', demandOption: true, describe: 'Registered env id, e.g. CartPole-v1' })
      .option('seed', { type: 'number', default: 123, describe: 'Seed for the determinism checks' })
      .option('steps', { type: 'number', default: 200, describe: 'Steps taken in the step checks' }),
  handler: (argv: ArgumentsCamelCase<CheckEnvArgs>) => {
    const env = make(argv.id);
    checkEnv(env, { seed: argv.seed, steps: argv.steps });
    if (argv.json) return printJson({ id: argv.id, ok: true });
    printLine(argv, `${argv.id}: all checks passed`);
  },
};
