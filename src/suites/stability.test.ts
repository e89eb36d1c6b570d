import { describe, expect, it } from 'vitest';
import {
  formatStabilityReport,
  isStable,
  oneLineReason,
  passRate,
  runIterations,
} from './stability.js';

describe('runIterations', () => {
  it('runs the body the given number of times and counts the passes', async () => {
    const seen: number[] = [];
    const tally = await runIterations({
      limits: { iterations: 5, threshold: 100 },
      iteration: async (index) => {
        await Promise.resolve();
        seen.push(index);
        if (index % 2 === 0) throw new Error(`iteration ${index} broke\nsecond line`);
      },
    });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(tally).toEqual({
      passed: 3,
      total: 5,
      firstFailure: { iteration: 2, reason: 'iteration 2 broke' },
    });
  });

  it('stops at the duration when it comes before the count', async () => {
    let now = 0;
    const tally = await runIterations({
      limits: { iterations: 100, durationS: 3, threshold: 100 },
      now: () => now,
      iteration: async () => {
        await Promise.resolve();
        now += 1000;
      },
    });
    expect(tally.total).toBe(3);
  });

  it('runs at least once even with a duration already spent, and stops when told', async () => {
    let now = 0;
    const once = await runIterations({
      limits: { durationS: 0.001, threshold: 100 },
      now: () => now,
      iteration: async () => {
        await Promise.resolve();
        now += 5;
      },
    });
    expect(once.total).toBe(1);
    let stop = false;
    const stopped = await runIterations({
      limits: { iterations: 10, threshold: 100 },
      stopped: () => stop,
      iteration: async (index) => {
        await Promise.resolve();
        if (index === 2) stop = true;
      },
    });
    expect(stopped.total).toBe(2);
  });
});

describe('stability', () => {
  it('is stable at a rate equal to the threshold, and never with no run', () => {
    expect(isStable({ passed: 9, total: 10 }, 90)).toBe(true);
    expect(isStable({ passed: 8, total: 10 }, 90)).toBe(false);
    expect(isStable({ passed: 0, total: 0 }, 0)).toBe(false);
    expect(passRate({ passed: 1, total: 3 })).toBeCloseTo(33.333, 2);
  });

  it("writes otto's report, naming only the limits given", () => {
    const rows = [
      { id: 'serves the home page', passed: 10, total: 10 },
      { id: 'flaky endpoint', passed: 7, total: 10 },
    ];
    expect(formatStabilityReport('WebSuite', { iterations: 10, threshold: 90 }, rows)).toBe(
      [
        'Stability Results for WebSuite (10 iterations, threshold 90%):',
        `  ${'serves the home page'.padEnd(40)} 10/10 (100.0%)  STABLE`,
        `  ${'flaky endpoint'.padEnd(40)} 7/10 (70.0%)  UNSTABLE`,
        'Overall: FAIL',
        '',
      ].join('\n'),
    );
    expect(
      formatStabilityReport('WebSuite', { iterations: 3, durationS: 60, threshold: 60 }, [
        { id: 'a', passed: 2, total: 3 },
      ]),
    ).toBe(
      `Stability Results for WebSuite (3 iterations, 60s duration, threshold 60%):\n  ${'a'.padEnd(40)} 2/3 (66.7%)  STABLE\nOverall: PASS\n`,
    );
    expect(formatStabilityReport('S', { durationS: 5, threshold: 100 }, [])).toBe(
      'Stability Results for S (5s duration, threshold 100%):\nOverall: FAIL\n',
    );
  });

  it('fails overall when the run was interrupted, and says a failure in one line', () => {
    const rows = [{ id: 'a', passed: 2, total: 2 }];
    expect(formatStabilityReport('S', { iterations: 3, threshold: 50 }, rows, true)).toMatch(
      /\nOverall: FAIL\n$/,
    );
    expect(
      oneLineReason(new Error('S > a: 1 expectation failed:\n  EXPECT FAILED x.ts:3: up')),
    ).toBe('S > a: 1 expectation failed: EXPECT FAILED x.ts:3: up');
    expect(oneLineReason(new Error('boom\nat x'))).toBe('boom');
  });
});
