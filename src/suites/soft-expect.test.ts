import { describe, expect, it } from 'vitest';
import { TestFailure } from '../errors.js';
import { describeExpectFailure, ExpectCollector } from './soft-expect.js';

describe('ExpectCollector', () => {
  it('records the caller with its file, line and source, and fails once with all of them', () => {
    const collector = new ExpectCollector();
    function check(condition: boolean, message?: string): void {
      if (!condition) collector.record(message, check);
    }
    check(1 > 2, 'one is not above two');
    check(false);
    const [first, second] = collector.failures;
    expect(first!.file).toMatch(/soft-expect\.test\.ts$/);
    expect(first!.source).toBe("check(1 > 2, 'one is not above two');");
    expect(second!.line).toBe(first!.line + 1);
    expect(describeExpectFailure(first!)).toBe(
      `EXPECT FAILED ${first!.file}:${first!.line}: one is not above two  check(1 > 2, 'one is not above two');`,
    );
    const failure = collector.failure('Suite > test');
    expect(failure).toBeInstanceOf(TestFailure);
    expect(failure!.code).toBe('EXPECT_FAILED');
    expect(failure!.message.split('\n')).toEqual([
      'Suite > test: 2 expectations failed:',
      `  ${describeExpectFailure(first!)}`,
      `  ${describeExpectFailure(second!)}`,
    ]);
    expect(failure!.stack).toContain(`at ${first!.file}:${first!.line}:${first!.column}`);
  });

  it('names a throw after the failures, keeps it as the cause, and forgets on reset', () => {
    const collector = new ExpectCollector();
    expect(collector.failure('S > t')).toBeUndefined();
    const record = () => collector.record('late', record);
    record();
    const thrown = new TypeError('x is not a function');
    const failure = collector.failure('S > t', thrown)!;
    expect(failure.message).toMatch(/^S > t: 1 expectation failed:\n/);
    expect(failure.message).toMatch(/\n {2}and then it threw: TypeError: x is not a function$/);
    expect(failure.cause).toBe(thrown);
    collector.reset();
    expect(collector.failures).toEqual([]);
  });
});
