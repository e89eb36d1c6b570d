import { describe, expect, it } from 'vitest';
import type { Clock } from '../common/clock.js';
import { nextSlot, runTickSchedule, type ScheduledTick } from './tick-schedule.js';

/** A clock whose sleeps pass at once, moving its time on. */
function fakeClock(): Clock & { advance(ms: number): void } {
  let nowMs = 1000;
  return {
    nowMs: () => nowMs,
    sleep: (ms) => {
      nowMs += ms;
      return Promise.resolve();
    },
    advance: (ms) => (nowMs += ms),
  };
}

/** Runs the schedule for `durationsMs.length` ticks, each taking its duration; returns what ran. */
async function schedule(
  durationsMs: number[],
  intervalMs = 1000,
): Promise<{ ticks: Array<ScheduledTick & { atMs: number }>; skipped: number[] }> {
  const clock = fakeClock();
  const controller = new AbortController();
  const ticks: Array<ScheduledTick & { atMs: number }> = [];
  const skipped: number[] = [];
  await runTickSchedule({
    intervalMs,
    signal: controller.signal,
    clock,
    wallNowMs: () => 1_700_000_000_000,
    onSkipped: (slots) => skipped.push(slots),
    onTick: (tick) => {
      ticks.push({ ...tick, atMs: clock.nowMs() - 1000 });
      clock.advance(durationsMs[ticks.length - 1]!);
      if (ticks.length === durationsMs.length) controller.abort();
      return Promise.resolve();
    },
  });
  return { ticks, skipped };
}

describe('runTickSchedule', () => {
  it('starts at once and keeps a fixed schedule whatever each tick takes', async () => {
    const { ticks, skipped } = await schedule([120, 900, 10, 500]);
    expect(ticks.map((tick) => tick.atMs)).toEqual([0, 1000, 2000, 3000]);
    expect(ticks.map((tick) => tick.timestampMs - 1_700_000_000_000)).toEqual([
      0, 1000, 2000, 3000,
    ]);
    expect(skipped).toEqual([]);
  });

  it('skips the slots an overrunning tick missed instead of bunching ticks', async () => {
    const { ticks, skipped } = await schedule([2500, 100, 100]);
    expect(ticks.map((tick) => tick.slot)).toEqual([0, 3, 4]);
    expect(ticks.map((tick) => tick.atMs)).toEqual([0, 3000, 4000]);
    // Timestamps stay on the grid: the slot's time, not when the tick began.
    expect(ticks.map((tick) => tick.timestampMs - 1_700_000_000_000)).toEqual([0, 3000, 4000]);
    expect(skipped).toEqual([2]);
  });

  it('runs no tick when the signal has aborted already', async () => {
    const controller = new AbortController();
    controller.abort();
    let ran = 0;
    await runTickSchedule({
      intervalMs: 1000,
      signal: controller.signal,
      clock: fakeClock(),
      onTick: () => Promise.resolve(void ran++),
    });
    expect(ran).toBe(0);
  });
});

describe('nextSlot', () => {
  it('is the next slot when the tick fit, or one begun a little late', () => {
    expect(nextSlot(0, 300, 1000)).toBe(1);
    expect(nextSlot(0, 1000, 1000)).toBe(1);
    expect(nextSlot(0, 1090, 1000)).toBe(1);
  });

  it('is the first slot not yet past by more than a tenth of the interval after an overrun', () => {
    expect(nextSlot(0, 1150, 1000)).toBe(2);
    expect(nextSlot(4, 7050, 1000)).toBe(7);
  });
});
