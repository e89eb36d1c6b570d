import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { declarationHashOf, defineSuite, isSuite, restoredSuite } from './define-suite.js';
import { safeDirName } from './suite-runtime.js';

// Inside a Vitest worker a valid defineSuite registers a describe, so only refused declarations
// are made here; otto test's own reading of declarations is tested end to end (--list-suites).

describe('defineSuite', () => {
  it('checks the name, the tags and the timeouts, all at once', () => {
    let error: unknown;
    try {
      defineSuite({ name: '9lives', tags: ['ok', 'not', 'a b'], timeout: -1 }, () => {});
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('SUITE_INVALID');
    expect((error as ConfigError).message).toBe(
      [
        'Invalid suite declaration "9lives":',
        '  name "9lives": use letters, digits, - and _, starting with a letter',
        '  tag "not": use letters, digits and _ . : / -, and not and, or, not',
        '  tag "a b": use letters, digits and _ . : / -, and not and, or, not',
        '  timeout -1: expected a number of milliseconds above 0',
      ].join('\n'),
    );
  });

  it('restores a cached declaration, whose hash follows its options and tags', () => {
    const options = { port: { type: 'number', default: 1 } } as const;
    const suite = restoredSuite({ name: 'Declared', help: 'h', options, tags: ['slow'] });
    expect(isSuite(suite)).toBe(true);
    expect(isSuite({ name: 'Declared' })).toBe(false);
    expect(declarationHashOf(suite)).toBe(declarationHashOf({ options, tags: ['slow'] }));
    expect(declarationHashOf({ ...suite, tags: ['fast'] })).not.toBe(declarationHashOf(suite));
    expect(declarationHashOf({ ...suite, options: {} })).not.toBe(declarationHashOf(suite));
  });
});

describe('safeDirName', () => {
  it('makes folder names of test names', () => {
    expect(safeDirName('group > case 1: a/b')).toBe('group__case_1_a_b');
    expect(safeDirName('...')).toBe('test');
    expect(safeDirName('x'.repeat(300))).toHaveLength(100);
  });
});
