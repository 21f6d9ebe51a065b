/**
 * A sweep as a Slurm job array: `sweep.sbatch` (one array task per shard, `--array=0-(N-1)` with an
 * optional `%P` limit on tasks running at once, CPUs, memory and time per task), `report.sbatch` (merges
 * the shards into one report) and `submit.sh`, which submits the array and then the report job with
 * `--dependency=afterok:<array job>`, so it starts once every task succeeded (and is cancelled if one fails).
 */
import { ConfigError } from '../../core/errors.js';
import { parallelismOf, type ClusterJobOptions } from './job-options.js';
import { reportArguments, shardArguments } from './shard-command.js';
import { shellCommand } from './shell.js';

export interface SlurmPaths {
  /** Folder of the emitted files: spec.json, the scripts and logs/ (absolute; on the cluster's shared file system). */
  jobDir: string;
  /** Results root the shards write to (absolute). */
  resultsRoot: string;
  /** How the compute nodes run loopgym, e.g. [node, <install>/dist/src/cli/main.js]; LOOPGYM in the environment overrides it. */
  command: string[];
}

export const SLURM_FILES = ['sweep.sbatch', 'report.sbatch', 'submit.sh'] as const;

/** Report jobs aggregate JSON files only: a short limit and one CPU. */
const REPORT_TIME = '00:30:00';

export function slurmFiles(experiment: string, job: ClusterJobOptions, paths: SlurmPaths): Record<(typeof SLURM_FILES)[number], string> {
  for (const [what, path] of [['job folder', paths.jobDir], ['results root', paths.resultsRoot]] as const) {
    if (!/^\/[\w./+@-]*$/.test(path)) throw new ConfigError(`Expected an absolute ${what} path of letters, digits and ./_-+@ (it goes into #SBATCH lines), but got ${JSON.stringify(path)}.`);
  }
  const parallel = parallelismOf(job);
  const limit = parallel < job.shards ? `%${parallel}` : '';
  const common = [
    ...(job.partition ? [`#SBATCH --partition=${job.partition}`] : []),
    ...(job.account ? [`#SBATCH --account=${job.account}`] : []),
  ];
  const launcher = [
    '# Set LOOPGYM to run another installation, e.g. LOOPGYM="npx loopgym" bash submit.sh',
    `loopgym() { if [ -n "\${LOOPGYM:-}" ]; then $LOOPGYM "$@"; else ${shellCommand(paths.command)} "$@"; fi; }`,
  ];
  const name = `loopgym-${experiment}`;
  const sweep = [
    '#!/bin/bash',
    `# loopgym sweep ${JSON.stringify(experiment)} as a Slurm job array: ${job.shards} shards, one array task each${limit ? `, at most ${parallel} at once` : ''}.`,
    '# Submit with submit.sh beside this file: it queues report.sbatch to merge the shards once every task succeeded.',
    '# A failed task can be re-run alone (sbatch --array=3 sweep.sbatch): --resume skips the runs that finished.',
    `#SBATCH --job-name=${name}`,
    `#SBATCH --array=0-${job.shards - 1}${limit}`,
    `#SBATCH --cpus-per-task=${job.cpus}`,
    `#SBATCH --mem=${job.memory}`,
    `#SBATCH --time=${job.time}`,
    ...common,
    `#SBATCH --output=${paths.jobDir}/logs/sweep-%A_%a.out`,
    'set -euo pipefail',
    '',
    ...launcher,
    '',
    `loopgym ${shellCommand(shardArguments(`${paths.jobDir}/spec.json`, paths.resultsRoot, job))}`,
    '',
  ];
  const report = [
    '#!/bin/bash',
    `# Merges the shards of loopgym sweep ${JSON.stringify(experiment)} into report.md, report.json and plots/ (queued by submit.sh).`,
    `#SBATCH --job-name=${name}-report`,
    '#SBATCH --cpus-per-task=1',
    `#SBATCH --mem=${job.memory}`,
    `#SBATCH --time=${REPORT_TIME}`,
    ...common,
    `#SBATCH --output=${paths.jobDir}/logs/report-%j.out`,
    'set -euo pipefail',
    '',
    ...launcher,
    '',
    `loopgym ${shellCommand(reportArguments(paths.resultsRoot, experiment))}`,
    '',
  ];
  const submit = [
    '#!/bin/bash',
    '# Submits the sweep array, then the report job that runs once every array task succeeded.',
    'set -euo pipefail',
    'cd "$(dirname "$0")"',
    'sweep_job=$(sbatch --parsable sweep.sbatch)',
    'sweep_job=${sweep_job%%;*}',
    'report_job=$(sbatch --parsable --dependency=afterok:"$sweep_job" --kill-on-invalid-dep=yes report.sbatch)',
    'report_job=${report_job%%;*}',
    `echo "sweep: job array $sweep_job (${job.shards} shards); report: job $report_job, after every shard succeeded"`,
    'echo "watch: squeue -j $sweep_job,$report_job"',
    `echo "logs: ${paths.jobDir}/logs/"`,
    `echo "report: ${paths.resultsRoot}/${experiment}/report.md"`,
    '',
  ];
  return { 'sweep.sbatch': sweep.join('\n'), 'report.sbatch': report.join('\n'), 'submit.sh': submit.join('\n') };
}
