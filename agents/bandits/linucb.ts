/**
 * Disjoint LinUCB (Li, Chu, Langford & Schapire 2010, algorithm 1).
 * The shared machinery (learn, act, save/load) is BanditAgent in bandit-agent.ts.
 */
import { Matrix, inverse } from 'ml-matrix';
import { z } from 'zod';
import { resolveConfig } from '../../src/core/config-schema.js';
import { BanditAgent, banditCommonFields, resolveBanditConfig, type BanditContext } from './bandit-agent.js';
import { ConfigError } from '../../src/core/errors.js';

export const LinUCBConfigSchema = z.strictObject({
  ...banditCommonFields,
  alpha: z.number().min(0).default(1).describe('Width of the confidence bound: score = theta_a . x + alpha sqrt(x^T A_a^-1 x)'),
  regularization: z.number().gt(0).default(1).describe('Ridge regularization lambda: A_a starts as lambda I'),
  fitIntercept: z.boolean().default(true).describe('Append a constant 1 to the context, so each arm also learns an intercept'),
  reinvertEvery: z
    .number()
    .int()
    .min(0)
    .default(1000)
    .describe('A_a^-1 is kept by Sherman-Morrison updates, whose rounding drifts slowly; every this many updates of an arm it is recomputed from A_a exactly (ml-matrix); 0 = never'),
  contextDim: z.number().int().min(1).optional().describe("Length of the observation; when omitted, taken from the env's observation space on the first learn()"),
});

export type LinUCBConfig = z.output<typeof LinUCBConfigSchema>;
export type LinUCBConfigInput = z.input<typeof LinUCBConfigSchema>;

export class LinUCBAgent extends BanditAgent<LinUCBConfig> {
  readonly name = 'linucb';
  // Per arm, row-major d x d: A_a = lambda I + sum x x^T and its inverse; b_a = sum reward * x.
  private a: Float64Array[] = [];
  private aInverse: Float64Array[] = [];
  private b: Float64Array[] = [];
  private sinceInverse = new Int32Array(0);
  // Scratch vectors, reused so acting allocates nothing.
  private x = new Float64Array(0);
  private aInvX = new Float64Array(0);

  constructor(config: LinUCBConfigInput = {}, context: BanditContext = {}) {
    super(resolveBanditConfig(LinUCBConfigSchema, 'linucb', config, context), true, context);
  }

  protected validate(config: Record<string, unknown>) {
    return resolveConfig(LinUCBConfigSchema, config, 'linucb');
  }

  protected override setSizes(numArms: number, contextDim: number): void {
    if (this.config.contextDim !== undefined && this.config.contextDim !== contextDim) {
      throw new ConfigError(`Expected contextDim ${this.config.contextDim} to match the env's ${contextDim}-dim observations, but it differs.`);
    }
    super.setSizes(numArms, contextDim);
  }

  private get featureDim(): number {
    return this.contextDim + (this.config.fitIntercept ? 1 : 0);
  }

  protected initState(): void {
    const d = this.featureDim;
    const scaledIdentity = (scale: number) => {
      const m = new Float64Array(d * d);
      for (let i = 0; i < d; i++) m[i * d + i] = scale;
      return m;
    };
    this.a = Array.from({ length: this.numArms }, () => scaledIdentity(this.config.regularization));
    this.aInverse = Array.from({ length: this.numArms }, () => scaledIdentity(1 / this.config.regularization));
    this.b = Array.from({ length: this.numArms }, () => new Float64Array(d));
    this.sinceInverse = new Int32Array(this.numArms);
    this.x = new Float64Array(d);
    this.aInvX = new Float64Array(d);
  }

  /** Fills `this.x` with the features of a context (the context, then 1 when fitting an intercept). */
  private loadFeatures(context: Float32Array): void {
    for (let i = 0; i < this.contextDim; i++) this.x[i] = context[i];
    if (this.config.fitIntercept) this.x[this.contextDim] = 1;
  }

  /** Sets `this.aInvX` = A_a^-1 x and returns x^T A_a^-1 x. */
  private solveFeatures(arm: number): number {
    const d = this.featureDim;
    const inverse = this.aInverse[arm];
    const x = this.x;
    let quadratic = 0;
    for (let i = 0; i < d; i++) {
      let sum = 0;
      for (let j = 0; j < d; j++) sum += inverse[i * d + j] * x[j];
      this.aInvX[i] = sum;
      quadratic += x[i] * sum;
    }
    return quadratic;
  }

  /** theta_a . x = b_a^T A_a^-1 x (A_a^-1 is symmetric), with `this.aInvX` already computed. */
  private predicted(arm: number): number {
    const b = this.b[arm];
    let mean = 0;
    for (let i = 0; i < b.length; i++) mean += b[i] * this.aInvX[i];
    return mean;
  }

  /** theta_a = A_a^-1 b_a, the ridge-regression coefficients of arm a (intercept last). */
  coefficients(arm: number): Float64Array {
    const inverse = new Matrix(Array.from({ length: this.featureDim }, (_, i) => Array.from(this.aInverse[arm].subarray(i * this.featureDim, (i + 1) * this.featureDim))));
    return Float64Array.from(inverse.mmul(Matrix.columnVector(Array.from(this.b[arm]))).getColumn(0));
  }

  protected score(arm: number, context: Float32Array): number {
    this.loadFeatures(context);
    const width = this.solveFeatures(arm);
    return this.predicted(arm) + this.config.alpha * Math.sqrt(Math.max(0, width));
  }

  protected mean(arm: number, context: Float32Array): number {
    this.loadFeatures(context);
    this.solveFeatures(arm);
    return this.predicted(arm);
  }

  protected observe(arm: number, reward: number, context: Float32Array): void {
    const d = this.featureDim;
    this.loadFeatures(context);
    const x = this.x;
    const a = this.a[arm];
    const b = this.b[arm];
    for (let i = 0; i < d; i++) {
      b[i] += reward * x[i];
      for (let j = 0; j < d; j++) a[i * d + j] += x[i] * x[j];
    }
    if (this.config.reinvertEvery > 0 && ++this.sinceInverse[arm] >= this.config.reinvertEvery) {
      this.aInverse[arm] = Float64Array.from(inverse(Matrix.from1DArray(d, d, a)).to1DArray());
      this.sinceInverse[arm] = 0;
      return;
    }
    // Sherman-Morrison: (A + x x^T)^-1 = A^-1 - (A^-1 x)(A^-1 x)^T / (1 + x^T A^-1 x), A^-1 symmetric.
    const denominator = 1 + this.solveFeatures(arm);
    const inverseMatrix = this.aInverse[arm];
    const u = this.aInvX;
    for (let i = 0; i < d; i++) {
      const ui = u[i] / denominator;
      for (let j = 0; j < d; j++) inverseMatrix[i * d + j] -= ui * u[j];
    }
  }

  protected stateToJSON() {
    return { a: this.a.map((m) => Array.from(m)), aInverse: this.aInverse.map((m) => Array.from(m)), b: this.b.map((v) => Array.from(v)), sinceInverse: Array.from(this.sinceInverse) };
  }

  protected stateFromJSON(state: unknown): void {
    const s = state as { a: number[][]; aInverse: number[][]; b: number[][]; sinceInverse: number[] };
    this.a = s.a.map((m) => Float64Array.from(m));
    this.aInverse = s.aInverse.map((m) => Float64Array.from(m));
    this.b = s.b.map((v) => Float64Array.from(v));
    this.sinceInverse = Int32Array.from(s.sinceInverse);
  }
}
