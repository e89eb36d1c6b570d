import type { StabilityLimits } from './run-config.js';

/**
 * Stability runs (`otto test --iterations N --duration S --threshold PCT`): the setup of a test
 * runs once, its body repeats until the first limit given is reached, and the test is stable when
 * its pass rate reaches the threshold. The report is otto's `stability_report.txt`.
 */

/** How the iterations of one test went. */
export interface IterationTally {
  passed: number;
  total: number;
  /** The first iteration that failed, and why (one line). */
  firstFailure?: { iteration: number; reason: string };
}

/** Options of {@link runIterations}. */
export interface RunIterationsOptions {
  limits: StabilityLimits;
  /** Runs one iteration; a throw fails it. */
  iteration(index: number): Promise<void>;
  /** Called before each iteration, for its banner. */
  onStart?(index: number): void;
  /** Stops the loop (Ctrl-C, a timed-out iteration). */
  stopped?(): boolean;
  now?: () => number;
}

/** Repeats the body until a limit is reached (see the file comment). */
export async function runIterations(options: RunIterationsOptions): Promise<IterationTally> {
  const { limits } = options;
  const now = options.now ?? (() => performance.now());
  const started = now();
  const tally: IterationTally = { passed: 0, total: 0 };
  for (;;) {
    if (limits.iterations !== undefined && tally.total >= limits.iterations) break;
    if (
      limits.durationS !== undefined &&
      tally.total > 0 &&
      now() - started >= limits.durationS * 1000
    )
      break;
    if (tally.total > 0 && options.stopped?.()) break;
    const index = ++tally.total;
    options.onStart?.(index);
    try {
      await options.iteration(index);
      tally.passed++;
    } catch (error) {
      tally.firstFailure ??= { iteration: index, reason: oneLineReason(error) };
    }
  }
  return tally;
}

/** The pass rate in percent (0 when nothing ran). */
export function passRate(tally: Pick<IterationTally, 'passed' | 'total'>): number {
  return tally.total === 0 ? 0 : (tally.passed / tally.total) * 100;
}

/** Stable when the rate reaches the threshold (a rate equal to it is stable). */
export function isStable(
  tally: Pick<IterationTally, 'passed' | 'total'>,
  threshold: number,
): boolean {
  return tally.total > 0 && passRate(tally) >= threshold;
}

/** One test's line of the report. */
export interface StabilityRow {
  /** The test's id within its suite. */
  id: string;
  passed: number;
  total: number;
}

/**
 * The report, in otto's format:
 * ```
 * Stability Results for WebSuite (10 iterations, threshold 90%):
 *   serves the home page                     10/10 (100.0%)  STABLE
 * Overall: PASS
 * ```
 * The header names only the limits given; an interrupted run fails overall.
 */
export function formatStabilityReport(
  suite: string,
  limits: StabilityLimits,
  rows: readonly StabilityRow[],
  /** The run was interrupted (Ctrl-C): not every test ran, so overall it fails. */
  interrupted = false,
): string {
  const given = [
    ...(limits.iterations !== undefined ? [`${limits.iterations} iterations`] : []),
    ...(limits.durationS !== undefined ? [`${limits.durationS}s duration`] : []),
    `threshold ${limits.threshold}%`,
  ];
  const lines = [`Stability Results for ${suite} (${given.join(', ')}):`];
  for (const row of rows) {
    const verdict = isStable(row, limits.threshold) ? 'STABLE' : 'UNSTABLE';
    const counts = `${row.passed}/${row.total} (${passRate(row).toFixed(1)}%)`;
    lines.push(`  ${row.id.padEnd(40)} ${counts}  ${verdict}`);
  }
  const pass =
    !interrupted && rows.length > 0 && rows.every((row) => isStable(row, limits.threshold));
  lines.push(`Overall: ${pass ? 'PASS' : 'FAIL'}`);
  return `${lines.join('\n')}\n`;
}

/**
 * An error in one line: its first, and the next when the first only announces a list (a failed
 * soft expectation: `WebSuite > x: 1 expectation failed:` then the expectation).
 */
export function oneLineReason(error: unknown): string {
  const lines = (error instanceof Error ? error.message : String(error)).split('\n');
  const first = lines[0]!;
  return first.endsWith(':') && lines[1] ? `${first} ${lines[1].trim()}` : first;
}
