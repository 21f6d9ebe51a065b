import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { evaluateRun } from '../../experiments/runner.js';
import { formatTable, printJson, printLine, type GlobalOptions } from '../output.js';

interface EvalArgs extends GlobalOptions {
  runDir: string;
  episodes: number;
  seed: number;
  stochastic: boolean;
  traces?: string;
}

export const evalCommand: CommandModule<GlobalOptions, EvalArgs> = {
  command: 'eval <run-dir>',
  describe: "Evaluate a finished run's saved policy on fresh seeded episodes",
  builder: (yargs) =>
    yargs
      .positional('run-dir', { type: 'string', demandOption: true, describe: 'A run folder: results/<experiment>/<run-id>' })
      .option('episodes', { type: 'number', default: 20, describe: 'Episodes to play' })
      .option('seed', { type: 'number', default: 2_000_000, describe: 'Seed of the first episode (then +1 each)' })
      .option('stochastic', { type: 'boolean', default: false, describe: 'Sample actions instead of taking the most probable one' })
      .option('traces', { type: 'string', describe: 'Also record every task of the episodes to this trace file (.jsonl or .jsonl.gz; Orchestrator envs): loopgym analyze reads it' }) as unknown as Argv<EvalArgs>,
  handler: async (argv: ArgumentsCamelCase<EvalArgs>) => {
    const result = await evaluateRun(argv.runDir, { episodes: argv.episodes, seedBase: argv.seed, deterministic: !argv.stochastic, ...(argv.traces ? { traces: argv.traces } : {}) });
    if (argv.traces && !argv.quiet) process.stderr.write(`traces: ${argv.traces}\n`);
    if (argv.json) return printJson(result);
    const metricRows = Object.entries(result.metrics).map(([key, value]) => [key, value]);
    printLine(argv, `${argv.runDir}: ${result.episodes} episodes, mean return ${result.meanReturn.toFixed(3)} (std ${result.stdReturn.toFixed(3)})`);
    if (metricRows.length > 0) printLine(argv, formatTable(['metric', 'mean'], metricRows));
  },
};
