import { readFileSync } from 'node:fs';
import type { Reporter, TestCase } from 'vitest/node';

type UserConsoleLog = Parameters<NonNullable<Reporter['onUserConsoleLog']>>[0];
import { formatDurationMs } from '../common/duration.js';
import type { SecretMasker } from '../common/secret-masker.js';
import {
  testResultOf,
  type ResultCounts,
  type SuiteResults,
  type TestResult,
} from './suite-results.js';

/**
 * The console of `otto test`: a line per test as it ends, the tests' own console output, and at
 * the end the failures (each error with its place, and the tail of the test's command log) and
 * the counts.
 */

/** Lines of a failed test's command log shown on the console. */
const COMMAND_LOG_TAIL = 15;

/** Where the reporter writes, and how. */
export interface ConsoleReporterOptions {
  suiteName: string;
  /** stdout. */
  out: { write(text: string): unknown };
  /** stderr, for the tests' own console.error output. */
  err: { write(text: string): unknown };
  masker: SecretMasker;
  color: boolean;
}

/** The live part: a line per test, and the tests' console output (kept by test, for JUnit). */
export function consoleReporter(
  options: ConsoleReporterOptions,
): Reporter & { logsOf(testId: string): UserConsoleLog[] } {
  const logs = new Map<string, UserConsoleLog[]>();
  const paint = painter(options.color);
  // A cancelled run (Ctrl-C) reports some tests again.
  const reported = new Set<string>();
  return {
    onTestCaseResult(test: TestCase) {
      if (reported.has(test.id)) return;
      reported.add(test.id);
      const result = testResultOf(test, options.suiteName);
      options.out.write(options.masker.mask(`${testLine(result, paint)}\n`));
    },
    logsOf: (testId: string) => logs.get(testId) ?? [],
    onUserConsoleLog(log: UserConsoleLog) {
      if (log.taskId) logs.set(log.taskId, [...(logs.get(log.taskId) ?? []), log]);
      const stream = log.type === 'stderr' ? options.err : options.out;
      stream.write(options.masker.mask(log.content));
    },
  };
}

/** The end of the run: failures, then the counts line. */
export function formatRunSummary(
  suiteName: string,
  results: SuiteResults,
  counts: ResultCounts,
  durationMs: number,
  color: boolean,
): string {
  const paint = painter(color);
  const lines: string[] = [];
  const failed = results.tests.filter((test) => test.state === 'failed');
  if (failed.length > 0 || results.errors.length > 0) lines.push('', paint.bold('Failures:'));
  for (const test of failed) {
    lines.push(`  ${paint.red('✗')} ${test.id}`);
    for (const error of test.errors) lines.push(...describeError(error.message, error.location));
    if (test.commandLog) lines.push(...commandLogTail(test.commandLog));
  }
  for (const error of results.errors) lines.push(...describeError(error.message, error.location));
  const parts = [
    paint.green(`${counts.passed} passed`),
    ...(counts.failed > 0 ? [paint.red(`${counts.failed} failed`)] : []),
    ...(counts.flaky > 0 ? [paint.yellow(`${counts.flaky} flaky`)] : []),
    ...(counts.skipped > 0 ? [`${counts.skipped} skipped`] : []),
    ...(results.errors.length > 0 ? [paint.red(`${results.errors.length} errors`)] : []),
  ];
  lines.push(
    '',
    `${suiteName}: ${parts.join(', ')} (${counts.total} tests) in ${formatDurationMs(durationMs)}`,
  );
  return `${lines.join('\n')}\n`;
}

function testLine(result: TestResult, paint: Painter): string {
  const time = paint.dim(formatDurationMs(result.durationMs));
  const stability = result.stability
    ? `  ${result.stability.passed}/${result.stability.total} iterations`
    : '';
  if (result.state === 'skipped')
    return `  ${paint.dim('↓')} ${result.id} ${paint.dim('(skipped)')}`;
  if (result.state === 'failed') {
    const why = result.errors[0]?.message.split('\n')[0] ?? '';
    return `  ${paint.red('✗')} ${result.id}  ${time}${stability}\n      ${paint.red(why)}`;
  }
  const flaky = result.flaky
    ? `  ${paint.yellow(`(flaky: passed on retry ${result.retries})`)}`
    : '';
  return `  ${paint.green('✓')} ${result.id}  ${time}${stability}${flaky}`;
}

function describeError(message: string, location: string | undefined): string[] {
  const lines = message.split('\n').map((line) => `      ${line}`);
  if (location) lines.push(`      at ${location}`);
  return lines;
}

function commandLogTail(path: string): string[] {
  let lines: string[];
  try {
    lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  } catch {
    return [`      command log: ${path}`];
  }
  const tail = lines.slice(-COMMAND_LOG_TAIL);
  return [
    `      command log: ${path}${lines.length > tail.length ? ` (last ${tail.length} of ${lines.length} lines)` : ''}`,
    ...tail.map((line) => `        ${line}`),
  ];
}

interface Painter {
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

function painter(color: boolean): Painter {
  const style = (open: number, close: number) => (text: string) =>
    color ? `\x1b[${open}m${text}\x1b[${close}m` : text;
  return {
    red: style(31, 39),
    green: style(32, 39),
    yellow: style(33, 39),
    dim: style(2, 22),
    bold: style(1, 22),
  };
}
