import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors.js';
import { DEFAULT_LOG_DAYS, defaultXdir, resolveGlobalOptions } from './global-options.js';

const HOME_XDIR = join(homedir(), '.local/state/otto-ts');

describe('defaultXdir', () => {
  it('is under ~/.local/state without any variable', () => {
    expect(defaultXdir({})).toBe(HOME_XDIR);
  });

  it('is under $XDG_STATE_HOME when set, and not when empty', () => {
    expect(defaultXdir({ XDG_STATE_HOME: '/state' })).toBe('/state/otto-ts');
    expect(defaultXdir({ XDG_STATE_HOME: '' })).toBe(HOME_XDIR);
  });

  it('is $OTTO_XDIR first, made absolute', () => {
    expect(defaultXdir({ OTTO_XDIR: '/var/otto', XDG_STATE_HOME: '/state' })).toBe('/var/otto');
    expect(defaultXdir({ OTTO_XDIR: 'runs' })).toBe(resolve('runs'));
    expect(defaultXdir({ OTTO_XDIR: '', XDG_STATE_HOME: '/state' })).toBe('/state/otto-ts');
  });
});

describe('resolveGlobalOptions', () => {
  it('fills every default', () => {
    expect(resolveGlobalOptions({}, {})).toEqual({
      labNames: [],
      xdir: HOME_XDIR,
      logLevel: 'info',
      logDays: 30,
      dryRun: false,
      asUser: undefined,
      skipReservationCheck: false,
    });
    expect(DEFAULT_LOG_DAYS).toBe(30);
  });

  it('takes the environment when flags are absent', () => {
    expect(
      resolveGlobalOptions(
        {},
        {
          OTTO_LAB: 'veggies,fruits',
          OTTO_XDIR: '/var/otto',
          OTTO_LOG_LEVEL: 'debug',
          OTTO_LOG_DAYS: '7',
        },
      ),
    ).toEqual({
      labNames: ['veggies', 'fruits'],
      xdir: '/var/otto',
      logLevel: 'debug',
      logDays: 7,
      dryRun: false,
      asUser: undefined,
      skipReservationCheck: false,
    });
    expect(resolveGlobalOptions({}, { XDG_STATE_HOME: '/state' }).xdir).toBe('/state/otto-ts');
  });

  it('lets flags win over the environment', () => {
    expect(
      resolveGlobalOptions(
        {
          lab: 'tech2',
          xdir: 'out',
          logLevel: 'warn',
          logDays: '0',
          dryRun: true,
          asUser: 'alice',
          skipReservationCheck: true,
        },
        {
          OTTO_LAB: 'veggies',
          OTTO_XDIR: '/var/otto',
          OTTO_LOG_LEVEL: 'debug',
          OTTO_LOG_DAYS: '7',
        },
      ),
    ).toEqual({
      labNames: ['tech2'],
      xdir: resolve('out'),
      logLevel: 'warn',
      logDays: 0,
      dryRun: true,
      asUser: 'alice',
      skipReservationCheck: true,
    });
  });

  it('splits lab names on commas and trims them, dropping empty ones', () => {
    expect(resolveGlobalOptions({ lab: ' veggies , fruits,,tech1 ,' }, {}).labNames).toEqual([
      'veggies',
      'fruits',
      'tech1',
    ]);
    expect(resolveGlobalOptions({ lab: '' }, { OTTO_LAB: 'veggies' }).labNames).toEqual([]);
  });

  it('takes a log level in any case', () => {
    expect(resolveGlobalOptions({ logLevel: 'DEBUG' }, {}).logLevel).toBe('debug');
  });

  it('reports an invalid log level and log days together', () => {
    const act = () => resolveGlobalOptions({ logLevel: 'loud', logDays: '-1' }, {});
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(
      'Invalid global options: --log-level: expected one of debug, info, warn, error, got "loud"; ' +
        '--log-days: expected a whole number of days (0 keeps all), got "-1".',
    );
  });

  it('refuses log days that are not a whole number', () => {
    for (const days of ['', ' ', '1.5', 'ten'])
      expect(() => resolveGlobalOptions({ logDays: days }, {})).toThrow(
        `Invalid global options: --log-days: expected a whole number of days (0 keeps all), got "${days}".`,
      );
  });

  it('checks values from the environment too', () => {
    expect(() => resolveGlobalOptions({}, { OTTO_LOG_LEVEL: 'trace' })).toThrow(
      'Invalid global options: OTTO_LOG_LEVEL: expected one of debug, info, warn, error, got "trace".',
    );
  });

  it('treats empty OTTO_LOG_LEVEL and OTTO_LOG_DAYS as unset', () => {
    expect(resolveGlobalOptions({}, { OTTO_LOG_LEVEL: '', OTTO_LOG_DAYS: '' })).toMatchObject({
      logLevel: 'info',
      logDays: 30,
    });
  });
});
