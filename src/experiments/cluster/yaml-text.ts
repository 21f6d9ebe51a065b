/**
 * A small YAML writer for the manifests loopgym emits: block maps and sequences, plain scalars where they
 * cannot be misread (anything that could read as a number, boolean or null, or holds YAML syntax, is
 * double-quoted with JSON escapes, which YAML reads the same), and literal blocks (`|`) for embedded
 * files. Only plain data goes in (no anchors, tags or multi-line keys), so the output is a pure function
 * of the input and golden tests can hold it.
 */
import { DataError } from '../../core/errors.js';

/** A multi-line string written as a literal block (`key: |`), e.g. a file in a ConfigMap. */
export class LiteralBlock {
  constructor(readonly text: string) {}
}

export type YamlValue = string | number | boolean | null | LiteralBlock | YamlValue[] | { [key: string]: YamlValue };

const PLAIN = /^(?:[A-Za-z_/]|-[A-Za-z-])(?:[\w./:@-]*[\w./@-])?$/;
const RESERVED = /^(true|false|yes|no|on|off|null|y|n|~)$/i;

export function yamlScalar(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new DataError(`Expected a finite number for YAML, but got ${value}.`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  return PLAIN.test(value) && !RESERVED.test(value) ? value : JSON.stringify(value);
}

/** One YAML document (without the `---` separator) for a map. */
export function yamlDocument(value: { [key: string]: YamlValue }): string {
  return `${mapLines(value, 0).join('\n')}\n`;
}

function isMap(value: YamlValue): value is { [key: string]: YamlValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof LiteralBlock);
}

function mapLines(map: { [key: string]: YamlValue }, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  for (const [rawKey, value] of Object.entries(map)) {
    const key = yamlScalar(rawKey);
    if (value instanceof LiteralBlock) {
      out.push(`${pad}${key}: |`, ...value.text.replace(/\n$/, '').split('\n').map((line) => (line === '' ? '' : `${pad}  ${line}`)));
    } else if (Array.isArray(value)) {
      out.push(value.length === 0 ? `${pad}${key}: []` : `${pad}${key}:`, ...sequenceLines(value, indent + 2));
    } else if (isMap(value)) {
      out.push(Object.keys(value).length === 0 ? `${pad}${key}: {}` : `${pad}${key}:`, ...mapLines(value, indent + 2));
    } else {
      out.push(`${pad}${key}: ${yamlScalar(value)}`);
    }
  }
  return out;
}

function sequenceLines(items: YamlValue[], indent: number): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  for (const item of items) {
    if (isMap(item) && Object.keys(item).length > 0) {
      const lines = mapLines(item, indent + 2);
      out.push(`${pad}- ${lines[0].slice(indent + 2)}`, ...lines.slice(1));
    } else if (Array.isArray(item) || item instanceof LiteralBlock || isMap(item)) {
      throw new DataError('Expected sequence items that are scalars or non-empty maps, but got a nested list, block or empty map.');
    } else {
      out.push(`${pad}- ${yamlScalar(item)}`);
    }
  }
  return out;
}
