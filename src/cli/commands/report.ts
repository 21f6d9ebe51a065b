import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { compareRuns, renderComparison } from '../../experiments/compare.js';
import { REPORT_FORMATS, writeReport, type ReportFormat } from '../../experiments/report.js';
import { printJson, printLine, type GlobalOptions } from '../output.js';

interface ReportArgs extends GlobalOptions {
  dirs: string[];
  format: ReportFormat;
}

export const reportCommand: CommandModule<GlobalOptions, ReportArgs> = {
  command: 'report <dirs..>',
  describe: 'Aggregate finished runs (one experiment, or shard folders merged) into report.md, report.json and SVG plots',
  builder: (yargs) =>
    yargs
      .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'Results folders (experiment folders or shard copies of one)' })
      .option('format', { choices: REPORT_FORMATS, default: 'md' as ReportFormat, describe: 'Format of the printed table' }),
  handler: (argv: ArgumentsCamelCase<ReportArgs>) => {
    const result = writeReport(argv.dirs, { format: argv.format, outDir: argv.out });
    // Runs left out of the report, and why, on the terminal too (not only in report.md).
    if (!argv.quiet) for (const problem of result.aggregate.problems) process.stderr.write(`skipped ${problem.dir}: ${problem.state}: ${problem.reason}\n`);
    if (argv.json) return printJson({ reportPath: result.reportPath, jsonPath: result.jsonPath, plotPaths: result.plotPaths, aggregate: result.aggregate });
    printLine(argv, result.table);
    // Data on stdout, messages on stderr: `report --format json|csv > file` stays parseable.
    if (!argv.quiet) process.stderr.write(`report: ${result.reportPath}\n`);
  },
};

interface CompareArgs extends GlobalOptions {
  dirA: string;
  dirB: string;
  format: ReportFormat;
}

export const compareCommand: CommandModule<GlobalOptions, CompareArgs> = {
  command: 'compare <dir-a> <dir-b>',
  describe: 'Compare two results folders: IQM and mean with bootstrap CIs, probability of improvement, Welch t-test',
  builder: (yargs) =>
    yargs
      .positional('dir-a', { type: 'string', demandOption: true })
      .positional('dir-b', { type: 'string', demandOption: true })
      .option('format', { choices: REPORT_FORMATS, default: 'md' as ReportFormat, describe: 'Output format' }) as unknown as Argv<CompareArgs>,
  handler: (argv: ArgumentsCamelCase<CompareArgs>) => {
    const comparison = compareRuns(argv.dirA, argv.dirB);
    if (argv.json) return printJson(comparison);
    printLine(argv, renderComparison(comparison, argv.format));
  },
};
