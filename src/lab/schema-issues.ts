import type { z } from 'zod';
import { nearestIds } from './closest.js';

/**
 * zod's issues in the words of lab files and settings: what was expected and what was found (a
 * secret is never shown), a "did you mean" for an unknown key or value, a path written as users
 * write it (`ssh_options.port`, `labs[2]`). Also the check for NUL characters, which no string of
 * a configuration may hold.
 */

/** One problem at a field path (undefined for the value as a whole). */
export interface SchemaProblem {
  /** `ssh_options.port`, `labs[2]`; undefined for the value itself. */
  path?: string;
  /** What is wrong, e.g. `expected a whole number from 1 to 65535, got "22"`. */
  message: string;
}

/** How to word the issues of one schema. */
export interface IssueWording {
  /** The schema the issues come from, for the keys that exist where a key is unknown. */
  schema: z.ZodType;
  /** `field` (lab files), `key` (settings), `top-level field`. */
  keyWord: string;
  /** Paths whose values are secrets: their values are never shown. */
  isSecret?: (path: readonly PropertyKey[]) => boolean;
  /** Other names users give fields, by unknown name: `{ password: 'creds' }`. */
  aliases?: Readonly<Record<string, string>>;
}

/** The generic messages of a parse: schema-level messages (ports, timeouts) win over these. */
export function genericIssueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? 'is required'
        : `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    case 'too_small':
      return issue.minimum === 1 && (issue.origin === 'string' || issue.origin === 'array')
        ? 'must not be empty'
        : `expected at least ${String(issue.minimum)}`;
    case 'too_big':
      return `expected at most ${String(issue.maximum)}`;
    case 'invalid_value': {
      const values = issue.values.map((value) => JSON.stringify(value));
      return values.length === 1 ? `expected ${values[0]}` : `expected one of ${values.join(', ')}`;
    }
    case 'invalid_union':
      return 'expected another kind of value';
    default:
      return undefined;
  }
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
};

/** Turns a failed parse's issues into problems, one per unknown key. */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  wording: IssueWording,
): SchemaProblem[] {
  return issues.flatMap((issue) => describeIssue(issue, wording));
}

function describeIssue(issue: z.core.$ZodIssue, wording: IssueWording): SchemaProblem[] {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(wording.schema, issue.path);
    return issue.keys.map((key) => ({
      path,
      message: unknownKeyMessage(key, known, issue.path, wording),
    }));
  }
  if (issue.code === 'invalid_key')
    return [{ path, message: issue.issues[0]?.message ?? issue.message }];
  const hidden =
    issue.input === undefined || !showsInput(issue) || wording.isSecret?.(issue.path) === true;
  const found = hidden ? '' : `, got ${showValue(issue.input)}`;
  const near =
    issue.code === 'invalid_value' && typeof issue.input === 'string' && !hidden
      ? nearestIds(issue.input, issue.values.map(String))
      : undefined;
  return [{ path, message: `${issue.message}${found}${near ? `; did you mean ${near}?` : ''}` }];
}

/** Whether showing the value found helps: not for custom rules, nor for an empty string or list. */
function showsInput(issue: z.core.$ZodIssue): boolean {
  if (issue.code === 'too_small' || issue.code === 'too_big') return issue.origin === 'number';
  return ['invalid_type', 'invalid_value', 'invalid_union', 'invalid_format'].includes(issue.code);
}

function unknownKeyMessage(
  key: string,
  known: readonly string[],
  path: readonly PropertyKey[],
  wording: IssueWording,
): string {
  const text = `unknown ${wording.keyWord} ${JSON.stringify(key)}`;
  const table = path.length > 0 ? formatPath(path) : undefined;
  if (known.length === 0 && table) return `${text}: otto-ts reads no ${table} yet`;
  const alias = path.length === 0 ? wording.aliases?.[key.toLowerCase()] : undefined;
  const near = alias ? JSON.stringify(alias) : nearestIds(key, known);
  if (near) return `${text}; did you mean ${near}?`;
  if (table && known.length <= 6) return `${text}; ${table} takes ${listWords(known)}`;
  return text;
}

function listWords(words: readonly string[]): string {
  const quoted = words.map((word) => JSON.stringify(word));
  return quoted.length > 1
    ? `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`
    : quoted.join('');
}

/** The parts of a zod definition the walk below reads. */
interface WalkedDef {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
}

function defOf(node: z.core.$ZodType): WalkedDef {
  return node._zod.def;
}

/** The keys an object schema takes at `path` (through optional, default, array and record). */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: z.core.$ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    if (!node) return [];
    const def = defOf(node);
    if (def.type === 'object') node = def.shape?.[String(segment)];
    else if (def.type === 'array') node = def.element;
    else if (def.type === 'record') node = def.valueType;
    else return [];
    node = node && unwrap(node);
  }
  const def = node && defOf(node);
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** Through optional, default, nullable, catch, readonly and pipe, to the schema that holds keys. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let node = schema;
  for (;;) {
    const def = defOf(node);
    if (def.innerType) node = def.innerType;
    else if (def.type === 'pipe' && def.in) node = def.in;
    else return node;
  }
}

/** A path as users write it: `ssh_options.port`, `labs[2]`, `creds["a b"]`; undefined for none. */
export function formatPath(path: readonly PropertyKey[]): string | undefined {
  if (path.length === 0) return undefined;
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      const key = String(segment);
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return index === 0 ? key : `.${key}`;
      return `[${JSON.stringify(key)}]`;
    })
    .join('');
}

/** A value found where another was expected, short: `"22"`, `-1`, `a list`, `an object`. */
export function showValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}

/**
 * Every string (value or key) holding a NUL character, as problems: a NUL ends strings in C and
 * in the shell, so what reaches the host would not be what the file says. Values at secret paths
 * are not shown (none is: the message names the path only).
 */
export function findNulCharacters(value: unknown, path: PropertyKey[] = []): SchemaProblem[] {
  if (typeof value === 'string')
    return value.includes('\0') ? [{ path: formatPath(path), message: NUL_MESSAGE }] : [];
  if (Array.isArray(value))
    return value.flatMap((item, index) => findNulCharacters(item, [...path, index]));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => [
    ...(key.includes('\0')
      ? [
          {
            path: formatPath(path),
            message: `the key ${JSON.stringify(key)} holds a NUL character (\\u0000), which no key may hold`,
          },
        ]
      : []),
    ...findNulCharacters(item, [...path, key]),
  ]);
}

const NUL_MESSAGE = 'holds a NUL character (\\u0000), which no string may hold';
