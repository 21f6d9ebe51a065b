/**
 * What an emitted cluster job asks for, declared once: defaults, validation and the help text of the
 * `loopgym sweep --emit` options all come from this schema. Memory and time are written the Slurm way
 * (`4G`, `02:00:00`) and translated for Kubernetes (`4Gi`, seconds).
 */
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';

const MEMORY = /^(\d+)([KMGT])$/;
const TIME = /^(?:(\d+)-)?(\d{1,2}):(\d{2}):(\d{2})$/;
const count = () => z.number({ error: 'a positive integer' }).int({ error: 'a positive integer' }).positive({ error: 'a positive integer' });

export const ClusterJobSchema = z.strictObject({
  shards: count().describe('Shards the sweep is split into: array tasks (Slurm) or completions (Kubernetes)'),
  parallelism: count().optional().describe('Shards running at once (Slurm --array=...%P, Kubernetes parallelism); default: all'),
  cpus: count().default(2).describe('CPUs per shard; the shard runs that many worker processes'),
  memory: z.string().regex(MEMORY, 'an amount like 4G or 512M').default('4G').describe('Memory per shard, e.g. 4G or 512M (Kubernetes: 4Gi, 512Mi)'),
  time: z.string().regex(TIME, 'a limit like 02:00:00 or 1-00:00:00').default('02:00:00').describe('Wall-time limit per shard, [D-]HH:MM:SS'),
  partition: z.string().min(1, { error: 'a partition name' }).optional().describe('Slurm partition (sbatch --partition)'),
  account: z.string().min(1, { error: 'an account name' }).optional().describe('Slurm account (sbatch --account)'),
  image: z.string().min(1, { error: 'an image name' }).default('loopgym:latest').describe('Kubernetes: container image with `loopgym` on its PATH'),
  pvc: z.string().min(1, { error: 'a claim name' }).default('loopgym-results').describe('Kubernetes: PersistentVolumeClaim that holds the results (mounted at /results)'),
});

export type ClusterJobOptions = z.output<typeof ClusterJobSchema>;
export type ClusterJobInput = z.input<typeof ClusterJobSchema>;

export function parseClusterJob(raw: ClusterJobInput): ClusterJobOptions {
  const result = ClusterJobSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.join('.');
    const given = (raw as Record<string, unknown>)[field];
    throw new ConfigError(`--${field}: Expected ${issue.message}, but got ${JSON.stringify(given) ?? 'nothing'}.`);
  }
  if (result.data.parallelism !== undefined && result.data.parallelism > result.data.shards) {
    throw new ConfigError(`--parallelism: Expected at most --shards (${result.data.shards}) shards at once, but got ${result.data.parallelism}.`);
  }
  return result.data;
}

/** Shards running at once. */
export function parallelismOf(job: ClusterJobOptions): number {
  return job.parallelism ?? job.shards;
}

/** Kubernetes quantity of the Slurm-style memory amount: 4G -> 4Gi. */
export function kubernetesMemory(memory: string): string {
  const [, amount, unit] = MEMORY.exec(memory) as RegExpExecArray;
  return `${amount}${unit}i`;
}

/** Seconds of a Slurm-style time limit: 1-02:00:00 -> 93600. */
export function timeLimitSeconds(time: string): number {
  const [, days, hours, minutes, seconds] = TIME.exec(time) as RegExpExecArray;
  return Number(days ?? 0) * 86400 + Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds);
}
