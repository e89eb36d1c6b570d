/**
 * The writer lock of a monitor database: one row of its `writer` table names the process that
 * writes (its pid with the process's start time, boot id, pid namespace and machine: see
 * process-identity.ts), the command it runs and since when.
 *
 * Why a row and not `flock` (otto's way): the row travels with the file, names its holder in the
 * refusal, works wherever SQLite works, and a holder that died (kill -9, a reboot) or whose pid was
 * reused is recognised as stale and replaced, so a crash never blocks the next monitor. Readers
 * never look at it. Taking the lock runs inside the caller's IMMEDIATE transaction: SQLite lets
 * one such transaction run at a time, so two writers opening at once cannot both see it free.
 */
import { basename } from 'node:path';
import {
  currentIdentity,
  ownerLiveness,
  type ProcessIdentity,
} from '../../docker/ownership/process-identity.js';
import { MonitorError } from '../../errors.js';
import type { SqliteDatabase } from './sqlite-driver.js';

/** Who holds the writer lock. */
export interface WriterRecord {
  identity: ProcessIdentity;
  /** The holder's command line, shortened. */
  command: string;
  /** When it took the lock, ms since the epoch. */
  sinceMs: number;
}

interface WriterRow {
  pid: string;
  start_ticks: string;
  boot_id: string;
  pid_namespace: string;
  machine: string;
  command: string;
  since_ms: number;
}

const MAX_COMMAND_CHARS = 200;

/**
 * Takes the lock for this process, replacing a holder that no longer runs; refuses with
 * `MONITOR_DB_LOCKED` while another (or this very) process holds it. Call it inside an IMMEDIATE
 * transaction.
 */
export function takeWriterLock(db: SqliteDatabase, path: string): WriterRecord {
  const holder = readHolder(db);
  if (holder && ownerLiveness(holder.identity) !== 'dead') throw lockedError(path, holder);
  const record: WriterRecord = {
    identity: currentIdentity(),
    command: describeCommand(process.argv),
    sinceMs: Date.now(),
  };
  writeHolder(db, record);
  return record;
}

/** Gives the lock up, when this process still holds it. */
export function releaseWriterLock(db: SqliteDatabase, record: WriterRecord): void {
  db.prepare('DELETE FROM writer WHERE pid = ? AND start_ticks = ? AND boot_id = ?').run(
    record.identity.pid,
    record.identity.startTicks,
    record.identity.bootId,
  );
}

function readHolder(db: SqliteDatabase): WriterRecord | undefined {
  const row = db.prepare('SELECT * FROM writer WHERE slot = 1').get() as WriterRow | undefined;
  if (!row) return undefined;
  return {
    identity: {
      pid: row.pid,
      startTicks: row.start_ticks,
      bootId: row.boot_id,
      pidNamespace: row.pid_namespace,
      machine: row.machine,
    },
    command: row.command,
    sinceMs: row.since_ms,
  };
}

function writeHolder(db: SqliteDatabase, record: WriterRecord): void {
  const { identity } = record;
  db.prepare(
    `INSERT OR REPLACE INTO writer
       (slot, pid, start_ticks, boot_id, pid_namespace, machine, command, since_ms)
     VALUES (1, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    identity.pid,
    identity.startTicks,
    identity.bootId,
    identity.pidNamespace,
    identity.machine,
    record.command,
    record.sinceMs,
  );
}

function lockedError(path: string, holder: WriterRecord): MonitorError {
  const since = new Date(holder.sinceMs).toISOString();
  const where =
    ownerLiveness(holder.identity) === 'unknown' ? ' on another machine or pid namespace' : '';
  return new MonitorError(
    'MONITOR_DB_LOCKED',
    `Cannot write to monitor database ${path}: process ${holder.identity.pid}${where} (${holder.command}) has been writing to it since ${since}.`,
    { fix: `open it read-only with --file ${path}, or stop that monitor.` },
  );
}

/** The command line, with the program's folders left out: `node main.js monitor --db x.db`. */
export function describeCommand(argv: readonly string[]): string {
  const [program = 'node', script, ...rest] = argv;
  const parts = [basename(program), ...(script === undefined ? [] : [basename(script)]), ...rest];
  const text = parts.join(' ');
  return text.length > MAX_COMMAND_CHARS ? `${text.slice(0, MAX_COMMAND_CHARS - 3)}...` : text;
}
