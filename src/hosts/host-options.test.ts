import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { normalizeHostOptions } from './host-options.js';

const DEFAULTS = { id: 'db', pty: false };

describe('normalizeHostOptions', () => {
  it('fills every default', () => {
    expect(normalizeHostOptions({}, DEFAULTS)).toMatchObject({
      id: 'db',
      runTimeoutMs: 60_000,
      openTimeoutMs: 15_000,
      pty: false,
    });
  });

  it('refuses, all at once, durations a timer cannot hold and sizes that are not whole', () => {
    expect(() =>
      normalizeHostOptions(
        { runTimeoutMs: 0, expectTimeoutMs: 2_147_483_648, openTimeoutMs: 1.5, maxOutputBytes: -1 },
        DEFAULTS,
      ),
    ).toThrow(
      new ConfigError(
        'INVALID_HOST_OPTIONS',
        'Invalid options for host "db": `runTimeoutMs` must be a whole number of milliseconds from 1 to 2147483647 (24.8 days), got 0; `expectTimeoutMs` must be a whole number of milliseconds from 1 to 2147483647 (24.8 days), got 2147483648; `openTimeoutMs` must be a whole number of milliseconds from 1 to 2147483647 (24.8 days), got 1.5; `maxOutputBytes` must be a positive whole number of bytes, got -1.',
        { fix: 'durations in code are milliseconds; the CLI accepts "30s".' },
      ),
    );
  });

  it('takes the longest duration a timer holds', () => {
    expect(normalizeHostOptions({ runTimeoutMs: 2_147_483_647 }, DEFAULTS).runTimeoutMs).toBe(
      2_147_483_647,
    );
  });
});
