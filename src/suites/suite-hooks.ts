import { fileURLToPath } from 'node:url';
import type { TestContext } from 'vitest';
import { Deadline } from '../common/deadline.js';
import { formatDurationMs } from '../common/duration.js';
import { describeFrame, userFrameOf } from '../common/stack-frames.js';
import { AbortedError, TimeoutError } from '../errors.js';
import { decorateContext, testIdOf } from './run-test.js';
import type { SuiteRuntime } from './suite-runtime.js';

/** A hook function of a suite (`t.beforeAll(fn)` and the others). */
export type HookFn = (...args: never[]) => unknown;

/**
 * A hook with the suite's hook timeout, named by its phase when it does not settle. Setup hooks
 * stop on Ctrl-C; cleanup hooks run on, within their timeout, so that what setup made goes away
 * (a second Ctrl-C quits at once). `t.beforeEach` / `t.afterEach` get the suite's context fields,
 * with hosts that stop at the hook's own deadline.
 */
export async function runHook(
  runtime: SuiteRuntime,
  kind: string,
  fn: HookFn,
  args: never[],
  timeoutMs: number,
  declaredAt: { stack?: string },
): Promise<void> {
  const setup = kind.startsWith('before');
  using deadline = new Deadline({
    timeoutMs,
    ...(setup && { signal: runtime.interrupt.signal }),
  });
  if (kind.endsWith('Each')) {
    const context = args[0] as unknown as TestContext;
    const id = testIdOf(context, runtime.suiteName);
    decorateContext(context, runtime, deadline.signal, () =>
      runtime.testDirOf(context.task.id, id),
    );
  }
  const result = await deadline.race(Promise.resolve().then(() => fn(...args)));
  if (result.kind === 'failed') throw result.error;
  if (result.kind === 'done') return;
  const phase = setup ? 'setup' : 'cleanup';
  const context = args[0] as { task?: { name: string } } | undefined;
  const where = kind.endsWith('Each') && context?.task ? ` of "${context.task.name}"` : '';
  if (result.kind === 'aborted')
    throw new AbortedError(
      `${runtime.suiteName}: the ${kind} hook${where} (${phase}) was interrupted (Ctrl-C).`,
    );
  const error = new TimeoutError(
    'TEST_TIMEOUT',
    `${runtime.suiteName}: the ${kind} hook${where} (${phase}) did not settle within ${formatDurationMs(timeoutMs)}.`,
    { fix: `give it more time (t.${kind}(fn, ms)) or see otto.log for what it waited for.` },
  );
  const place = userFrameOf(declaredAt.stack, OWN_DIR);
  if (place) error.stack = `${error.name}: ${error.message}\n    at ${describeFrame(place)}`;
  throw error;
}

/** This copy of otto-ts (its dist/ or src/): frames in it are not the user's. */
const OWN_DIR = fileURLToPath(new URL('..', import.meta.url));
