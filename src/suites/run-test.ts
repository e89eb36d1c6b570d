import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'vitest';
import { Deadline } from '../common/deadline.js';
import { describeFrame, stackFrames } from '../common/stack-frames.js';
import { formatDurationMs } from '../common/duration.js';
import { AbortedError, TestFailure, TimeoutError } from '../errors.js';
import { isStable, oneLineReason, passRate, runIterations } from './stability.js';
import type { SuiteRuntime, TestRecord } from './suite-runtime.js';

/**
 * How one test of a suite runs: its context gets the suite's hosts, options, logger and folders;
 * the body runs under the test's timeout (cooperative: the body's signal aborts, so host commands
 * stop, and the cleanup still runs); failed soft expectations fail it at its end; in a stability
 * run the body repeats; a failing test gets its host command log attached; on the suite's own
 * monitor (`t.startMonitor`) it draws a span.
 */

/** Test timeout when neither the test nor the suite sets one: 10 minutes. */
export const DEFAULT_TEST_TIMEOUT_MS = 600_000;

/** What a test's body receives besides Vitest's own context. */
export interface SuiteContextFields {
  options: unknown;
  iteration: number;
}

/** What otto-ts keeps in a test's `task.meta`, for the reporters of `otto test`. */
export interface OttoTestMeta {
  /** Passes and runs of a stability run. */
  stability?: { passed: number; total: number };
  /** The command log written for a failed test. */
  commandLog?: string;
  /** Stopped in its body by Ctrl-C or a cancelled run. */
  interrupted?: boolean;
}

/** One test body, as the user wrote it. */
export type TestBody = (...args: unknown[]) => unknown;

/** Runs a test body (see the file comment); `args` are Vitest's, the context last. */
export async function runSuiteTest(
  runtime: SuiteRuntime,
  body: TestBody,
  args: unknown[],
  timeoutMs: number,
  /** A stack captured where the test was declared (see {@link atTest}). */
  declaredAt: { stack?: string } = {},
): Promise<void> {
  const context = args.at(-1) as TestContext;
  // After Ctrl-C the tests not yet started do not start (the run is ending).
  if (runtime.interrupt.signal.aborted) context.skip('interrupted (Ctrl-C)');
  const id = testIdOf(context, runtime.suiteName);
  const record = runtime.startTest(context.task.id, id);
  // A span on the suite's own monitor (t.startMonitor), when one runs.
  const span = runtime.monitor.testStarted(id);
  let passed = false;
  try {
    const limits = runtime.config?.stability;
    if (!limits) {
      await runOnce(runtime, record, body, args, timeoutMs, 1, declaredAt);
      passed = true;
      return;
    }
    let stop = false;
    const tally = await runIterations({
      limits,
      onStart: (index) =>
        runtime.logger.info(
          `${runtime.suiteName} > ${id}: iteration ${index}${limits.iterations ? `/${limits.iterations}` : ''}`,
        ),
      iteration: (index) =>
        runOnce(runtime, record, body, args, timeoutMs, index, declaredAt).catch(
          (error: unknown) => {
            // A hung or interrupted iteration ends the run: the next would meet the same wall.
            stop ||= error instanceof TimeoutError || error instanceof AbortedError;
            runtime.logger.error(
              `${runtime.suiteName} > ${id}: iteration ${index} failed: ${oneLineReason(error)}`,
            );
            throw error;
          },
        ),
      stopped: () => stop || runSignalOf(context).aborted,
    });
    metaOf(context).stability = { passed: tally.passed, total: tally.total };
    const rate = `${passRate(tally).toFixed(1)}%`;
    const counts = `${tally.passed}/${tally.total} iterations passed (${rate})`;
    if (!isStable(tally, limits.threshold)) {
      const first = tally.firstFailure
        ? `; first failure (iteration ${tally.firstFailure.iteration}): ${tally.firstFailure.reason}`
        : '';
      throw atTest(
        new TestFailure(
          'TEST_UNSTABLE',
          `${runtime.suiteName} > ${id} is unstable: ${counts}, below the threshold of ${limits.threshold}%${first}`,
        ),
        context,
        declaredAt,
      );
    }
    if (tally.passed < tally.total)
      await context.annotate(
        `${counts}: stable at threshold ${limits.threshold}%`,
        'otto:stability',
      );
    passed = true;
  } catch (error) {
    await attachCommandLog(context, record);
    throw error;
  } finally {
    runtime.endTest(record);
    runtime.monitor.testEnded(span, passed);
  }
}

/** One run of the body with its own deadline, decorated context and soft expectations. */
async function runOnce(
  runtime: SuiteRuntime,
  record: TestRecord,
  body: TestBody,
  args: unknown[],
  timeoutMs: number,
  iteration: number,
  declaredAt: { stack?: string },
): Promise<void> {
  const context = args.at(-1) as TestContext;
  record.expects.reset();
  using stop = eitherSignal(runSignalOf(context), runtime.interrupt.signal);
  using deadline = new Deadline({ timeoutMs, signal: stop.signal });
  decorate(context, runtime, record, deadline.signal, iteration);
  const result = await deadline.race(Promise.resolve().then(() => body(...args)));
  const name = `${runtime.suiteName} > ${record.id}`;
  if (result.kind === 'timeout')
    throw atTest(
      new TimeoutError(
        'TEST_TIMEOUT',
        `${name}: the test body did not settle within ${formatDurationMs(timeoutMs)}; its signal was aborted so its host commands stop, and its cleanup runs next.`,
        {
          fix: 'give the test more time (test(name, { timeout: ms }, fn)) or see in its command log what it waited for.',
        },
      ),
      context,
      declaredAt,
    );
  if (result.kind === 'aborted') {
    // Vitest marks a test of a cancelled run skipped: the reports say it was interrupted.
    metaOf(context).interrupted = true;
    throw new AbortedError(`${name}: stopped in the test body (${stopReason(context, runtime)}).`);
  }
  const thrown = result.kind === 'failed' ? result : undefined;
  const soft = record.expects.failure(name, thrown?.error);
  if (soft) throw soft;
  if (thrown) throw thrown.error;
}

function decorate(
  context: TestContext,
  runtime: SuiteRuntime,
  record: TestRecord,
  signal: AbortSignal,
  iteration: number,
): void {
  decorateContext(context, runtime, signal, () => record.dir(), iteration);
}

/**
 * Gives a Vitest test context the suite's fields (see SuiteTestContext), with hosts that stop on
 * `signal`: the body's deadline for a test, the hook's own for `t.beforeEach` / `t.afterEach`.
 */
export function decorateContext(
  context: TestContext,
  runtime: SuiteRuntime,
  signal: AbortSignal,
  testDir: () => string,
  iteration = 1,
): void {
  runSignalOf(context);
  const fields: Record<string, unknown> = {
    options: runtime.options,
    lab: runtime.lab,
    host: (id: string) => runtime.host(id, signal),
    hosts: (pattern?: RegExp | string) => runtime.hosts(pattern, signal),
    logger: runtime.logger,
    suiteDir: runtime.suiteDir,
    iteration,
    // The body's own signal aborts at its timeout too, not only when Vitest cancels the run.
    signal,
  };
  for (const [key, value] of Object.entries(fields))
    Object.defineProperty(context, key, { value, configurable: true, enumerable: true });
  Object.defineProperty(context, 'testDir', {
    get: testDir,
    configurable: true,
    enumerable: true,
  });
}

/**
 * Places an error of otto-ts's own about a test (a timeout, an unstable test) at the test's
 * declaration, so the reports point at the user's file rather than at otto-ts.
 */
function atTest<E extends Error>(
  error: E,
  context: TestContext,
  declaredAt: { stack?: string },
): E {
  const file = context.task.file?.filepath;
  const frame = stackFrames(declaredAt.stack).find((candidate) => candidate.file === file);
  if (frame) error.stack = `${error.name}: ${error.message}\n    at ${describeFrame(frame)}`;
  return error;
}

/**
 * A signal that aborts with either of two; disposing it lets go of both. (`AbortSignal.any` does
 * the same, but costs far more per call on Node 20: this runs once per test body.)
 */
function eitherSignal(
  first: AbortSignal,
  second: AbortSignal,
): Disposable & { signal: AbortSignal } {
  const controller = new AbortController();
  const onFirst = () => controller.abort(first.reason);
  const onSecond = () => controller.abort(second.reason);
  if (first.aborted) onFirst();
  else if (second.aborted) onSecond();
  first.addEventListener('abort', onFirst, { once: true });
  second.addEventListener('abort', onSecond, { once: true });
  return {
    signal: controller.signal,
    [Symbol.dispose]() {
      first.removeEventListener('abort', onFirst);
      second.removeEventListener('abort', onSecond);
    },
  };
}

/** Vitest's signal of each test context (the run's cancel), kept before decorate() replaces it. */
const runSignals = new WeakMap<TestContext, AbortSignal>();

function runSignalOf(context: TestContext): AbortSignal {
  let signal = runSignals.get(context);
  if (!signal) runSignals.set(context, (signal = context.signal));
  return signal;
}

/** The test's names below the suite's own `describe`, joined by ` > `. */
export function testIdOf(context: TestContext, suiteName: string): string {
  const names = [context.task.name];
  for (let suite = context.task.suite; suite && suite.name !== suiteName; suite = suite.suite)
    if (suite.name) names.unshift(suite.name);
  return names.join(' > ');
}

/** Writes a failed test's command log to its folder and names it in the reports. */
async function attachCommandLog(context: TestContext, record: TestRecord): Promise<void> {
  if (record.lines.length === 0) return;
  try {
    const path = join(record.dir(), 'commands.log');
    writeFileSync(path, record.commandLog());
    metaOf(context).commandLog = path;
    await context.annotate(path, 'otto:commands');
  } catch {
    // The failure itself matters more than its attachment; otto.log has the same lines.
  }
}

function metaOf(context: TestContext): OttoTestMeta {
  const meta = context.task.meta as { otto?: OttoTestMeta };
  return (meta.otto ??= {});
}

function stopReason(context: TestContext, runtime: SuiteRuntime): string {
  if (runtime.interrupt.signal.aborted) return 'interrupted (Ctrl-C)';
  return runSignalOf(context).aborted ? 'the run was cancelled' : 'aborted';
}
