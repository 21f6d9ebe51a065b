import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { Rng } from '../../core/rng.js';
import { getPlugin, listPlugins } from '../../plugins/registry.js';
import { formatTable, printJson, printLine, type GlobalOptions } from '../output.js';

interface GenerateArgs extends GlobalOptions {
  plugin: string;
  count: number;
  seed: number;
}

const listCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'list',
  describe: 'List the registered task-data plugins and their categories',
  handler: (argv) => {
    const plugins = listPlugins().map((p) => ({ name: p.name, categories: [...p.categories], description: p.description }));
    if (argv.json) return printJson(plugins);
    printLine(argv, formatTable(['plugin', 'categories', 'description'], plugins.map((p) => [p.name, p.categories.join(', '), p.description])));
  },
};

const generateCommand: CommandModule<GlobalOptions, GenerateArgs> = {
  command: 'generate',
  describe: 'Generate seeded tasks from a plugin and print them as JSON',
  builder: (yargs: Argv<GlobalOptions>) =>
    yargs
      .option('plugin', { type: 'string', demandOption: true, describe: 'Plugin name (see plugins list)' })
      .option('count', { type: 'number', default: 5, describe: 'Number of tasks' })
      .option('seed', { type: 'number', default: 0, describe: 'Seed of the generator' }),
  handler: (argv: ArgumentsCamelCase<GenerateArgs>) => {
    const plugin = getPlugin(argv.plugin);
    printJson(plugin.generate(new Rng(argv.seed), argv.count, {}));
  },
};

export const pluginsCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'plugins <action>',
  describe: 'Task-data plugins: list, generate',
  builder: (yargs) => yargs.command(listCommand).command(generateCommand).demandCommand(1, 'Expected plugins list or plugins generate.'),
  handler: () => {},
};
