/**
 * The environment half of the configuration. Every leaf key of the schema has a variable named
 * `CALLPANE_` + its path in SCREAMING_SNAKE (`registrar.minExpires` → `CALLPANE_REGISTRAR_MIN_EXPIRES`),
 * derived from the schema itself so that a new key gets its variable without further code.
 * Values are strings and are coerced by the leaf's type; what does not coerce is passed on as
 * the string so that validation reports it with the key's own message.
 */
import type { z } from 'zod';
import { configSchema } from './schema.ts';

export const ENV_PREFIX = 'CALLPANE_';
/** Names the configuration file; not a configuration key itself. */
export const CONFIG_FILE_ENV = 'CALLPANE_CONFIG';
/** Reserved for the test harness (scripts/run-tests.ts), never configuration. */
const RESERVED_PREFIXES = ['CALLPANE_TEST_'];

/** `listOrOff`: `false` or a list (http.trustProxy); a boolean word is read as one, anything else as a list. */
export type LeafKind = 'number' | 'boolean' | 'list' | 'listOrOff' | 'string';

export interface ConfigLeaf {
  path: readonly string[];
  /** `registrar.minExpires` */
  key: string;
  /** `CALLPANE_REGISTRAR_MIN_EXPIRES` */
  envName: string;
  kind: LeafKind;
  schema: z.ZodType;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** Wrappers that do not change what a value is: default, prefault, optional, nullable. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = current.def as { type: string; innerType?: z.ZodType };
    if (def.innerType && ['default', 'prefault', 'optional', 'nullable'].includes(def.type)) current = def.innerType;
    else return current;
  }
}

export function envNameFor(path: readonly string[]): string {
  return ENV_PREFIX + path.map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
}

function kindOf(schema: z.ZodType): LeafKind {
  switch (schema.def.type) {
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return 'list';
    case 'union': {
      const options = (schema.def as { type: string; options?: z.ZodType[] }).options ?? [];
      const hasList = options.some((option) => option.def.type === 'array');
      const hasOff = options.some((option) => option.def.type === 'literal' && (option.def as { type: string; values?: unknown[] }).values?.includes(false) === true);
      return hasList && hasOff ? 'listOrOff' : 'string';
    }
    default:
      return 'string';
  }
}

function collectLeaves(schema: z.ZodType, path: string[], into: ConfigLeaf[]): void {
  const inner = unwrap(schema);
  if (inner.def.type === 'object') {
    const shape = (inner as z.ZodObject).shape;
    for (const [name, child] of Object.entries(shape)) collectLeaves(child as z.ZodType, [...path, name], into);
    return;
  }
  into.push({ path, key: path.join('.'), envName: envNameFor(path), kind: kindOf(inner), schema: inner });
}

/** Every leaf key of the schema, in schema order. */
export const configLeaves: readonly ConfigLeaf[] = (() => {
  const leaves: ConfigLeaf[] = [];
  collectLeaves(configSchema, [], leaves);
  return leaves;
})();

const leafByEnvName = new Map(configLeaves.map((leaf) => [leaf.envName, leaf]));

/** The schema node at a dotted path, for error messages; undefined past a leaf. */
export function schemaAt(path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType = configSchema;
  for (const part of path) {
    const inner = unwrap(current);
    if (inner.def.type !== 'object' || typeof part !== 'string') return undefined;
    const child = (inner as z.ZodObject).shape[part] as z.ZodType | undefined;
    if (!child) return undefined;
    current = child;
  }
  return current;
}

export function objectKeysAt(path: readonly PropertyKey[]): string[] {
  const node = schemaAt(path);
  const inner = node && unwrap(node);
  return inner?.def.type === 'object' ? Object.keys((inner as z.ZodObject).shape) : [];
}

function coerce(kind: LeafKind, raw: string): unknown {
  const text = raw.trim();
  switch (kind) {
    case 'number':
      return /^[+-]?\d+(\.\d+)?$/.test(text) ? Number(text) : raw;
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower === 'true' || lower === '1') return true;
      if (lower === 'false' || lower === '0') return false;
      return raw;
    }
    case 'listOrOff': {
      // `true` stays a boolean, so it is refused as itself rather than as an address called "true".
      const flag = coerce('boolean', raw);
      return typeof flag === 'boolean' ? flag : coerce('list', raw);
    }
    case 'list':
      return text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    case 'string':
      return text;
  }
}

export interface EnvOverride {
  leaf: ConfigLeaf;
  raw: string;
  value: unknown;
}

/**
 * The configuration variables set in `env`. An empty variable counts as unset, the usual
 * meaning of `VAR=` in service managers and compose files.
 */
export function readEnvOverrides(env: Environment): EnvOverride[] {
  const overrides: EnvOverride[] = [];
  for (const leaf of configLeaves) {
    const raw = env[leaf.envName];
    if (raw === undefined || raw.trim() === '') continue;
    overrides.push({ leaf, raw, value: coerce(leaf.kind, raw) });
  }
  return overrides;
}

/** `CALLPANE_*` variables that name no key: most likely typos, worth a warning. */
export function unknownEnvNames(env: Environment): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith(ENV_PREFIX) && name !== CONFIG_FILE_ENV)
    .filter((name) => !leafByEnvName.has(name) && !RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix)))
    .sort();
}
