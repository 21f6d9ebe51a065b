import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { ConfigError } from '../../core/errors.js';
import { runSweep, type ExperimentResult } from '../../experiments/runner.js';
import { finishedRun } from '../../experiments/store.js';
import { join } from 'node:path';
import { runTable, type RunTable } from '../../experiments/run-table.js';
import { writeReport } from '../../experiments/report.js';
import { applyOverride, loadSpec, parseSpec, type ExperimentSpec } from '../../experiments/spec.js';
import { availableParallelism } from 'node:os';
import { expandRuns, type Shard } from '../../experiments/sweep.js';
import { resolveShard } from '../../experiments/cluster/shard-index.js';
import { emitHandler, emitOptions, rejectJobFlags, type EmitArgs } from './emit.js';
import { createProgress } from '../progress.js';
import { formatTable, printJson, printLine, type GlobalOptions } from '../output.js';

export interface TrainArgs extends GlobalOptions, EmitArgs {
  spec?: string;
  env?: string;
  agent?: string;
  seed?: number;
  steps?: number;
  numEnvs?: number;
  set: string[];
  resume: boolean;
  fresh: boolean;
  yes: boolean;
  workers: number;
  shard?: string;
  shards?: number;
  report?: boolean;
  tensorboard?: boolean;
  dataset?: string;
}

export function runOptions<T>(yargs: Argv<T>) {
  return yargs
    .positional('spec', { type: 'string', describe: 'Experiment spec (JSON), e.g. experiments/default.json' })
    .option('env', { type: 'string', describe: 'Env id, when no spec file is given' })
    .option('agent', { type: 'string', describe: 'Agent name, when no spec file is given' })
    .option('seed', { type: 'number', describe: 'Seed (replaces the spec seeds)' })
    .option('steps', { type: 'number', describe: 'Total env steps per run (replaces spec totalSteps)' })
    .option('dataset', { type: 'string', describe: 'Offline dataset folder an offline agent (bc) trains on (replaces spec dataset)' })
    .option('num-envs', { type: 'number', describe: 'Vector env copies (replaces spec env.numEnvs)' })
    .option('set', { type: 'array', string: true, default: [] as string[], describe: 'Override a spec field: --set agent.learningRate=3e-4' })
    .option('resume', { type: 'boolean', default: false, describe: 'Skip finished runs and continue unfinished ones from their last checkpoint (the default now: a finished run is never overwritten)' })
    .option('fresh', { type: 'boolean', default: false, describe: "Delete this spec's finished runs and checkpoints first and train them again (names them; asks for --yes on a terminal)" })
    .option('yes', { type: 'boolean', default: false, describe: 'Confirm --fresh without a question' })
    .option('shard', { type: 'string', describe: 'Run only shard i of n of the runs: --shard 0/4, or --shard auto --shards n in a Slurm array task or Kubernetes Indexed Job' })
    .option('shards', { type: 'number', describe: 'Number of shards, for --shard auto and --emit' })
    .option('report', { type: 'boolean', describe: 'Write report.md/report.json after the runs (default: yes, but not for a --shard, whose report would be partial; merge shards with loopgym report)' })
    .option('tensorboard', { type: 'boolean', describe: 'Write every logged scalar to <run>/tb/ as TensorBoard event files (spec: logging.tensorboard)' });
}

/** The spec a train/sweep command runs: a file with overrides, or one built from --env/--agent. */
export function resolveSpec(argv: TrainArgs): ExperimentSpec {
  const overrides = [...argv.set];
  if (argv.seed !== undefined) overrides.push(`seeds=[${argv.seed}]`);
  if (argv.steps !== undefined) overrides.push(`totalSteps=${argv.steps}`);
  if (argv.numEnvs !== undefined) overrides.push(`env.numEnvs=${argv.numEnvs}`);
  if (argv.backend !== undefined) overrides.push(`backend=${JSON.stringify(argv.backend)}`);
  if (argv.tensorboard !== undefined) overrides.push(`logging.tensorboard=${argv.tensorboard}`);
  if (argv.dataset !== undefined) overrides.push(`dataset=${JSON.stringify(argv.dataset)}`);
  if (argv.spec) return loadSpec(argv.spec, overrides);
  if (!argv.env || !argv.agent) throw new ConfigError('Expected a spec file or both --env and --agent, but got neither.');
  const raw: Record<string, unknown> = {
    name: `${argv.env}-${argv.agent}`,
    env: { id: argv.env },
    agent: { name: argv.agent },
    totalSteps: 100_000,
  };
  for (const assignment of overrides) applyOverride(raw, assignment);
  return parseSpec(raw, 'command line');
}

export async function trainHandler(argv: ArgumentsCamelCase<TrainArgs>): Promise<void> {
  const spec = resolveSpec(argv);
  if (argv.emit !== undefined) return emitHandler(argv, spec);
  rejectJobFlags(argv);
  const shard = resolveShard(argv.shard, argv.shards);
  const outDir = argv.out ?? 'results';
  if (argv.fresh && process.stdin.isTTY && !argv.yes) {
    const finished = expandRuns(spec, shard).map((plan) => join(outDir, spec.name, plan.runId)).filter((dir) => finishedRun(dir) !== null);
    if (finished.length > 0) {
      throw new ConfigError(`Expected --yes to confirm --fresh, which would delete ${finished.length} finished run(s): ${finished.join(', ')} (nothing was deleted).`);
    }
  }
  const progress = createProgress(expandRuns(spec, shard).length, argv);
  let result: ExperimentResult;
  try {
    result = await runSweep(spec, {
      outDir,
      resume: argv.resume,
      fresh: argv.fresh,
      onDelete: (dirs) => {
        if (dirs.length > 0 && !argv.quiet) process.stderr.write(`--fresh: deleting ${dirs.length} finished run(s) to train them again: ${dirs.join(', ')}\n`);
      },
      workers: argv.workers,
      shard,
      onRun: (event) => progress.onRun(event),
      onProgress: (event) => progress.onProgress(event),
    });
  } finally {
    progress.stop();
  }
  printResult(argv, spec, result, { report: argv.report ?? shard === undefined, shard });
}

export function printResult(options: GlobalOptions, spec: ExperimentSpec, result: ExperimentResult, what: { report: boolean; shard?: Shard }): void {
  const report = what.report && result.runs.length > 0 ? writeReport(result.experimentDir) : undefined;
  if (options.json) {
    return printJson({
      experimentDir: result.experimentDir,
      shard: what.shard ?? null,
      reportPath: report?.reportPath ?? null,
      runs: result.runs.map((r) => ({ dir: r.dir, skipped: r.skipped, summary: r.summary })),
    });
  }
  printLine(options, '');
  printLine(options, `${spec.name}: ${spec.agent.name} on ${spec.env.id}, ${spec.totalSteps} steps per run, reward mode ${spec.reward.mode}, evaluated on the gold reward`);
  const table = summaryTable(result);
  printLine(options, formatTable(table.headers, table.rows));
  printLine(options, `results: ${result.experimentDir}`);
  if (report) printLine(options, `report: ${report.reportPath}`);
  else if (what.shard) printLine(options, `shard ${what.shard.index}/${what.shard.count}: no report (it would hold this shard only); merge every shard with: loopgym report ${result.experimentDir}`);
}

/** One row per run of this command (label: agent and sweep values), then the baselines averaged over them. */
function summaryTable(result: ExperimentResult): RunTable {
  return runTable(result.runs.map(({ summary }) => ({ label: `${summary.agent} ${Object.entries(summary.axes).map(([k, v]) => `${k.split('.').pop()}=${v}`).join(' ')}`.trim(), summary })));
}

export const trainCommand: CommandModule<GlobalOptions, TrainArgs> = {
  command: 'train [spec]',
  describe: 'Train an agent: from a spec file, or from --env and --agent',
  builder: (yargs) => runOptions(yargs).option('workers', { type: 'number', default: 1, describe: 'Worker processes for several runs' }) as unknown as Argv<TrainArgs>,
  handler: trainHandler,
};

export const sweepCommand: CommandModule<GlobalOptions, TrainArgs> = {
  command: 'sweep <spec>',
  describe: 'Run every configuration x seed of a spec in parallel worker processes',
  builder: (yargs) =>
    emitOptions(runOptions(yargs).option('workers', { type: 'number', default: defaultWorkers(), describe: 'Worker processes (default: the number of cores)' })) as unknown as Argv<TrainArgs>,
  handler: trainHandler,
};

function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}
