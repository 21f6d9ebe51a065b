/**
 * EnsembleRewardModel: the weighted average of any reward models (e.g. the tfjs MLP ensemble and the
 * forest, whose errors differ). Its uncertainty is the spread of the mixture: each member's own variance
 * plus the disagreement between members.
 *
 * Also here: `createRewardModel(spec)`, which builds a model from a JSON-able spec (what an experiment
 * spec names), and `loadRewardModel(dir)`, which reads the kind a folder records and rebuilds the model.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../core/rng.js';
import { ConfigError, DataError, describeValue } from '../core/errors.js';
import { writeFileAtomic } from '../core/atomic-fs.js';
import type { RewardModelMetrics } from './metrics.js';
import { checkRows, evaluateModel, readRewardModelMeta, REWARD_MODEL_FORMAT, REWARD_MODEL_META_FILE, type Prediction, type RewardDataset, type RewardModel, type UpdateOptions } from './reward-model.js';
import { ForestRewardModel as Forest } from './forest-reward-model.js';
import { TfjsRewardModel } from './tfjs-reward-model.js';
import { checkRewardModelSpec, type RewardModelSpec } from './config.js';

const FORMAT = REWARD_MODEL_FORMAT;
const META_FILE = REWARD_MODEL_META_FILE;

export class EnsembleRewardModel implements RewardModel {
  readonly kind = 'ensemble';
  readonly dim: number;
  readonly members: readonly RewardModel[];
  /** Normalized to sum 1. */
  readonly weights: readonly number[];

  /** `weights` default to equal shares. */
  constructor(members: RewardModel[], weights?: number[]) {
    if (!Array.isArray(members) || members.length === 0) throw new ConfigError(`Expected at least one member model, but got ${describeValue(members)}.`);
    this.dim = members[0].dim;
    for (const m of members) {
      if (m.dim !== this.dim) throw new ConfigError(`Expected every member to take ${this.dim} features, but ${m.kind} takes ${m.dim}.`);
    }
    const raw = weights ?? members.map(() => 1);
    if (raw.length !== members.length || !raw.every((w) => typeof w === 'number' && w >= 0) || !(raw.reduce((a, b) => a + b, 0) > 0)) {
      throw new ConfigError(`Expected ${members.length} non-negative weights with a positive sum, but got ${JSON.stringify(weights)}.`);
    }
    const total = raw.reduce((a, b) => a + b, 0);
    this.members = [...members];
    this.weights = raw.map((w) => w / total);
  }

  get fitted(): boolean {
    return this.members.every((m) => m.fitted);
  }

  get warmStarts(): boolean {
    return this.members.every((m) => m.warmStarts);
  }

  fit(data: RewardDataset): void {
    for (const m of this.members) m.fit(data);
  }

  update(data: RewardDataset, options?: UpdateOptions): void {
    for (const m of this.members) m.update(data, options);
  }

  predict(x: Float32Array): Float32Array {
    return this.predictWithUncertainty(x).mean;
  }

  predictWithUncertainty(x: Float32Array): Prediction {
    const rows = checkRows(x, this.dim);
    const mean = new Float64Array(rows);
    const second = new Float64Array(rows);
    this.members.forEach((member, i) => {
      const p = member.predictWithUncertainty(x);
      const w = this.weights[i];
      for (let r = 0; r < rows; r++) {
        mean[r] += w * p.mean[r];
        second[r] += w * (p.std[r] * p.std[r] + p.mean[r] * p.mean[r]);
      }
    });
    const std = new Float32Array(rows);
    for (let r = 0; r < rows; r++) std[r] = Math.sqrt(Math.max(0, second[r] - mean[r] * mean[r]));
    return { mean: Float32Array.from(mean), std };
  }

  evaluate(data: RewardDataset): RewardModelMetrics {
    return evaluateModel(this, data);
  }

  /** Each member goes to `dir/member-<i>`; `reward-model.json` lists their kinds and the weights. */
  async save(dir: string): Promise<void> {
    for (let i = 0; i < this.members.length; i++) await this.members[i].save(join(dir, `member-${i}`));
    const meta = { format: FORMAT, version: 1, kind: this.kind, dim: this.dim, members: this.members.map((m) => m.kind), weights: this.weights };
    writeFileAtomic(join(dir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  }

  /** Loads into the existing members, whose kinds must match the saved ones. */
  async load(dir: string): Promise<void> {
    const meta = readRewardModelMeta(dir);
    if (meta.kind !== this.kind) throw new DataError(`Expected an ensemble reward model in ${dir}, but got ${describeValue(meta.kind)}.`);
    const kinds = meta.members as string[];
    if (!Array.isArray(kinds) || kinds.length !== this.members.length || kinds.some((k, i) => k !== this.members[i].kind)) {
      throw new DataError(`Expected members ${this.members.map((m) => m.kind).join(', ')} in ${dir}, but got ${JSON.stringify(kinds)}.`);
    }
    for (let i = 0; i < this.members.length; i++) await this.members[i].load(join(dir, `member-${i}`));
    (this as { weights: readonly number[] }).weights = meta.weights as number[];
  }

  dispose(): void {
    for (const m of this.members) m.dispose();
  }
}


/** Rebuilds whatever reward model `dir` holds (tfjs-mlp, random-forest or ensemble). */
export async function loadRewardModel(dir: string): Promise<RewardModel> {
  const meta = readRewardModelMeta(dir);
  let model: RewardModel;
  switch (meta.kind) {
    case 'tfjs-mlp':
      model = new TfjsRewardModel();
      break;
    case 'random-forest':
      model = new Forest();
      break;
    case 'ensemble': {
      const kinds = meta.members as unknown;
      if (!Array.isArray(kinds)) throw new DataError(`Expected a list of member kinds in ${join(dir, META_FILE)}, but got ${describeValue(kinds)}.`);
      const members = await Promise.all(kinds.map((_, i) => loadRewardModel(join(dir, `member-${i}`))));
      return new EnsembleRewardModel(members, meta.weights as number[]);
    }
    default:
      throw new DataError(`Expected a reward model kind (tfjs-mlp, random-forest, ensemble) in ${dir}, but got ${describeValue(meta.kind)}.`);
  }
  await model.load(dir);
  return model;
}

export type { RewardModelSpec } from './config.js';

/**
 * Builds the model a spec describes (checked first: unknown keys and bad values fail with their path);
 * `seed` (when given) seeds every member that has no seed of its own.
 */
export function createRewardModel(spec: RewardModelSpec, seed?: number): RewardModel {
  checkRewardModelSpec(spec, 'spec');
  const withSeed = <T extends { seed?: number }>(options: T): T => (seed !== undefined && options.seed === undefined ? { ...options, seed } : options);
  switch (spec.kind) {
    case 'tfjs-mlp': {
      const { kind: _, ...options } = spec;
      return new TfjsRewardModel(withSeed(options));
    }
    case 'random-forest': {
      const { kind: _, ...options } = spec;
      return new Forest(withSeed(options));
    }
    case 'ensemble':
      // Members get distinct seeds so that two members of one kind do not coincide.
      return new EnsembleRewardModel(spec.members.map((m, i) => createRewardModel(m, seed === undefined ? i : new Rng(seed).fork(`member/${i}`).integer(0, 2 ** 31))), spec.weights);
  }
}
