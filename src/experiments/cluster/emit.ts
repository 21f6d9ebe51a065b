/**
 * `loopgym sweep <spec> --emit slurm|k8s`: writes a ready-to-submit cluster job for a sweep into
 * `<out>/<experiment>/<engine>/` beside the results, with the resolved spec (every --set applied), so
 * the jobs run exactly what was emitted, and says how to submit it.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/atomic-fs.js';
import { runnableModuleUrl } from '../../core/vector-envs/module-paths.js';
import type { ExperimentSpec } from '../spec.js';
import { parallelismOf, type ClusterJobOptions } from './job-options.js';
import { kubernetesFiles, kubernetesName, RESULTS_MOUNT } from './kubernetes.js';
import { slurmFiles } from './slurm.js';

export const CLUSTER_ENGINES = ['slurm', 'k8s'] as const;
export type ClusterEngine = (typeof CLUSTER_ENGINES)[number];

export interface EmitOptions {
  /** Results root (default `results`); the job files go to `<outDir>/<experiment>/<engine>/`. */
  outDir?: string;
  /** Slurm: how compute nodes run loopgym; default this Node and this installation's CLI. */
  command?: string[];
}

export interface EmittedJob {
  engine: ClusterEngine;
  dir: string;
  files: string[];
  /** How to submit, for people. */
  instructions: string;
}

/** This installation's CLI as a command line: the running Node and the compiled main.js. */
export function defaultLoopgymCommand(): string[] {
  return [process.execPath, fileURLToPath(runnableModuleUrl(new URL('../../cli/main.js', import.meta.url).href))];
}

export function emitClusterJob(spec: ExperimentSpec, engine: ClusterEngine, job: ClusterJobOptions, options: EmitOptions = {}): EmittedJob {
  if (!CLUSTER_ENGINES.includes(engine)) throw new ConfigError(`Expected --emit slurm or k8s, but got ${JSON.stringify(engine)}.`);
  const resultsRoot = resolve(options.outDir ?? 'results');
  const dir = join(resultsRoot, spec.name, engine);
  const specText = `${JSON.stringify(spec, null, 2)}\n`;
  const files: Record<string, string> =
    engine === 'slurm'
      ? { 'spec.json': specText, ...slurmFiles(spec.name, job, { jobDir: dir, resultsRoot, command: options.command ?? defaultLoopgymCommand() }) }
      : kubernetesFiles(spec, job);

  // Tasks of a submitted array read spec.json when they start: never swap it under them.
  const specFile = join(dir, 'spec.json');
  if (engine === 'slurm' && existsSync(specFile) && readFileSync(specFile, 'utf8') !== specText) {
    throw new ConfigError(`Expected ${specFile} to hold the same spec, or no file, but it holds another (tasks may still run from it): emit to another --out, or remove ${dir} first.`);
  }
  if (engine === 'slurm') mkdirSync(join(dir, 'logs'), { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    writeFileAtomic(join(dir, name), text);
    if (/\.(sh|sbatch)$/.test(name)) chmodSync(join(dir, name), 0o755);
  }
  return { engine, dir, files: Object.keys(files).map((name) => join(dir, name)), instructions: instructions(spec, engine, job, dir, resultsRoot) };
}

function instructions(spec: ExperimentSpec, engine: ClusterEngine, job: ClusterJobOptions, dir: string, resultsRoot: string): string {
  const parallel = parallelismOf(job);
  if (engine === 'slurm') {
    return [
      `wrote ${dir}/: sweep.sbatch (job array 0-${job.shards - 1}${parallel < job.shards ? `%${parallel}` : ''}, ${job.cpus} CPUs, ${job.memory}, ${job.time} per task), report.sbatch, submit.sh, spec.json`,
      `submit:  bash ${dir}/submit.sh`,
      `   or:   jid=$(sbatch --parsable ${dir}/sweep.sbatch) && sbatch --dependency=afterok:$jid ${dir}/report.sbatch`,
      `report:  ${resultsRoot}/${spec.name}/report.md, once the report job ran (logs in ${dir}/logs/)`,
    ].join('\n');
  }
  const base = kubernetesName(spec.name);
  return [
    `wrote ${dir}/: sweep.yaml (ConfigMap + Indexed Job: ${job.shards} completions, parallelism ${parallel}), report.yaml (Job), submit.sh`,
    `needs:   an image with loopgym on its PATH (--image ${job.image}) and a PersistentVolumeClaim ${job.pvc} (--pvc) for ${RESULTS_MOUNT}`,
    `submit:  bash ${dir}/submit.sh`,
    `   or:   kubectl apply -f ${dir}/sweep.yaml && kubectl wait --for=condition=complete job/${base}-sweep && kubectl apply -f ${dir}/report.yaml`,
    `report:  ${RESULTS_MOUNT}/${spec.name}/report.md on that volume`,
  ].join('\n');
}
