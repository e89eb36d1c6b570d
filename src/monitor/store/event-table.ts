/**
 * The events of a monitor database: marks and spans, editable and deletable, listed by time (ties
 * in the order added).
 */
import type { Statement } from 'better-sqlite3';
import { MonitorError } from '../../errors.js';
import type { EventDash, EventSource, MonitorEvent } from '../metric-types.js';
import type { SqliteDatabase } from './sqlite-driver.js';

interface EventRow {
  id: string;
  kind: 'mark' | 'span';
  ts: number;
  end_ts: number | null;
  label: string;
  source: EventSource;
  color: string;
  dash: EventDash;
  host: string | null;
}

/** Reads and writes events. */
export class EventTable {
  private readonly statements: Record<'insert' | 'update' | 'delete' | 'find' | 'all', Statement>;

  constructor(
    db: SqliteDatabase,
    private readonly path: string,
  ) {
    this.statements = {
      insert: db.prepare(
        `INSERT OR IGNORE INTO events (id, kind, ts, end_ts, label, source, color, dash, host)
         VALUES (@id, @kind, @ts, @end_ts, @label, @source, @color, @dash, @host)`,
      ),
      update: db.prepare(
        `UPDATE events SET kind = @kind, ts = @ts, end_ts = @end_ts, label = @label,
           source = @source, color = @color, dash = @dash, host = @host WHERE id = @id`,
      ),
      delete: db.prepare('DELETE FROM events WHERE id = ?'),
      find: db.prepare('SELECT * FROM events WHERE id = ?'),
      all: db.prepare('SELECT * FROM events ORDER BY ts, seq'),
    };
  }

  /** Adds an event; refuses an id that exists. */
  add(event: MonitorEvent): void {
    if (this.statements.insert.run(toRow(event)).changes === 0) {
      throw new MonitorError(
        'MONITOR_OPTIONS',
        `Cannot add event "${event.id}" to monitor database ${this.path}: an event with that id exists.`,
        { fix: 'give the event a new id, or change the existing one with updateEvent.' },
      );
    }
  }

  /** Replaces an event's fields; refuses an unknown id with `MONITOR_UNKNOWN_EVENT`. */
  update(event: MonitorEvent): void {
    if (this.statements.update.run(toRow(event)).changes === 0) {
      throw new MonitorError(
        'MONITOR_UNKNOWN_EVENT',
        `Cannot update event "${event.id}" in monitor database ${this.path}: it has no event with that id.`,
      );
    }
  }

  /** Removes an event; false when there was none with that id. */
  delete(id: string): boolean {
    return this.statements.delete.run(id).changes > 0;
  }

  /** An event by id. */
  find(id: string): MonitorEvent | undefined {
    const row = this.statements.find.get(id) as EventRow | undefined;
    return row && toEvent(row);
  }

  /** Every event, by timestamp. */
  all(): MonitorEvent[] {
    return (this.statements.all.all() as EventRow[]).map(toEvent);
  }
}

function toRow(event: MonitorEvent): EventRow {
  return {
    id: event.id,
    kind: event.kind,
    ts: event.timestampMs,
    end_ts: event.endTimestampMs ?? null,
    label: event.label,
    source: event.source,
    color: event.color,
    dash: event.dash,
    host: event.host ?? null,
  };
}

/** The event of a row, its fields in one order (the JSON archive relies on it). */
function toEvent(row: EventRow): MonitorEvent {
  const event: MonitorEvent = {
    id: row.id,
    kind: row.kind,
    timestampMs: row.ts,
    ...(row.end_ts === null ? {} : { endTimestampMs: row.end_ts }),
    label: row.label,
    source: row.source,
    color: row.color,
    dash: row.dash,
  };
  if (row.host !== null) event.host = row.host;
  return event;
}
