import type { DataQuery, DataResponse, MetaResponse, StreamMessage } from './api-types.js';
import type { MonitorEvent, MonitorEventPatch, NewMonitorEvent } from './metric-types.js';

/**
 * What the monitor's server shows: a live monitor (collecting, events editable) or a replay of a
 * recorded database or JSON archive. Event changes are published to every subscriber.
 */
export interface MonitorSource {
  /** Hosts, series, states and time range, for the dashboard's layout. */
  meta(): MetaResponse;
  /** One host's series over a time range, downsampled past `maxPoints`. */
  data(query: DataQuery): DataResponse;
  /** Every event, by timestamp. */
  events(): MonitorEvent[];
  /** Adds a mark or starts a span (now unless a time is given); refused in a read-only replay. */
  addEvent(input: NewMonitorEvent): MonitorEvent;
  /** Ends an open span now. */
  endEvent(id: string): MonitorEvent;
  /** Changes an event's label, colour, style or times. */
  updateEvent(id: string, patch: MonitorEventPatch): MonitorEvent;
  /** Removes an event. */
  deleteEvent(id: string): void;
  /** Calls `listener` with every new series, sample, state and event change; returns the unsubscribe. */
  subscribe(listener: (message: StreamMessage) => void): () => void;
  /** Writes everything as the JSON archive (lossless). */
  exportJson(out: NodeJS.WritableStream): Promise<void>;
}
