import type { Logger } from '../common/logger.js';
import type { ApiSeries, StreamMessage } from './api-types.js';
import type { TickRecord } from './collector.js';
import type { SeriesMeta } from './metric-types.js';
import type { MonitorStore } from './store/monitor-store.js';

/**
 * Stores each tick of a live monitor (its new series before the samples using them, then the
 * host states) in one go, and streams what was stored. A write that fails (a full disk) is logged
 * once until writing works again, and collection goes on.
 */
export class TickRecorder {
  private lastWriteError: string | undefined;

  constructor(
    private readonly store: MonitorStore,
    private readonly publish: (message: StreamMessage) => void,
    private readonly logger: Logger,
    /** The database file, for messages; undefined in memory. */
    private readonly db: string | undefined,
  ) {}

  /** Stores `record`, then streams it; a failed write streams nothing. */
  record(record: TickRecord): void {
    try {
      if (record.series.length > 0) this.store.addSeries(record.series);
      if (record.samples.length > 0) this.store.addSamples(record.samples);
      for (const state of record.states) this.store.addHostState(state);
      this.lastWriteError = undefined;
    } catch (error) {
      this.noteWriteError(error);
      return;
    }
    for (const message of streamMessagesOf(record)) this.publish(message);
  }

  private noteWriteError(error: unknown): void {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    if (message === this.lastWriteError) return;
    this.lastWriteError = message;
    this.logger.error(
      `Monitor: could not store a tick${this.db ? ` in ${this.db}` : ''}: ${message}`,
    );
  }
}

/** A tick as stream messages: its new series, then a sample per host, then state changes. */
export function streamMessagesOf(record: TickRecord): StreamMessage[] {
  const messages: StreamMessage[] = [];
  if (record.series.length > 0)
    messages.push({ type: 'series', series: record.series.map(apiSeriesOf) });
  for (const sample of record.samples) {
    const message = {
      type: 'sample' as const,
      host: sample.host,
      timestampMs: sample.timestampMs,
      values: byId(sample.host, sample.values),
    };
    messages.push(
      sample.details ? { ...message, details: byId(sample.host, sample.details) } : message,
    );
  }
  for (const state of record.states) messages.push({ type: 'host-state', state });
  return messages;
}

/** A series as the API names it: `<host>/<key>`. */
function apiSeriesOf(series: SeriesMeta): ApiSeries {
  return { ...series, id: `${series.host}/${series.key}` };
}

function byId<T>(host: string, byKey: Record<string, T>): Record<string, T> {
  const result: Record<string, T> = {};
  for (const [key, value] of Object.entries(byKey)) result[`${host}/${key}`] = value;
  return result;
}
