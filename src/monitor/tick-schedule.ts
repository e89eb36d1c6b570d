import { SYSTEM_CLOCK, type Clock } from '../common/clock.js';

/**
 * The monitor's tick schedule: tick k starts at start + k * interval, so ticks never drift, and a
 * tick that overruns its slot makes the schedule skip the slots it missed instead of bunching
 * ticks to catch up. Each tick's timestamp is its slot on the wall clock: evenly spaced, shared by
 * every host of the tick.
 */

/** Options of {@link runTickSchedule}. */
export interface TickScheduleOptions {
  intervalMs: number;
  /** Ends the schedule: no tick starts after it aborts (the running one is the caller's to stop). */
  signal: AbortSignal;
  /** Runs one tick; the next one waits for it. */
  onTick(tick: ScheduledTick): Promise<void>;
  /** Told when slots were skipped because a tick overran. */
  onSkipped?(slots: number): void;
  /** Monotonic time and sleeping. @default the system clock */
  clock?: Clock;
  /** The wall clock, ms since the epoch, read once at the start. @default Date.now */
  wallNowMs?: () => number;
}

/** One tick of the schedule. */
export interface ScheduledTick {
  /** Its slot number, from 0 (skipped slots count). */
  slot: number;
  /** Its timestamp: the wall time of its slot, ms since the epoch. */
  timestampMs: number;
}

/**
 * Runs ticks on a fixed schedule until `signal` aborts; the first tick starts at once.
 * @example await runTickSchedule({ intervalMs: 1000, signal, onTick: ({ timestampMs }) => poll(timestampMs) });
 */
export async function runTickSchedule(options: TickScheduleOptions): Promise<void> {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const startMs = clock.nowMs();
  const wallStartMs = (options.wallNowMs ?? Date.now)();
  let slot = 0;
  while (!options.signal.aborted) {
    await options.onTick({ slot, timestampMs: wallStartMs + slot * options.intervalMs });
    const next = nextSlot(slot, clock.nowMs() - startMs, options.intervalMs);
    if (next > slot + 1) options.onSkipped?.(next - slot - 1);
    slot = next;
    const waitMs = startMs + slot * options.intervalMs - clock.nowMs();
    if (options.signal.aborted) break;
    if (waitMs > 0) await clock.sleep(waitMs, options.signal).catch(() => undefined);
  }
}

/**
 * The slot to run after `slot`, `elapsedMs` after the schedule's start: the next one when the tick
 * fit in its slot, else the first whose start is not yet past by more than a tenth of the interval
 * (a slot begun a few ms late is still run, at its own timestamp).
 */
export function nextSlot(slot: number, elapsedMs: number, intervalMs: number): number {
  const lateMs = intervalMs / 10;
  return Math.max(slot + 1, Math.ceil((elapsedMs - lateMs) / intervalMs));
}
