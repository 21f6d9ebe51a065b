/**
 * Config fields the algorithms share, as zod schemas (the one config style: src/core/config-schema.ts).
 * An algorithm declares its config as one `z.strictObject` in its own file, from these fields and its own,
 * and resolves user input with `resolveConfig(schema, input, name)`: defaults, unknown keys with did-you-mean,
 * messages that name the field, what it accepts and what it got. Adding a field is one line in that object.
 */
import { z } from 'zod';
import { resolveConfig } from '../../src/core/config-schema.js';
import { BACKEND_NAMES, type BackendName } from '../../src/nn/backend.js';
import { ENGINES } from './policy-value-net.js';

const layerSizes = z.array(z.number().int().min(1));

/** Hidden layer sizes of an MLP. */
export const hiddenLayers = (description: string) => layerSizes.default([64, 64]).describe(description);

/** Hidden activation of an MLP. */
export const activationField = (fallback: 'tanh' | 'relu', description: string) => z.enum(['tanh', 'relu']).default(fallback).describe(description);

/** Weight initialization of an MLP. */
export const initField = (fallback: 'orthogonal' | 'glorot' | 'torch', description: string) => z.enum(['orthogonal', 'glorot', 'torch']).default(fallback).describe(description);

/** A learning-rate or clip-range schedule over one learn() call. */
export const scheduleField = (description: string) => z.enum(['constant', 'linear']).default('constant').describe(description);

export const discountField = z.number().min(0).max(1).default(0.99).describe('Discount factor gamma');

export const backendField = z
  .enum(BACKEND_NAMES as [BackendName, ...BackendName[]])
  .default('auto')
  .describe('TensorFlow.js backend: auto picks node, else wasm, else cpu');

export const engineField = z
  .enum(ENGINES)
  .default('wasm-simd')
  .describe('What computes the networks: wasm-simd (WebAssembly SIMD kernels) or tfjs (TensorFlow.js on `backend`, the reference); results are bit-identical within an engine');

export const logFormatsField = z
  .array(z.enum(['stdout', 'jsonl', 'csv']))
  .default([])
  .describe('Log outputs: stdout, and metrics.jsonl / progress.csv in logDir; none keeps the history in memory only');

export const logDirField = z.string().nullable().default(null).describe('Folder for the jsonl/csv logs');

/** The cross-field rule of every agent that logs: file formats need a folder. */
export function logDirRule(config: { logFormats: readonly string[]; logDir: string | null }, blame: (field: string, expectation: string) => void): void {
  if (config.logFormats.some((format) => format !== 'stdout') && !config.logDir) blame('logDir', 'to be set for the jsonl/csv log formats');
}

const LearnBudgetSchema = z.strictObject({ totalSteps: z.number().int().min(1).describe('Env steps to learn for') });

/** Checks learn()'s budget with the same messages as a config field. */
export function checkTotalSteps(totalSteps: number): void {
  resolveConfig(LearnBudgetSchema, { totalSteps }, { label: 'learn', path: '' });
}

/** SB3's linear schedule: `start` at progress 0 down to `start * endFraction` at progress 1. */
export function scheduled(start: number, schedule: 'constant' | 'linear', progress: number, endFraction = 0): number {
  if (schedule === 'constant') return start;
  const p = Math.min(Math.max(progress, 0), 1);
  return start * (1 - p * (1 - endFraction));
}
