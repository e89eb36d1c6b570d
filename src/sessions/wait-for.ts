/** How a bounded wait ended. */
export type WaitResult<T> =
  | { kind: 'done'; value: T }
  | { kind: 'failed'; error: unknown }
  | { kind: 'timeout' }
  | { kind: 'aborted' };

/**
 * Waits for a promise with a deadline and an optional abort signal, without rejecting: the
 * caller decides what a timeout or an abort means. `onTick` runs every `tickMs` while waiting
 * (used to repeat a readiness probe).
 */
export function waitFor<T>(
  work: Promise<T>,
  timeoutMs: number,
  signal?: AbortSignal,
  onTick?: () => void,
  tickMs = 1000,
): Promise<WaitResult<T>> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve({ kind: 'aborted' });
    const finish = (result: WaitResult<T>): void => {
      clearTimeout(timer);
      if (ticker) clearInterval(ticker);
      signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const onAbort = (): void => finish({ kind: 'aborted' });
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    const ticker = onTick ? setInterval(onTick, tickMs) : undefined;
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => finish({ kind: 'done', value }),
      (error: unknown) => finish({ kind: 'failed', error }),
    );
  });
}
