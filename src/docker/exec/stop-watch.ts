/** One signal for "stop now": a deadline passed or the caller aborted. */
export interface StopWatch {
  signal: AbortSignal;
  /** The deadline, when there is one. */
  timeoutMs: number | undefined;
  /** True when the deadline (not the caller) stopped the work. */
  isTimeout(): boolean;
  elapsedMs(): number;
  /** Clears the timer and stops listening to the caller's signal. */
  dispose(): void;
}

/**
 * Starts watching a deadline (none when `timeoutMs` is undefined) and a caller's signal.
 * @example const stop = watchStop(5000, options.signal); try { ... } finally { stop.dispose(); }
 */
export function watchStop(
  timeoutMs: number | undefined,
  callerSignal: AbortSignal | undefined,
): StopWatch {
  const startMs = performance.now();
  const controller = new AbortController();
  let isTimeout = false;
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          isTimeout = true;
          controller.abort();
        }, timeoutMs);
  const onAbort = (): void => controller.abort();
  if (callerSignal?.aborted) onAbort();
  else callerSignal?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timeoutMs,
    isTimeout: () => isTimeout,
    elapsedMs: () => performance.now() - startMs,
    dispose() {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onAbort);
    },
  };
}
