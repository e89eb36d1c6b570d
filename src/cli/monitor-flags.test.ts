import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeMonitorFlags, secondsToMs } from './monitor-flags.js';

const FIX = '\nFix: otto monitor --help describes its arguments and options.';

describe('normalizeMonitorFlags', () => {
  it('fills every default of live mode', () => {
    expect(normalizeMonitorFlags(undefined, {})).toEqual({
      mode: 'live',
      hostIds: undefined,
      hostPattern: undefined,
      intervalMs: 5000,
      db: undefined,
      exportPath: undefined,
      serve: { bind: '127.0.0.1', port: 0 },
      processes: 0,
      durationMs: undefined,
    });
  });

  it('reads HOSTS as comma-separated ids, seconds as seconds, and paths as absolute ones', () => {
    const plan = normalizeMonitorFlags('host1, host2,host1', {
      interval: '2.0',
      db: 'run.db',
      export: 'run.json',
      bind: '0.0.0.0',
      port: '8123',
      processes: '5',
      duration: '90',
    });
    expect(plan).toEqual({
      mode: 'live',
      hostIds: ['host1', 'host2'],
      hostPattern: undefined,
      intervalMs: 2000,
      db: resolve('run.db'),
      exportPath: resolve('run.json'),
      serve: { bind: '0.0.0.0', port: 8123 },
      processes: 5,
      durationMs: 90_000,
    });
  });

  it('takes --hosts as a regular expression', () => {
    const plan = normalizeMonitorFlags(undefined, { hosts: '^web', interval: '0.5' });
    expect(plan).toMatchObject({ hostPattern: /^web/, intervalMs: 500 });
  });

  it('refuses an interval below the minimum, naming it', () => {
    expect(() => normalizeMonitorFlags('a', { interval: '0.1' })).toThrow(
      `Invalid options of otto monitor: --interval 0.1 is below the minimum of 0.5 seconds.${FIX}`,
    );
  });

  it('refuses a bad regular expression, naming it', () => {
    expect(() => normalizeMonitorFlags(undefined, { hosts: 'web(' })).toThrow(
      `Invalid options of otto monitor: --hosts "web(" is not a regular expression (Invalid regular expression: /web(/: Unterminated group).${FIX}`,
    );
  });

  it('reports every problem at once', () => {
    expect(() =>
      normalizeMonitorFlags('a,,b', {
        hosts: 'x',
        interval: 'fast',
        port: '70000',
        processes: '-1',
        duration: '0',
        export: 'out.txt',
      }),
    ).toThrow(
      [
        'Invalid options of otto monitor: --port "70000" is not a whole number from 0 to 65535',
        '--duration "0" is not a number of seconds above 0 (e.g. 60 or 1.5)',
        '--export "out.txt" must end in .json (the archive) or .db (SQLite)',
        'HOSTS "a,,b" has an empty id: give host ids separated by commas (web1,db1)',
        '--interval "fast" is not a number of seconds (e.g. 2 or 0.5)',
        '--processes "-1" is not a whole number from 0 to 1000',
        `give HOSTS or --hosts, not both (HOSTS names hosts, --hosts matches their ids).${FIX}`,
      ].join('; '),
    );
  });

  it('replays --file, and refuses the flags that collect with it', () => {
    expect(normalizeMonitorFlags(undefined, { file: 'run.db', export: 'run.json' })).toEqual({
      mode: 'replay',
      file: resolve('run.db'),
      exportPath: resolve('run.json'),
      serve: { bind: '127.0.0.1', port: 0 },
      durationMs: undefined,
    });
    expect(() =>
      normalizeMonitorFlags('web1', { file: 'run.db', db: 'other.db', interval: '1' }),
    ).toThrow(
      `Invalid options of otto monitor: --file replays a recording and collects nothing: it takes no HOSTS, --hosts, --interval, --db or --processes (given: HOSTS, --interval, --db).${FIX}`,
    );
  });
});

describe('secondsToMs', () => {
  it('reads bare numbers as seconds and units as given', () => {
    expect(['2', '0.5', '2.25', '500ms', '3s', '1m', '1.5h', ' 7 '].map(secondsToMs)).toEqual([
      2000, 500, 2250, 500, 3000, 60_000, 5_400_000, 7000,
    ]);
    expect(['', '-1', 'two', '1d', '1e3'].map(secondsToMs)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
