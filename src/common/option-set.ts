import { ConfigError } from '../errors.js';

/**
 * Typed options of instructions and suites. An option set is a plain object of declarations;
 * each key becomes a flag (`buildId` and `build_id` both become `--build-id`), and the values
 * reach the instruction typed. Sets are shared by spreading them: `{ ...repoOptions, debug: ... }`.
 */

interface BaseSpec {
  /** One line for `--help`. */
  help?: string;
  /** A one-letter alias, e.g. `'f'` for `-f`. */
  short?: string;
}

/** A text option, `--name value`; `repeated: true` collects `--tag a --tag b` into a list. */
export interface StringOptionSpec extends BaseSpec {
  /** Marks a text option. */
  type: 'string';
  /** Value when the flag is not given; a list only with `repeated: true`. */
  default?: string | readonly string[];
  /** The flag must be given; the command refuses to run without it. @default false */
  required?: boolean;
  /** The flag may be given many times; the value is then the list of them. @default false */
  repeated?: boolean;
}

/** A number option; `integer: true` refuses fractions; `min`/`max` bound it. */
export interface NumberOptionSpec extends BaseSpec {
  /** Marks a number option. */
  type: 'number';
  /** Value when the flag is not given; a list only with `repeated: true`. */
  default?: number | readonly number[];
  /** The flag must be given; the command refuses to run without it. @default false */
  required?: boolean;
  /** The flag may be given many times; the value is then the list of them. @default false */
  repeated?: boolean;
  /** Refuse fractions. @default false */
  integer?: boolean;
  /** Smallest value allowed, included. @default no bound */
  min?: number;
  /** Largest value allowed, included. @default no bound */
  max?: number;
}

/** A switch, `--name` / `--no-name`. @default false */
export interface BooleanOptionSpec extends BaseSpec {
  /** Marks a switch. */
  type: 'boolean';
  /** Value when neither `--name` nor `--no-name` is given. @default false */
  default?: boolean;
}

/** One of fixed choices, `--name choice`. */
export interface EnumOptionSpec extends BaseSpec {
  /** Marks an option with fixed choices. */
  type: 'enum';
  /** The values allowed, at least one; `--help` lists them. */
  choices: readonly string[];
  /** Value when the flag is not given; one of `choices`. */
  default?: string;
  /** The flag must be given; the command refuses to run without it. @default false */
  required?: boolean;
}

/** Any option declaration. */
export type OptionSpec = StringOptionSpec | NumberOptionSpec | BooleanOptionSpec | EnumOptionSpec;

/** An option set: option declarations by name. */
export type OptionSpecs = Record<string, OptionSpec>;

type Scalar<S> = S extends { type: 'boolean' }
  ? boolean
  : S extends { type: 'number' }
    ? number
    : S extends { type: 'enum'; choices: ReadonlyArray<infer C> }
      ? C
      : string;
type Value<S> = S extends { repeated: true } ? Array<Scalar<S>> : Scalar<S>;
type IsAlwaysSet<S> = S extends { type: 'boolean' }
  ? true
  : S extends { repeated: true }
    ? true
    : S extends { default: unknown }
      ? true
      : S extends { required: true }
        ? true
        : false;

/** The values an option set gives: options without a default may be `undefined`. */
export type OptionValues<S extends OptionSpecs> = {
  [K in keyof S]: IsAlwaysSet<S[K]> extends true ? Value<S[K]> : Value<S[K]> | undefined;
};

/**
 * Declares an option set, checking each declaration now (an enum needs choices, a default must
 * fit its type); returns the set unchanged, typed exactly.
 * @example
 * export const repoOptions = defineOptions({
 *   device: { type: 'enum', choices: ['router', 'switch'], default: 'router', help: 'Device kind.' },
 *   firmware: { type: 'string', default: 'latest' },
 * });
 */
export function defineOptions<const S extends OptionSpecs>(specs: S): S {
  const problems = Object.entries(specs).flatMap(([name, spec]) => specProblems(name, spec));
  problems.push(...flagClashes(Object.keys(specs)));
  if (problems.length > 0)
    throw new ConfigError(
      'OPTION_INVALID',
      `Invalid option declaration${problems.length > 1 ? 's' : ''}:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  return specs;
}

/** The flag of an option name: `buildId` and `build_id` give `build-id`. */
export function flagNameOf(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replaceAll('_', '-')
    .toLowerCase();
}

/** Two names of one flag (`buildId`, `build_id`) would make one flag twice. */
function flagClashes(names: readonly string[]): string[] {
  const owners = new Map<string, string>();
  const problems: string[] = [];
  for (const name of names) {
    const flag = flagNameOf(name);
    const owner = owners.get(flag);
    if (owner) problems.push(`${name}: its flag --${flag} is also the flag of ${owner}`);
    else owners.set(flag, name);
  }
  return problems;
}

function specProblems(name: string, spec: OptionSpec): string[] {
  const problems: string[] = [];
  if (!/^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*$/.test(name))
    problems.push(`${name}: option names are letters, digits and _ (a flag is made of them)`);
  else if (flagNameOf(name).startsWith('no-'))
    problems.push(`${name}: a flag may not start with --no- (that is how switches are turned off)`);
  if (spec.short !== undefined && !/^[A-Za-z]$/.test(spec.short))
    problems.push(`${name}: short must be one letter, got "${spec.short}"`);
  if (spec.type === 'enum' && spec.choices.length === 0)
    problems.push(`${name}: an enum option needs at least one choice`);
  if (spec.default !== undefined) {
    const repeated = 'repeated' in spec && spec.repeated === true;
    if (Array.isArray(spec.default) && !repeated)
      problems.push(`${name}: a list default needs repeated: true`);
    const defaults = Array.isArray(spec.default) ? (spec.default as unknown[]) : [spec.default];
    for (const value of defaults) {
      const problem = valueProblem(spec, value);
      if (problem) problems.push(`${name}: default ${showValue(value)}: ${problem}`);
    }
  }
  return problems;
}

function showValue(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

function valueProblem(spec: OptionSpec, value: unknown): string | undefined {
  switch (spec.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'expected true or false';
    case 'string':
      return typeof value === 'string' ? undefined : 'expected a string';
    case 'enum':
      return spec.choices.includes(value as string)
        ? undefined
        : `expected one of ${spec.choices.join(', ')}`;
    case 'number':
      return typeof value === 'number' ? numberProblem(spec, value) : 'expected a number';
  }
}

/** Why a number does not fit a number option, or undefined when it does. */
export function numberProblem(spec: NumberOptionSpec, value: number): string | undefined {
  if (!Number.isFinite(value)) return 'expected a number';
  if (spec.integer && !Number.isInteger(value)) return 'expected an integer';
  if (spec.min !== undefined && value < spec.min) return `expected at least ${spec.min}`;
  if (spec.max !== undefined && value > spec.max) return `expected at most ${spec.max}`;
  return undefined;
}

/**
 * Parses one command-line value of an option; throws a message naming the expected type.
 * @example parseOptionValue({ type: 'number', integer: true }, '3') // 3
 */
export function parseOptionValue(spec: OptionSpec, text: string): string | number | boolean {
  if (spec.type === 'number') {
    const value = text.trim() === '' ? Number.NaN : Number(text);
    const problem = numberProblem(spec, value);
    if (problem) throw new Error(problem);
    return value;
  }
  if (spec.type === 'enum' && !spec.choices.includes(text))
    throw new Error(`expected one of ${spec.choices.join(', ')}`);
  if (spec.type === 'boolean') throw new Error('a switch takes no value');
  return text;
}

/** Fills the defaults of an option set into parsed values (booleans default to false). */
export function withDefaults<S extends OptionSpecs>(
  specs: S,
  parsed: Record<string, unknown>,
): OptionValues<S> {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const given = parsed[name];
    const repeated = 'repeated' in spec && spec.repeated === true;
    if (given !== undefined) values[name] = given;
    else if (spec.default !== undefined)
      values[name] = Array.isArray(spec.default)
        ? [...(spec.default as unknown[])]
        : repeated
          ? [spec.default]
          : spec.default;
    else if (spec.type === 'boolean') values[name] = false;
    else if ('repeated' in spec && spec.repeated) values[name] = [];
    else values[name] = undefined;
  }
  return values as OptionValues<S>;
}
