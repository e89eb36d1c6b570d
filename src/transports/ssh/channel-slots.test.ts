import { describe, expect, it } from 'vitest';
import { ChannelSlots, type ChannelSlot } from './channel-slots.js';

/** Takes `count` slots at once (each granted at once). */
async function take(slots: ChannelSlots, count: number): Promise<ChannelSlot[]> {
  return Promise.all(Array.from({ length: count }, () => slots.acquire()));
}

/** True when the promise has settled after the pending microtasks ran. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe('ChannelSlots', () => {
  it('hands out up to max slots and queues the rest in order', async () => {
    const slots = new ChannelSlots(2);
    const [first, second] = await take(slots, 2);
    const order: string[] = [];
    const third = slots.acquire().then((slot) => (order.push('third'), slot));
    const fourth = slots.acquire().then((slot) => (order.push('fourth'), slot));
    expect(slots.busy).toBe(2);
    first!.release();
    first!.release();
    (await third).release();
    second!.release();
    (await fourth).release();
    expect(order).toEqual(['third', 'fourth']);
    expect(slots.busy).toBe(0);
  });

  it('puts a caller that asks to go first at the head of the queue', async () => {
    const slots = new ChannelSlots(1);
    const [held] = await take(slots, 1);
    const order: string[] = [];
    const later = slots.acquire().then((slot) => (order.push('later'), slot));
    const first = slots
      .acquire(undefined, { first: true })
      .then((slot) => (order.push('first'), slot));
    held!.release();
    (await first).release();
    (await later).release();
    expect(order).toEqual(['first', 'later']);
  });

  it('gives up a place in the queue on abort, and takes no slot on an aborted signal', async () => {
    const slots = new ChannelSlots(1);
    const [held] = await take(slots, 1);
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal);
    controller.abort(new Error('too late'));
    await expect(waiting).rejects.toThrow('too late');
    expect(slots.stats).toEqual({ max: 1, limit: 1, busy: 1, waiting: 0, refusals: 0 });
    held!.release();
    expect(slots.busy).toBe(0);
    await expect(slots.acquire(controller.signal)).rejects.toThrow('too late');
    expect(slots.busy).toBe(0);
  });

  it('lowers the limit once per round of refusals, never below 1', async () => {
    const slots = new ChannelSlots(4);
    const round1 = await take(slots, 4);
    // Four channels refused at once say one thing: the limit drops by one, not four.
    for (const slot of round1) slot.refused();
    expect(slots.stats).toMatchObject({ limit: 3, refusals: 4 });
    for (const slot of round1) slot.release();
    for (let limit = 2; limit >= 1; limit--) {
      const [slot] = await take(slots, 1);
      slot!.refused();
      slot!.release();
      expect(slots.limit).toBe(limit);
    }
    const [last] = await take(slots, 1);
    last!.refused();
    last!.release();
    expect(slots.stats).toMatchObject({ limit: 1, refusals: 7, busy: 0 });
  });

  it('queues callers beyond a lowered limit even while slots are free of the configured most', async () => {
    const slots = new ChannelSlots(3);
    const held = await take(slots, 3);
    held[0]!.refused();
    held[0]!.release();
    expect(slots.stats).toMatchObject({ limit: 2, busy: 2 });
    const waiting = slots.acquire();
    expect(await isSettled(waiting)).toBe(false);
    held[1]!.release();
    expect(await isSettled(waiting)).toBe(true);
    expect(slots.busy).toBe(2);
  });

  it('raises the limit by one after raiseAfter opened channels, never above max, and wakes waiters', async () => {
    const slots = new ChannelSlots(3, { raiseAfter: 2 });
    const [refused] = await take(slots, 1);
    refused!.refused();
    refused!.release();
    const [again] = await take(slots, 1);
    again!.refused();
    again!.release();
    expect(slots.limit).toBe(1);
    const [open] = await take(slots, 1);
    const waiting = slots.acquire();
    open!.opened();
    expect(slots.limit).toBe(1);
    expect(await isSettled(waiting)).toBe(false);
    open!.opened();
    expect(slots.limit).toBe(2);
    const second = await waiting;
    for (let i = 0; i < 10; i++) second.opened();
    expect(slots.limit).toBe(3);
    open!.release();
    second.release();
    expect(slots.stats).toEqual({ max: 3, limit: 3, busy: 0, waiting: 0, refusals: 2 });
  });

  it('starts counting again after a refusal', async () => {
    const slots = new ChannelSlots(2, { raiseAfter: 3 });
    const [slot] = await take(slots, 1);
    slot!.refused();
    expect(slots.limit).toBe(1);
    slot!.opened();
    slot!.opened();
    slot!.refused();
    slot!.opened();
    slot!.opened();
    expect(slots.limit).toBe(1);
    slot!.opened();
    expect(slots.limit).toBe(2);
    slot!.release();
  });
});
