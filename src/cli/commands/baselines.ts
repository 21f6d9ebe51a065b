import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { ConfigError } from '../../core/errors.js';
import { evaluateBaselines } from '../../../envs/orchestrator/evaluate.js';
import { BASELINE_NAMES, type BaselineName } from '../../../envs/orchestrator/baselines.js';
import { createBaselineAgent } from '../../experiments/builtin-agents.js';
import { formatTable, printJson, printLine, type GlobalOptions } from '../output.js';

interface BaselinesArgs extends GlobalOptions {
  id: string;
  episodes: number;
  seed: number;
  preset?: string;
  baselines?: string[];
}

export const baselinesCommand: CommandModule<GlobalOptions, BaselinesArgs> = {
  command: 'baselines <id>',
  describe: 'Evaluate the fixed baselines (random, round_robin, greedy, oracle) on an Orchestrator env',
  builder: (yargs) =>
    yargs
      .positional('id', { type: 'string', demandOption: true, describe: 'Orchestrator-v0 or Orchestrator-drift-v0' })
      .option('episodes', { type: 'number', default: 100, describe: 'Episodes per baseline (same seeds for each)' })
      .option('seed', { type: 'number', default: 0, describe: 'Seed of the first episode' })
      .option('preset', { type: 'string', choices: ['easy', 'default', 'hard'], describe: 'World preset' })
      .option('baselines', { type: 'array', string: true, describe: `Subset of ${BASELINE_NAMES.join(', ')}` }),
  handler: (argv: ArgumentsCamelCase<BaselinesArgs>) => {
    const unknown = (argv.baselines ?? []).filter((b) => !(BASELINE_NAMES as readonly string[]).includes(b));
    if (unknown.length > 0) throw new ConfigError(`Expected baselines among ${BASELINE_NAMES.join(', ')}, but got ${unknown.join(', ')}.`);
    const results = evaluateBaselines(argv.id, {
      episodes: argv.episodes,
      seed: argv.seed,
      kwargs: argv.preset ? { preset: argv.preset } : {},
      baselines: argv.baselines as BaselineName[] | undefined,
      createAgent: createBaselineAgent,
    });
    if (argv.json) return printJson(results);
    const rows = Object.values(results).map((r) => [
      r.name,
      r.meanReturn,
      `[${r.ci95[0].toFixed(2)}, ${r.ci95[1].toFixed(2)}]`,
      r.successRate,
      r.meanLatency,
      r.cost,
      r.satisfaction,
      Number.isNaN(r.normalizedScore) ? '-' : r.normalizedScore.toFixed(3),
    ]);
    printLine(argv, `${argv.id}: ${argv.episodes} episodes per baseline from seed ${argv.seed}${argv.preset ? `, preset ${argv.preset}` : ''}`);
    printLine(argv, formatTable(['baseline', 'return', '95% CI', 'success', 'latency', 'cost', 'satisfaction', 'normalized'], rows));
  },
};
