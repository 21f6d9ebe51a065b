/**
 * The FeedbackBuffer keeps the simulated users' feedback (the orchestrator's `info.feedback` events, with
 * the features of the tasks they are about) and turns it into a RewardDataset for the reward models.
 *
 * On disk it is JSONL: a header line `{"format":"loopgym-feedback","version":1,"dim":D,"labels":[...]}`,
 * then one event per line, the orchestrator's event fields with features as number arrays, plus the true
 * satisfaction when the writer knew it (evaluation only). Saving is atomic (temp file + rename). Loading
 * checks every line; a corrupt one is reported with its line number and either skipped
 * (`onCorrupt: 'skip'`, the default) or fails the load (`'error'`), never used.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, DataError, describeValue } from '../core/errors.js';
import type { PreferenceFeedback, ScoreFeedback } from '../../envs/orchestrator/feedback.js';
import { REWARD_FEATURE_DIM, REWARD_FEATURE_LABELS, checkFeatures } from './features.js';
import { writeFileAtomic } from '../core/atomic-fs.js';
import { normalizeCat, type RewardDataset } from './reward-model.js';

/** A scored task; `trueSatisfaction` is the hidden truth, kept for evaluation only (never trained on). */
export type ScoreRecord = ScoreFeedback & { trueSatisfaction?: number };
/** A pairwise preference; the truths, when known, are for evaluation only. */
export type PreferenceRecord = PreferenceFeedback & { trueSatisfactionA?: number; trueSatisfactionB?: number };
export type FeedbackRecord = ScoreRecord | PreferenceRecord;

export const FEEDBACK_FORMAT = 'loopgym-feedback';
export const FEEDBACK_FORMAT_VERSION = 1;

export interface FeedbackBufferConfig {
  /** Features per task. Default: the orchestrator's TASK_OUTCOME_FEATURE_DIM. */
  dim?: number;
  /** Most records kept; the oldest go first. Default Infinity. */
  capacity?: number;
}

export interface CorruptLine {
  /** 1-based line number in the file. */
  line: number;
  message: string;
}

export interface LoadFeedbackOptions {
  /** What to do with a corrupt line: `skip` it (reported in `corrupt` and to `onWarning`) or throw. Default `skip`. */
  onCorrupt?: 'skip' | 'error';
  /** Called once per skipped line. */
  onWarning?: (corrupt: CorruptLine) => void;
  /** Overrides the buffer config (e.g. capacity); `dim` defaults to the file header's. */
  config?: FeedbackBufferConfig;
}

export class FeedbackBuffer {
  readonly dim: number;
  readonly capacity: number;
  private records: FeedbackRecord[] = [];
  private scores = 0;
  /** Every record ever added, including those the capacity pushed out. */
  totalAdded = 0;

  constructor(config: FeedbackBufferConfig = {}) {
    this.dim = config.dim ?? REWARD_FEATURE_DIM;
    this.capacity = config.capacity ?? Infinity;
    if (!Number.isInteger(this.dim) || this.dim <= 0) throw new ConfigError(`Expected dim to be a positive integer, but got ${describeValue(this.dim)}.`);
    if (!(this.capacity === Infinity || (Number.isInteger(this.capacity) && this.capacity > 0))) {
      throw new ConfigError(`Expected capacity to be a positive integer or Infinity, but got ${describeValue(this.capacity)}.`);
    }
  }

  get size(): number {
    return this.records.length;
  }

  get scoreCount(): number {
    return this.scores;
  }

  get preferenceCount(): number {
    return this.records.length - this.scores;
  }

  /** The records, oldest first. Treat as read-only. */
  all(): readonly FeedbackRecord[] {
    return this.records;
  }

  /** Adds one event; the features are copied so the env may reuse its arrays. `where` names it in errors. */
  add(record: FeedbackRecord, where = `record ${this.totalAdded}`): void {
    const copy = copyRecord(record);
    checkRecord(copy, this.dim, where);
    this.records.push(copy);
    if (copy.type === 'score') this.scores++;
    this.totalAdded++;
    if (this.records.length > this.capacity) {
      const dropped = this.records.shift()!;
      if (dropped.type === 'score') this.scores--;
    }
  }

  /** Takes over `other`'s records and counters (restoring a saved buffer into this one). */
  replaceWith(other: FeedbackBuffer): void {
    this.records = other.records.map(copyRecord);
    this.scores = other.scores;
    this.totalAdded = other.totalAdded;
  }

  clear(): void {
    this.records = [];
    this.scores = 0;
  }

  /** The buffer as typed arrays; `filter` keeps a subset (e.g. a held-out split). */
  toDataset(filter?: (record: FeedbackRecord, index: number) => boolean): RewardDataset {
    return recordsToDataset(filter ? this.records.filter(filter) : this.records, this.dim);
  }

  /** Writes the buffer as JSONL, atomically. */
  save(path: string): void {
    const lines = [JSON.stringify({ format: FEEDBACK_FORMAT, version: FEEDBACK_FORMAT_VERSION, dim: this.dim, labels: this.dim === REWARD_FEATURE_DIM ? REWARD_FEATURE_LABELS : undefined })];
    for (const record of this.records) lines.push(JSON.stringify(recordToJson(record)));
    writeFileAtomic(path, `${lines.join('\n')}\n`);
  }

  /** Reads a JSONL file written by `save` (or by hand, header optional). */
  static load(path: string, options: LoadFeedbackOptions = {}): { buffer: FeedbackBuffer; corrupt: CorruptLine[] } {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new DataError(`Expected a readable feedback file at ${path}, but got ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
    }
    return FeedbackBuffer.parse(text, { ...options, source: path });
  }

  /** Parses JSONL text; `source` names it in messages. */
  static parse(text: string, options: LoadFeedbackOptions & { source?: string } = {}): { buffer: FeedbackBuffer; corrupt: CorruptLine[] } {
    const onCorrupt = options.onCorrupt ?? 'skip';
    if (onCorrupt !== 'skip' && onCorrupt !== 'error') throw new ConfigError(`Expected onCorrupt to be skip or error, but got ${describeValue(onCorrupt)}.`);
    const source = options.source ?? 'feedback JSONL';
    const lines = text.split('\n');
    let dim = options.config?.dim;
    let first = 0;
    while (first < lines.length && lines[first].trim() === '') first++;
    if (first < lines.length) {
      const header = tryParse(lines[first]);
      if (header && typeof header === 'object' && (header as { format?: unknown }).format === FEEDBACK_FORMAT) {
        const { version, dim: headerDim } = header as { version?: unknown; dim?: unknown };
        if (version !== FEEDBACK_FORMAT_VERSION) {
          throw new DataError(`Expected ${FEEDBACK_FORMAT} version ${FEEDBACK_FORMAT_VERSION} at line ${first + 1} of ${source}, but got ${describeValue(version)}.`);
        }
        if (dim !== undefined && headerDim !== dim) {
          throw new DataError(`Expected dim ${dim} in the header of ${source}, but got ${describeValue(headerDim)}.`);
        }
        dim = headerDim as number;
        first++;
      }
    }
    const buffer = new FeedbackBuffer({ ...options.config, dim });
    const corrupt: CorruptLine[] = [];
    for (let i = first; i < lines.length; i++) {
      if (lines[i].trim() === '') continue;
      const where = `line ${i + 1} of ${source}`;
      try {
        const parsed = tryParse(lines[i]);
        if (parsed === undefined) throw new DataError(`Expected a JSON object at ${where}, but got text that does not parse.`);
        buffer.add(recordFromJson(parsed, where), where);
      } catch (error) {
        if (!(error instanceof DataError)) throw error;
        if (onCorrupt === 'error') throw error;
        const entry = { line: i + 1, message: error.message };
        corrupt.push(entry);
        options.onWarning?.(entry);
      }
    }
    return { buffer, corrupt };
  }
}

/** Typed arrays from records: scores become rows of x/y (y = normalized CAT), preferences become pairs. */
export function recordsToDataset(records: readonly FeedbackRecord[], dim: number): RewardDataset {
  let scores = 0;
  for (const r of records) if (r.type === 'score') scores++;
  const pairs = records.length - scores;
  const data: RewardDataset = {
    dim,
    x: new Float32Array(scores * dim),
    y: new Float32Array(scores),
    pairA: new Float32Array(pairs * dim),
    pairB: new Float32Array(pairs * dim),
    preferred: new Uint8Array(pairs),
    truth: new Float32Array(scores),
  };
  let s = 0;
  let p = 0;
  for (const r of records) {
    if (r.type === 'score') {
      data.x.set(r.features, s * dim);
      data.y[s] = normalizeCat(r.cat);
      data.truth![s] = r.trueSatisfaction ?? NaN;
      s++;
    } else {
      data.pairA.set(r.featuresA, p * dim);
      data.pairB.set(r.featuresB, p * dim);
      data.preferred[p] = r.preferred;
      p++;
    }
  }
  return data;
}

function tryParse(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function copyRecord(record: FeedbackRecord): FeedbackRecord {
  if (record.type === 'score') return { ...record, ratings: { ...record.ratings }, features: Float32Array.from(record.features) };
  return { ...record, featuresA: Float32Array.from(record.featuresA), featuresB: Float32Array.from(record.featuresB) };
}

function recordToJson(record: FeedbackRecord): Record<string, unknown> {
  if (record.type === 'score') return { ...record, features: Array.from(record.features) };
  return { ...record, featuresA: Array.from(record.featuresA), featuresB: Array.from(record.featuresB) };
}

function checkRecord(record: FeedbackRecord, dim: number, where: string): void {
  if (record.type === 'score') {
    if (!Number.isInteger(record.cat) || record.cat < 1 || record.cat > 10) {
      throw new DataError(`Expected an integer CAT score 1-10 at ${where}, but got ${describeValue(record.cat)}.`);
    }
    checkFeatures(record.features, dim, where);
    checkOptionalUnit(record.trueSatisfaction, 'trueSatisfaction', where);
  } else if (record.type === 'preference') {
    if (record.preferred !== 0 && record.preferred !== 1) throw new DataError(`Expected preferred to be 0 or 1 at ${where}, but got ${describeValue(record.preferred)}.`);
    checkFeatures(record.featuresA, dim, `${where} (featuresA)`);
    checkFeatures(record.featuresB, dim, `${where} (featuresB)`);
    checkOptionalUnit(record.trueSatisfactionA, 'trueSatisfactionA', where);
    checkOptionalUnit(record.trueSatisfactionB, 'trueSatisfactionB', where);
  } else {
    throw new DataError(`Expected type score or preference at ${where}, but got ${describeValue((record as { type?: unknown }).type)}.`);
  }
}

function checkOptionalUnit(value: number | undefined, name: string, where: string): void {
  if (value !== undefined && !(typeof value === 'number' && value >= 0 && value <= 1)) {
    throw new DataError(`Expected ${name} in [0, 1] at ${where}, but got ${describeValue(value)}.`);
  }
}

function numberArray(value: unknown, name: string, where: string): Float32Array {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number')) {
    throw new DataError(`Expected ${name} to be an array of numbers at ${where}, but got ${describeValue(value)}.`);
  }
  return Float32Array.from(value as number[]);
}

function finiteNumber(value: unknown, name: string, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new DataError(`Expected ${name} to be a number at ${where}, but got ${describeValue(value)}.`);
  return value;
}

function recordFromJson(value: unknown, where: string): FeedbackRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DataError(`Expected a JSON object at ${where}, but got ${describeValue(value)}.`);
  const v = value as Record<string, unknown>;
  const tick = finiteNumber(v.tick, 'tick', where);
  if (v.type === 'score') {
    const ratings = v.ratings as Record<string, unknown> | undefined;
    if (typeof ratings !== 'object' || ratings === null) throw new DataError(`Expected ratings to be an object at ${where}, but got ${describeValue(ratings)}.`);
    const record: ScoreRecord = {
      type: 'score',
      taskId: finiteNumber(v.taskId, 'taskId', where),
      tick,
      cat: finiteNumber(v.cat, 'cat', where),
      ratings: {
        creativity: finiteNumber(ratings.creativity, 'ratings.creativity', where),
        usefulness: finiteNumber(ratings.usefulness, 'ratings.usefulness', where),
        novelty: finiteNumber(ratings.novelty, 'ratings.novelty', where),
        quality: finiteNumber(ratings.quality, 'ratings.quality', where),
      },
      features: numberArray(v.features, 'features', where),
    };
    if (v.trueSatisfaction !== undefined) record.trueSatisfaction = finiteNumber(v.trueSatisfaction, 'trueSatisfaction', where);
    return record;
  }
  if (v.type === 'preference') {
    const record: PreferenceRecord = {
      type: 'preference',
      tick,
      taskA: finiteNumber(v.taskA, 'taskA', where),
      taskB: finiteNumber(v.taskB, 'taskB', where),
      preferred: v.preferred as 0 | 1,
      featuresA: numberArray(v.featuresA, 'featuresA', where),
      featuresB: numberArray(v.featuresB, 'featuresB', where),
    };
    if (v.trueSatisfactionA !== undefined) record.trueSatisfactionA = finiteNumber(v.trueSatisfactionA, 'trueSatisfactionA', where);
    if (v.trueSatisfactionB !== undefined) record.trueSatisfactionB = finiteNumber(v.trueSatisfactionB, 'trueSatisfactionB', where);
    return record;
  }
  throw new DataError(`Expected type score or preference at ${where}, but got ${describeValue(v.type)}.`);
}
