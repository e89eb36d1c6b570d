import { EXIT_INTERRUPTED } from './report-failure.js';

/** What to note when Ctrl-C comes (the console is told by {@link runUntilInterrupted}). */
export interface InterruptHooks {
  /** After the first Ctrl-C, once the work's signal is aborted. */
  onInterrupt?: () => void;
  /** After the second, right before the process exits with 130. */
  beforeExit?: () => void;
}

/**
 * Runs work that can be interrupted: the first Ctrl-C (SIGINT) aborts the signal given to the work
 * so that it stops and cleans up; a second one exits at once with 130.
 */
export async function runUntilInterrupted<T>(
  work: (signal: AbortSignal) => Promise<T>,
  hooks: InterruptHooks = {},
): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) {
      hooks.beforeExit?.();
      process.exit(EXIT_INTERRUPTED);
    }
    process.stderr.write('\notto: interrupted; stopping (Ctrl-C again to quit at once)\n');
    controller.abort(new Error('interrupted (Ctrl-C)'));
    hooks.onInterrupt?.();
  };
  process.on('SIGINT', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
  }
}
