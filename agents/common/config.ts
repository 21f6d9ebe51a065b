/**
 * Config validation shared by the algorithms: merge user values over documented defaults, reject unknown
 * keys (with the nearest known one), and check ranges with messages that say what to change.
 */
import { ConfigError, describeValue } from '../../src/core/errors.js';

export function resolveConfig<C extends object>(algo: string, defaults: C, user: Partial<C> | undefined): C {
  const known = Object.keys(defaults);
  for (const key of Object.keys(user ?? {})) {
    if (!known.includes(key)) {
      const near = known.filter((k) => k.toLowerCase().includes(key.toLowerCase().slice(0, 4)));
      throw new ConfigError(`Expected a ${algo} config key (one of ${known.join(', ')}), but got ${JSON.stringify(key)}.${near.length ? ` Did you mean ${near.join(', ')}?` : ''}`);
    }
  }
  const merged = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(user ?? {})) if (v !== undefined) merged[k] = v;
  return merged as C;
}

export interface NumberRule {
  integer?: boolean;
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  max?: number;
  nullable?: boolean;
}

export function checkNumber(config: object, key: string, rule: NumberRule): void {
  const value = (config as Record<string, unknown>)[key];
  if (value === null && rule.nullable) return;
  const parts: string[] = [rule.integer ? 'an integer' : 'a number'];
  if (rule.min !== undefined) parts.push(`>= ${rule.min}`);
  if (rule.above !== undefined) parts.push(`> ${rule.above}`);
  if (rule.max !== undefined) parts.push(`<= ${rule.max}`);
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.above === undefined || value > rule.above) &&
    (rule.max === undefined || value <= rule.max);
  if (!ok) throw new ConfigError(`Expected ${key} to be ${parts.join(' ')}${rule.nullable ? ' or null' : ''}, but got ${describeValue(value)}.`);
}

export function checkChoice(config: object, key: string, choices: readonly unknown[]): void {
  const value = (config as Record<string, unknown>)[key];
  if (!choices.includes(value)) throw new ConfigError(`Expected ${key} to be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, but got ${describeValue(value)}.`);
}

export function checkLayers(config: object, key: string): void {
  const value = (config as Record<string, unknown>)[key];
  if (!Array.isArray(value) || value.some((h) => !Number.isInteger(h) || h <= 0)) {
    throw new ConfigError(`Expected ${key} to be an array of positive integers (hidden layer sizes), but got ${describeValue(value)}.`);
  }
}

/** SB3's linear schedule: `start` at progress 0 down to `start * endFraction` at progress 1. */
export function scheduled(start: number, schedule: 'constant' | 'linear', progress: number, endFraction = 0): number {
  if (schedule === 'constant') return start;
  const p = Math.min(Math.max(progress, 0), 1);
  return start * (1 - p * (1 - endFraction));
}
