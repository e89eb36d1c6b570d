import { describe, expect, it } from 'vitest';
import { formatDurationMs, parseDurationMs } from './duration.js';

describe('parseDurationMs', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['1.5m', 90_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['1200', 1200],
    [' 5s ', 5000],
    [42, 42],
  ])('reads %j as %i ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['', 'soon', '5 minutes', '-3s', '1e3'])('refuses %j with the expected form', (text) => {
    expect(() => parseDurationMs(text)).toThrow(
      `Invalid duration "${text}": expected a number with an optional unit (ms, s, m, h, d), e.g. "30s".`,
    );
  });

  it('refuses a negative number of milliseconds', () => {
    expect(() => parseDurationMs(-1)).toThrow(
      'Invalid duration "-1": must be a non-negative number.',
    );
  });
});

describe('formatDurationMs', () => {
  it.each([
    [850.4, '850ms'],
    [12_345, '12.3s'],
    [245_000, '4m 05s'],
  ])('formats %d as %s', (ms, text) => {
    expect(formatDurationMs(ms)).toBe(text);
  });
});
