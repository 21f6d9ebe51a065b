/**
 * Config schemas: every configurable thing in loopgym (agent, reward model, env kwargs, experiment spec)
 * is one zod schema with a default and a `.describe()` per field. This module resolves user input against
 * such a schema and renders a schema as documentation; nothing else in loopgym validates a config by hand.
 *
 * `resolveConfig(schema, input, 'ppo')` applies the defaults and returns the typed config, or throws one
 * ConfigError whose lines each name the field path, what the field accepts and what it got:
 *
 *     Expected ppo.learningRate to be a number > 0, but got -1.
 *     Expected one of the ppo options, but got "learningrate" at agent.learningrate. Did you mean learningRate? Options: ...
 *
 * What a field accepts is read from the schema itself (through its JSON Schema), so the message, the check
 * and the docs cannot disagree. A field whose type JSON Schema cannot express (a function, a model object)
 * names it with `.meta({ expected: 'a RewardModel' })`. Cross-field rules go through `crossFieldRules`:
 * they run once every field is valid on its own, and blame one field with an expectation phrase
 * (`to divide numSteps*numEnvs (256)`), so their messages read like the others.
 */
import { z } from 'zod';
import { ConfigError, describeValue } from './errors.js';
import { nearestName } from './names.js';

/**
 * Where a config is, for messages: `label` names its kind (`ppo`, `Orchestrator-v0`), `path` is where it
 * sits in the user's input (default: the label), e.g. `agent` for the agent section of a spec, or `''`.
 */
export interface ConfigPlace {
  label: string;
  path?: string;
}

/** A field's documentation: what `loopgym agents <name>` and `loopgym envs <id>` print. */
export interface ConfigFieldDoc {
  /** Field path (`rewardWeights.cost` for a field of a nested object). */
  field: string;
  /** What it accepts, e.g. `number in [0, 1]`, `one of "tanh", "relu"`. */
  type: string;
  /** The default, or undefined when the field has none (optional, or required). */
  default?: unknown;
  required: boolean;
  description: string;
}

/** The JSON Schema fragments this module reads. */
interface JsonNode {
  type?: string | string[];
  description?: string;
  expected?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonNode[];
  oneOf?: JsonNode[];
  properties?: Record<string, JsonNode>;
  required?: string[];
  additionalProperties?: JsonNode | boolean;
  items?: JsonNode | boolean;
  prefixItems?: JsonNode[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
}

/** Resolves `input` (undefined = `{}`) against `schema`: defaults applied, or a ConfigError naming every problem. */
export function resolveConfig<S extends z.ZodType>(schema: S, input: unknown, where: string | ConfigPlace): z.output<S> {
  const value = input ?? {};
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ConfigError(configProblems(schema, value, result.error.issues, where).join('\n'));
}

/** The default config of `schema` (every field at its default). */
export function configDefaults<S extends z.ZodType>(schema: S): z.output<S> {
  return schema.parse({});
}

/**
 * Adds cross-field rules to an object schema. `rules` get the parsed config and report a broken rule with
 * `blame(field, expectation)`; they run only when every field passed its own check.
 */
export function crossFieldRules<S extends z.ZodType>(schema: S, rules: (config: z.output<S>, blame: (field: string, expectation: string) => void) => void): S {
  return schema.superRefine(
    (config, ctx) =>
      rules(config, (field, expectation) => {
        const path = field.split('.');
        // The value as resolved (a default the user left out included), for the message.
        ctx.addIssue({ code: 'custom', path, message: expectation, params: { given: valueAt(config, path) } });
      }),
    { when: (payload) => payload.issues.length === 0 },
  ) as unknown as S;
}

/** A ConfigError for a rule checked outside a schema, in the same words: `Expected <path> <expectation>, but got <value>.` */
export function fieldError(path: string, expectation: string, given: unknown): ConfigError {
  return new ConfigError(`Expected ${path} ${expectation}, but got ${renderValue(given)}.`);
}

/** One sentence per zod issue, in loopgym's words (used by resolveConfig and the experiment spec). */
export function configProblems(schema: z.ZodType, input: unknown, issues: readonly z.core.$ZodIssue[], where: string | ConfigPlace): string[] {
  const place = typeof where === 'string' ? { label: where, path: where } : { label: where.label, path: where.path ?? where.label };
  const root = jsonSchemaOf(schema);
  return issues.flatMap((issue) => describeIssue(issue, [], root, input, place as Required<ConfigPlace>));
}

function describeIssue(issue: z.core.$ZodIssue, base: readonly PropertyKey[], root: JsonNode, input: unknown, place: Required<ConfigPlace>): string[] {
  const path = [...base, ...issue.path];
  if (issue.code === 'invalid_union') {
    // A branch that accepted the value's shape (all its complaints lie deeper) explains the failure best:
    // `workers[1]` is not an architecture, rather than `workers` being neither a list nor a number.
    const shaped = issue.errors.find((branch) => branch.length > 0 && branch.every((inner) => inner.path.length > 0));
    if (shaped) return shaped.flatMap((inner) => describeIssue(inner, path, root, input, place));
  }
  if (issue.code === 'unrecognized_keys') {
    const known = Object.keys(nodeAt(root, path)?.properties ?? {});
    return issue.keys.map((key) => {
      const at = `${JSON.stringify(key)} at ${renderPath(place.path, [...path, key])}`;
      if (known.length === 0) return `Expected no ${place.label} options, but got ${at}.`;
      const near = nearestName(key, known);
      const hint = near ? ` Did you mean ${near}?` : '';
      return `Expected one of the ${place.label} options, but got ${at}.${hint} Options: ${known.join(', ')}.`;
    });
  }
  const target = renderPath(place.path, path) || place.label;
  if (issue.code === 'custom' && issue.message.startsWith('to ')) {
    const resolved = issue.params && 'given' in issue.params ? issue.params.given : valueAt(input, path);
    return [`Expected ${target} ${issue.message}, but got ${renderValue(resolved)}.`];
  }
  const given = renderValue(valueAt(input, path));
  const node = nodeAt(root, path);
  return [`Expected ${target} to be ${node ? expectation(node) : issue.message}, but got ${given}.`];
}

/** Documentation rows of an object schema, one per field (fields of nested objects as `parent.child`). */
export function describeConfig(schema: z.ZodType): ConfigFieldDoc[] {
  const rows: ConfigFieldDoc[] = [];
  const visit = (node: JsonNode, prefix: string) => {
    const required = new Set(node.required ?? []);
    for (const [key, field] of Object.entries(node.properties ?? {})) {
      const name = prefix + key;
      if (field.properties && field.additionalProperties === false) {
        visit(field, `${name}.`);
        continue;
      }
      const hasDefault = 'default' in field;
      rows.push({
        field: name,
        type: expectation(field).replace(/^an? /, ''),
        ...(hasDefault ? { default: field.default } : {}),
        required: required.has(key) && !hasDefault,
        description: field.description ?? '',
      });
    }
  };
  visit(jsonSchemaOf(schema), '');
  return rows;
}

/** A default (or any config value) as the docs print it. */
export function renderDefault(doc: ConfigFieldDoc): string {
  if (doc.required) return '(required)';
  if (!('default' in doc)) return '-';
  return JSON.stringify(doc.default);
}

/** A value as error messages show it: numbers and strings as written, lists and objects as (short) JSON. */
export function renderValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'function') return 'a function';
  if (ArrayBuffer.isView(value)) return describeValue(value);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) return describeValue(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

// ------------------------------------------------------------------------------------- JSON Schema

const jsonSchemas = new WeakMap<z.ZodType, JsonNode>();

function jsonSchemaOf(schema: z.ZodType): JsonNode {
  let json = jsonSchemas.get(schema);
  if (!json) {
    json = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as JsonNode;
    jsonSchemas.set(schema, json);
  }
  return json;
}

/** The schema node a path leads to (through objects, records, lists, tuples and unions), if any. */
function nodeAt(root: JsonNode, path: readonly PropertyKey[]): JsonNode | undefined {
  let node: JsonNode | undefined = root;
  for (const segment of path) {
    if (!node) return undefined;
    node = childOf(node, segment);
  }
  return node;
}

function childOf(node: JsonNode, segment: PropertyKey): JsonNode | undefined {
  for (const branch of node.anyOf ?? node.oneOf ?? []) {
    const child = childOf(branch, segment);
    if (child) return child;
  }
  if (typeof segment === 'number') {
    return node.prefixItems?.[segment] ?? (typeof node.items === 'object' ? node.items : undefined);
  }
  const key = String(segment);
  return node.properties?.[key] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function renderPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : `${out ? '.' : ''}${String(segment)}`;
  return out;
}

/** What a schema node accepts, as a phrase: `a number in [0, 1]`, `one of "tanh", "relu"`, `a list of integers >= 1`. */
function expectation(node: JsonNode, plural = false): string {
  if (node.expected) return node.expected;
  const branches = node.anyOf ?? node.oneOf;
  if (branches) return joinOr(branches.map((b) => expectation(b, plural)));
  if (node.enum) return node.enum.length === 1 ? JSON.stringify(node.enum[0]) : `${plural ? 'values among' : 'one of'} ${node.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if ('const' in node) return JSON.stringify(node.const);
  if (Array.isArray(node.type)) return joinOr(node.type.map((type) => expectation({ ...node, type }, plural)));
  switch (node.type) {
    case 'null':
      return 'null';
    case 'boolean':
      return plural ? 'booleans' : 'true or false';
    case 'string':
      if (node.minLength) return plural ? 'non-empty strings' : 'a non-empty string';
      return plural ? 'strings' : 'a string';
    case 'number':
    case 'integer':
      return numberPhrase(node, plural);
    case 'array':
      return arrayPhrase(node, plural);
    case 'object': {
      if (node.properties) return `${plural ? 'objects' : 'an object'} with keys ${Object.keys(node.properties).join(', ')}`;
      if (typeof node.additionalProperties === 'object') return `${plural ? 'maps' : 'a map'} from names to ${expectation(node.additionalProperties, true)}`;
      return plural ? 'objects' : 'an object';
    }
    default:
      return plural ? 'values' : 'any value';
  }
}

const SAFE = Number.MAX_SAFE_INTEGER;

function numberPhrase(node: JsonNode, plural: boolean): string {
  const integer = node.type === 'integer';
  const noun = plural ? (integer ? 'integers' : 'numbers') : integer ? 'an integer' : 'a number';
  const low = node.exclusiveMinimum ?? node.minimum;
  const high = node.exclusiveMaximum ?? node.maximum;
  const hasLow = low !== undefined && Math.abs(low) < SAFE;
  const hasHigh = high !== undefined && Math.abs(high) < SAFE;
  const lowOpen = node.exclusiveMinimum !== undefined;
  const highOpen = node.exclusiveMaximum !== undefined;
  if (hasLow && hasHigh) return `${noun} in ${lowOpen ? '(' : '['}${low}, ${high}${highOpen ? ')' : ']'}`;
  if (hasLow) return `${noun} ${lowOpen ? '>' : '>='} ${low}`;
  if (hasHigh) return `${noun} ${highOpen ? '<' : '<='} ${high}`;
  return noun;
}

function arrayPhrase(node: JsonNode, plural: boolean): string {
  if (node.prefixItems) return `${plural ? 'lists' : 'a list'} [${node.prefixItems.map((item) => expectation(item)).join(', ')}]`;
  const items = typeof node.items === 'object' ? ` of ${expectation(node.items, true)}` : '';
  const { minItems: min, maxItems: max } = node;
  let size = '';
  if (min !== undefined && max !== undefined) size = min === max ? ` (${min} entries)` : ` (${min} to ${max} entries)`;
  else if (min !== undefined && min > 0) size = ` (at least ${min})`;
  else if (max !== undefined) size = ` (at most ${max})`;
  return `${plural ? 'lists' : 'a list'}${items}${size}`;
}

function joinOr(parts: string[]): string {
  return parts.length <= 1 ? (parts[0] ?? 'any value') : `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}
