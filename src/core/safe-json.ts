/**
 * Input that names object keys is checked so that it can never reach an object's prototype: applying the
 * path `a.__proto__.isAdmin` to a spec would write to Object.prototype, and `Object.assign` of a parsed
 * `{"__proto__": ...}` would replace an object's prototype. `__proto__`, `prototype` and `constructor` are
 * refused as path segments and as keys anywhere in a JSON document loopgym reads from a user or a client.
 */
import { ConfigError } from './errors.js';

export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

export function forbiddenKeyError(key: string, where: string): ConfigError {
  return new ConfigError(`${where}: Expected plain field names, but got the key ${JSON.stringify(key)}, which could reach an object prototype; it is refused.`);
}

/** Throws a ConfigError naming `where` if a segment of `path` is a prototype key. */
export function assertSafePath(path: readonly string[], where = path.join('.')): void {
  for (const key of path) if (FORBIDDEN_KEYS.has(key)) throw forbiddenKeyError(key, where);
}

/** JSON.parse that refuses prototype keys anywhere in the document (ConfigError naming `source`). */
export function parseJsonSafely(text: string, source: string): unknown {
  return JSON.parse(text, (key: string, value: unknown) => {
    if (FORBIDDEN_KEYS.has(key)) throw forbiddenKeyError(key, source);
    return value;
  });
}
