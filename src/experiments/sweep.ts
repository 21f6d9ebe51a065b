/**
 * Turns a spec into its list of runs: every sweep configuration (grid: all combinations in axis order;
 * random: `samples` draws from an Rng seeded by the experiment name) times every seed. The order is fixed,
 * so `--shard i/n` (runs whose index mod n is i) splits a sweep the same way on every machine.
 */
import { ConfigError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { parseSpec, setPath, type ExperimentSpec } from './spec.js';
import { configKeyOf, runId } from './store.js';

/** One run: the spec it runs (no sweep, one seed), its seed, its id and the sweep values that made it. */
export interface RunPlan {
  index: number;
  runId: string;
  seed: number;
  spec: ExperimentSpec;
  /** The sweep values of this configuration, e.g. {"agent.learningRate": 3e-4}; empty without a sweep. */
  axes: Record<string, unknown>;
  /** Identifies the configuration across seeds (the run id without its seed). */
  configKey: string;
}

export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index >= count) {
    throw new ConfigError(`Expected --shard i/n with 0 <= i < n (e.g. 0/4), or auto with --shards n, but got ${JSON.stringify(text)}.`);
  }
  return { index, count };
}

/**
 * The config a run's id is derived from: the spec without seeds, sweep, description (prose: rewording
 * it must not make `--resume` rerun finished runs), logging (extra outputs such as TensorBoard files
 * change no result) and checkpoint (when to save mid-run state changes no result either), plus nothing
 * machine-specific.
 */
export function runConfig(spec: ExperimentSpec): Record<string, unknown> {
  const { seeds: _seeds, sweep: _sweep, description: _description, logging: _logging, checkpoint: _checkpoint, ...rest } = spec;
  return rest;
}

export function expandRuns(spec: ExperimentSpec, shard?: Shard): RunPlan[] {
  const configurations = sweepConfigurations(spec);
  const plans: RunPlan[] = [];
  for (const axes of configurations) {
    const raw = structuredClone({ ...spec, sweep: undefined }) as Record<string, unknown>;
    for (const [path, value] of Object.entries(axes)) setPath(raw, path.split('.'), value);
    const resolved = parseSpec(raw, `sweep configuration ${JSON.stringify(axes)}`);
    const config = runConfig(resolved);
    for (const seed of resolved.seeds) {
      const id = runId(config, seed);
      plans.push({ index: plans.length, runId: id, seed, spec: { ...resolved, seeds: [seed] }, axes, configKey: configKeyOf(id) });
    }
  }
  return shard ? plans.filter((plan) => plan.index % shard.count === shard.index) : plans;
}

function sweepConfigurations(spec: ExperimentSpec): Record<string, unknown>[] {
  const sweep = spec.sweep;
  if (!sweep || Object.keys(sweep.axes).length === 0) return [{}];
  const axes = Object.entries(sweep.axes);
  if (sweep.mode === 'grid') {
    let combos: Record<string, unknown>[] = [{}];
    for (const [path, axis] of axes) {
      if (!Array.isArray(axis)) {
        throw new ConfigError(`sweep.axes.${path}: Expected a list of values in a grid sweep, but got a ${axis.distribution} distribution (use mode "random").`);
      }
      combos = combos.flatMap((combo) => axis.map((value) => ({ ...combo, [path]: value })));
    }
    return combos;
  }
  const rng = new Rng(`sweep/${spec.name}`);
  return Array.from({ length: sweep.samples ?? 1 }, () => {
    const combo: Record<string, unknown> = {};
    for (const [path, axis] of axes) {
      if (Array.isArray(axis)) combo[path] = rng.choice(axis);
      else if (axis.distribution === 'uniform') combo[path] = rng.uniform(axis.low, axis.high);
      else if (axis.distribution === 'loguniform') {
        if (!(axis.low > 0)) throw new ConfigError(`sweep.axes.${path}.low: Expected a positive low for loguniform, but got ${axis.low}.`);
        combo[path] = Math.exp(rng.uniform(Math.log(axis.low), Math.log(axis.high)));
      } else combo[path] = rng.integer(Math.ceil(axis.low), Math.floor(axis.high) + 1);
    }
    return combo;
  });
}
