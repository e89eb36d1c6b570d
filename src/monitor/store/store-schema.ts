/**
 * The tables of a monitor database, and the checks that a file is one.
 *
 * A monitor database is marked by SQLite's `application_id` (`otto` in ASCII) and its format
 * version is `user_version`, so a file is recognised without reading a table.
 *
 * Layout, chosen by measurement (24 h of 10 hosts at 1 s, 25 series each; see monitor-store.ts):
 * - `samples`: ONE ROW PER SAMPLE, keyed (host, ts) in a WITHOUT ROWID table, so one host's rows
 *   are stored together in time order and a time range is one contiguous read. The values are
 *   a blob of float64 (little-endian) in the order of a `layouts` row: the list of series keys
 *   the sample has, stored once per distinct list and referenced by id. A row per point instead
 *   would be 25 times as many rows (the driver costs ~1.5 us per row read) and repeat the key.
 * - `details`: hover text, only for the samples that have some, as JSON text.
 * - `rollups`: per host and minute, the sum and count of every series (by its ordinal within the
 *   host), written in the same transaction as the samples. Reading a day of one host as rows
 *   costs ~300 ms in the driver alone; its 1,440 rollups cost a few ms.
 * - `series`, `hosts`, `host_states`, `events`, `info`: what the dashboard shows besides the
 *   points, so that a replay draws exactly what was live (charts, units, tabs, labels, hover).
 * - `writer`: the one row saying which process writes (see writer-lock.ts).
 */
import { MonitorError } from '../../errors.js';
import type { SqliteDatabase } from './sqlite-driver.js';

/** SQLite `application_id` of a monitor database: `otto` in ASCII. */
export const MONITOR_APPLICATION_ID = 0x6f74746f;

/** Format version written to `user_version`; a file with a higher one is refused. */
export const STORE_FORMAT_VERSION = 1;

const SCHEMA_SQL = `
CREATE TABLE info (
  slot INTEGER PRIMARY KEY CHECK (slot = 1),
  interval_ms INTEGER NOT NULL, title TEXT NOT NULL, started_at_ms INTEGER NOT NULL,
  version TEXT NOT NULL
);
CREATE TABLE hosts (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE series (
  id INTEGER PRIMARY KEY, host_id INTEGER NOT NULL, ordinal INTEGER NOT NULL, key TEXT NOT NULL,
  label TEXT NOT NULL, chart TEXT NOT NULL, unit TEXT NOT NULL, tab TEXT NOT NULL,
  labels TEXT NOT NULL, UNIQUE (host_id, key)
);
CREATE TABLE layouts (
  id INTEGER PRIMARY KEY, host_id INTEGER NOT NULL, keys TEXT NOT NULL, UNIQUE (host_id, keys)
);
CREATE TABLE samples (
  host_id INTEGER NOT NULL, ts INTEGER NOT NULL, layout_id INTEGER NOT NULL, vals BLOB NOT NULL,
  PRIMARY KEY (host_id, ts)
) WITHOUT ROWID;
CREATE TABLE details (
  host_id INTEGER NOT NULL, ts INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (host_id, ts)
) WITHOUT ROWID;
CREATE TABLE rollups (
  host_id INTEGER NOT NULL, ts INTEGER NOT NULL, sums BLOB NOT NULL, PRIMARY KEY (host_id, ts)
) WITHOUT ROWID;
CREATE TABLE host_states (
  id INTEGER PRIMARY KEY, host_id INTEGER NOT NULL, ts INTEGER NOT NULL, status TEXT NOT NULL,
  reason TEXT
);
CREATE INDEX host_states_by_host ON host_states (host_id, id);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, ts INTEGER NOT NULL,
  end_ts INTEGER, label TEXT NOT NULL, source TEXT NOT NULL, color TEXT NOT NULL,
  dash TEXT NOT NULL, host TEXT
);
CREATE INDEX events_by_time ON events (ts, seq);
CREATE TABLE writer (
  slot INTEGER PRIMARY KEY CHECK (slot = 1), pid TEXT NOT NULL, start_ticks TEXT NOT NULL,
  boot_id TEXT NOT NULL, pid_namespace TEXT NOT NULL, machine TEXT NOT NULL,
  command TEXT NOT NULL, since_ms INTEGER NOT NULL
);
`;

/**
 * Checks that `db` is a monitor database this version reads; with `create`, an empty database
 * becomes one. Run it inside an IMMEDIATE transaction when creating, so two writers opening a
 * new file at once cannot both create it.
 */
export function prepareSchema(db: SqliteDatabase, path: string, create: boolean): void {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  if (applicationId === MONITOR_APPLICATION_ID) return checkFormatVersion(db, path);
  const tables = listTables(db);
  if (tables.length > 0) {
    throw invalidDatabase(
      path,
      `it is an SQLite database of something else (its tables: ${tables.join(', ')})`,
    );
  }
  if (!create) throw invalidDatabase(path, 'it is empty');
  db.exec(SCHEMA_SQL);
  db.pragma(`application_id = ${MONITOR_APPLICATION_ID}`);
  db.pragma(`user_version = ${STORE_FORMAT_VERSION}`);
}

function checkFormatVersion(db: SqliteDatabase, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > STORE_FORMAT_VERSION) {
    throw invalidDatabase(
      path,
      `its format version ${version} is newer than this otto-ts reads (${STORE_FORMAT_VERSION})`,
      'open it with the otto-ts version that wrote it, or a newer one.',
    );
  }
  if (version < 1) throw invalidDatabase(path, 'it was never completely created');
}

function listTables(db: SqliteDatabase): string[] {
  return db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .pluck()
    .all() as string[];
}

/** A `MONITOR_DB_INVALID` error naming the file and why it is not a monitor database. */
export function invalidDatabase(
  path: string,
  why: string,
  fix = 'give the path of a database that `otto monitor --db` wrote.',
  cause?: unknown,
): MonitorError {
  return new MonitorError(
    'MONITOR_DB_INVALID',
    `Cannot open ${path} as a monitor database: ${why}.`,
    {
      fix,
      ...(cause === undefined ? {} : { cause }),
    },
  );
}
