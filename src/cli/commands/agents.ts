import type { CommandModule } from 'yargs';
import { agentRegistrations } from '../../../agents/index.js';
import { formatTable, printJson, printLine, type GlobalOptions } from '../output.js';

export const agentsCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'agents',
  describe: 'List the registered agents (learning algorithms and fixed baselines)',
  handler: (argv) => {
    const agents = agentRegistrations().map((a) => ({ name: a.name, description: a.description ?? '' }));
    if (argv.json) return printJson(agents);
    printLine(argv, formatTable(['agent', 'description'], agents.map((a) => [a.name, a.description])));
  },
};
