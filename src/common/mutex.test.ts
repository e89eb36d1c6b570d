import { describe, expect, it } from 'vitest';
import { Mutex } from './mutex.js';

/** A promise with its resolve and reject functions, to finish work when a test says so. */
function createDeferred<T = void>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run. */
async function settle(): Promise<void> {
  for (let round = 0; round < 10; round++) await Promise.resolve();
  await new Promise((resolve) => setImmediate(resolve));
}

describe('Mutex', () => {
  it('returns the value of the work', async () => {
    await expect(new Mutex().runExclusive(() => Promise.resolve(42))).resolves.toBe(42);
  });

  it('runs callers one at a time, in call order', async () => {
    const mutex = new Mutex();
    const events: string[] = [];
    const gates = [createDeferred(), createDeferred(), createDeferred()];
    const runs = gates.map((gate, index) =>
      mutex.runExclusive(async () => {
        events.push(`start ${index}`);
        await gate.promise;
        events.push(`end ${index}`);
        return index;
      }),
    );
    await settle();
    expect(events).toEqual(['start 0']);
    // Finishing a later caller first must not let it run before the earlier ones.
    gates[2]!.resolve();
    gates[1]!.resolve();
    await settle();
    expect(events).toEqual(['start 0']);
    gates[0]!.resolve();
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2]);
    expect(events).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('releases the lock when the work rejects, and the next caller runs', async () => {
    const mutex = new Mutex();
    const failure = new Error('work failed');
    const first = mutex.runExclusive(() => Promise.reject(failure));
    const second = mutex.runExclusive(() => Promise.resolve('second ran'));
    await expect(first).rejects.toBe(failure);
    await expect(second).resolves.toBe('second ran');
    expect(mutex.queueLength).toBe(0);
  });

  it('releases the lock when the work throws before returning a promise', async () => {
    const mutex = new Mutex();
    const failure = new Error('thrown synchronously');
    const first = mutex.runExclusive((): Promise<void> => {
      throw failure;
    });
    const second = mutex.runExclusive(() => Promise.resolve('second ran'));
    await expect(first).rejects.toBe(failure);
    await expect(second).resolves.toBe('second ran');
  });

  it('keeps the order after a rejected work in the middle of the queue', async () => {
    const mutex = new Mutex();
    const events: number[] = [];
    const runs = [0, 1, 2, 3].map((index) =>
      mutex.runExclusive(() => {
        events.push(index);
        return index === 1 ? Promise.reject(new Error('one failed')) : Promise.resolve(index);
      }),
    );
    const results = await Promise.allSettled(runs);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(events).toEqual([0, 1, 2, 3]);
  });

  it('counts the holder and the waiters in queueLength', async () => {
    const mutex = new Mutex();
    expect(mutex.queueLength).toBe(0);
    const gates = [createDeferred(), createDeferred(), createDeferred()];
    const settled = Promise.allSettled(gates.map((gate) => mutex.runExclusive(() => gate.promise)));
    // Counted from the call, before the holder has even started.
    expect(mutex.queueLength).toBe(3);
    await settle();
    expect(mutex.queueLength).toBe(3);
    gates[0]!.resolve();
    await settle();
    expect(mutex.queueLength).toBe(2);
    gates[1]!.reject(new Error('failed'));
    await settle();
    expect(mutex.queueLength).toBe(1);
    gates[2]!.resolve();
    await settled;
    expect(mutex.queueLength).toBe(0);
  });

  it('never lets two works overlap', async () => {
    const mutex = new Mutex();
    let running = 0;
    let mostRunning = 0;
    const runs = Array.from({ length: 20 }, (_, index) =>
      mutex.runExclusive(async () => {
        running++;
        mostRunning = Math.max(mostRunning, running);
        await new Promise((resolve) => setTimeout(resolve, index % 3));
        running--;
      }),
    );
    await Promise.all(runs);
    expect(mostRunning).toBe(1);
  });

  it('serves 100 callers, each once and in call order', async () => {
    const mutex = new Mutex();
    const order: number[] = [];
    const runs = Array.from({ length: 100 }, (_, index) =>
      mutex.runExclusive(async () => {
        // Uneven work: some callers yield several times, some not at all.
        for (let step = 0; step < index % 5; step++) await Promise.resolve();
        order.push(index);
        return index * 2;
      }),
    );
    expect(mutex.queueLength).toBe(100);
    const results = await Promise.all(runs);
    expect(order).toEqual(Array.from({ length: 100 }, (_, index) => index));
    expect(results).toEqual(Array.from({ length: 100 }, (_, index) => index * 2));
    expect(mutex.queueLength).toBe(0);
  });

  it('lets a caller that arrives while others wait go last', async () => {
    const mutex = new Mutex();
    const order: string[] = [];
    const gate = createDeferred();
    const first = mutex.runExclusive(async () => {
      await gate.promise;
      order.push('first');
    });
    const second = mutex.runExclusive(() => Promise.resolve(order.push('second')));
    await settle();
    const late = mutex.runExclusive(() => Promise.resolve(order.push('late')));
    gate.resolve();
    await Promise.all([first, second, late]);
    expect(order).toEqual(['first', 'second', 'late']);
  });
});
