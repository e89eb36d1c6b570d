import { raceDeadline } from '../common/deadline.js';
import type { Logger } from '../common/logger.js';
import type { Host } from '../hosts/host.js';
import { parsersOfHost } from './host-parsers.js';
import { HostPoller } from './host-poller.js';
import type { HostState, MetricParser, Sample, SeriesMeta } from './metric-types.js';
import { CounterMemory } from './parsers/counter-memory.js';

/**
 * The monitor's collector: each tick polls every host at once (one `oneshot` per host), under one
 * timestamp, and a slow or down host loses its own tick only. Its oneshots get a deadline just
 * under the interval, so that a tick ends before the next one is due.
 */

/** Options of a {@link Collector}. */
export interface CollectorOptions {
  hosts: readonly Host[];
  /** Tick period: the hosts' deadlines are set just under it. */
  intervalMs: number;
  /** Top processes to record per host (a default parser). */
  processes: number;
  /** Receives each host's state changes and parser failures, once per change. */
  logger: Logger;
  /** The parsers of a host. @default parsersOfHost (the defaults and the registered ones) */
  parsersOf?: (hostId: string) => MetricParser[];
}

/** What one tick gave, for the store and the stream. */
export interface TickRecord {
  /** The tick's timestamp, shared by every host. */
  timestampMs: number;
  /** Series seen for the first time: stored and announced before the samples using them. */
  series: SeriesMeta[];
  /** One sample per host that answered with values. */
  samples: Sample[];
  /** Host states that changed (every host's first one too). */
  states: HostState[];
  /** How long each host took, ms, by host id. */
  durationsMs: Record<string, number>;
}

/** How much of the interval a host's deadline leaves for the tick's own work: at most 250 ms. */
export function pollTimeoutsOf(intervalMs: number): { pollTimeoutMs: number; graceMs: number } {
  const marginMs = Math.min(250, Math.round(intervalMs / 5));
  return { pollTimeoutMs: intervalMs - marginMs, graceMs: Math.round(marginMs / 2) };
}

/** Polls a set of hosts, one tick at a time (see {@link runTickSchedule} for when). */
export class Collector {
  private readonly pollers: HostPoller[];

  constructor(options: CollectorOptions) {
    const parsersOf =
      options.parsersOf ?? ((id: string) => parsersOfHost(id, { processes: options.processes }));
    const memory = new CounterMemory();
    const timeouts = pollTimeoutsOf(options.intervalMs);
    this.pollers = options.hosts.map(
      (host) => new HostPoller(host, parsersOf(host.id), memory, options.logger, timeouts),
    );
  }

  /**
   * Polls every host once, concurrently, for the tick at `timestampMs`; never rejects. After
   * `signal` aborts, running oneshots are stopped and hosts not yet read give nothing.
   */
  async collect(timestampMs: number, signal: AbortSignal): Promise<TickRecord> {
    const results = await Promise.all(
      this.pollers.map((poller) => poller.poll(timestampMs, signal)),
    );
    const record: TickRecord = {
      timestampMs,
      series: [],
      samples: [],
      states: [],
      durationsMs: {},
    };
    for (const result of results) {
      record.series.push(...result.newSeries);
      if (result.sample) record.samples.push(result.sample);
      if (result.state) record.states.push(result.state);
      record.durationsMs[result.host] = result.durationMs;
    }
    return record;
  }

  /** Waits, at most `timeoutMs`, for oneshots that outlived their tick to end. */
  async settle(timeoutMs: number): Promise<void> {
    await raceDeadline(Promise.all(this.pollers.map((poller) => poller.idle())), timeoutMs);
  }
}
