/**
 * `runLoop(spec)` (`loopgym loop <spec>`): runs every replicate of a learning loop (in parallel child
 * processes with `workers` > 1), then analyzes the learning arm's KPI against the control arms and writes
 * the learning report. Results:
 *
 * ```
 * <out>/<name>/loop.json                 the resolved spec and provenance (machine, commit, engine)
 * <out>/<name>/replicate-<r>/iterations/<k>.json   KPIs per arm and day, gate and drift decisions, world hash
 * <out>/<name>/replicate-<r>/policies/   initial and every promoted champion (agent folders: `loopgym export`)
 * <out>/<name>/kpi.csv                   long format (arm, replicate, iteration, day, kpi): `loopgym curve analyze`
 * <out>/<name>/report.md, report.json, plots/*.svg
 * ```
 * A finished or partial loop folder is never overwritten: `resume` continues it (after the last iteration
 * record of each replicate) and refuses a different spec; without `resume` an existing folder is an error.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, LoopgymError } from '../core/errors.js';
import { ensureWritableDir, writeFileAtomic, writeJsonAtomic } from '../core/atomic-fs.js';
import { runnableModuleUrl } from '../core/vector-envs/module-paths.js';
import { initBackend } from '../nn/backend.js';
import { collectProvenance, engineOf } from '../experiments/provenance.js';
import { agentConfigSchema } from '../../agents/index.js';
import { canonicalJson } from '../experiments/store.js';
import { parseLoopSpec, type LoopSpec, type LoopSpecInput } from './loop-spec.js';
import { runReplicate, type IterationRecord } from './loop-replicate.js';
import { LoopWorld } from './loop-world.js';
import { writeLoopReport, type LoopReport } from './loop-report.js';
import type { LoopWorkerReply, LoopWorkerRequest } from './loop-worker.js';

export const LOOP_FORMAT = 'loopgym.loop/1';

/** A replicate that failed inside a worker, re-raised with the worker's error class name and message. */
export class LoopReplicateError extends LoopgymError {}

export interface LoopOptions {
  /** Results root (default `results`); the loop writes `<out>/<name>/`. */
  out?: string;
  /** Continue an existing loop folder of the same spec. */
  resume?: boolean;
  /** Called after each iteration of each replicate (`resumed`: read from disk). */
  onIteration?: (record: IterationRecord, resumed: boolean) => void;
}

export interface LoopResult {
  dir: string;
  /** replicate x iteration */
  records: IterationRecord[][];
  report: LoopReport;
}

/** The engine of the loop's learner (its config resolved with defaults). */
function learnerEngine(spec: LoopSpec): string | null {
  const { name, ...hyperparameters } = spec.learner.agent;
  const parsed = agentConfigSchema(name)?.safeParse(hyperparameters);
  return parsed?.success ? engineOf({ config: parsed.data }) : null;
}

export async function runLoop(input: LoopSpec | LoopSpecInput, options: LoopOptions = {}): Promise<LoopResult> {
  const spec = parseLoopSpec(input);
  checkWorlds(spec);
  const dir = join(options.out ?? 'results', spec.name);
  prepareFolder(dir, spec, options.resume ?? false);
  const backend = await initBackend();
  if (!existsSync(join(dir, 'loop.json'))) writeJsonAtomic(join(dir, 'loop.json'), { format: LOOP_FORMAT, spec, provenance: collectProvenance(backend, learnerEngine(spec)) });

  const replicateDir = (r: number) => join(dir, `replicate-${r}`);
  let records: IterationRecord[][];
  if (spec.workers <= 1 || spec.replicates === 1) {
    records = [];
    for (let r = 0; r < spec.replicates; r++) records.push(await runReplicate(spec, r, replicateDir(r), { onIteration: options.onIteration }));
  } else {
    records = await runInWorkers(spec, replicateDir, options.onIteration);
  }
  const report = writeLoopReport(dir, spec, records);
  writeFileAtomic(join(dir, 'kpi.csv'), kpiCsv(spec, records));
  return { dir, records, report };
}

/** Every iteration's world is built (and its shape checked) before anything is written. */
function checkWorlds(spec: LoopSpec): void {
  for (let r = 0; r < spec.replicates; r++) {
    const world = new LoopWorld(spec, r);
    for (let k = 0; k < spec.iterations; k++) world.at(k);
    if (r === 0 && spec.world.schedule.length === 0 && spec.world.skillDrift === 0) break;
  }
}

function prepareFolder(dir: string, spec: LoopSpec, resume: boolean): void {
  const manifest = join(dir, 'loop.json');
  if (existsSync(manifest)) {
    if (!resume) {
      throw new ConfigError(`Expected a new loop folder, but ${dir} already holds a loop; pass --resume to continue it, or choose another --out (nothing was changed).`);
    }
    const saved = (JSON.parse(readFileSync(manifest, 'utf8')) as { spec: unknown }).spec;
    if (canonicalJson(saved) !== canonicalJson(spec)) {
      throw new ConfigError(`Expected the spec that ${dir} was started with to resume it, but the given spec differs; use another --out for a new loop (nothing was changed).`);
    }
  } else if (existsSync(dir)) {
    throw new ConfigError(`Expected ${dir} to be a loop folder (with loop.json) or not to exist, but it exists without loop.json (nothing was changed).`);
  }
  mkdirSync(dir, { recursive: true });
  ensureWritableDir(dir);
}

async function runInWorkers(spec: LoopSpec, replicateDir: (r: number) => string, onIteration?: LoopOptions['onIteration']): Promise<IterationRecord[][]> {
  const script = fileURLToPath(runnableModuleUrl(new URL('./loop-worker.js', import.meta.url).href));
  const results = new Array<IterationRecord[]>(spec.replicates);
  const children: ChildProcess[] = [];
  let next = 0;
  let failure: Error | undefined;
  const runOn = (child: ChildProcess) =>
    new Promise<void>((resolve, reject) => {
      let current: number | undefined;
      const dispatch = () => {
        current = undefined;
        if (failure || next >= spec.replicates) return resolve();
        current = next++;
        child.send({ type: 'replicate', spec, replicate: current, dir: replicateDir(current) } satisfies LoopWorkerRequest);
      };
      child.on('message', (reply: LoopWorkerReply) => {
        if (reply.type === 'iteration') return onIteration?.(reply.record, reply.resumed);
        if (reply.type === 'error') {
          failure ??= new LoopReplicateError(`Replicate ${reply.replicate} failed: ${reply.name}: ${reply.message}`);
          return reject(failure);
        }
        results[reply.replicate] = reply.records;
        dispatch();
      });
      child.on('exit', (code, signal) => {
        if (current === undefined) return;
        failure ??= new LoopReplicateError(`Expected the worker running replicate ${current} to finish it, but it exited (code ${code}, signal ${signal}).`);
        reject(failure);
      });
      dispatch();
    });
  try {
    const count = Math.min(spec.workers, spec.replicates);
    for (let i = 0; i < count; i++) children.push(fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    await Promise.all(children.map(runOn));
  } finally {
    for (const child of children) child.kill();
  }
  if (failure) throw failure;
  return results;
}

/** Every deployment day of every arm, long format, as `loopgym curve analyze` reads it. */
function kpiCsv(spec: LoopSpec, records: IterationRecord[][]): string {
  const lines = ["arm,replicate,iteration,day,score"];
  for (const arm of spec.arms) {
    for (const replicate of records) {
      for (const record of replicate) {
        const days = record.arms[arm]?.days ?? [];
        days.forEach((kpi, day) => lines.push(`${arm},${record.replicate},${record.iteration},${day},${kpi}`));
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
