import { readFileSync } from 'node:fs';
import { stackFrames } from '../common/stack-frames.js';
import { TestFailure } from '../errors.js';

/**
 * Non-fatal expectations: `t.expect(condition, message)` records a failure and lets the test go
 * on; when the test ends, it fails once with every failure, each with its file:line, the source
 * line and the message.
 */

/** One failed expectation. */
export interface ExpectFailure {
  /** The file of the `expect` call. */
  file: string;
  line: number;
  column: number;
  /** That line of the source, trimmed ('' when the file cannot be read). */
  source: string;
  /** The message given to `expect`, if any. */
  message?: string;
}

/** The failures of one test (or of one iteration of a stability run). */
export class ExpectCollector {
  private readonly recorded: ExpectFailure[] = [];

  /** The failures so far, in order. */
  get failures(): readonly ExpectFailure[] {
    return this.recorded;
  }

  /** Records a failure at the caller of the function `calledFrom` (see {@link callerPlace}). */
  record(message: string | undefined, calledFrom: (...args: never[]) => unknown): ExpectFailure {
    const failure = { ...callerPlace(calledFrom), ...(message !== undefined && { message }) };
    this.recorded.push(failure);
    return failure;
  }

  /** Forgets the failures (a new iteration starts). */
  reset(): void {
    this.recorded.length = 0;
  }

  /**
   * The error the test fails with, or undefined when nothing failed. A throw of the body after
   * failed expectations (`thrown`) is named after them, and is the error's cause.
   */
  failure(testName: string, thrown?: unknown): TestFailure | undefined {
    if (this.recorded.length === 0) return undefined;
    const count = this.recorded.length;
    const lines = this.recorded.map((failure) => `  ${describeExpectFailure(failure)}`);
    if (thrown !== undefined) lines.push(`  and then it threw: ${firstLine(thrown)}`);
    const error = new TestFailure(
      'EXPECT_FAILED',
      `${testName}: ${count} expectation${count > 1 ? 's' : ''} failed:\n${lines.join('\n')}`,
      { ...(thrown !== undefined && { cause: thrown }) },
    );
    // The first failure's place as the stack, so reporters show that source line.
    const first = this.recorded[0]!;
    error.stack = `${error.name}: ${error.message}\n    at ${first.file}:${first.line}:${first.column}`;
    return error;
  }
}

/** `tests/web.test.ts:12  expect(res.ok, 'answers')  (answers)`. */
export function describeExpectFailure(failure: ExpectFailure): string {
  const message = failure.message ? `: ${failure.message}` : '';
  const source = failure.source ? `  ${failure.source}` : '';
  return `EXPECT FAILED ${failure.file}:${failure.line}${message}${source}`;
}

const sourceLines = new Map<string, string[]>();

/** The place of the caller of `fn`, with its source line. */
function callerPlace(fn: (...args: never[]) => unknown): Omit<ExpectFailure, 'message'> {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, fn);
  const frame = stackFrames(holder.stack)[0];
  if (!frame) return { file: '<unknown>', line: 0, column: 0, source: '' };
  return { ...frame, source: sourceLine(frame.file, frame.line) };
}

function sourceLine(file: string, line: number): string {
  let lines = sourceLines.get(file);
  if (!lines) {
    try {
      lines = readFileSync(file, 'utf8').split('\n');
    } catch {
      lines = [];
    }
    sourceLines.set(file, lines);
  }
  return (lines[line - 1] ?? '').trim();
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split('\n')[0]!;
}
