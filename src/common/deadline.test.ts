import { describe, expect, it } from 'vitest';
import { AbortedError, TimeoutError } from '../errors.js';
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

  it('backs off by the factor up to the longest pause', async () => {
    const clock = createFakeClock();
    let calls = 0;
    await waitUntil(() => Promise.resolve(++calls === 6 ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 20,
      backoffFactor: 2,
      maxIntervalMs: 100,
      what: 'the thing',
      clock,
    });
    expect(clock.sleeps).toEqual([20, 40, 80, 100, 100]);
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

describe('Deadline with a signal', () => {
  it('stops at once for a signal that is already aborted', async () => {
    const reason = new Error('no');
    using deadline = new Deadline({ timeoutMs: 10_000, signal: AbortSignal.abort(reason) });
    expect(deadline.reason).toBe('aborted');
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.remainingMs()).toBe(0);
    expect(await deadline.race(new Promise(() => undefined))).toEqual({ kind: 'aborted' });
    const error = deadline.stopError('COMMAND_TIMEOUT', 'running `x` on host "h" [local]');
    expect(error).toBeInstanceOf(AbortedError);
    expect(error.message).toBe('Aborted running `x` on host "h" [local]: no.');
    expect(error.cause).toBe(reason);
  });

  it('times out with a TimeoutError of the code it is given', async () => {
    using deadline = new Deadline({ timeoutMs: 20 });
    expect(await deadline.race(new Promise(() => undefined))).toEqual({ kind: 'timeout' });
    const error = deadline.stopError('TRANSFER_TIMEOUT', 'putting a on host "h" [ssh]', {
      host: 'h',
    });
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.code).toBe('TRANSFER_TIMEOUT');
    expect(error.message).toBe('Timed out after 20ms putting a on host "h" [ssh].');
    expect(error.details.host).toBe('h');
  });

  it('follows a later abort of the caller and says which came first', async () => {
    const controller = new AbortController();
    using deadline = new Deadline({ timeoutMs: 10_000, signal: controller.signal });
    const waiting = deadline.race(new Promise(() => undefined));
    controller.abort();
    expect(await waiting).toEqual({ kind: 'aborted' });
    expect(deadline.stopError('COMMAND_TIMEOUT', 'x').message).toBe('Aborted x.');
  });

  it('settles with the work when it ends first, and a failure without rejecting', async () => {
    using deadline = new Deadline({ timeoutMs: 10_000 });
    expect(await deadline.race(Promise.resolve(7))).toEqual({ kind: 'done', value: 7 });
    const failure = new Error('broke');
    expect(await deadline.race(Promise.reject(failure))).toEqual({
      kind: 'failed',
      error: failure,
    });
    expect(deadline.reason).toBeUndefined();
  });

  it('has no time limit without timeoutMs, and steps never outlast their parent', () => {
    const controller = new AbortController();
    using deadline = new Deadline({ signal: controller.signal });
    expect(deadline.remainingMs()).toBe(Number.POSITIVE_INFINITY);
    using step = deadline.step(5000);
    expect(step.timeoutMs).toBe(5000);
    controller.abort();
    expect(step.reason).toBe('aborted');
  });

  it('stops waitUntil on an abort with an AbortedError', async () => {
    const controller = new AbortController();
    const waiting = waitUntil(() => Promise.resolve(undefined), {
      timeoutMs: 10_000,
      intervalMs: 5,
      what: 'nothing',
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    await expect(waiting).rejects.toThrow('Aborted waiting for nothing.');
  });
});
