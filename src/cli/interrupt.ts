/**
 * Runs work that can be interrupted: the first Ctrl-C (SIGINT) aborts the signal given to the work
 * so that it stops and cleans up; a second one exits at once with 130.
 */
export async function runUntilInterrupted<T>(
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\notto: interrupted; stopping (Ctrl-C again to quit at once)\n');
    controller.abort(new Error('interrupted (Ctrl-C)'));
  };
  process.on('SIGINT', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
  }
}
