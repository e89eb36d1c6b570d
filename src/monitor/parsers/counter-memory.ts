import { MonitorError } from '../../errors.js';
import type { ParseContext } from '../metric-types.js';

/**
 * The previous reading of every counter of a host (CPU jiffies, bytes sent, sectors read), so that
 * parsers can turn counters into growth and rates. A counter's first reading is a baseline only,
 * and one that went backwards (a reboot, a wrap) becomes the new baseline: neither draws a point,
 * so no spike is ever drawn. Counters not read for `forgetAfterTicks` ticks are forgotten, which
 * keeps the memory bounded while interfaces, disks and processes come and go.
 */

/** Options of {@link CounterMemory}. */
export interface CounterMemoryOptions {
  /** Ticks after which a counter not read again is forgotten. @default 10 */
  forgetAfterTicks?: number;
}

/** One counter's last reading. */
interface Reading {
  value: number;
  timestampMs: number;
  tick: number;
}

/** The counters of one host. */
interface HostCounters {
  tick: number;
  readings: Map<string, Reading>;
}

/** How a counter moved since its previous reading. */
interface Growth {
  amount: number;
  elapsedMs: number;
}

const DEFAULT_FORGET_AFTER_TICKS = 10;

/**
 * Counter readings by host, making each tick's {@link ParseContext}.
 * @example
 * const memory = new CounterMemory();
 * const context = memory.contextFor('web1', Date.now());
 * context.rate('net:eth0:rx', 1_234_567); // undefined: the first reading is a baseline
 */
export class CounterMemory {
  private readonly hosts = new Map<string, HostCounters>();
  private readonly forgetAfterTicks: number;

  constructor(options: CounterMemoryOptions = {}) {
    this.forgetAfterTicks = normalizeForgetAfterTicks(options.forgetAfterTicks);
  }

  /**
   * Starts a tick of `host` at `timestampMs` and returns its context. Each call is one tick: the
   * counters of the host not read in the last `forgetAfterTicks` ticks are forgotten here.
   */
  contextFor(host: string, timestampMs: number): ParseContext {
    const counters = this.countersOf(host);
    counters.tick += 1;
    this.forgetStale(counters);
    const advance = (key: string, counter: number): Growth | undefined =>
      advanceCounter(counters, key, counter, timestampMs);
    return {
      host,
      timestampMs,
      delta: (key, counter) => advance(key, counter)?.amount,
      rate: (key, counter) => rateOf(advance(key, counter)),
    };
  }

  /** How many counters are kept for `host`. */
  sizeOf(host: string): number {
    return this.hosts.get(host)?.readings.size ?? 0;
  }

  /** Forgets every counter of `host` (it was removed from the monitor). */
  forget(host: string): void {
    this.hosts.delete(host);
  }

  private countersOf(host: string): HostCounters {
    let counters = this.hosts.get(host);
    if (!counters) {
      counters = { tick: 0, readings: new Map() };
      this.hosts.set(host, counters);
    }
    return counters;
  }

  private forgetStale(counters: HostCounters): void {
    const oldestKept = counters.tick - this.forgetAfterTicks;
    for (const [key, reading] of counters.readings) {
      if (reading.tick < oldestKept) counters.readings.delete(key);
    }
  }
}

/** Stores the new reading of `key` and says how it grew; undefined for a baseline or a reset. */
function advanceCounter(
  counters: HostCounters,
  key: string,
  counter: number,
  timestampMs: number,
): Growth | undefined {
  // A value that is no counter (a parse slip) must not become a baseline either.
  if (!Number.isFinite(counter)) return undefined;
  const previous = counters.readings.get(key);
  counters.readings.set(key, { value: counter, timestampMs, tick: counters.tick });
  if (!previous || counter < previous.value) return undefined;
  return { amount: counter - previous.value, elapsedMs: timestampMs - previous.timestampMs };
}

/** Growth per second of the time between the two readings (a lost tick makes it two intervals). */
function rateOf(growth: Growth | undefined): number | undefined {
  if (!growth || growth.elapsedMs <= 0) return undefined;
  return (growth.amount * 1000) / growth.elapsedMs;
}

function normalizeForgetAfterTicks(ticks: number | undefined): number {
  if (ticks === undefined) return DEFAULT_FORGET_AFTER_TICKS;
  if (Number.isInteger(ticks) && ticks >= 1) return ticks;
  throw new MonitorError(
    'MONITOR_OPTIONS',
    `Invalid counter memory option forgetAfterTicks ${String(ticks)}: it must be a whole number of ticks, 1 or more.`,
    { fix: `leave it out for the default (${DEFAULT_FORGET_AFTER_TICKS}), or give e.g. 10.` },
  );
}
