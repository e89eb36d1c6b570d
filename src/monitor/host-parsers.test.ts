import { afterEach, describe, expect, it } from 'vitest';
import { MonitorError } from '../errors.js';
import {
  clearHostParsers,
  defineMetricParser,
  parsersOfHost,
  registerHostParsers,
} from './host-parsers.js';
import type { MetricParser } from './metric-types.js';
import { defaultParsers } from './parsers/default-parsers.js';

function parser(name: string, command = `echo ${name}`): MetricParser {
  return { name, command, parse: () => [] };
}

const DEFAULT_NAMES = defaultParsers().map((each) => each.name);

afterEach(() => clearHostParsers());

describe('parsersOfHost', () => {
  it('gives the defaults when nothing is registered, with processes when asked', () => {
    expect(parsersOfHost('web1').map((each) => each.name)).toEqual(DEFAULT_NAMES);
    expect(parsersOfHost('web1', { processes: 5 }).map((each) => each.name)).toEqual(
      defaultParsers({ processes: 5 }).map((each) => each.name),
    );
  });

  it('adds the sets registered for the host by id, by pattern and for every host, in order', () => {
    registerHostParsers('db1', [parser('connections')]);
    registerHostParsers(/^db/g, [parser('replication')]);
    registerHostParsers('*', [parser('uptime')]);
    registerHostParsers('web1', [parser('requests')]);
    const names = (id: string): string[] =>
      parsersOfHost(id)
        .map((each) => each.name)
        .slice(DEFAULT_NAMES.length);
    expect(names('db1')).toEqual(['connections', 'replication', 'uptime']);
    // A pattern with the g flag matches every time, not every other time.
    expect(names('db2')).toEqual(['replication', 'uptime']);
    expect(names('db2')).toEqual(['replication', 'uptime']);
    expect(names('web1')).toEqual(['uptime', 'requests']);
    expect(names('mydb1')).toEqual(['uptime']);
  });

  it('replaces a parser of the same name, a default one in its place', () => {
    const cpu = parser(DEFAULT_NAMES[0]!, 'cat /proc/stat | head -1');
    registerHostParsers('db1', [parser('connections', 'ss -s')]);
    registerHostParsers(/db/, [cpu, parser('connections', 'ss -Htn | wc -l')]);
    const parsers = parsersOfHost('db1');
    expect(parsers[0]).toBe(cpu);
    expect(parsers.map((each) => each.name)).toEqual([...DEFAULT_NAMES, 'connections']);
    expect(parsers.at(-1)!.command).toBe('ss -Htn | wc -l');
    expect(parsersOfHost('web1')[0]!.command).not.toBe(cpu.command);
  });

  it('refuses a set that names one parser twice, registering none of it', () => {
    expect(() => registerHostParsers(/^db/, [parser('a'), parser('b'), parser('a')])).toThrow(
      new MonitorError(
        'MONITOR_PARSER_INVALID',
        'Cannot register metric parsers for hosts matching /^db/: the name "a" is given twice.',
        { fix: 'give each parser of a set its own name.' },
      ),
    );
    expect(parsersOfHost('db1').map((each) => each.name)).toEqual(DEFAULT_NAMES);
  });
});

describe('defineMetricParser', () => {
  it('returns a valid parser as it is', () => {
    const valid = parser('queue-depth_2');
    expect(defineMetricParser(valid)).toBe(valid);
  });

  it('refuses, all at once, a bad name, an empty command and a parse that is no function', () => {
    expect(() =>
      defineMetricParser({
        name: 'queue depth',
        command: '  ',
        parse: 'x',
      } as unknown as MetricParser),
    ).toThrow(
      new MonitorError(
        'MONITOR_PARSER_INVALID',
        'Invalid metric parser "queue depth": the name must be letters, digits, - and _, got "queue depth"; the command is empty; parse is not a function.',
        {
          fix: 'give it a name ([A-Za-z0-9_-]+), a shell command and a parse(output, context) function.',
        },
      ),
    );
  });

  it('is what registerHostParsers checks each parser with', () => {
    expect(() => registerHostParsers('db1', [{ command: 'true' } as MetricParser])).toThrow(
      new MonitorError(
        'MONITOR_PARSER_INVALID',
        'Invalid metric parser: the name must be letters, digits, - and _, got undefined; parse is not a function.',
        {
          fix: 'give it a name ([A-Za-z0-9_-]+), a shell command and a parse(output, context) function.',
        },
      ),
    );
  });
});
