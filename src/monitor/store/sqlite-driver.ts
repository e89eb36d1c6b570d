/**
 * Loads the SQLite driver and opens connections with the pragmas every monitor database uses.
 *
 * Why better-sqlite3 (12) and not `node:sqlite`: `node:sqlite` does not exist on Node 20, our
 * minimum (it came in 22.5, behind a flag until 23.4), and better-sqlite3 12 runs on 20, 22 and 24
 * (13 needs Node 22 and crashes on 20). It is synchronous, which suits a store whose every call is
 * a short transaction, and its statements can iterate raw rows, which the downsampling needs.
 *
 * The driver is a native module, so it is loaded on first use (`await import`): the rest of
 * otto-ts keeps working where it could not be built, and only opening a store says so.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { MonitorError } from '../../errors.js';

/** A connection of the driver. */
export type SqliteDatabase = BetterSqlite3.Database;

export type DriverConstructor = typeof BetterSqlite3;

/** How long a connection waits for another one's write transaction before giving up. */
export const BUSY_TIMEOUT_MS = 5_000;

let driver: DriverConstructor | undefined;

/** The better-sqlite3 constructor, loaded once; a `MONITOR_SQLITE_UNAVAILABLE` error without it. */
export async function loadSqliteDriver(): Promise<DriverConstructor> {
  if (driver) return driver;
  try {
    const loaded = (await import('better-sqlite3')) as { default: DriverConstructor };
    // Constructing one connection loads the native binding, which is what fails when unbuilt.
    new loaded.default(':memory:').close();
    driver = loaded.default;
    return driver;
  } catch (error) {
    throw sqliteUnavailable(error);
  }
}

function sqliteUnavailable(cause: unknown): MonitorError {
  const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  return new MonitorError(
    'MONITOR_SQLITE_UNAVAILABLE',
    `Cannot open a monitor database: the SQLite driver (the npm package better-sqlite3) could not be loaded: ${reason}`,
    {
      cause,
      fix: 'rebuild it with `npm rebuild better-sqlite3` (it needs python3, make and g++), or monitor without --db.',
    },
  );
}

/** What {@link openConnection} opens. */
export interface ConnectionOptions {
  /** A file path, or `:memory:`. */
  path: string;
  /** Read-only connections never write, not even the journal mode. */
  readonly: boolean;
}

/**
 * Opens a connection: WAL (readers never wait for the writer), `synchronous=NORMAL` (a commit is
 * durable at the next checkpoint; a crash loses at most the last commits, never the file's
 * integrity) and a busy timeout (two writers opening at once wait for each other's transaction).
 */
export function openConnection(
  Driver: DriverConstructor,
  options: ConnectionOptions,
): SqliteDatabase {
  const db = new Driver(options.path, {
    readonly: options.readonly,
    fileMustExist: options.readonly,
  });
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  return db;
}
