/**
 * `loopgym sweep <spec> --emit slurm|k8s --shards N`: the flags of an emitted cluster job. They are the
 * fields of ClusterJobSchema (--parallelism, --cpus, --memory, ...), with its help text and defaults.
 */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import { expandRuns } from '../../experiments/sweep.js';
import { validatePlans } from '../../experiments/runner.js';
import type { ExperimentSpec } from '../../experiments/spec.js';
import { CLUSTER_ENGINES, emitClusterJob, type ClusterEngine } from '../../experiments/cluster/emit.js';
import { ClusterJobSchema, parseClusterJob, type ClusterJobInput } from '../../experiments/cluster/job-options.js';
import { printJson, printLine, type GlobalOptions } from '../output.js';

/** Job fields set by their own flag (shards is shared with --shard auto). */
const JOB_FLAGS = ['parallelism', 'cpus', 'memory', 'time', 'partition', 'account', 'image', 'pvc'] as const;
type JobFlag = (typeof JOB_FLAGS)[number];

export interface EmitArgs extends GlobalOptions {
  emit?: ClusterEngine;
  shard?: string;
  shards?: number;
  parallelism?: number;
  cpus?: number;
  memory?: string;
  time?: string;
  partition?: string;
  account?: string;
  image?: string;
  pvc?: string;
}

const JOB_SCHEMA = z.toJSONSchema(ClusterJobSchema, { io: 'input' }) as { properties: Record<string, { type?: string; description?: string; default?: unknown }> };
const GROUP = 'Cluster jobs (with --emit):';

export function emitOptions<T>(yargs: Argv<T>): Argv<T> {
  let y: Argv<T> = yargs.option('emit', { choices: CLUSTER_ENGINES, describe: 'Write a Slurm job array (slurm) or Kubernetes Indexed Job (k8s) for the sweep, with --shards, instead of running it', group: GROUP }) as unknown as Argv<T>;
  for (const flag of JOB_FLAGS) {
    const field = JOB_SCHEMA.properties[flag];
    const fallback = field.default === undefined ? '' : ` [default: ${field.default}]`;
    y = y.option(flag, { type: field.type === 'integer' ? 'number' : 'string', describe: `${field.description}${fallback}`, group: GROUP }) as Argv<T>;
  }
  return y;
}

/** Job flags are meaningless without --emit: refuse them rather than ignore them. */
export function rejectJobFlags(argv: EmitArgs): void {
  const given = JOB_FLAGS.filter((flag) => argv[flag] !== undefined);
  if (given.length > 0) throw new ConfigError(`Expected --emit slurm or k8s with ${given.map((f) => `--${f}`).join(', ')}, but got no --emit.`);
}

export async function emitHandler(argv: ArgumentsCamelCase<EmitArgs>, spec: ExperimentSpec): Promise<void> {
  const engine = argv.emit as ClusterEngine;
  if (argv.shard !== undefined) throw new ConfigError(`Expected no --shard with --emit (each task of the job picks its own), but got --shard ${argv.shard}.`);
  if (argv.shards === undefined) throw new ConfigError('Expected --shards N (how many tasks split the sweep) with --emit, but got none.');
  const input: Record<string, unknown> = { shards: argv.shards };
  for (const flag of JOB_FLAGS) if (argv[flag] !== undefined) input[flag] = argv[flag as JobFlag];
  const job = parseClusterJob(input as ClusterJobInput);
  const plans = expandRuns(spec);
  if (job.shards > plans.length) throw new ConfigError(`Expected --shards at most the sweep's ${plans.length} run(s), but got ${job.shards} (the extra tasks would run nothing).`);
  // A bad configuration fails here in seconds, not on the cluster after a queue wait.
  await validatePlans(plans);
  const emitted = emitClusterJob(spec, engine, job, { outDir: argv.out ?? 'results' });
  if (argv.json) return printJson({ engine: emitted.engine, dir: emitted.dir, files: emitted.files, runs: plans.length, shards: job.shards });
  printLine(argv, `${spec.name}: ${plans.length} run(s) in ${job.shards} shard(s)`);
  printLine(argv, emitted.instructions);
}
