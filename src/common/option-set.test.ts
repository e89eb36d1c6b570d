import { describe, expect, expectTypeOf, it } from 'vitest';
import { ConfigError } from '../errors.js';
import {
  defineOptions,
  flagNameOf,
  numberProblem,
  parseOptionValue,
  withDefaults,
  type OptionValues,
} from './option-set.js';

/** Lets a test declare a default of the wrong type, as a JavaScript module could. */
function wrong<T>(value: unknown): T {
  return value as T;
}

describe('defineOptions', () => {
  it('returns a good set unchanged', () => {
    const specs = {
      device: { type: 'enum', choices: ['router', 'switch'], default: 'router', help: 'Kind.' },
      firmware: { type: 'string', default: 'latest', short: 'f' },
      tags: { type: 'string', repeated: true, default: ['a', 'b'] },
      count: { type: 'number', integer: true, min: 1, max: 10, default: 3 },
      ports: { type: 'number', repeated: true, default: [22, 80], min: 1, max: 65535 },
      debug: { type: 'boolean', short: 'd' },
      build_id2: { type: 'string', required: true },
    } as const;
    expect(defineOptions(specs)).toBe(specs);
  });

  it('accepts an empty set', () => {
    expect(defineOptions({})).toEqual({});
  });

  it('reports every problem at once', () => {
    const act = () =>
      defineOptions({
        '1bad': { type: 'string' },
        'bad-name': { type: 'string' },
        loud: { type: 'boolean', short: 'ab' },
        digit: { type: 'boolean', short: '1' },
        mode: { type: 'enum', choices: [] },
        kind: { type: 'enum', choices: ['a', 'b'], default: 'c' },
        count: { type: 'number', default: wrong<number>('x') },
        port: { type: 'number', max: 65535, default: 70000 },
        low: { type: 'number', min: 0, default: -1 },
        ratio: { type: 'number', integer: true, default: 1.5 },
        ports: { type: 'number', repeated: true, min: 1, default: [1, 0, 2, -3] },
        flag: { type: 'boolean', default: wrong<boolean>('yes') },
        name: { type: 'string', default: wrong<string>(3) },
      });
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(
      [
        'Invalid option declarations:',
        '  1bad: option names are letters, digits and _ (a flag is made of them)',
        '  bad-name: option names are letters, digits and _ (a flag is made of them)',
        '  loud: short must be one letter, got "ab"',
        '  digit: short must be one letter, got "1"',
        '  mode: an enum option needs at least one choice',
        '  kind: default "c": expected one of a, b',
        '  count: default "x": expected a number',
        '  port: default 70000: expected at most 65535',
        '  low: default -1: expected at least 0',
        '  ratio: default 1.5: expected an integer',
        '  ports: default 0: expected at least 1',
        '  ports: default -3: expected at least 1',
        '  flag: default "yes": expected true or false',
        '  name: default 3: expected a string',
      ].join('\n'),
    );
  });

  it('says "declaration" for a single problem, with the OPTION_INVALID code', () => {
    let caught: unknown;
    try {
      defineOptions({ x: { type: 'string', short: '' } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).code).toBe('OPTION_INVALID');
    expect((caught as ConfigError).message).toBe(
      'Invalid option declaration:\n  x: short must be one letter, got ""',
    );
  });

  it('refuses names whose flag would have an empty part', () => {
    expect(() => defineOptions({ x__y: { type: 'string' }, x_: { type: 'string' } })).toThrow(
      [
        'Invalid option declarations:',
        '  x__y: option names are letters, digits and _ (a flag is made of them)',
        '  x_: option names are letters, digits and _ (a flag is made of them)',
      ].join('\n'),
    );
  });

  it('refuses two options of the same flag', () => {
    expect(() =>
      defineOptions({ buildId: { type: 'string' }, build_id: { type: 'string' } }),
    ).toThrow(
      'Invalid option declaration:\n  build_id: its flag --build-id is also the flag of buildId',
    );
  });
});

describe('flagNameOf', () => {
  it('turns camelCase and snake_case into kebab-case', () => {
    expect(flagNameOf('buildId')).toBe('build-id');
    expect(flagNameOf('build_id')).toBe('build-id');
    expect(flagNameOf('x')).toBe('x');
  });

  it('splits after digits and lowercases the rest', () => {
    expect(flagNameOf('ipv4Address')).toBe('ipv4-address');
    expect(flagNameOf('Debug')).toBe('debug');
    expect(flagNameOf('HTTPPort')).toBe('httpport');
  });
});

describe('numberProblem', () => {
  it('checks finiteness, integers and bounds in that order', () => {
    expect(numberProblem({ type: 'number' }, Number.POSITIVE_INFINITY)).toBe('expected a number');
    expect(numberProblem({ type: 'number', integer: true, min: 5 }, 1.5)).toBe(
      'expected an integer',
    );
    expect(numberProblem({ type: 'number', min: 5 }, 4)).toBe('expected at least 5');
    expect(numberProblem({ type: 'number', max: 5 }, 6)).toBe('expected at most 5');
    expect(numberProblem({ type: 'number', min: 5, max: 5 }, 5)).toBeUndefined();
  });
});

describe('parseOptionValue', () => {
  it('parses numbers, exponents and negative numbers', () => {
    expect(parseOptionValue({ type: 'number' }, '3')).toBe(3);
    expect(parseOptionValue({ type: 'number' }, '1e3')).toBe(1000);
    expect(parseOptionValue({ type: 'number' }, '-2.5')).toBe(-2.5);
    expect(parseOptionValue({ type: 'number' }, ' 7 ')).toBe(7);
  });

  it('refuses text that is not a number, including empty text', () => {
    expect(() => parseOptionValue({ type: 'number' }, '')).toThrow(/^expected a number$/);
    expect(() => parseOptionValue({ type: 'number' }, '   ')).toThrow(/^expected a number$/);
    expect(() => parseOptionValue({ type: 'number' }, 'abc')).toThrow(/^expected a number$/);
    expect(() => parseOptionValue({ type: 'number' }, 'Infinity')).toThrow(/^expected a number$/);
  });

  it('applies integer, min and max', () => {
    expect(parseOptionValue({ type: 'number', integer: true }, '1e3')).toBe(1000);
    expect(() => parseOptionValue({ type: 'number', integer: true }, '1.5')).toThrow(
      /^expected an integer$/,
    );
    expect(() => parseOptionValue({ type: 'number', min: 1 }, '0')).toThrow(
      /^expected at least 1$/,
    );
    expect(() => parseOptionValue({ type: 'number', max: 10 }, '11')).toThrow(
      /^expected at most 10$/,
    );
    expect(parseOptionValue({ type: 'number', min: 1, max: 10 }, '10')).toBe(10);
  });

  it('takes an enum choice and refuses others, naming the choices', () => {
    const spec = { type: 'enum', choices: ['router', 'switch'] } as const;
    expect(parseOptionValue(spec, 'switch')).toBe('switch');
    expect(() => parseOptionValue(spec, 'hub')).toThrow(/^expected one of router, switch$/);
  });

  it('takes any string as is', () => {
    expect(parseOptionValue({ type: 'string' }, '')).toBe('');
    expect(parseOptionValue({ type: 'string' }, ' 12 ')).toBe(' 12 ');
  });

  it('refuses a value for a switch', () => {
    expect(() => parseOptionValue({ type: 'boolean' }, 'true')).toThrow(
      /^a switch takes no value$/,
    );
  });
});

describe('withDefaults', () => {
  const specs = defineOptions({
    debug: { type: 'boolean' },
    verbose: { type: 'boolean', default: true },
    tags: { type: 'string', repeated: true },
    ports: { type: 'number', repeated: true, default: [22, 80] },
    firmware: { type: 'string', default: 'latest' },
    build: { type: 'string' },
    count: { type: 'number' },
    mode: { type: 'enum', choices: ['a', 'b'] },
  });

  it('fills every default: false for switches, [] for repeated, undefined for the rest', () => {
    const values = withDefaults(specs, {});
    expect(values).toEqual({
      debug: false,
      verbose: true,
      tags: [],
      ports: [22, 80],
      firmware: 'latest',
      build: undefined,
      count: undefined,
      mode: undefined,
    });
    expect(Object.keys(values)).toEqual(Object.keys(specs));
  });

  it('keeps given values, including false and empty text', () => {
    expect(
      withDefaults(specs, {
        debug: true,
        verbose: false,
        tags: ['x'],
        ports: [1],
        firmware: '',
        build: 'b1',
        count: 0,
        mode: 'b',
      }),
    ).toEqual({
      debug: true,
      verbose: false,
      tags: ['x'],
      ports: [1],
      firmware: '',
      build: 'b1',
      count: 0,
      mode: 'b',
    });
  });

  it('ignores parsed values that are not options', () => {
    expect(withDefaults(defineOptions({ x: { type: 'boolean' } }), { y: 1 })).toEqual({ x: false });
  });

  it('copies array defaults rather than sharing them', () => {
    const first = withDefaults(specs, {});
    first.ports.push(443);
    const second = withDefaults(specs, {});
    expect(second.ports).toEqual([22, 80]);
    expect(second.ports).not.toBe(specs.ports.default);
    expect(specs.ports.default).toEqual([22, 80]);
  });

  it('gives a fresh [] to each repeated option without a default', () => {
    const first = withDefaults(specs, {});
    first.tags.push('leak');
    expect(withDefaults(specs, {}).tags).toEqual([]);
  });

  it('gives a list for a repeated option whose default is a single value', () => {
    const single = defineOptions({ tags: { type: 'string', repeated: true, default: 'a' } });
    expect(withDefaults(single, {}).tags).toEqual(['a']);
  });
});

describe('OptionValues', () => {
  it('infers each option type from its declaration', () => {
    const specs = defineOptions({
      count: { type: 'number', default: 1 },
      limit: { type: 'number' },
      required: { type: 'string', required: true },
      mode: { type: 'enum', choices: ['a', 'b'] },
      kind: { type: 'enum', choices: ['a', 'b'], default: 'a' },
      tags: { type: 'string', repeated: true },
      ports: { type: 'number', repeated: true },
      debug: { type: 'boolean' },
      name: { type: 'string' },
    });
    const values = withDefaults(specs, { required: 'r' });
    expectTypeOf(values.count).toEqualTypeOf<number>();
    expectTypeOf(values.limit).toEqualTypeOf<number | undefined>();
    expectTypeOf(values.required).toEqualTypeOf<string>();
    expectTypeOf(values.mode).toEqualTypeOf<'a' | 'b' | undefined>();
    expectTypeOf(values.kind).toEqualTypeOf<'a' | 'b'>();
    expectTypeOf(values.tags).toEqualTypeOf<string[]>();
    expectTypeOf(values.ports).toEqualTypeOf<number[]>();
    expectTypeOf(values.debug).toEqualTypeOf<boolean>();
    expectTypeOf(values.name).toEqualTypeOf<string | undefined>();
    expectTypeOf<OptionValues<{ n: { type: 'number'; default: 1 } }>>().toEqualTypeOf<{
      n: number;
    }>();
    expect(values).toEqual({
      count: 1,
      limit: undefined,
      required: 'r',
      mode: undefined,
      kind: 'a',
      tags: [],
      ports: [],
      debug: false,
      name: undefined,
    });
  });
});
