import { TimeoutError } from '../errors.js';
import { SYSTEM_CLOCK, type Clock } from './clock.js';

/** A point in time by which a piece of work must finish. */
export class Deadline {
  readonly timeoutMs: number;
  private readonly startMs: number;

  constructor(
    timeoutMs: number,
    private readonly clock: Clock = SYSTEM_CLOCK,
  ) {
    this.timeoutMs = timeoutMs;
    this.startMs = clock.nowMs();
  }

  /** Milliseconds since the deadline was set. */
  elapsedMs(): number {
    return this.clock.nowMs() - this.startMs;
  }

  /** Milliseconds left, never negative. */
  remainingMs(): number {
    return Math.max(0, this.timeoutMs - this.elapsedMs());
  }

  isExpired(): boolean {
    return this.remainingMs() === 0;
  }
}

/** Options of {@link waitUntil}. */
export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Pause between checks. @default 100 */
  intervalMs?: number;
  /** What is being waited for, for the timeout message, e.g. `the engine at /var/run/docker.sock`. */
  what: string;
  clock?: Clock;
  signal?: AbortSignal;
}

/**
 * Calls `check` until it returns a value other than `undefined`, and returns that value.
 * A check that throws counts as "not yet"; its last error becomes the timeout's cause.
 */
export async function waitUntil<T>(
  check: () => Promise<T | undefined>,
  options: WaitOptions,
): Promise<T> {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const deadline = new Deadline(options.timeoutMs, clock);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (deadline.isExpired()) {
      throw new TimeoutError(
        'WAIT_TIMEOUT',
        `Timed out after ${options.timeoutMs}ms waiting for ${options.what}.`,
        { cause: lastError },
      );
    }
    await clock.sleep(Math.min(options.intervalMs ?? 100, deadline.remainingMs()), options.signal);
  }
}
