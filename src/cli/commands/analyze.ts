import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { analyzeTraces } from '../../traces/analyze-traces.js';
import { readTraces } from '../../traces/trace-recorder.js';
import { renderTraceMarkdown, writeTraceReport } from '../../traces/trace-report.js';
import { printJson, printLine, type GlobalOptions } from '../output.js';

interface AnalyzeArgs extends GlobalOptions {
  traces: string;
  minSupport?: number;
  gainThreshold?: number;
}

export const analyzeCommand: CommandModule<GlobalOptions, AnalyzeArgs> = {
  command: 'analyze <traces>',
  describe: 'Mine task traces (JSONL or .gz, from eval --traces or TraceRecorder): best worker per category, failure patterns, routing opportunities',
  builder: (yargs: Argv<GlobalOptions>) =>
    yargs
      .positional('traces', { type: 'string', demandOption: true, describe: 'A trace file (.jsonl or .jsonl.gz)' })
      .option('min-support', { type: 'number', describe: 'Fewest tasks behind a reported pattern (default 3)' })
      .option('gain-threshold', { type: 'number', describe: 'Relative gain that makes a routing opportunity (default 0.15)' }) as unknown as Argv<AnalyzeArgs>,
  handler: (argv: ArgumentsCamelCase<AnalyzeArgs>) => {
    const analysis = analyzeTraces(readTraces(argv.traces), {
      ...(argv.minSupport !== undefined ? { minSupport: argv.minSupport } : {}),
      ...(argv.gainThreshold !== undefined ? { gainThreshold: argv.gainThreshold } : {}),
    });
    const paths = argv.out === undefined ? undefined : writeTraceReport(argv.out, analysis, argv.traces);
    if (argv.json) return printJson(paths === undefined ? analysis : { ...paths, analysis });
    printLine(argv, renderTraceMarkdown(analysis, argv.traces));
    if (paths !== undefined && !argv.quiet) process.stderr.write(`report: ${paths.reportPath}\n`);
  },
};
