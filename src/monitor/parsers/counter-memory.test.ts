import { describe, expect, it } from 'vitest';
import { CounterMemory } from './counter-memory.js';

describe('CounterMemory', () => {
  it('takes a first reading as a baseline only, then gives the growth since the previous one', () => {
    const memory = new CounterMemory();
    expect(memory.contextFor('web1', 0).delta('bytes', 100)).toBeUndefined();
    expect(memory.contextFor('web1', 1000).delta('bytes', 150)).toBe(50);
    expect(memory.contextFor('web1', 2000).delta('bytes', 150)).toBe(0);
  });

  it('makes a counter that went backwards the new baseline, so the tick after reads again', () => {
    const memory = new CounterMemory();
    memory.contextFor('web1', 0).rate('bytes', 1_000_000);
    expect(memory.contextFor('web1', 1000).rate('bytes', 500)).toBeUndefined();
    expect(memory.contextFor('web1', 2000).rate('bytes', 700)).toBe(200);
  });

  it('divides by the time between the two readings of the key, not by the interval', () => {
    const memory = new CounterMemory();
    memory.contextFor('web1', 10_000).rate('bytes', 0);
    // The tick at 11 s was lost: the growth spans two seconds.
    expect(memory.contextFor('web1', 12_000).rate('bytes', 4000)).toBe(2000);
    expect(memory.contextFor('web1', 12_500).rate('bytes', 4100)).toBe(200);
  });

  it('gives no rate when no time passed between the readings', () => {
    const memory = new CounterMemory();
    memory.contextFor('web1', 5000).rate('bytes', 10);
    expect(memory.contextFor('web1', 5000).rate('bytes', 20)).toBeUndefined();
  });

  it('keeps the counters of each host apart', () => {
    const memory = new CounterMemory();
    memory.contextFor('web1', 0).delta('bytes', 100);
    expect(memory.contextFor('web2', 1000).delta('bytes', 500)).toBeUndefined();
    expect(memory.contextFor('web1', 1000).delta('bytes', 130)).toBe(30);
  });

  it('takes no baseline from a value that is not a finite number', () => {
    const memory = new CounterMemory();
    memory.contextFor('web1', 0).delta('bytes', 100);
    expect(memory.contextFor('web1', 1000).delta('bytes', Number.NaN)).toBeUndefined();
    expect(memory.contextFor('web1', 2000).delta('bytes', 160)).toBe(60);
  });

  it('forgets counters not read for forgetAfterTicks ticks, and keeps those read since', () => {
    const memory = new CounterMemory({ forgetAfterTicks: 3 });
    const first = memory.contextFor('web1', 0);
    first.delta('pid:1', 10);
    first.delta('pid:2', 10);
    // pid 2 is not read at ticks 2, 3 and 4: the tick after that forgets it.
    for (let tick = 2; tick <= 4; tick++)
      memory.contextFor('web1', tick * 1000).delta('pid:1', 10 + tick);
    expect(memory.sizeOf('web1')).toBe(2);
    const fifth = memory.contextFor('web1', 5000);
    expect(memory.sizeOf('web1')).toBe(1);
    expect(fifth.delta('pid:1', 20)).toBe(6);
    // pid 2 is back: it was forgotten, so this is a baseline again.
    expect(fifth.delta('pid:2', 90)).toBeUndefined();
  });

  it('forgets a whole host', () => {
    const memory = new CounterMemory();
    memory.contextFor('web1', 0).delta('bytes', 1);
    memory.forget('web1');
    expect(memory.sizeOf('web1')).toBe(0);
  });

  it('refuses a forgetAfterTicks that is not a whole number of ticks', () => {
    expect(() => new CounterMemory({ forgetAfterTicks: 0.5 })).toThrow(
      'Invalid counter memory option forgetAfterTicks 0.5: it must be a whole number of ticks, 1 or more.\n' +
        'Fix: leave it out for the default (10), or give e.g. 10.',
    );
  });
});
