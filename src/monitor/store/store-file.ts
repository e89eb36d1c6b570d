/**
 * Opening the connection of a monitor store: a file to write (created when new, the writer lock
 * taken), a file to read (which must exist and be a monitor database), or memory.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { waitUntil } from '../../common/deadline.js';
import { MonitorError, TimeoutError } from '../../errors.js';
import {
  loadSqliteDriver,
  openConnection,
  type DriverConstructor,
  type SqliteDatabase,
} from './sqlite-driver.js';
import { invalidDatabase, prepareSchema } from './store-schema.js';
import { takeWriterLock, type WriterRecord } from './writer-lock.js';

/** An open connection, with the writer lock when opened to write a file. */
export interface StoreConnection {
  db: SqliteDatabase;
  /** The file's absolute path, or `:memory:`. */
  path: string;
  writer?: WriterRecord;
}

/**
 * How long opening a file waits out another process's brief hold of it: a second writer creating
 * the same new file at once can find it locked (`SQLITE_BUSY`) while the first switches it to WAL,
 * a step SQLite does not wait on by itself. Past this, the lock is reported as it is.
 */
const BUSY_RETRY_MS = 5000;

/** Opens a monitor database file to write (taking the writer lock) or to read. */
export async function openStoreFile(
  path: string,
  mode: 'write' | 'read',
): Promise<StoreConnection> {
  const Driver = await loadSqliteDriver();
  const fullPath = resolve(path);
  const isRead = mode === 'read';
  if (isRead && !existsSync(fullPath)) throw missingDatabase(fullPath);
  if (!isRead) mkdirSync(dirname(fullPath), { recursive: true });
  let lastBusy: unknown;
  const attempt = (): Promise<{ opened: StoreConnection } | { failed: unknown } | undefined> => {
    try {
      return Promise.resolve({ opened: openOnce(Driver, fullPath, isRead) });
    } catch (error) {
      if (!isBusy(error)) return Promise.resolve({ failed: error });
      lastBusy = error;
      return Promise.resolve(undefined);
    }
  };
  let outcome: { opened: StoreConnection } | { failed: unknown };
  try {
    outcome = await waitUntil(attempt, {
      timeoutMs: BUSY_RETRY_MS,
      intervalMs: 10,
      backoffFactor: 2,
      maxIntervalMs: 200,
      what: `monitor database ${fullPath} to be free`,
    });
  } catch (error) {
    throw openError(error instanceof TimeoutError && lastBusy ? lastBusy : error, fullPath);
  }
  if ('failed' in outcome) throw openError(outcome.failed, fullPath);
  return outcome.opened;
}

/** One try at opening; the driver's errors are thrown as they are. */
function openOnce(Driver: DriverConstructor, fullPath: string, isRead: boolean): StoreConnection {
  let db: SqliteDatabase | undefined;
  try {
    db = openConnection(Driver, { path: fullPath, readonly: isRead });
    const opened = db;
    if (isRead) {
      prepareSchema(opened, fullPath, false);
      return { db: opened, path: fullPath };
    }
    // One IMMEDIATE transaction: two writers opening a new file at once are serialised.
    const take = opened.transaction(() => {
      prepareSchema(opened, fullPath, true);
      return takeWriterLock(opened, fullPath);
    });
    return { db: opened, path: fullPath, writer: take.immediate() };
  } catch (error) {
    db?.close();
    throw error;
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

/** Opens a monitor database in memory. */
export async function openStoreMemory(): Promise<StoreConnection> {
  const Driver = await loadSqliteDriver();
  const db = openConnection(Driver, { path: ':memory:', readonly: false });
  prepareSchema(db, ':memory:', true);
  return { db, path: ':memory:' };
}

function missingDatabase(path: string): MonitorError {
  return new MonitorError(
    'MONITOR_DB_MISSING',
    `Cannot open monitor database ${path}: there is no such file.`,
    { fix: 'give the path of a database that `otto monitor --db` wrote.' },
  );
}

/** The error of a failed open: ours as they are, the driver's as `MONITOR_DB_INVALID`. */
function openError(error: unknown, path: string): unknown {
  if (error instanceof MonitorError) return error;
  const code = (error as { code?: unknown }).code;
  const why =
    code === 'SQLITE_NOTADB'
      ? 'it is not an SQLite database'
      : `SQLite said: ${error instanceof Error ? error.message : String(error)}`;
  return invalidDatabase(path, why, undefined, error);
}
