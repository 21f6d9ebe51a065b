import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { agentRegistration, agentRegistrations } from '../../../agents/index.js';
import { describeConfig } from '../../core/config-schema.js';
import { formatConfigTable, formatTable, printJson, printLine, type GlobalOptions } from '../output.js';

interface AgentsArgs extends GlobalOptions {
  name?: string;
}

export const agentsCommand: CommandModule<GlobalOptions, AgentsArgs> = {
  command: 'agents [name]',
  describe: 'List the registered agents, or document one agent\'s config (every option with its type, default and meaning)',
  builder: (yargs: Argv<GlobalOptions>) => yargs.positional('name', { type: 'string', describe: 'An agent name, e.g. ppo' }),
  handler: (argv: ArgumentsCamelCase<AgentsArgs>) => {
    if (argv.name === undefined) {
      const agents = agentRegistrations().map((a) => ({ name: a.name, description: a.description ?? '' }));
      if (argv.json) return printJson(agents);
      printLine(argv, formatTable(['agent', 'description'], agents.map((a) => [a.name, a.description])));
      return;
    }
    const agent = agentRegistration(argv.name);
    const config = agent.configSchema ? describeConfig(agent.configSchema) : [];
    if (argv.json) return printJson({ name: agent.name, description: agent.description ?? '', config });
    printLine(argv, `${agent.name}: ${agent.description ?? ''}\n`);
    printLine(argv, config.length > 0 ? formatConfigTable(config) : `${agent.name} takes no options.`);
  },
};
