// otto's way of storing monitor points (reference 2.5 M17), rebuilt on better-sqlite3 for the store
// part: a `metrics(id, ts TEXT ISO-8601, host, label, value)` table in WAL mode with
// busy_timeout=5000, one INSERT and one commit per point. Python's sqlite3 leaves `synchronous` at
// SQLite's default (FULL), so that is otto's; NORMAL, what our store uses, is measured besides it to
// tell what the batching gains from what the sync level gains.
import Database from 'better-sqlite3';
import type { Sample } from '../src/monitor/metric-types.ts';

/** A writer of points the way otto writes them. */
export interface OttoPointWriter {
  /** Writes every point of a tick, one commit each; returns how many. */
  write(samples: readonly Sample[]): number;
  close(): void;
}

/** Opens otto's schema at `path` with `synchronous` FULL (otto's) or NORMAL. */
export function openOttoWriter(path: string, synchronous: 'FULL' | 'NORMAL'): OttoPointWriter {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma(`synchronous = ${synchronous}`);
  db.exec(
    'CREATE TABLE IF NOT EXISTS metrics (id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, host TEXT, label TEXT NOT NULL, value REAL NOT NULL)',
  );
  const insert = db.prepare('INSERT INTO metrics (ts, host, label, value) VALUES (?, ?, ?, ?)');
  return {
    write(samples) {
      let points = 0;
      for (const sample of samples) {
        const ts = new Date(sample.timestampMs).toISOString();
        // Outside a transaction each statement commits by itself: otto's commit per row.
        for (const [label, value] of Object.entries(sample.values)) {
          insert.run(ts, sample.host, label, value);
          points++;
        }
      }
      return points;
    },
    close: () => db.close(),
  };
}
