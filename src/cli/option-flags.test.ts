import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { defineOptions, type OptionSpecs } from '../common/option-set.js';
import { addOptionSet, flagsOf, optionSetValues } from './option-flags.js';

/** A command of the option set that throws instead of exiting and keeps what it would print. */
function commandOf(specs: OptionSpecs) {
  const errors: string[] = [];
  const command = addOptionSet(
    new Command('x').exitOverride().configureOutput({ writeErr: (text) => errors.push(text) }),
    specs,
  );
  return { command, errors };
}

/** Parses user arguments against an option set and gives its values. */
function valuesOf<S extends OptionSpecs>(specs: S, args: string[]) {
  const { command } = commandOf(specs);
  command.parse(args, { from: 'user' });
  return optionSetValues(command, specs);
}

/** Parses arguments that commander must refuse; gives what it printed. */
function refusalOf(specs: OptionSpecs, args: string[]): string[] {
  const { command, errors } = commandOf(specs);
  expect(() => command.parse(args, { from: 'user' })).toThrow();
  return errors;
}

describe('addOptionSet and optionSetValues', () => {
  it('turns a switch on and off', () => {
    const specs = defineOptions({ debug: { type: 'boolean' } });
    expect(valuesOf(specs, [])).toEqual({ debug: false });
    expect(valuesOf(specs, ['--debug'])).toEqual({ debug: true });
    expect(valuesOf(specs, ['--no-debug'])).toEqual({ debug: false });
    expect(valuesOf(specs, ['--debug', '--no-debug'])).toEqual({ debug: false });
  });

  it('turns off a switch that is on by default with --no-x', () => {
    const specs = defineOptions({ x: { type: 'boolean', default: true } });
    expect(valuesOf(specs, [])).toEqual({ x: true });
    expect(valuesOf(specs, ['--no-x'])).toEqual({ x: false });
    expect(valuesOf(specs, ['--x'])).toEqual({ x: true });
  });

  it('takes an enum choice and its default', () => {
    const specs = defineOptions({
      mode: { type: 'enum', choices: ['a', 'b'], default: 'a' },
    });
    expect(valuesOf(specs, [])).toEqual({ mode: 'a' });
    expect(valuesOf(specs, ['--mode', 'b'])).toEqual({ mode: 'b' });
  });

  it('refuses a value that is not a choice, naming the choices', () => {
    const specs = defineOptions({ mode: { type: 'enum', choices: ['a', 'b'] } });
    expect(refusalOf(specs, ['--mode', 'c'])).toEqual([
      "error: option '--mode <choice>' argument 'c' is invalid. Allowed choices are a, b.\n",
    ]);
  });

  it('parses numbers and refuses text that is not one', () => {
    const specs = defineOptions({ count: { type: 'number', default: 1 } });
    expect(valuesOf(specs, [])).toEqual({ count: 1 });
    expect(valuesOf(specs, ['--count', '1e3'])).toEqual({ count: 1000 });
    expect(refusalOf(specs, ['--count', 'abc'])).toEqual([
      "error: option '--count <number>' argument 'abc' is invalid. expected a number.\n",
    ]);
  });

  it('refuses a number out of its bounds or not an integer', () => {
    const specs = defineOptions({ n: { type: 'number', integer: true, min: 1, max: 9 } });
    expect(refusalOf(specs, ['--n', '0'])).toEqual([
      "error: option '--n <number>' argument '0' is invalid. expected at least 1.\n",
    ]);
    expect(refusalOf(specs, ['--n', '10'])).toEqual([
      "error: option '--n <number>' argument '10' is invalid. expected at most 9.\n",
    ]);
    expect(refusalOf(specs, ['--n', '2.5'])).toEqual([
      "error: option '--n <number>' argument '2.5' is invalid. expected an integer.\n",
    ]);
  });

  it('collects repeated strings and numbers in order', () => {
    const specs = defineOptions({
      tag: { type: 'string', repeated: true },
      port: { type: 'number', repeated: true },
    });
    expect(valuesOf(specs, [])).toEqual({ tag: [], port: [] });
    expect(
      valuesOf(specs, ['--tag', 'b', '--port', '80', '--tag', 'a', '--port', '22', '--tag', 'b']),
    ).toEqual({ tag: ['b', 'a', 'b'], port: [80, 22] });
  });

  it('uses the default of a repeated option only when the flag is absent', () => {
    const specs = defineOptions({ port: { type: 'number', repeated: true, default: [22] } });
    expect(valuesOf(specs, [])).toEqual({ port: [22] });
    expect(valuesOf(specs, ['--port', '80'])).toEqual({ port: [80] });
  });

  it('keeps the last value of a single option given twice', () => {
    const specs = defineOptions({ name: { type: 'string' }, n: { type: 'number' } });
    expect(valuesOf(specs, ['--name', 'a', '--name', 'b', '--n', '1', '--n', '2'])).toEqual({
      name: 'b',
      n: 2,
    });
  });

  it('gives a snake_case option under its own key from its kebab-case flag', () => {
    const specs = defineOptions({ build_id: { type: 'string' }, buildNumber: { type: 'number' } });
    expect(valuesOf(specs, ['--build-id', 'b42', '--build-number', '7'])).toEqual({
      build_id: 'b42',
      buildNumber: 7,
    });
    expect(valuesOf(specs, [])).toEqual({ build_id: undefined, buildNumber: undefined });
  });

  it('refuses a command line without a required option', () => {
    const specs = defineOptions({ name: { type: 'string', required: true } });
    expect(refusalOf(specs, [])).toEqual([
      "error: required option '--name <text>' not specified\n",
    ]);
    expect(valuesOf(specs, ['--name', 'n'])).toEqual({ name: 'n' });
  });

  it('takes short aliases', () => {
    const specs = defineOptions({
      force: { type: 'boolean', short: 'f' },
      count: { type: 'number', short: 'c' },
      tag: { type: 'string', short: 't', repeated: true },
    });
    expect(valuesOf(specs, ['-f', '-c', '3', '-t', 'a', '-t', 'b'])).toEqual({
      force: true,
      count: 3,
      tag: ['a', 'b'],
    });
  });

  it('describes each option in --help', () => {
    const specs = defineOptions({
      debug: { type: 'boolean', short: 'd', help: 'Debug.', default: true },
      tag: { type: 'string', repeated: true, help: 'A tag.', default: ['a', 'b'] },
      mode: { type: 'enum', choices: ['a', 'b'] },
    });
    const { command } = commandOf(specs);
    expect(command.options.map((option) => [option.flags, option.description])).toEqual([
      ['-d, --debug', 'Debug. (default: on)'],
      ['--no-debug', 'turn --debug off'],
      ['--tag <text>', 'A tag. (repeatable) (default: a, b)'],
      ['--mode <choice>', ''],
    ]);
  });

  it('refuses a switch whose flag would read as the negation of another', () => {
    expect(() => defineOptions({ noColor: { type: 'boolean' } })).toThrow(
      'Invalid option declaration:\n  noColor: a flag may not start with --no- (that is how switches are turned off)',
    );
  });
});

describe('flagsOf', () => {
  it('lists the flags of a mixed set, with enum choices', () => {
    expect(
      flagsOf(
        defineOptions({
          debug: { type: 'boolean', short: 'd' },
          build_id: { type: 'string' },
          count: { type: 'number', repeated: true },
          mode: { type: 'enum', choices: ['a', 'b'], default: 'a' },
        }),
      ),
    ).toEqual([
      { flag: '--debug', takesValue: false },
      { flag: '--no-debug', takesValue: false },
      { flag: '--build-id', takesValue: true },
      { flag: '--count', takesValue: true },
      { flag: '--mode', takesValue: true, choices: ['a', 'b'] },
    ]);
  });

  it('gives nothing for an empty set', () => {
    expect(flagsOf({})).toEqual([]);
  });
});
