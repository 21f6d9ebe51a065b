import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { describeConfig } from '../../core/config-schema.js';
import { ConfigError } from '../../core/errors.js';
import { closestNames } from '../../core/names.js';
import { REWARD_CONFIG_DOCS } from '../../reward/config.js';
import { formatConfigTable, formatTable, printJson, printLine, type GlobalOptions } from '../output.js';

interface RewardModelsArgs extends GlobalOptions {
  kind?: string;
}

export const rewardModelsCommand: CommandModule<GlobalOptions, RewardModelsArgs> = {
  command: 'reward-models [kind]',
  describe: "List the reward model kinds, or document one kind's config (or the learner's: `learner`)",
  builder: (yargs: Argv<GlobalOptions>) => yargs.positional('kind', { type: 'string', describe: 'tfjs-mlp, random-forest, ensemble or learner' }),
  handler: (argv: ArgumentsCamelCase<RewardModelsArgs>) => {
    const kinds = Object.keys(REWARD_CONFIG_DOCS) as (keyof typeof REWARD_CONFIG_DOCS)[];
    if (argv.kind === undefined) {
      const rows = kinds.map((kind) => ({ kind, description: REWARD_CONFIG_DOCS[kind].description }));
      if (argv.json) return printJson(rows);
      printLine(argv, formatTable(['kind', 'description'], rows.map((r) => [r.kind, r.description])));
      return;
    }
    const doc = REWARD_CONFIG_DOCS[argv.kind as keyof typeof REWARD_CONFIG_DOCS];
    if (!doc) {
      throw new ConfigError(`Expected a reward model kind (one of ${kinds.join(', ')}), but got ${JSON.stringify(argv.kind)}. Did you mean ${closestNames(argv.kind, kinds, 1).join(', ')}?`);
    }
    const config = describeConfig(doc.schema);
    if (argv.json) return printJson({ kind: argv.kind, description: doc.description, config });
    printLine(argv, `${argv.kind}: ${doc.description}\n`);
    printLine(argv, formatConfigTable(config));
  },
};
