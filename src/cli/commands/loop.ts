import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { loadLoopSpec } from '../../loop/loop-spec.js';
import { runLoop } from '../../loop/loop-runner.js';
import type { IterationRecord } from '../../loop/loop-replicate.js';
import { printJson, printLine, type GlobalOptions } from '../output.js';

interface LoopArgs extends GlobalOptions {
  spec: string;
  resume: boolean;
  workers?: number;
}

function progressLine(record: IterationRecord, resumed: boolean): string {
  const arms = Object.entries(record.arms)
    .map(([arm, value]) => `${arm} ${value.kpi.toFixed(2)}`)
    .join(', ');
  const gate = record.gate === null ? '' : `; gate: ${record.gate.reason}`;
  const drift = record.drift === null ? '' : `; drift: ${record.drift.reason}`;
  return `[replicate ${record.replicate}, iteration ${record.iteration}${resumed ? ', done before' : ''}] ${arms}${gate}${drift}`;
}

export const loopCommand: CommandModule<GlobalOptions, LoopArgs> = {
  command: 'loop <spec>',
  describe: 'Run a learning loop (generate -> execute -> learn -> gate -> deploy) with control arms, and report whether learning compounds',
  builder: (yargs: Argv<GlobalOptions>) =>
    yargs
      .positional('spec', { type: 'string', demandOption: true, describe: 'Loop spec (JSON), e.g. experiments/loop-quick.json' })
      .option('resume', { type: 'boolean', default: false, describe: 'Continue the loop folder of this spec after its last recorded iteration' })
      .option('workers', { type: 'number', describe: "Replicates in parallel child processes (overrides the spec's workers)" }) as unknown as Argv<LoopArgs>,
  handler: async (argv: ArgumentsCamelCase<LoopArgs>) => {
    const spec = loadLoopSpec(argv.spec);
    if (argv.workers !== undefined) spec.workers = argv.workers;
    const quiet = argv.quiet || argv.json;
    const result = await runLoop(spec, {
      out: argv.out ?? 'results',
      resume: argv.resume,
      onIteration: (record, resumed) => {
        if (!quiet) process.stderr.write(`${progressLine(record, resumed)}\n`);
      },
    });
    if (argv.json) return printJson({ dir: result.dir, report: result.report });
    const r = result.report;
    const final = 'final' in r.analysis.multiplier.overInitial ? r.analysis.multiplier.overInitial.final.multiplier : null;
    printLine(argv, `Learning loop ${r.name}: ${r.replicates} replicate(s) x ${r.iterations} iterations, KPI ${r.kpi}`);
    printLine(argv, `Verdict: ${r.analysis.verdict.verdict}. ${r.analysis.verdict.reason}`);
    if (final) printLine(argv, `Multiplier over iteration 0: ${final.estimate.toFixed(2)}x [${final.low.toFixed(2)}, ${final.high.toFixed(2)}]`);
    for (const claim of r.claims) printLine(argv, `- ${claim.claim}: ${claim.holds === null ? 'cannot be decided here' : claim.holds ? 'holds' : 'does not hold'} (${claim.evidence})`);
    printLine(argv, `report: ${result.dir}/report.md`);
  },
};
