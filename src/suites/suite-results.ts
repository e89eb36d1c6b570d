import type { TestCase, TestModule } from 'vitest/node';
import type { SerializedError } from 'vitest';
import type { OttoTestMeta } from './run-test.js';

/**
 * The results of one `otto test` run as plain data: what the console summary, `summary.json`
 * and the stability report are made from.
 */

/** A test's state: `passed` includes passes on a retry (then `flaky`). */
export type TestState = 'passed' | 'failed' | 'skipped';

/** One error of a test, a file or the run. */
export interface ResultError {
  /** The error's message (its first line says what failed). */
  message: string;
  /** Where it was thrown: `file:line:column`, when known. */
  location?: string;
}

/** One test's result. */
export interface TestResult {
  /** Its name within the suite (`describe > test`). */
  id: string;
  state: TestState;
  durationMs: number;
  /** Attempts after the first (`retry: n`). */
  retries: number;
  /** Passed only on a retry. */
  flaky: boolean;
  tags: string[];
  errors: ResultError[];
  /** The host command log of a failed test. */
  commandLog?: string;
  /** Passes and runs of a stability run. */
  stability?: { passed: number; total: number };
}

/** The results of a run. */
export interface SuiteResults {
  tests: TestResult[];
  /** Errors outside tests: files that did not load, hooks of the suite, unhandled errors. */
  errors: ResultError[];
}

/** Counts of a run's tests. */
export interface ResultCounts {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  flaky: number;
}

/** The result of one test case (see {@link TestResult}). */
export function testResultOf(test: TestCase, suiteName: string): TestResult {
  const result = test.result();
  const diagnostic = test.diagnostic();
  const meta = (test.meta() as { otto?: OttoTestMeta }).otto ?? {};
  // A test stopped by Ctrl-C failed, whatever Vitest's cancel marked it.
  const state: TestState =
    result.state === 'failed' || meta.interrupted
      ? 'failed'
      : result.state === 'passed'
        ? 'passed'
        : 'skipped';
  const errors = (result.state === 'failed' ? result.errors : []).map(resultErrorOf);
  if (meta.interrupted && errors.length === 0)
    errors.push({ message: 'interrupted (Ctrl-C) in the test body' });
  return {
    id: idOf(test.fullName, suiteName),
    state,
    durationMs: Math.round(diagnostic?.duration ?? 0),
    retries: diagnostic?.retryCount ?? 0,
    flaky: diagnostic?.flaky ?? false,
    tags: [...((test as { tags?: readonly string[] }).tags ?? [])],
    errors,
    ...(meta.commandLog && { commandLog: meta.commandLog }),
    ...(meta.stability && { stability: meta.stability }),
  };
}

/** The results of a run's modules and its unhandled errors. */
export function suiteResultsOf(
  modules: readonly TestModule[],
  unhandled: readonly SerializedError[],
  suiteName: string,
): SuiteResults {
  const tests: TestResult[] = [];
  const errors: ResultError[] = [];
  for (const module of modules) {
    errors.push(...module.errors().map(resultErrorOf));
    for (const test of module.children.allTests()) tests.push(testResultOf(test, suiteName));
    for (const suite of module.children.allSuites())
      if (suite.state() === 'failed')
        for (const error of suite.errors()) {
          const described = resultErrorOf(error);
          errors.push({ ...described, message: `${suite.fullName}: ${described.message}` });
        }
  }
  errors.push(...unhandled.map(resultErrorOf));
  return { tests, errors };
}

/** Counts of {@link SuiteResults}. */
export function countResults(results: SuiteResults): ResultCounts {
  const count = (state: TestState) => results.tests.filter((test) => test.state === state).length;
  return {
    total: results.tests.length,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    flaky: results.tests.filter((test) => test.flaky).length,
  };
}

/** A run passes when no test failed, nothing else failed, and a test ran. */
export function resultsPass(results: SuiteResults): boolean {
  const counts = countResults(results);
  return counts.failed === 0 && results.errors.length === 0 && counts.passed > 0;
}

/** One error as {@link ResultError}: its class named unless it is a plain `Error`. */
export function resultErrorOf(error: SerializedError): ResultError {
  const frame = error.stacks?.[0];
  return {
    message:
      error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message,
    ...(frame && { location: `${frame.file}:${frame.line}:${frame.column}` }),
  };
}

function idOf(fullName: string, suiteName: string): string {
  const prefix = `${suiteName} > `;
  return fullName.startsWith(prefix) ? fullName.slice(prefix.length) : fullName;
}
