import type { Logger } from '../common/logger.js';
import { MonitorError } from '../errors.js';
import type { DataQuery, DataResponse, MetaResponse, StreamMessage } from './api-types.js';
import type { MonitorEvent, MonitorEventPatch, NewMonitorEvent } from './metric-types.js';
import { endedEvent, eventOf, patchedEvent, unknownEvent } from './monitor-events.js';
import type { MonitorSource } from './monitor-source.js';
import type { MonitorStore } from './store/monitor-store.js';
import { StreamFanout } from './stream-fanout.js';

/**
 * What a live monitor and a replay have in common: a {@link MonitorSource} over a store, with the
 * stream fan-out and the events' defaults, checks and refusals. A replay of a recorded database
 * is read-only; once closed, every call is refused. (The Monitor holds one rather than extending
 * it: a public class's protected store would put the SQLite driver's types in its declaration.)
 */

/** How a {@link StoreView} shows its store. */
export interface StoreViewOptions {
  mode: MetaResponse['mode'];
  /** The hosts in the order shown: the live monitor's as given, a replay's as recorded. */
  hostIds(): string[];
  /** The title when the store has none. @default 'otto monitor' */
  title?: string;
  /** Why events cannot be changed, when they cannot (a replay of a database). */
  readOnlyReason?: string;
  logger: Logger;
}

/** A {@link MonitorSource} over a store. */
export class StoreView implements MonitorSource {
  private readonly fanout: StreamFanout;
  private closedBecause: string | undefined;

  constructor(
    private readonly store: MonitorStore,
    private readonly viewOptions: StoreViewOptions,
  ) {
    this.fanout = new StreamFanout(viewOptions.logger);
  }

  /** Hosts, series, states and time range, for the dashboard's layout. */
  meta(): MetaResponse {
    this.assertOpen('read the monitor');
    const info = this.store.info();
    const range = this.store.timeRange();
    const meta: MetaResponse = {
      mode: this.viewOptions.mode,
      intervalMs: info?.intervalMs ?? 0,
      hosts: this.viewOptions.hostIds(),
      states: this.store.hostStates(),
      series: this.store.series(),
      title: info?.title || (this.viewOptions.title ?? 'otto monitor'),
    };
    if (range) Object.assign(meta, range);
    return meta;
  }

  /** One host's series over a time range, downsampled past `maxPoints`. */
  data(query: DataQuery): DataResponse {
    this.assertOpen('read the monitor');
    return this.store.readData(query);
  }

  /** Every event, by timestamp. */
  events(): MonitorEvent[] {
    this.assertOpen('read the monitor');
    return this.store.events();
  }

  /** Adds a mark or starts a span (now unless a time is given); refused in a read-only replay. */
  addEvent(input: NewMonitorEvent): MonitorEvent {
    this.assertWritable('add an event');
    const event = eventOf(input, Date.now());
    this.store.addEvent(event);
    this.fanout.publish({ type: 'event', event });
    return event;
  }

  /** Ends an open span now. */
  endEvent(id: string): MonitorEvent {
    this.assertWritable('end an event');
    return this.replaceEvent(endedEvent(this.eventOfId(id), Date.now()));
  }

  /** Changes an event's label, colour, style or times. */
  updateEvent(id: string, patch: MonitorEventPatch): MonitorEvent {
    this.assertWritable('change an event');
    return this.replaceEvent(patchedEvent(this.eventOfId(id), patch));
  }

  /** Removes an event. */
  deleteEvent(id: string): void {
    this.assertWritable('delete an event');
    if (!this.store.deleteEvent(id)) throw unknownEvent(id);
    this.fanout.publish({ type: 'event-deleted', id });
  }

  /** Calls `listener` with every new series, sample, state and event change; returns the unsubscribe. */
  subscribe(listener: (message: StreamMessage) => void): () => void {
    return this.fanout.subscribe(listener);
  }

  /** Writes everything as the JSON archive (lossless). */
  async exportJson(out: NodeJS.WritableStream): Promise<void> {
    this.assertOpen('export the monitor');
    await this.store.exportJson(out);
  }

  /** Sends a message to every subscriber. */
  publish(message: StreamMessage): void {
    this.fanout.publish(message);
  }

  /** Refuses every later call, saying `why` (`the monitor has stopped`); the store is the owner's to close. */
  markClosed(why: string): void {
    this.closedBecause ??= why;
    this.fanout.clear();
  }

  /** True once closed or stopped. */
  get isClosed(): boolean {
    return this.closedBecause !== undefined;
  }

  private eventOfId(id: string): MonitorEvent {
    const event = this.store.event(id);
    if (!event) throw unknownEvent(id);
    return event;
  }

  private replaceEvent(event: MonitorEvent): MonitorEvent {
    this.store.updateEvent(event);
    this.fanout.publish({ type: 'event-updated', event });
    return event;
  }

  private assertWritable(doing: string): void {
    this.assertOpen(doing);
    const reason = this.viewOptions.readOnlyReason;
    if (reason)
      throw new MonitorError('MONITOR_READ_ONLY', `Cannot ${doing}: ${reason}.`, {
        fix: 'record with --db (or the db option) to annotate a run as it goes; a .json replay takes events too.',
      });
  }

  private assertOpen(doing: string): void {
    if (this.closedBecause)
      throw new MonitorError('MONITOR_STOPPED', `Cannot ${doing}: ${this.closedBecause}.`);
  }
}
