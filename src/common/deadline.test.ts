import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../errors.js';
import type { Clock } from './clock.js';
import { Deadline, waitUntil } from './deadline.js';

/** A clock that advances only when something sleeps on it. */
function createFakeClock(): Clock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    nowMs: () => now,
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

describe('Deadline', () => {
  it('counts down and expires', async () => {
    const clock = createFakeClock();
    const deadline = new Deadline(1000, clock);
    expect(deadline.remainingMs()).toBe(1000);
    await clock.sleep(400);
    expect(deadline.elapsedMs()).toBe(400);
    expect(deadline.remainingMs()).toBe(600);
    await clock.sleep(700);
    expect(deadline.remainingMs()).toBe(0);
    expect(deadline.isExpired()).toBe(true);
  });
});

describe('waitUntil', () => {
  it('returns the first defined value and polls at the interval', async () => {
    const clock = createFakeClock();
    let calls = 0;
    const value = await waitUntil(() => Promise.resolve(++calls === 3 ? 'ready' : undefined), {
      timeoutMs: 1000,
      intervalMs: 50,
      what: 'the thing',
      clock,
    });
    expect(value).toBe('ready');
    expect(clock.sleeps).toEqual([50, 50]);
  });

  it('times out with what it waited for and the last error as cause', async () => {
    const clock = createFakeClock();
    const failure = new Error('connection refused');
    const wait = waitUntil(() => Promise.reject(failure), {
      timeoutMs: 300,
      intervalMs: 100,
      what: 'the engine',
      clock,
    });
    await expect(wait).rejects.toThrow(
      new TimeoutError('WAIT_TIMEOUT', 'Timed out after 300ms waiting for the engine.'),
    );
    await expect(wait).rejects.toMatchObject({ code: 'WAIT_TIMEOUT', cause: failure });
    expect(clock.sleeps).toEqual([100, 100, 100]);
  });
});
