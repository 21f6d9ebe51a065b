/**
 * ForestRewardModel: random-forest regression of the normalized CAT score (ml-random-forest), the strong
 * non-neural baseline. Preferences are not used (a forest has no pairwise loss); the spread of the trees'
 * predictions is the uncertainty.
 *
 * ml-cart looks for a split at every position where the target changes between neighbours in feature
 * order, and evaluates each one over all rows: quadratic in the rows, hopeless at 10k samples. Three
 * things keep it tractable, none of which changes what a tree can learn much:
 * - each tree is grown by its own single-tree ml-random-forest on a bootstrap sample of at most
 *   `maxSamplesPerTree` rows, drawn with the model's Rng (ml-random-forest's own bagging would need its
 *   own seed stream and cannot cap the sample);
 * - those rows are sorted by target before training, so that among rows with equal feature values the
 *   target changes only a few times (the normalized CAT score has ten levels), and ml-cart sees a few
 *   candidate splits per distinct feature value instead of one per row;
 * - continuous features are rounded to `featureLevels` levels of their training range, which bounds the
 *   distinct values per feature.
 * There is no warm start: `update` grows a new forest on the data it is given.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RandomForestRegression } from 'ml-random-forest';
import { ConfigError, DataError, describeValue } from '../core/errors.js';
import { Rng, type RngState } from '../core/rng.js';
import { resolveConfig } from '../core/config-schema.js';
import { ForestRewardModelConfigSchema, type ForestRewardModelConfig, type ForestRewardModelConfigInput } from './config.js';
import { writeFileAtomic } from '../core/atomic-fs.js';
import type { RewardModelMetrics } from './metrics.js';
import { checkDataset, checkRows, evaluateModel, REWARD_MODEL_FORMAT, REWARD_MODEL_META_FILE, type Prediction, type RewardDataset, type RewardModel } from './reward-model.js';

export type { ForestRewardModelConfig, ForestRewardModelConfigInput } from './config.js';

const FORMAT = REWARD_MODEL_FORMAT;
const META_FILE = REWARD_MODEL_META_FILE;
const TREES_FILE = 'forest.json';

export class ForestRewardModel implements RewardModel {
  readonly kind = 'random-forest';
  readonly warmStarts = false;
  readonly config: Readonly<ForestRewardModelConfig>;
  readonly dim: number;
  private rng: Rng;
  private trees: RandomForestRegression[] = [];
  /** Per feature: low end and step of the rounding grid (step 0 = left as is: binary or constant). */
  private gridLow: Float64Array;
  private gridStep: Float64Array;

  constructor(config: ForestRewardModelConfigInput = {}) {
    this.config = resolveConfig(ForestRewardModelConfigSchema, config, 'random-forest');
    this.dim = this.config.dim;
    this.rng = new Rng(this.config.seed).fork('forest-reward-model');
    this.gridLow = new Float64Array(this.dim);
    this.gridStep = new Float64Array(this.dim);
  }

  get fitted(): boolean {
    return this.trees.length > 0;
  }

  fit(data: RewardDataset): void {
    checkDataset(data, this.dim);
    const n = data.y.length;
    if (n < 2) throw new ConfigError(`Expected at least 2 scored tasks to grow a forest, but got ${n}.`);
    this.setGrid(data.x, n);
    const rows: number[][] = new Array(n);
    for (let r = 0; r < n; r++) rows[r] = this.quantizeRow(data.x, r);
    const fitRng = this.rng.fork(`fit-${this.rng.uint32()}`);
    const sampleSize = Math.min(n, this.config.maxSamplesPerTree);
    const trees: RandomForestRegression[] = [];
    for (let t = 0; t < this.config.nEstimators; t++) {
      const picks = new Int32Array(sampleSize);
      for (let i = 0; i < sampleSize; i++) picks[i] = fitRng.integer(0, n);
      // Sorted by target (ties by row) so ml-cart's split search stays small; see the module docs.
      const order = Array.from(picks).sort((a, b) => data.y[a] - data.y[b] || a - b);
      const tree = new RandomForestRegression({
        nEstimators: 1,
        maxFeatures: this.config.maxFeatures,
        replacement: false,
        useSampleBagging: false,
        noOOB: true,
        seed: fitRng.uint32() >>> 1,
        treeOptions: { maxDepth: this.config.maxDepth, minNumSamples: this.config.minNumSamples },
      } as never);
      tree.train(
        order.map((r) => rows[r]),
        order.map((r) => data.y[r]),
      );
      trees.push(tree);
    }
    this.trees = trees;
  }

  /** Grows a new forest on `data` (forests do not warm-start). */
  update(data: RewardDataset): void {
    this.fit(data);
  }

  predict(x: Float32Array): Float32Array {
    return this.predictWithUncertainty(x).mean;
  }

  predictWithUncertainty(x: Float32Array): Prediction {
    if (!this.fitted) throw new ConfigError('Expected a fitted reward model (call fit or load first), but got an unfitted one.');
    const rows = checkRows(x, this.dim);
    const matrix: number[][] = new Array(rows);
    for (let r = 0; r < rows; r++) matrix[r] = this.quantizeRow(x, r);
    const k = this.trees.length;
    const perTree = this.trees.map((tree) => (rows > 0 ? tree.predict(matrix) : []));
    const mean = new Float32Array(rows);
    const std = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let t = 0; t < k; t++) sum += perTree[t][r];
      const avg = sum / k;
      let sq = 0;
      for (let t = 0; t < k; t++) sq += (perTree[t][r] - avg) ** 2;
      mean[r] = avg;
      std[r] = Math.sqrt(sq / k);
    }
    return { mean, std };
  }

  evaluate(data: RewardDataset): RewardModelMetrics {
    return evaluateModel(this, data);
  }

  async save(dir: string): Promise<void> {
    if (!this.fitted) throw new ConfigError('Expected a fitted reward model to save, but got an unfitted one.');
    writeFileAtomic(join(dir, TREES_FILE), JSON.stringify(this.trees.map((t) => t.toJSON())));
    const meta = {
      format: FORMAT,
      version: 1,
      kind: this.kind,
      config: this.config,
      gridLow: Array.from(this.gridLow),
      gridStep: Array.from(this.gridStep),
      rng: this.rng.state(),
    };
    writeFileAtomic(join(dir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  }

  async load(dir: string): Promise<void> {
    let meta: Record<string, unknown>;
    let trees: unknown;
    try {
      meta = JSON.parse(readFileSync(join(dir, META_FILE), 'utf8')) as Record<string, unknown>;
      trees = JSON.parse(readFileSync(join(dir, TREES_FILE), 'utf8'));
    } catch (error) {
      throw new DataError(`Expected a readable forest reward model in ${dir}, but got ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
    }
    if (meta.format !== FORMAT || meta.kind !== this.kind) {
      throw new DataError(`Expected a ${this.kind} reward model in ${dir}, but got ${describeValue(meta.kind)}.`);
    }
    if (!Array.isArray(trees) || trees.length === 0) throw new DataError(`Expected a list of trees in ${join(dir, TREES_FILE)}, but got ${describeValue(trees)}.`);
    const config = resolveConfig(ForestRewardModelConfigSchema, meta.config, 'random-forest');
    (this as { config: Readonly<ForestRewardModelConfig> }).config = config;
    (this as { dim: number }).dim = config.dim;
    this.gridLow = Float64Array.from(meta.gridLow as number[]);
    this.gridStep = Float64Array.from(meta.gridStep as number[]);
    this.rng = Rng.fromState(meta.rng as RngState);
    this.trees = trees.map((t) => RandomForestRegression.load(t as never));
  }

  dispose(): void {
    this.trees = [];
  }

  private setGrid(x: Float32Array, n: number): void {
    const d = this.dim;
    const levels = this.config.featureLevels;
    for (let i = 0; i < d; i++) {
      let low = Infinity;
      let high = -Infinity;
      let binary = true;
      for (let r = 0; r < n; r++) {
        const v = x[r * d + i];
        if (v < low) low = v;
        if (v > high) high = v;
        if (v !== 0 && v !== 1) binary = false;
      }
      this.gridLow[i] = low;
      this.gridStep[i] = binary || !(high > low) ? 0 : (high - low) / levels;
    }
  }

  private quantizeRow(x: Float32Array, r: number): number[] {
    const d = this.dim;
    const row = new Array<number>(d);
    for (let i = 0; i < d; i++) {
      const v = x[r * d + i];
      const step = this.gridStep[i];
      row[i] = step > 0 ? Math.round((v - this.gridLow[i]) / step) : v;
    }
    return row;
  }
}
