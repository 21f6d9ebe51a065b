/**
 * Loading run folders for aggregation: every finished run under the given folders (shards merged; a run
 * found twice must agree with itself), each checked (summary.json's fields, by file and path), and the
 * runs that are not aggregated (unfinished, unreadable, disagreeing), each with its reason.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, describeValue } from '../core/errors.js';
import type { RunSummary } from './runner.js';
import { canonicalJson, configKeyOf, findRunDirs, inspectRun } from './store.js';

/** A run folder that is not aggregated: unfinished, unreadable, or disagreeing with a copy of itself in another shard. */
export interface RunProblem {
  dir: string;
  state: 'incomplete' | 'corrupt' | 'conflict';
  reason: string;
}

/** Thrown by `readRun` for a run folder that must not be aggregated. */
export class RunFolderError extends DataError {
  constructor(
    readonly dir: string,
    readonly state: RunProblem['state'],
    readonly reason: string,
  ) {
    super(`Expected a ${state === 'incomplete' ? 'finished' : 'readable'} run in ${dir}, but ${reason}.`);
  }
}

/** One finished run, as read from its folder. */
export interface RunRecord {
  dir: string;
  runId: string;
  /** The configuration across seeds: the run id without its seed. */
  configKey: string;
  seed: number;
  experiment: string;
  env: string;
  agent: string;
  rewardMode: string;
  axes: Record<string, unknown>;
  summary: RunSummary;
}

export interface LoadedResults {
  /** The folders given, in order. */
  roots: string[];
  /** Finished runs, each run id once, sorted by run id. */
  runs: RunRecord[];
  /** Runs left out, sorted by folder. */
  problems: RunProblem[];
  /** Identical copies of a run found in more than one folder (counted once). */
  duplicates: number;
}

/** Folders deeper than this below a root are not searched (root/experiment/run is depth 2). */
/**
 * Loads one results folder, or several (shards of one sweep, or different experiments) merged. A folder may
 * be a run folder, an experiment folder or a results root; run folders are found below it. A run found
 * in several folders counts once when the copies agree and is reported as a conflict when they differ.
 */
export function loadResults(dirs: string | readonly string[]): LoadedResults {
  const roots = typeof dirs === 'string' ? [dirs] : [...dirs];
  if (roots.length === 0) throw new DataError('Expected at least one results folder, but got none.');
  const runDirs: string[] = [];
  for (const root of roots) {
    if (!existsSync(root)) throw new DataError(`Expected a results folder at ${root}, but it does not exist.`);
    if (!statSync(root).isDirectory()) throw new DataError(`Expected ${root} to be a folder, but it is a file.`);
    const found = findRunDirs(root);
    // A policy bundle, a run folder itself or any other folder: refused, so no report is written into it.
    if (found.length === 0) {
      throw new DataError(`Expected a results folder holding run folders (each with config.json and summary.json, e.g. results/default), but ${root} holds none; nothing was written.`);
    }
    runDirs.push(...found);
  }

  const problems: RunProblem[] = [];
  const byId = new Map<string, RunRecord[]>();
  for (const dir of runDirs) {
    try {
      const run = readRun(dir);
      byId.set(run.runId, [...(byId.get(run.runId) ?? []), run]);
    } catch (error) {
      if (!(error instanceof RunFolderError)) throw error;
      problems.push({ dir, state: error.state, reason: error.reason });
    }
  }

  const runs: RunRecord[] = [];
  let duplicates = 0;
  for (const [id, copies] of byId) {
    const reference = canonicalJson(copies[0].summary);
    if (copies.every((copy) => canonicalJson(copy.summary) === reference)) {
      runs.push(copies[0]);
      duplicates += copies.length - 1;
    } else {
      for (const copy of copies) {
        problems.push({ dir: copy.dir, state: 'conflict', reason: `run ${id} is in ${copies.length} folders with different summary.json contents` });
      }
    }
  }
  runs.sort((a, b) => compareStrings(a.runId, b.runId));
  problems.sort((a, b) => compareStrings(a.dir, b.dir) || compareStrings(a.state, b.state));
  return { roots, runs, problems, duplicates };
}


/** Reads one finished run; throws RunFolderError when the folder is unfinished or its files do not hold a run. */
export function readRun(dir: string): RunRecord {
  const status = inspectRun(dir);
  if (status.state === 'missing') throw new RunFolderError(dir, 'corrupt', 'the folder does not exist');
  if (status.state !== 'complete') throw new RunFolderError(dir, status.state, status.reason);
  const summary = status.summary;
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as unknown;
  const fail = (reason: string): never => {
    throw new RunFolderError(dir, 'corrupt', reason);
  };
  const check = <T>(file: string, value: unknown, path: string, ok: (v: unknown) => v is T, expected: string): T => {
    if (!ok(value)) fail(`${file} ${path} should be ${expected}, not ${describeValue(value)}`);
    return value as T;
  };
  const runIdValue = check('summary.json', summary.runId, 'runId', isString, 'a run id');
  const configRunId = isRecord(config) ? config.runId : undefined;
  if (configRunId !== runIdValue) fail(`config.json runId ${describeValue(configRunId)} does not match summary.json runId ${describeValue(runIdValue)}`);
  check('summary.json', summary.seed, 'seed', isFiniteNumber, 'a number');
  check('summary.json', summary.experiment, 'experiment', isString, 'a string');
  check('summary.json', summary.env, 'env', isString, 'a string');
  check('summary.json', summary.agent, 'agent', isString, 'a string');
  check('summary.json', summary.axes, 'axes', isRecord, 'an object');
  const evaluation = check('summary.json', summary.eval, 'eval', isRecord, 'an object');
  checkEvaluation(evaluation, 'eval', check);
  const baselines = check('summary.json', summary.baselines ?? {}, 'baselines', isRecord, 'an object');
  for (const [name, baseline] of Object.entries(baselines)) checkEvaluation(check('summary.json', baseline, `baselines.${name}`, isRecord, 'an object'), `baselines.${name}`, check);
  const rawNormalized = summary.normalizedScore ?? null;
  const normalized = rawNormalized === null ? null : check('summary.json', rawNormalized, 'normalizedScore', isFiniteNumber, 'a number or null');
  const curve = check('summary.json', summary.curve ?? [], 'curve', Array.isArray, 'a list');
  curve.forEach((point, i) => {
    const p = check('summary.json', point, `curve[${i}]`, isRecord, 'an object');
    check('summary.json', p.step, `curve[${i}].step`, isFiniteNumber, 'a number');
    check('summary.json', p.meanReturn, `curve[${i}].meanReturn`, isFiniteNumber, 'a number');
  });
  const run = summary as unknown as RunSummary;
  return {
    dir,
    runId: run.runId,
    configKey: configKeyOf(run.runId),
    seed: run.seed,
    experiment: run.experiment,
    env: run.env,
    agent: run.agent,
    rewardMode: typeof run.rewardMode === 'string' ? run.rewardMode : 'gold',
    axes: run.axes,
    summary: { ...run, baselines: run.baselines ?? {}, normalizedScore: normalized, curve: run.curve ?? [] },
  };
}

type Check = <T>(file: string, value: unknown, path: string, ok: (v: unknown) => v is T, expected: string) => T;

function checkEvaluation(evaluation: Record<string, unknown>, path: string, check: Check): void {
  check('summary.json', evaluation.meanReturn, `${path}.meanReturn`, isFiniteNumber, 'a number');
  const returns = check('summary.json', evaluation.returns ?? [], `${path}.returns`, Array.isArray, 'a list');
  returns.forEach((value, i) => check('summary.json', value, `${path}.returns[${i}]`, isFiniteNumber, 'a number'));
  check('summary.json', evaluation.metrics ?? {}, `${path}.metrics`, isRecord, 'an object');
}

const isString = (v: unknown): v is string => typeof v === 'string';
export const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);


/** Code-unit order, the same on every machine and locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
