import { Deadline } from '../common/deadline.js';

/**
 * When `otto monitor` ends: on Ctrl-C (the invocation's signal), on SIGTERM, or after
 * `--duration`. Each is a normal end: what was collected is stored, the server closes, and a
 * summary follows. While one is held, SIGTERM no longer kills the process at once; a second
 * SIGTERM does.
 */
export class MonitorEnd implements Disposable {
  private readonly terminated = new AbortController();
  private readonly deadline: Deadline;
  private readonly onTerminate = () => {
    process.off('SIGTERM', this.onTerminate);
    this.terminated.abort(new Error('terminated (SIGTERM)'));
  };

  constructor(
    private readonly interrupted: AbortSignal,
    /** Stop after this long; undefined waits for a signal only. */
    durationMs?: number,
  ) {
    process.on('SIGTERM', this.onTerminate);
    this.deadline = new Deadline({
      timeoutMs: durationMs,
      signal: AbortSignal.any([interrupted, this.terminated.signal]),
    });
  }

  /** Aborts when the monitor should end. */
  get signal(): AbortSignal {
    return this.deadline.signal;
  }

  /** Why it ended: `Ctrl-C`, `SIGTERM` or `--duration`; undefined while it runs. */
  get reason(): string | undefined {
    if (!this.signal.aborted) return undefined;
    if (this.interrupted.aborted) return 'Ctrl-C';
    return this.terminated.signal.aborted ? 'SIGTERM' : '--duration';
  }

  /** Resolves when the monitor should end. */
  wait(): Promise<void> {
    if (this.signal.aborted) return Promise.resolve();
    return new Promise((resolve) =>
      this.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
  }

  /** Stops listening for SIGTERM and clears the timer. Idempotent. */
  [Symbol.dispose](): void {
    process.off('SIGTERM', this.onTerminate);
    this.deadline.dispose();
  }
}
