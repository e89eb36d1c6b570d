import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { checkMarkerExpression } from './markers.js';

const TAGS = ['slow', 'net', 'flaky'];

function problem(expression: string, tags: readonly string[] = TAGS): ConfigError {
  try {
    checkMarkerExpression(expression, 'WebSuite', tags);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`"${expression}" was accepted`);
}

const firstLine = (error: Error) => error.message.split('\n')[0];

describe('checkMarkerExpression', () => {
  it('accepts and, or, not, their symbols, parentheses and wildcards', () => {
    for (const expression of [
      'slow',
      'slow and not flaky',
      '(slow || net) && !flaky',
      'n*',
      'not slow',
    ])
      expect(() => checkMarkerExpression(expression, 'WebSuite', TAGS)).not.toThrow();
  });

  it('refuses an unknown marker with the closest and the known ones', () => {
    const error = problem('slwo and net');
    expect(error.code).toBe('MARKER_INVALID');
    expect(error.message).toBe(
      'Unknown marker "slwo" in -m "slwo and net"; did you mean "slow"? Markers of WebSuite: slow, net, flaky.',
    );
  });

  it('refuses expressions that do not parse, and suites without markers', () => {
    expect(firstLine(problem('slow and'))).toBe(
      'Invalid marker expression -m "slow and": unexpected end of expression in "slow and".',
    );
    expect(problem('(slow').message).toMatch(
      /^Invalid marker expression -m "\(slow": missing closing "\)"/,
    );
    expect(firstLine(problem('  '))).toBe('Empty marker expression for WebSuite (-m "").');
    expect(firstLine(problem('slow', []))).toBe(
      'Suite WebSuite declares no markers, so -m "slow" selects nothing.',
    );
  });
});
