import {
  AbortedError,
  TimeoutError,
  type OttoErrorOptions,
  type TimeoutErrorCode,
} from '../errors.js';
import { SYSTEM_CLOCK, type Clock } from './clock.js';

/** Options of a {@link Deadline}. */
export interface DeadlineOptions {
  /** Time allowed from now; none when undefined (only `signal` can stop the work). */
  timeoutMs?: number;
  /** The caller's signal: aborting it stops the work too. */
  signal?: AbortSignal;
  /** Time source of the deadline; tests pass a fake one. @default the system clock */
  clock?: Clock;
}

/** How a bounded wait ended. */
export type WaitResult<T> =
  | { kind: 'done'; value: T }
  | { kind: 'failed'; error: unknown }
  | { kind: 'timeout' }
  | { kind: 'aborted' };

/** Why a deadline stopped its work: its time ran out, or the caller aborted. */
export type StopReason = 'timeout' | 'aborted';

/**
 * The one stop mechanism of otto-ts: a point in time by which work must finish, joined with the
 * caller's `AbortSignal`. `signal` aborts at the deadline or as soon as the caller's signal does
 * (at once when it already has); `reason` says which came first; `stopError` builds the matching
 * {@link TimeoutError} or {@link AbortedError}. Dispose it when the work ends, to clear its timer.
 * @example
 * using deadline = new Deadline({ timeoutMs: 5000, signal: options.signal });
 * const result = await deadline.race(work);
 * if (result.kind === 'timeout' || result.kind === 'aborted')
 *   throw deadline.stopError('TRANSFER_TIMEOUT', `putting ${file} on ${where}`);
 */
export class Deadline implements Disposable {
  readonly timeoutMs: number | undefined;
  private readonly clock: Clock;
  private readonly startMs: number;
  private readonly controller = new AbortController();
  private readonly callerSignal: AbortSignal | undefined;
  private stopReason: StopReason | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: DeadlineOptions | number = {}, clock?: Clock) {
    const resolved = typeof options === 'number' ? { timeoutMs: options, clock } : options;
    this.timeoutMs = resolved.timeoutMs;
    this.clock = resolved.clock ?? SYSTEM_CLOCK;
    this.startMs = this.clock.nowMs();
    this.callerSignal = resolved.signal;
    if (this.callerSignal?.aborted) this.stop('aborted');
    else this.callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
    if (this.timeoutMs !== undefined && !this.stopReason)
      this.timer = setTimeout(() => this.stop('timeout'), this.timeoutMs);
  }

  /** Aborts when the work must stop: at the deadline or on the caller's abort. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the work was stopped; undefined while it may go on. */
  get reason(): StopReason | undefined {
    return this.stopReason;
  }

  /** The caller's abort reason, when the caller aborted. */
  get callerReason(): unknown {
    return this.callerSignal?.reason as unknown;
  }

  /** Milliseconds since the deadline was set. */
  elapsedMs(): number {
    return this.clock.nowMs() - this.startMs;
  }

  /** Milliseconds left, never negative; `Infinity` without a time limit; 0 once stopped. */
  remainingMs(): number {
    if (this.stopReason) return 0;
    if (this.timeoutMs === undefined) return Number.POSITIVE_INFINITY;
    return Math.max(0, this.timeoutMs - this.elapsedMs());
  }

  /** True once the time ran out or the caller aborted. */
  isExpired(): boolean {
    return this.remainingMs() === 0;
  }

  /**
   * A deadline for one step of this work: at most `timeoutMs` (when given), never past this one,
   * stopped when this one stops. Dispose it after the step.
   */
  step(timeoutMs?: number): Deadline {
    const remaining = this.remainingMs();
    const limit = timeoutMs === undefined ? remaining : Math.min(timeoutMs, remaining);
    return new Deadline({
      timeoutMs: Number.isFinite(limit) ? limit : undefined,
      signal: this.signal,
      clock: this.clock,
    });
  }

  /**
   * Waits for `work` until it settles or this deadline stops, without rejecting: the caller
   * decides what a timeout or an abort means. `onTick` runs every `tickMs` while waiting.
   */
  race<T>(work: Promise<T>, onTick?: () => void, tickMs = 1000): Promise<WaitResult<T>> {
    return new Promise((resolve) => {
      if (this.stopReason) {
        // Nobody waits for `work` any more: its later failure must not go unhandled.
        work.catch(() => undefined);
        return resolve({ kind: this.stopReason });
      }
      const ticker = onTick ? setInterval(onTick, tickMs) : undefined;
      const finish = (result: WaitResult<T>): void => {
        if (ticker) clearInterval(ticker);
        this.signal.removeEventListener('abort', onStop);
        resolve(result);
      };
      const onStop = (): void => finish({ kind: this.stopReason ?? 'aborted' });
      this.signal.addEventListener('abort', onStop, { once: true });
      work.then(
        (value) => finish({ kind: 'done', value }),
        (error: unknown) => finish({ kind: 'failed', error }),
      );
    });
  }

  /**
   * The error of work this deadline stopped. `doing` completes "Timed out after 500ms …" and
   * "Aborted …": `running \`make\` on host "db-1" [ssh]`.
   */
  stopError(
    code: TimeoutErrorCode,
    doing: string,
    details: OttoErrorOptions = {},
  ): TimeoutError | AbortedError {
    if (this.stopReason === 'aborted') {
      return new AbortedError(`Aborted ${doing}${describeAbortReason(this.callerReason)}.`, {
        ...details,
        cause: this.callerReason,
      });
    }
    return new TimeoutError(code, `Timed out after ${this.timeoutMs}ms ${doing}.`, details);
  }

  /** Clears the timer and stops listening to the caller's signal. Idempotent. */
  dispose(): void {
    clearTimeout(this.timer);
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private readonly onCallerAbort = (): void => this.stop('aborted');

  private stop(reason: StopReason): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    clearTimeout(this.timer);
    this.controller.abort(reason);
  }
}

/**
 * Waits for `work` for at most `timeoutMs` (and until `signal` aborts), without rejecting.
 * @example const result = await raceDeadline(shellOpened, 15_000, options.signal);
 */
export async function raceDeadline<T>(
  work: Promise<T>,
  timeoutMs: number | undefined,
  signal?: AbortSignal,
  onTick?: () => void,
): Promise<WaitResult<T>> {
  using deadline = new Deadline({ timeoutMs, signal });
  return await deadline.race(work, onTick);
}

/** The caller's reason as a message suffix (`: Ctrl-C`), or nothing for a plain abort. */
function describeAbortReason(reason: unknown): string {
  if (reason instanceof Error && reason.name !== 'AbortError')
    return `: ${reason.message.split('\n')[0]!.replace(/\.$/, '')}`;
  if (typeof reason === 'string' && reason) return `: ${reason.replace(/\.$/, '')}`;
  return '';
}

function throwIfAborted(deadline: Deadline, what: string): void {
  if (deadline.reason === 'aborted')
    throw deadline.stopError('WAIT_TIMEOUT', `waiting for ${what}`);
}

/** Options of {@link waitUntil}. */
export interface WaitOptions {
  /** Give up after this many milliseconds, with a {@link TimeoutError} (`WAIT_TIMEOUT`). */
  timeoutMs: number;
  /** Pause between checks, in milliseconds (the first one, with `backoffFactor`). @default 100 */
  intervalMs?: number;
  /** Each pause is this many times the one before, up to `maxIntervalMs`. @default 1 (no backoff) */
  backoffFactor?: number;
  /** The longest pause with `backoffFactor`. @default 1000 */
  maxIntervalMs?: number;
  /** What is being waited for, for the timeout message, e.g. `the engine at /var/run/docker.sock`. */
  what: string;
  /** Time source for the deadline and the pauses; tests pass a fake one. @default the system clock */
  clock?: Clock;
  /** The caller's signal: its abort ends the wait with an {@link AbortedError}. */
  signal?: AbortSignal;
}

/**
 * Calls `check` until it returns a value other than `undefined`, and returns that value.
 * A check that throws counts as "not yet"; its last error becomes the timeout's cause.
 * An abort of `signal` rejects with an {@link AbortedError}.
 * @example
 * await waitUntil(async () => ((await container.logs()).includes('ready') ? true : undefined), {
 *   timeoutMs: 30_000,
 *   what: `container ${container.name} to log "ready"`,
 * });
 */
export async function waitUntil<T>(
  check: () => Promise<T | undefined>,
  options: WaitOptions,
): Promise<T> {
  const clock = options.clock ?? SYSTEM_CLOCK;
  using deadline = new Deadline({ timeoutMs: options.timeoutMs, signal: options.signal, clock });
  let lastError: unknown;
  let intervalMs = options.intervalMs ?? 100;
  for (;;) {
    throwIfAborted(deadline, options.what);
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    throwIfAborted(deadline, options.what);
    if (deadline.elapsedMs() >= options.timeoutMs) {
      throw new TimeoutError(
        'WAIT_TIMEOUT',
        `Timed out after ${options.timeoutMs}ms waiting for ${options.what}.`,
        { cause: lastError },
      );
    }
    const pauseMs = Math.min(intervalMs, options.timeoutMs - deadline.elapsedMs());
    await clock.sleep(pauseMs, options.signal).catch(() => undefined);
    if (options.backoffFactor)
      intervalMs = Math.min(intervalMs * options.backoffFactor, options.maxIntervalMs ?? 1000);
  }
}
