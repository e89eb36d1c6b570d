import { hostname } from 'node:os';
import type { SerializedError } from 'vitest';
import type { TestCase, TestModule } from 'vitest/node';
import { testResultOf, type TestResult } from './suite-results.js';

/**
 * The JUnit XML report of `otto test`, written once from the run's results. (Vitest's own JUnit
 * reporter writes it line by line with a locale-formatted number each: with 1000 tests it costs a
 * fifth of the run, measured in `npm run bench -- suites`.) One `<testsuite>` per file; each test
 * a `<testcase>` named `<Suite> > <test>`, with `<failure>`, `<skipped/>`, its console output in
 * `<system-out>`/`<system-err>`, and properties: `otto:commands` (the command log of a failed
 * test), `otto:stability` (passes/runs), `otto:flaky` (attempts after the first). Errors outside
 * tests (a file that did not load, a suite's hooks, unhandled errors) are `<error>`s of a
 * testcase of their own.
 */

/** What the report says besides the tests. */
export interface JUnitRun {
  suiteName: string;
  durationMs: number;
  startedAt: Date;
  /** What a test wrote with `console.*`, by test id (see consoleReporter). */
  logsOf(testId: string): ReadonlyArray<{ type: 'stdout' | 'stderr'; content: string }>;
}

/** The report's text (see the file comment). */
export function formatJUnit(
  run: JUnitRun,
  modules: readonly TestModule[],
  unhandled: readonly SerializedError[],
): string {
  const suites = modules.map((module) => testSuiteOf(run, module));
  if (unhandled.length > 0) suites.push(unhandledSuite(run, unhandled));
  const total = (key: keyof Counts) => suites.reduce((sum, suite) => sum + suite.counts[key], 0);
  const totals = {
    tests: total('tests'),
    failures: total('failures'),
    errors: total('errors'),
    skipped: total('skipped'),
  };
  const attributes = { name: run.suiteName, ...totals, time: seconds(run.durationMs) };
  const body = element(
    'testsuites',
    attributes,
    suites.map((suite) => suite.xml),
  );
  return `<?xml version="1.0" encoding="UTF-8" ?>\n${body}\n`;
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function testSuiteOf(run: JUnitRun, module: TestModule): { xml: string; counts: Counts } {
  const tests = [...module.children.allTests()];
  const results = tests.map((test) => testResultOf(test, run.suiteName));
  const cases = tests.map((test, index) => testCaseOf(run, test, results[index]!));
  const errors: SerializedError[] = [...module.errors()];
  for (const suite of module.children.allSuites()) errors.push(...suite.errors());
  if (errors.length > 0) cases.push(errorCase(run, errors));
  const counts: Counts = {
    tests: cases.length,
    failures: results.filter((result) => result.state === 'failed').length,
    errors: errors.length > 0 ? 1 : 0,
    skipped: results.filter((result) => result.state === 'skipped').length,
  };
  const attributes = {
    name: module.relativeModuleId,
    timestamp: run.startedAt.toISOString(),
    hostname: hostname(),
    ...counts,
    time: seconds(module.diagnostic().duration),
  };
  return { xml: element('testsuite', attributes, cases), counts };
}

function unhandledSuite(
  run: JUnitRun,
  errors: readonly SerializedError[],
): { xml: string; counts: Counts } {
  const counts: Counts = { tests: 1, failures: 0, errors: 1, skipped: 0 };
  const attributes = { name: 'unhandled errors', ...counts, time: seconds(0) };
  return { xml: element('testsuite', attributes, [errorCase(run, errors)]), counts };
}

function testCaseOf(run: JUnitRun, test: TestCase, result: TestResult): string {
  const state = test.result();
  const children: string[] = [];
  const properties: Array<[string, string]> = [];
  if (result.commandLog) properties.push(['otto:commands', result.commandLog]);
  if (result.stability)
    properties.push(['otto:stability', `${result.stability.passed}/${result.stability.total}`]);
  if (result.flaky) properties.push(['otto:flaky', String(result.retries)]);
  if (properties.length > 0)
    children.push(
      element(
        'properties',
        {},
        properties.map(([name, value]) => element('property', { name, value }, [])),
      ),
    );
  if (state.state === 'failed')
    for (const error of state.errors) children.push(failureOf('failure', error));
  else if (result.state === 'failed')
    children.push(
      element('failure', { message: result.errors[0]?.message ?? 'failed', type: 'Error' }, [
        escapeXml(result.errors[0]?.message ?? ''),
      ]),
    );
  if (result.state === 'skipped') children.push('<skipped/>');
  for (const [type, tag] of [
    ['stdout', 'system-out'],
    ['stderr', 'system-err'],
  ] as const) {
    const text = run
      .logsOf(test.id)
      .filter((log) => log.type === type)
      .map((log) => log.content)
      .join('');
    if (text) children.push(element(tag, {}, [escapeXml(text)]));
  }
  return element(
    'testcase',
    { classname: run.suiteName, name: test.fullName, time: seconds(result.durationMs) },
    children,
  );
}

function errorCase(run: JUnitRun, errors: readonly SerializedError[]): string {
  return element(
    'testcase',
    { classname: run.suiteName, name: `${run.suiteName} (outside tests)`, time: 0 },
    errors.map((error) => failureOf('error', error)),
  );
}

function failureOf(tag: 'failure' | 'error', error: SerializedError): string {
  const frame = error.stacks?.[0];
  const at = frame ? `\n    at ${frame.file}:${frame.line}:${frame.column}` : '';
  const name = error.name ?? 'Error';
  return element(tag, { message: error.message, type: name }, [
    escapeXml(`${name}: ${error.message}${at}`),
  ]);
}

function element(
  name: string,
  attributes: Record<string, string | number>,
  children: readonly string[],
): string {
  const attrs = Object.entries(attributes)
    .map(([key, value]) => ` ${key}="${escapeXml(String(value))}"`)
    .join('');
  if (children.length === 0) return `<${name}${attrs}></${name}>`;
  return `<${name}${attrs}>\n${children.map((child) => indent(child)).join('\n')}\n</${name}>`;
}

/** Markup lines move in a level; text (escaped, so never starting with `<`) stays as it is. */
function indent(text: string): string {
  return text.replace(/^(?=[ \t]*<)/gm, '  ');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** Text for XML: the five special characters, and control characters XML 1.0 refuses, dropped. */
export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- removing what XML cannot hold is the point
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}
