import { createRequire } from 'node:module';
import { raceDeadline } from '../common/deadline.js';
import type { Logger } from '../common/logger.js';
import { MonitorError } from '../errors.js';
import type { DataQuery, DataResponse, MetaResponse, StreamMessage } from './api-types.js';
import type { MonitorEvent, MonitorEventPatch, NewMonitorEvent } from './metric-types.js';
import type { MonitorSource } from './monitor-source.js';
import { Collector } from './collector.js';
import {
  normalizeMonitorOptions,
  type MonitorOptions,
  type ResolvedMonitorOptions,
} from './monitor-options.js';
import { startMonitorServer, type MonitorServer } from './server/monitor-server.js';
import { MonitorStore } from './store/monitor-store.js';
import { StoreView } from './store-view.js';
import { TickRecorder } from './tick-recorder.js';
import { runTickSchedule, type ScheduledTick } from './tick-schedule.js';

export {
  MIN_INTERVAL_MS,
  type MonitorOptions,
  type MonitorServeOptions,
} from './monitor-options.js';
export { openReplay, type Replay } from './replay.js';

/**
 * The live monitor: a collector polling its hosts on a fixed tick, a store (a database file with
 * its writer lock, or memory), the stream of what comes in, and the dashboard's server when asked.
 */

/** The otto-ts version, recorded with the run (package.json is two folders up in src/ and dist/). */
const OTTO_VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string })
  .version;

/** How long `stop` waits for the hosts' oneshots to end once aborted. */
const STOP_TIMEOUT_MS = 2000;

/** A tick waiter of {@link Monitor.nextTick}. */
interface TickWaiter {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Collects metrics from hosts, stores them and serves them; see {@link MonitorOptions}.
 * @example
 * await using monitor = await Monitor.start({ hosts: [web1, db1], intervalMs: 1000, db: 'run.db', serve: {} });
 * console.log(`dashboard: ${monitor.url}`);
 * await monitor.nextTick();
 */
export class Monitor implements MonitorSource, AsyncDisposable {
  private readonly view: StoreView;
  private readonly recorder: TickRecorder;
  private readonly stopper = new AbortController();
  private readonly collector: Collector;
  private readonly logger: Logger;
  private tickWaiters: TickWaiter[] = [];
  private tickCount = 0;
  private loop: Promise<void> = Promise.resolve();
  private server: MonitorServer | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly store: MonitorStore,
    private readonly options: ResolvedMonitorOptions,
  ) {
    this.view = new StoreView(store, {
      mode: 'live',
      hostIds: () => options.hosts.map((host) => host.id),
      logger: options.logger,
    });
    this.logger = options.logger;
    this.recorder = new TickRecorder(
      store,
      (message) => this.view.publish(message),
      options.logger,
      options.db,
    );
    this.collector = new Collector({
      hosts: options.hosts,
      intervalMs: options.intervalMs,
      processes: options.processes,
      logger: options.logger,
    });
  }

  /**
   * Starts collecting (the first tick at once), recording into `db` when given, serving the
   * dashboard when `serve` is given.
   * @example const monitor = await Monitor.start({ hosts: [new LocalHost()], intervalMs: 1000 });
   */
  static async start(options: MonitorOptions): Promise<Monitor> {
    const resolved = normalizeMonitorOptions(options);
    const store = resolved.db
      ? await MonitorStore.open(resolved.db, { mode: 'write' })
      : await MonitorStore.openMemory();
    let monitor: Monitor | undefined;
    try {
      store.setInfo({
        intervalMs: resolved.intervalMs,
        title: resolved.title,
        startedAtMs: Date.now(),
        version: OTTO_VERSION,
      });
      monitor = new Monitor(store, resolved);
      if (resolved.serve)
        monitor.server = await startMonitorServer(monitor, {
          ...resolved.serve,
          logger: resolved.logger,
        });
    } catch (error) {
      store.close();
      throw error;
    }
    monitor.begin();
    return monitor;
  }

  /** The dashboard's URL when serving (with ?token= when bound beyond loopback). */
  get url(): string | undefined {
    return this.server?.url;
  }

  /** The database file it records into; undefined when kept in memory. */
  get db(): string | undefined {
    return this.options.db;
  }

  /** Ticks done so far. */
  get ticks(): number {
    return this.tickCount;
  }

  /** True once stopping began (stop, the signal, or disposal). */
  get stopped(): boolean {
    return this.stopping !== undefined;
  }

  /** Resolves after the next tick's samples are stored (tests and --duration wait on it). */
  nextTick(): Promise<void> {
    if (this.stopping) return Promise.reject(this.stoppedError('wait for a tick'));
    return new Promise((resolve, reject) => this.tickWaiters.push({ resolve, reject }));
  }

  /** Stops collecting, stores what is pending, closes the server and the database. Idempotent, bounded. */
  stop(): Promise<void> {
    return (this.stopping ??= this.shutDown());
  }

  /** Stops the monitor (see {@link Monitor.stop}). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Hosts (in the order given), series, states and time range, for the dashboard's layout. */
  meta(): MetaResponse {
    return this.view.meta();
  }

  /** One host's series over a time range, downsampled past `maxPoints`. */
  data(query: DataQuery): DataResponse {
    return this.view.data(query);
  }

  /** Every event, by timestamp. */
  events(): MonitorEvent[] {
    return this.view.events();
  }

  /** Adds a mark or starts a span: now, a new id, source `user`, `#e4572e`, solid, unless given. */
  addEvent(input: NewMonitorEvent): MonitorEvent {
    return this.view.addEvent(input);
  }

  /** Ends an open span now; a mark or an ended span is refused (MONITOR_OPTIONS). */
  endEvent(id: string): MonitorEvent {
    return this.view.endEvent(id);
  }

  /** Changes an event's label, colour, style or times; an unknown id is MONITOR_UNKNOWN_EVENT. */
  updateEvent(id: string, patch: MonitorEventPatch): MonitorEvent {
    return this.view.updateEvent(id, patch);
  }

  /** Removes an event; an unknown id is MONITOR_UNKNOWN_EVENT. */
  deleteEvent(id: string): void {
    this.view.deleteEvent(id);
  }

  /**
   * Calls `listener` with every new series, sample, state and event change; returns the
   * unsubscribe. A listener that throws is dropped.
   */
  subscribe(listener: (message: StreamMessage) => void): () => void {
    return this.view.subscribe(listener);
  }

  /** Writes everything recorded so far as the JSON archive (lossless); does not end `out`. */
  async exportJson(out: NodeJS.WritableStream): Promise<void> {
    await this.view.exportJson(out);
  }

  private begin(): void {
    const signal = this.options.signal;
    if (signal?.aborted) return void this.stop();
    signal?.addEventListener('abort', this.onAbort, { once: true });
    this.loop = runTickSchedule({
      intervalMs: this.options.intervalMs,
      signal: this.stopper.signal,
      onTick: (tick) => this.runTick(tick),
      onSkipped: (slots) =>
        this.logger.debug(
          `Monitor: a tick overran its slot; ${slots} tick${slots > 1 ? 's' : ''} skipped.`,
        ),
    }).catch((error: unknown) => {
      // A tick never throws by design; should one, collection ends but the process does not.
      this.logger.error(
        `Monitor: collection stopped: ${(error as Error)?.message ?? String(error)}`,
      );
    });
  }

  private readonly onAbort = (): void => void this.stop();

  private async runTick(tick: ScheduledTick): Promise<void> {
    const record = await this.collector.collect(tick.timestampMs, this.stopper.signal);
    // A tick that outlived stop's bound finds the store closed: what it read is lost, not written.
    if (this.view.isClosed) return;
    this.recorder.record(record);
    this.tickCount += 1;
    const waiters = this.tickWaiters;
    this.tickWaiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  private async shutDown(): Promise<void> {
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.stopper.abort();
    // Aborting stops the tick in progress at once; the hosts' oneshots get a bounded time to end
    // (their processes killed on the host) before the store closes.
    await raceDeadline(
      this.loop.then(() => this.collector.settle(STOP_TIMEOUT_MS)),
      STOP_TIMEOUT_MS,
    );
    const error = this.stoppedError('wait for a tick');
    for (const waiter of this.tickWaiters.splice(0)) waiter.reject(error);
    try {
      await this.server?.close();
    } finally {
      this.view.markClosed('the monitor has stopped');
      this.store.close();
    }
  }

  private stoppedError(doing: string): MonitorError {
    return new MonitorError('MONITOR_STOPPED', `Cannot ${doing}: the monitor has stopped.`);
  }
}
