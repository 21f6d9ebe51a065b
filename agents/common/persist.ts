/** Atomic JSON files and optimizer state folders for agents' save()/load(). */
import { promises as fs } from 'node:fs';
import { writeJsonAtomic } from '../../src/core/atomic-fs.js';
import { DataError } from '../../src/core/errors.js';
import type { FlatOptimizer, OptimizerState } from '../../src/nn/optim.js';
import { saveWeights, loadWeights } from '../../src/nn/io.js';

export async function writeJson(file: string, value: unknown): Promise<void> {
  writeJsonAtomic(file, value);
}

export async function readJson<T>(file: string): Promise<T> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (error) {
    throw new DataError(`Expected a readable JSON file at ${file}, but reading it failed: ${(error as Error).message}`);
  }
}

/** Optimizer moments go in `dir` in the tfjs weights layout; the step count in the returned JSON. */
export async function saveOptimizer(dir: string, optimizer: FlatOptimizer): Promise<{ kind: string; t: number }> {
  const state = optimizer.getState();
  await saveWeights(dir, state.slots.map((values, i) => ({ name: `slot_${i}`, shape: [values.length], values })));
  return { kind: state.kind, t: state.t };
}

export async function loadOptimizer(dir: string, optimizer: FlatOptimizer, meta: { kind: string; t: number }): Promise<void> {
  const slots = (await loadWeights(dir)).map((w) => w.values);
  optimizer.setState({ kind: meta.kind as OptimizerState['kind'], t: meta.t, slots });
}
