import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import {
  flagNameOf,
  parseOptionValue,
  withDefaults,
  type OptionSpec,
  type OptionSpecs,
  type OptionValues,
} from '../common/option-set.js';

/**
 * Turns an option set (instructions, suites) into commander flags and back: booleans become
 * `--x/--no-x`, enums take their choices, numbers are checked, repeated options collect a list.
 * A value of the wrong type is refused naming the option and the type expected.
 */

/** Adds an option set's flags to a command. */
export function addOptionSet(command: Command, specs: OptionSpecs): Command {
  for (const [name, spec] of Object.entries(specs))
    for (const option of optionsOf(name, spec)) command.addOption(option);
  return command;
}

/** The typed values of an option set from a parsed command, defaults filled. */
export function optionSetValues<S extends OptionSpecs>(
  command: Command,
  specs: S,
): OptionValues<S> {
  const opts = command.opts<Record<string, unknown>>();
  const parsed: Record<string, unknown> = {};
  for (const name of Object.keys(specs)) parsed[name] = opts[attributeOf(flagNameOf(name))];
  return withDefaults(specs, parsed);
}

/** The flags of an option set, for completion: `--x`, `--no-x`, `--count`... */
export function flagsOf(specs: OptionSpecs): OptionFlag[] {
  return Object.entries(specs).flatMap(([name, spec]): OptionFlag[] => {
    const flag = `--${flagNameOf(name)}`;
    if (spec.type === 'boolean')
      return [
        { flag, takesValue: false },
        { flag: `--no-${flagNameOf(name)}`, takesValue: false },
      ];
    return [
      { flag, takesValue: true, ...(spec.type === 'enum' && { choices: [...spec.choices] }) },
    ];
  });
}

/** One flag of an option set. */
export interface OptionFlag {
  flag: string;
  takesValue: boolean;
  choices?: string[];
}

function optionsOf(name: string, spec: OptionSpec): Option[] {
  const long = `--${flagNameOf(name)}`;
  const short = spec.short ? `-${spec.short}, ` : '';
  const help = spec.help ?? '';
  if (spec.type === 'boolean') {
    const on = new Option(`${short}${long}`, help + (spec.default ? ' (default: on)' : ''));
    const off = new Option(`--no-${flagNameOf(name)}`, `turn ${long} off`);
    return [on, off];
  }
  const placeholder = spec.type === 'enum' ? 'choice' : spec.type === 'number' ? 'number' : 'text';
  const repeated = 'repeated' in spec && spec.repeated === true;
  const option = new Option(
    `${short}${long} <${placeholder}>`,
    `${help}${repeated ? ' (repeatable)' : ''}${defaultText(spec)}`.trim(),
  );
  if (spec.type === 'enum') option.choices(spec.choices);
  else if (spec.type === 'number') option.argParser(numberParser(spec, repeated));
  else if (repeated) option.argParser(collect);
  if (spec.required) option.makeOptionMandatory();
  return [option];
}

function numberParser(spec: OptionSpec, repeated: boolean) {
  return (text: string, previous: unknown): number | number[] => {
    let value: number;
    try {
      value = parseOptionValue(spec, text) as number;
    } catch (error) {
      throw new InvalidArgumentError(`${(error as Error).message}.`);
    }
    return repeated ? [...((previous as number[] | undefined) ?? []), value] : value;
  };
}

function collect(text: string, previous: unknown): string[] {
  return [...((previous as string[] | undefined) ?? []), text];
}

function defaultText(spec: OptionSpec): string {
  if (spec.default === undefined) return '';
  const value = Array.isArray(spec.default) ? spec.default.join(', ') : String(spec.default);
  return ` (default: ${value})`;
}

/** commander's attribute name of a long flag: `build-id` gives `buildId`. */
function attributeOf(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}
