import { describe, expect, it } from 'vitest';
import { ChannelSlots } from './channel-slots.js';

describe('ChannelSlots', () => {
  it('hands out up to max slots and queues the rest in order', async () => {
    const slots = new ChannelSlots(2);
    const first = await slots.acquire();
    const second = await slots.acquire();
    const order: string[] = [];
    const third = slots.acquire().then((release) => (order.push('third'), release));
    const fourth = slots.acquire().then((release) => (order.push('fourth'), release));
    expect(slots.busy).toBe(2);
    first();
    first();
    (await third)();
    second();
    (await fourth)();
    expect(order).toEqual(['third', 'fourth']);
    expect(slots.busy).toBe(0);
  });

  it('gives up a place in the queue on abort', async () => {
    const slots = new ChannelSlots(1);
    const held = await slots.acquire();
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal);
    controller.abort(new Error('too late'));
    await expect(waiting).rejects.toThrow('too late');
    held();
    expect(slots.busy).toBe(0);
    await expect(slots.acquire(controller.signal)).rejects.toThrow('too late');
  });
});
