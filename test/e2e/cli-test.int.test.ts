import { cp, readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * `otto test` end to end on the example repo test/fixtures/suites/basics (no lab): the built CLI is
 * spawned, and its exit codes, console, summary.json, junit.xml, stability_report.txt and output
 * folders are checked. Independent runs run concurrently.
 */

const BASICS = fileURLToPath(new URL('../fixtures/suites/basics', import.meta.url));

let base: string;
let root: string;
beforeAll(async () => {
  base = await makeTempDir('otto-cli-test-');
  root = join(base, 'basics');
  await cp(BASICS, root, { recursive: true });
});

/**
 * `otto test ...` in the shared copy of the repo. The runs share one xdir, as a user's do: each
 * gets an output directory of its own, and after the first they read the suites' declarations
 * and Vite's cache from it (a cold run takes seconds longer).
 */
function ottoTest(args: string[]): Promise<CliResult> {
  return runCli(['test', ...args], {
    cwd: root,
    env: { OTTO_SUT_DIRS: root, OTTO_XDIR: join(base, 'xdir'), OTTO_LAB: '' },
  });
}

/** The run's output directory, from the `output:` line it prints last. */
function outputDirOf(result: CliResult): string {
  const dir = /^output: (.+)$/m.exec(result.stderr)?.[1];
  expect(dir, shown(result)).toBeDefined();
  return dir!;
}

function shown(result: CliResult): string {
  return `exit ${result.exitCode}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

interface Summary {
  suite: string;
  options: Record<string, unknown>;
  markers: string | null;
  stability: Record<string, number> | null;
  exitCode: number;
  counts: Record<string, number>;
  tests: Array<{
    id: string;
    state: string;
    retries: number;
    flaky: boolean;
    tags: string[];
    errors: Array<{ message: string; location?: string }>;
    commandLog?: string;
    stability?: { passed: number; total: number };
  }>;
  errors: Array<{ message: string; location?: string }>;
  reports: { junit: string; log: string; stability?: string };
}

async function summaryOf(result: CliResult): Promise<Summary> {
  return JSON.parse(await readFile(join(outputDirOf(result), 'summary.json'), 'utf8')) as Summary;
}

/** Each test's id and state, in order. */
async function statesOf(result: CliResult): Promise<Array<[string, string]>> {
  return (await summaryOf(result)).tests.map((test) => [test.id, test.state]);
}

/** `file:line:column` of the first `text` in a suite file of the repo: where its frames point. */
async function placeOf(name: string, text: string): Promise<string> {
  const path = join(root, 'tests', name);
  const lines = (await readFile(path, 'utf8')).split('\n');
  const index = lines.findIndex((line) => line.includes(text));
  return `${path}:${index + 1}:${lines[index]!.indexOf(text) + 1}`;
}

/** `file:line` of a place. */
const lineOf = (place: string) => place.replace(/:\d+$/, '');

/** The console without the durations and times, which vary. */
function steadyConsole(text: string): string {
  return text
    .replace(/ {2}\d+(\.\d+)?m?s\b/g, '  T')
    .replace(/in \d+(\.\d+)?m?s\n/g, 'in T\n')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'TIME');
}

describe('otto test: finding and running a suite', () => {
  it('lists the suites of the repos with their help, files and markers', async () => {
    const result = await ottoTest(['--list-suites']);
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(result.stdout).toBe(
      [
        `basics (${root})`,
        '  Checks        Passing, failing, soft-expect and parametrized tests.  [tests/checks.test.ts]  tags: smoke, slow, net',
        '  Retries       A flaky test and one that never passes.  [tests/retries.test.ts]',
        '  Flaky         One steady test and one that fails every third iteration.  [tests/stability.test.ts]',
        '  Timeouts      A test body that never settles.  [tests/timeouts.test.ts]',
        '  HangingSetup  A setup hook that never settles.  [tests/timeouts.test.ts]',
        '',
      ].join('\n'),
    );
  });

  it('runs passing, failing, soft-expect and parametrized tests, with typed options, reports and folders', async () => {
    const args = ['Checks', '--build', '2.1', '--count', '3', '--mode', 'thorough', '--verbose'];
    const result = await ottoTest(args);
    expect(result.exitCode, shown(result)).toBe(1);
    const dir = outputDirOf(result);
    expect(dir).toMatch(new RegExp(`^${base}/xdir/test/\\d{8}_\\d{6}_\\d{3}_Checks(_\\d+)?$`));
    const firstExpect = await placeOf('checks.test.ts', 'expect([1, 2, 3]');
    const secondExpect = lineOf(await placeOf('checks.test.ts', "expect('otto'"));
    const thrown = await placeOf('checks.test.ts', "new Error('the service");
    expect(steadyConsole(result.stdout)).toBe(
      [
        '  ✓ records its options  T',
        '  ✓ adds up  T',
        '  ✗ soft expectations  T',
        '      TestFailure: Checks > soft expectations: 2 expectations failed:',
        '  ✗ fails hard  T',
        '      the service did not answer',
        '  ✓ case alpha  T',
        '  ✓ case beta  T',
        '  ✓ case beta  T',
        '',
        'Failures:',
        '  ✗ soft expectations',
        '      TestFailure: Checks > soft expectations: 2 expectations failed:',
        `        EXPECT FAILED ${lineOf(firstExpect)}: the list holds 4  t.expect([1, 2, 3].includes(4), 'the list holds 4');`,
        `        EXPECT FAILED ${secondExpect}: otto has five letters  t.expect('otto'.length === 5, 'otto has five letters');`,
        `      at ${firstExpect}`,
        `      command log: ${dir}/tests/soft_expectations/commands.log`,
        `        TIME ERROR EXPECT FAILED ${lineOf(firstExpect)}: the list holds 4  t.expect([1, 2, 3].includes(4), 'the list holds 4');`,
        `        TIME ERROR EXPECT FAILED ${secondExpect}: otto has five letters  t.expect('otto'.length === 5, 'otto has five letters');`,
        '  ✗ fails hard',
        '      the service did not answer',
        `      at ${thrown}`,
        '',
        'Checks: 5 passed, 2 failed (7 tests) in T',
        '',
      ].join('\n'),
    );

    const summary = await summaryOf(result);
    expect(summary).toMatchObject({
      suite: 'Checks',
      options: { build: '2.1', count: 3, mode: 'thorough', verbose: true },
      markers: null,
      stability: null,
      exitCode: 1,
      counts: { total: 7, passed: 5, failed: 2, skipped: 0, flaky: 0 },
      errors: [],
      reports: { junit: join(dir, 'junit.xml'), log: join(dir, 'otto.log') },
    });
    expect(summary.tests.map((test) => [test.id, test.state, test.tags])).toEqual([
      ['records its options', 'passed', ['smoke']],
      ['adds up', 'passed', ['smoke', 'slow']],
      ['soft expectations', 'failed', ['net']],
      ['fails hard', 'failed', ['slow', 'net']],
      ['case alpha', 'passed', []],
      ['case beta', 'passed', []],
      ['case beta', 'passed', []],
    ]);
    const soft = summary.tests[2]!;
    expect(soft.errors).toEqual([
      {
        message: [
          'TestFailure: Checks > soft expectations: 2 expectations failed:',
          `  EXPECT FAILED ${lineOf(firstExpect)}: the list holds 4  t.expect([1, 2, 3].includes(4), 'the list holds 4');`,
          `  EXPECT FAILED ${secondExpect}: otto has five letters  t.expect('otto'.length === 5, 'otto has five letters');`,
        ].join('\n'),
        location: `${firstExpect}`,
      },
    ]);
    expect(soft.commandLog).toBe(join(dir, 'tests', 'soft_expectations', 'commands.log'));
    expect(summary.tests[3]!.errors).toEqual([
      { message: 'the service did not answer', location: `${thrown}` },
    ]);

    // Folders: made for the tests that read testDir, and for a failed test's command log.
    expect((await readdir(join(dir, 'tests'))).sort()).toEqual([
      'case_alpha',
      'case_beta',
      'case_beta_2',
      'records_its_options',
      'soft_expectations',
    ]);
    expect(
      JSON.parse(await readFile(join(dir, 'tests/records_its_options/options.json'), 'utf8')),
    ).toEqual({ build: '2.1', count: 3, mode: 'thorough', verbose: true });
    expect(await readFile(join(dir, 'tests/case_beta_2/case.txt'), 'utf8')).toBe('beta\n');
    // A soft failure lets the body go on to its end.
    expect(await readFile(join(dir, 'tests/soft_expectations/reached-the-end'), 'utf8')).toBe(
      'yes\n',
    );
    expect(await readFile(soft.commandLog!, 'utf8')).toMatch(
      /^\S+Z ERROR EXPECT FAILED .*:33: the list holds 4 .*\n\S+Z ERROR EXPECT FAILED .*:34: otto has five letters .*\n$/,
    );

    const junit = await readFile(join(dir, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuites name="Checks" tests="7" failures="2" errors="0"/);
    expect(junit.match(/<testcase classname="Checks" name="Checks &gt; [^"]+"/g)).toHaveLength(7);
    expect(junit).toContain(
      `<property name="otto:commands" value="${join(dir, 'tests/soft_expectations/commands.log')}">`,
    );
    expect(junit).toContain('<failure message="the service did not answer" type="Error">');

    const log = await readFile(join(dir, 'otto.log'), 'utf8');
    expect(log).toContain('INFO  Checks: running tests/checks.test.ts of basics\n');
    expect(log).toMatch(/ERROR EXPECT FAILED .*:33: the list holds 4 /);
    expect(log).toMatch(/DEBUG exit code 1\n$/);
    expect(result.stderr).toMatch(
      new RegExp(
        `JUnit report: ${dir}/junit\\.xml\nsummary: ${dir}/summary\\.json\noutput: ${dir}\n$`,
      ),
    );
  });

  it('selects tests with -m (and, or, not), given before or after the suite name', async () => {
    const [smokeNotSlow, slowOrNet, neither, before, none] = await Promise.all([
      ottoTest(['Checks', '-m', 'smoke and not slow']),
      ottoTest(['Checks', '--markers', 'slow or net']),
      ottoTest(['Checks', '-m', 'not (slow or net)']),
      ottoTest(['-m', 'smoke', 'Checks']),
      ottoTest(['Checks', '-m', 'smoke and net']),
    ]);
    const ran = async (result: CliResult) =>
      (await statesOf(result)).filter(([, state]) => state !== 'skipped');
    expect(smokeNotSlow.exitCode, shown(smokeNotSlow)).toBe(0);
    expect(await ran(smokeNotSlow)).toEqual([['records its options', 'passed']]);
    expect(slowOrNet.exitCode, shown(slowOrNet)).toBe(1);
    expect(await ran(slowOrNet)).toEqual([
      ['adds up', 'passed'],
      ['soft expectations', 'failed'],
      ['fails hard', 'failed'],
    ]);
    expect(neither.exitCode, shown(neither)).toBe(0);
    expect(await ran(neither)).toEqual([
      ['records its options', 'passed'],
      ['case alpha', 'passed'],
      ['case beta', 'passed'],
      ['case beta', 'passed'],
    ]);
    expect(steadyConsole(neither.stdout)).toContain(
      '  ↓ adds up (skipped)\n  ↓ soft expectations (skipped)\n  ↓ fails hard (skipped)\n',
    );
    expect(neither.stdout).toMatch(/\nChecks: 4 passed, 3 skipped \(7 tests\) in /);
    expect(before.exitCode, shown(before)).toBe(0);
    expect(await ran(before)).toEqual([
      ['records its options', 'passed'],
      ['adds up', 'passed'],
    ]);
    expect((await summaryOf(before)).markers).toBe('smoke');
    // No test matches: nothing ran, which is a failure, and otto says why.
    expect(none.exitCode, shown(none)).toBe(1);
    expect(await ran(none)).toEqual([]);
    expect(none.stderr).toContain(
      'error: Checks: no test ran (none matches -m "smoke and net").\n',
    );
  });
});

describe('otto test: stability runs', () => {
  it('rates each test against the threshold: 2 of 3 is stable at 60% and unstable at 100%', async () => {
    const [at60, at100] = await Promise.all([
      ottoTest(['Flaky', '-i', '3', '--threshold', '60']),
      ottoTest(['--iterations', '3', 'Flaky']),
    ]);
    const report60 = [
      'Stability Results for Flaky (3 iterations, threshold 60%):',
      '  steady                                   3/3 (100.0%)  STABLE',
      '  fails every third iteration              2/3 (66.7%)  STABLE',
      'Overall: PASS',
      '',
    ].join('\n');
    const report100 = [
      'Stability Results for Flaky (3 iterations, threshold 100%):',
      '  steady                                   3/3 (100.0%)  STABLE',
      '  fails every third iteration              2/3 (66.7%)  UNSTABLE',
      'Overall: FAIL',
      '',
    ].join('\n');
    for (const [result, exitCode, report] of [
      [at60, 0, report60],
      [at100, 1, report100],
    ] as const) {
      expect(result.exitCode, shown(result)).toBe(exitCode);
      const dir = outputDirOf(result);
      expect(await readFile(join(dir, 'stability_report.txt'), 'utf8')).toBe(report);
      // The console ends with the same table.
      expect(result.stdout.endsWith(`\n${report}`), shown(result)).toBe(true);
      expect(result.stderr).toContain(`stability report: ${dir}/stability_report.txt\n`);
    }

    const summary60 = await summaryOf(at60);
    expect(summary60).toMatchObject({
      stability: { iterations: 3, threshold: 60 },
      exitCode: 0,
      counts: { total: 2, passed: 2, failed: 0 },
      reports: { stability: join(outputDirOf(at60), 'stability_report.txt') },
    });
    expect(summary60.tests.map((test) => test.stability)).toEqual([
      { passed: 3, total: 3 },
      { passed: 2, total: 3 },
    ]);
    // Iterations are logged; the failed one says why.
    expect(at60.stderr).toContain(
      'Flaky > fails every third iteration: iteration 3/3\nerror: Flaky > fails every third iteration: iteration 3 failed: iteration 3 lost its connection\n',
    );

    const unstable = (await summaryOf(at100)).tests[1]!;
    expect(unstable).toMatchObject({ id: 'fails every third iteration', state: 'failed' });
    expect(unstable.errors[0]!.message).toBe(
      'TestFailure: Flaky > fails every third iteration is unstable: 2/3 iterations passed (66.7%), below the threshold of 100%; first failure (iteration 3): iteration 3 lost its connection',
    );
    expect(unstable.errors[0]!.location).toBe(
      await placeOf('stability.test.ts', "test('fails every third iteration'"),
    );
    expect(steadyConsole(at100.stdout)).toContain(
      '  ✗ fails every third iteration  T  2/3 iterations\n',
    );
  });

  it('repeats each body for --duration seconds, or until --iterations, whichever ends first', async () => {
    const result = await ottoTest(['Flaky', '-d', '0.5', '-i', '100000', '--threshold', '50']);
    expect(result.exitCode, shown(result)).toBe(0);
    const dir = outputDirOf(result);
    const report = await readFile(join(dir, 'stability_report.txt'), 'utf8');
    const lines = report.split('\n');
    expect(lines[0]).toBe(
      'Stability Results for Flaky (100000 iterations, 0.5s duration, threshold 50%):',
    );
    expect(lines.slice(3)).toEqual(['Overall: PASS', '']);
    const { tests } = await summaryOf(result);
    const [steady, third] = tests.map((test) => test.stability!);
    // Each body takes at least 10 ms: half a second holds at most 50 iterations.
    for (const counts of [steady!, third!]) {
      expect(counts.total).toBeGreaterThanOrEqual(3);
      expect(counts.total).toBeLessThanOrEqual(51);
    }
    expect(steady!.passed).toBe(steady!.total);
    expect(third!.passed).toBe(third!.total - Math.floor(third!.total / 3));
    const rate = (counts: { passed: number; total: number }) =>
      ((counts.passed / counts.total) * 100).toFixed(1);
    expect(lines[1]).toBe(
      `  ${'steady'.padEnd(40)} ${steady!.passed}/${steady!.total} (${rate(steady!)}%)  STABLE`,
    );
    expect(lines[2]).toBe(
      `  ${'fails every third iteration'.padEnd(40)} ${third!.passed}/${third!.total} (${rate(third!)}%)  STABLE`,
    );
  });
});

describe('otto test: retries, timeouts and reports', () => {
  it('gives a failing test exactly its retries, and reports a pass on a retry as flaky', async () => {
    const result = await ottoTest(['Retries']);
    expect(result.exitCode, shown(result)).toBe(1);
    const dir = outputDirOf(result);
    expect(steadyConsole(result.stdout)).toMatch(
      /^ {2}✓ passes on its second attempt {2}T {2}\(flaky: passed on retry 1\)\n {2}✗ never passes {2}T\n {6}attempt 1 failed\n/,
    );
    expect(result.stdout).toMatch(/\nRetries: 1 passed, 1 failed, 1 flaky \(2 tests\) in /);
    const summary = await summaryOf(result);
    expect(summary.counts).toEqual({ total: 2, passed: 1, failed: 1, skipped: 0, flaky: 1 });
    expect(
      summary.tests.map(({ id, state, retries, flaky }) => ({ id, state, retries, flaky })),
    ).toEqual([
      { id: 'passes on its second attempt', state: 'passed', retries: 1, flaky: true },
      { id: 'never passes', state: 'failed', retries: 2, flaky: false },
    ]);
    expect(summary.tests[1]!.errors.map((error) => error.message)).toEqual([
      'attempt 1 failed',
      'attempt 2 failed',
      'attempt 3 failed',
    ]);
    const attempts = (name: string) => readFile(join(dir, 'tests', name, 'attempts.txt'), 'utf8');
    expect(await attempts('passes_on_its_second_attempt')).toBe('attempt\n'.repeat(2));
    // retry: 2 is two more attempts, three in all.
    expect(await attempts('never_passes')).toBe('attempt\n'.repeat(3));
  });

  it('names the test and the phase when a body or a setup hook never settles; the cleanup still runs', async () => {
    const [body, setup] = await Promise.all([ottoTest(['Timeouts']), ottoTest(['HangingSetup'])]);
    expect(body.exitCode, shown(body)).toBe(1);
    const dir = outputDirOf(body);
    const message =
      'TimeoutError: Timeouts > never settles: the test body did not settle within 1.0s; its signal was aborted so its host commands stop, and its cleanup runs next.';
    expect(body.stdout).toContain(`  ✗ never settles  `);
    expect(body.stdout).toContain(
      `      ${message}\n      Fix: give the test more time (test(name, { timeout: ms }, fn)) or see in its command log what it waited for.\n`,
    );
    const summary = await summaryOf(body);
    expect(await statesOf(body)).toEqual([
      ['never settles', 'failed'],
      ['settles', 'passed'],
    ]);
    expect(summary.tests[0]!.errors[0]!.message.split('\n')[0]).toBe(message);
    // otto's own errors about a test point at the test, not at otto-ts.
    expect(summary.tests[0]!.errors[0]!.location).toBe(
      await placeOf('timeouts.test.ts', "test('never settles'"),
    );
    // The body's signal aborted at the timeout, and afterEach ran for both tests.
    for (const file of ['never_settles/aborted', 'never_settles/cleaned-up', 'settles/cleaned-up'])
      expect(await readFile(join(dir, 'tests', file), 'utf8')).toBe('yes\n');

    expect(setup.exitCode, shown(setup)).toBe(1);
    const setupSummary = await summaryOf(setup);
    expect(setupSummary.counts).toMatchObject({ total: 1, passed: 0, skipped: 1 });
    expect(setupSummary.errors.map((error) => error.message)).toEqual([
      'HangingSetup: TimeoutError: HangingSetup: the beforeAll hook (setup) did not settle within 1.0s.\nFix: give it more time (t.beforeAll(fn, ms)) or see otto.log for what it waited for.',
    ]);
    expect(setup.stdout).toMatch(
      /\nFailures:\n {6}HangingSetup: TimeoutError: HangingSetup: the beforeAll hook \(setup\) did not settle within 1\.0s\.\n/,
    );
    // The hook's timeout points at where the hook is declared, not into otto-ts.
    expect(setupSummary.errors[0]!.location).toBe(await placeOf('timeouts.test.ts', 'beforeAll('));
    expect(setup.stdout).toMatch(/\nHangingSetup: 0 passed, 1 skipped, 1 errors \(1 tests\) in /);
  });

  it('writes the JUnit report where --results says, relative to the current folder', async () => {
    const [relative, absolute] = await Promise.all([
      ottoTest(['Flaky', '--results', 'reports/flaky.xml']),
      ottoTest(['--results', join(base, 'absolute', 'junit-flaky.xml'), 'Flaky']),
    ]);
    for (const [result, path] of [
      [relative, join(root, 'reports', 'flaky.xml')],
      [absolute, join(base, 'absolute', 'junit-flaky.xml')],
    ] as const) {
      expect(result.exitCode, shown(result)).toBe(0);
      const dir = outputDirOf(result);
      expect(await readFile(path, 'utf8')).toMatch(
        /<testsuites name="Flaky" tests="2" failures="0" errors="0"/,
      );
      expect(existsSync(join(dir, 'junit.xml'))).toBe(false);
      expect((await summaryOf(result)).reports.junit).toBe(path);
      expect(result.stderr).toContain(`JUnit report: ${path}\n`);
      expect(result.stdout).toMatch(/\nFlaky: 2 passed \(2 tests\) in /);
    }
  });
});
