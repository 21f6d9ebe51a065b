/**
 * The loopgym command lines an emitted cluster job runs, shared by every engine: each array task runs its
 * shard of the sweep (`--shard auto` reads the task index; `--resume` lets a re-run task skip finished
 * runs; `--no-report` because a shard's report would be partial), and one report job merges them.
 */
import type { ClusterJobOptions } from './job-options.js';

export function shardArguments(specPath: string, resultsRoot: string, job: ClusterJobOptions): string[] {
  return ['sweep', specPath, '--shard', 'auto', '--shards', String(job.shards), '--workers', String(job.cpus), '--out', resultsRoot, '--resume', '--no-report'];
}

export function reportArguments(resultsRoot: string, experiment: string): string[] {
  return ['report', `${resultsRoot.replace(/\/+$/, '')}/${experiment}`];
}
