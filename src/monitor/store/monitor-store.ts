/**
 * The monitor's store: one SQLite file holding a whole monitor run (its info, the series
 * metadata, every sample with its hover details, the hosts' state changes and the events), so
 * that replaying the file shows exactly what was live. The tables and why they are laid out so
 * are in store-schema.ts; the writer lock in writer-lock.ts; the JSON archive in json-archive.ts.
 *
 * Measured on this machine (2 cores, busy with other work; 10 hosts at 1 s, 25 series each):
 * - writing: ~0.3-0.6 M points/s (12-23 k samples/s) with one transaction per tick of 10 hosts,
 *   as live; ~1.3 M points/s in batches of 2,000 samples (an import). Live needs 250 points/s.
 * - file size: ~0.93 MB per host and hour (24 h x 10 hosts: 222 MB); ~2.7 MB when every sample
 *   has hover details for 5 series.
 * - readData of one host over 24 h, maxPoints 2000: 10-40 ms (1,440 minute rollups; reading its
 *   86,400 sample rows instead costs ~300 ms); 1 h (3,600 rows, 2 s buckets): 11-40 ms.
 * - JSON archive: export ~50 k samples/s (~490 bytes per sample), import ~35 k samples/s.
 */
import { ClosedError, MonitorError } from '../../errors.js';
import type { ApiSeries, DataQuery, DataResponse } from '../api-types.js';
import type { HostState, MonitorEvent, Sample, SeriesMeta } from '../metric-types.js';
import { DataReader } from './data-reader.js';
import { EventTable } from './event-table.js';
import { describeInput, importJsonArchive, type ArchiveTarget } from './json-archive.js';
import { writeJsonArchive } from './json-archive-writer.js';
import { RunRecords, type StoreInfo } from './run-records.js';
import { pageSamples } from './sample-pages.js';
import { SampleWriter } from './sample-writer.js';
import { SeriesTable } from './series-table.js';
import type { SqliteDatabase } from './sqlite-driver.js';
import { StoreCatalog } from './store-catalog.js';
import { openStoreFile, openStoreMemory } from './store-file.js';
import { releaseWriterLock, type WriterRecord } from './writer-lock.js';

export type { StoreInfo } from './run-records.js';

/** How a store is opened: `write` takes the writer lock; `read` never writes. */
export interface MonitorStoreOptions {
  mode: 'write' | 'read';
}

/**
 * A monitor database, in a file or in memory.
 * @example
 * const store = await MonitorStore.open('run.db', { mode: 'write' });
 * store.setInfo({ intervalMs: 1000, title: 'lab1', startedAtMs: Date.now(), version: '0.1.0' });
 * store.addSeries([{ host: 'web1', key: 'cpu.busy', label: 'busy', chart: 'CPU', unit: '%', tab: 'cpu', labels: {} }]);
 * store.addSamples([{ host: 'web1', timestampMs: Date.now(), values: { 'cpu.busy': 12.5 } }]);
 * store.readData({ host: 'web1', maxPoints: 2000 });
 * store.close();
 */
export class MonitorStore {
  private readonly catalog: StoreCatalog;
  private readonly seriesTable: SeriesTable;
  private readonly records: RunRecords;
  private readonly eventTable: EventTable;
  private readonly samples: SampleWriter;
  private readonly reader: DataReader;
  private isClosed = false;

  private constructor(
    private readonly db: SqliteDatabase,
    /** The database file's absolute path; `:memory:` for a store in memory. */
    readonly path: string,
    /** `write`, or `read` for a store that refuses every change. */
    readonly mode: 'write' | 'read',
    private readonly writer?: WriterRecord,
  ) {
    this.catalog = new StoreCatalog(db);
    this.seriesTable = new SeriesTable(db, this.catalog);
    this.records = new RunRecords(db, this.catalog);
    this.eventTable = new EventTable(db, path);
    this.samples = new SampleWriter(db, this.catalog, path);
    this.reader = new DataReader(db, this.catalog);
  }

  /**
   * Opens or creates a database file: `write` takes the writer lock (`MONITOR_DB_LOCKED` while
   * another live process holds it); `read` needs an existing monitor file and is never refused.
   * @example const replay = await MonitorStore.open('run.db', { mode: 'read' });
   */
  static async open(path: string, options: MonitorStoreOptions): Promise<MonitorStore> {
    const { db, path: fullPath, writer } = await openStoreFile(path, options.mode);
    return new MonitorStore(db, fullPath, options.mode, writer);
  }

  /** A database in memory (a replay of a JSON archive, a live run without --db). */
  static async openMemory(): Promise<MonitorStore> {
    const { db, path } = await openStoreMemory();
    return new MonitorStore(db, path, 'write');
  }

  /** Saves the run's info (interval, title, start, otto-ts version), replacing what was there. */
  setInfo(info: StoreInfo): void {
    this.checkWritable('set the info');
    this.records.setInfo(info);
  }

  /** The run's info, or undefined before it was set. */
  info(): StoreInfo | undefined {
    this.checkOpen('read the info');
    return this.records.info();
  }

  /** Adds series, or updates the placement and labels of known ones (by host and key). */
  addSeries(series: readonly SeriesMeta[]): void {
    this.checkWritable('add series');
    this.seriesTable.add(series);
  }

  /** Series in order of first addition, of one host or of all; `id` is `<host>/<key>`. */
  series(host?: string): ApiSeries[] {
    this.checkOpen('read series');
    return this.seriesTable.read(host);
  }

  /** Host ids, in order of first appearance. */
  hosts(): string[] {
    this.checkOpen('read hosts');
    return this.db.prepare('SELECT name FROM hosts ORDER BY id').pluck().all() as string[];
  }

  /**
   * Adds samples in one transaction; `MONITOR_UNKNOWN_SERIES` (and nothing written) when one has
   * a value for a series not added first. Non-finite values are no point (JSON has no NaN); a
   * second sample of a host at a stored timestamp is left out.
   */
  addSamples(samples: readonly Sample[]): void {
    this.checkWritable('add samples');
    this.samples.add(samples);
  }

  /** Stores a host's state when its status or reason changed since its last one. */
  addHostState(state: HostState): void {
    this.checkWritable('add a host state');
    this.records.addHostState(state);
  }

  /** The latest state of each host, in host order. */
  hostStates(): HostState[] {
    this.checkOpen('read host states');
    return this.records.latestStates();
  }

  /** First and last sample time of one host, or of all; undefined before the first sample. */
  timeRange(host?: string): { fromMs: number; toMs: number } | undefined {
    this.checkOpen('read the time range');
    const names = host === undefined ? this.hosts() : [host];
    let range: { fromMs: number; toMs: number } | undefined;
    for (const name of names) {
      const hostId = this.catalog.findHostId(name);
      const own = hostId === undefined ? undefined : this.reader.timeRange(hostId);
      if (!own) continue;
      range = range
        ? { fromMs: Math.min(range.fromMs, own.fromMs), toMs: Math.max(range.toMs, own.toMs) }
        : own;
    }
    return range;
  }

  /** One host's series over a time range, averaged per bucket past `maxPoints` (api-types.ts). */
  readData(query: DataQuery): DataResponse {
    this.checkOpen('read data');
    // One read transaction: a writer in another process may add rows meanwhile.
    return this.db.transaction(() =>
      this.reader.read(query, this.records.info()?.intervalMs ?? 0),
    )();
  }

  /** Adds an event; `MONITOR_OPTIONS` for an id that exists. */
  addEvent(event: MonitorEvent): void {
    this.checkWritable('add an event');
    this.eventTable.add(event);
  }

  /** Replaces an event (found by id); `MONITOR_UNKNOWN_EVENT` for an unknown id. */
  updateEvent(event: MonitorEvent): void {
    this.checkWritable('update an event');
    this.eventTable.update(event);
  }

  /** Removes an event; false when there was none with that id. */
  deleteEvent(id: string): boolean {
    this.checkWritable('delete an event');
    return this.eventTable.delete(id);
  }

  /** An event by id. */
  event(id: string): MonitorEvent | undefined {
    this.checkOpen('read an event');
    return this.eventTable.find(id);
  }

  /** Every event, by timestamp (ties in the order added). */
  events(): MonitorEvent[] {
    this.checkOpen('read events');
    return this.eventTable.all();
  }

  /**
   * Writes the whole store as the JSON archive (json-archive.ts), streamed; does not end `out`.
   * Samples are those stored when the export started (up to each host's last sample then).
   */
  async exportJson(out: NodeJS.WritableStream): Promise<void> {
    this.checkOpen('export');
    const hosts = this.hosts();
    const { db, catalog, reader } = this;
    const source = { db, catalog, reader, checkOpen: () => this.checkOpen('export') };
    await writeJsonArchive(
      {
        info: this.records.info(),
        hosts,
        series: this.seriesTable.read(),
        states: this.records.allStates(),
        events: this.eventTable.all(),
        samplePages: pageSamples(source, hosts),
      },
      out,
    );
  }

  /** Reads a JSON archive into this store, which must be empty; `MONITOR_IMPORT_INVALID` if it is not one. */
  async importJson(input: NodeJS.ReadableStream): Promise<void> {
    this.checkWritable('import');
    if (this.hosts().length > 0 || this.events().length > 0 || this.info() !== undefined) {
      throw new MonitorError(
        'MONITOR_OPTIONS',
        `Cannot import ${describeInput(input)} into monitor database ${this.path}: it already holds data.`,
        { fix: 'import into a new database, or into MonitorStore.openMemory().' },
      );
    }
    const target: ArchiveTarget = {
      setInfo: (info) => this.setInfo(info),
      addHost: (name) => void this.catalog.ensureHostId(name),
      addSeries: (series) => this.addSeries(series),
      addHostState: (state) => this.addHostState(state),
      addEvent: (event) => this.addEvent(event),
      addSamples: (samples) => this.addSamples(samples),
    };
    await importJsonArchive(input as AsyncIterable<string | Buffer>, target, describeInput(input));
  }

  /** Releases the writer lock and closes the file; idempotent. Every later call is refused. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    try {
      if (this.writer) {
        releaseWriterLock(this.db, this.writer);
        leaveWalMode(this.db);
      }
    } finally {
      this.db.close();
    }
  }

  /** Closes the store (`using store = await MonitorStore.open(...)`). */
  [Symbol.dispose](): void {
    this.close();
  }

  private checkOpen(call: string): void {
    if (this.isClosed) {
      throw new ClosedError(`Cannot ${call} on monitor database ${this.path}: it was closed.`);
    }
  }

  private checkWritable(call: string): void {
    this.checkOpen(call);
    if (this.mode === 'read') {
      throw new MonitorError(
        'MONITOR_READ_ONLY',
        `Cannot ${call} on monitor database ${this.path}: it is open read-only.`,
        { fix: "open it with mode 'write' (no other monitor may be writing to it)." },
      );
    }
  }
}

/**
 * A finished recording is left as one self-contained file (rollback journal, no `-wal`/`-shm`):
 * it can be copied alone, and replayed from a folder the reader cannot write, which WAL needs.
 * A reader still attached keeps WAL on (SQLite refuses the switch then); that is harmless.
 */
function leaveWalMode(db: SqliteDatabase): void {
  try {
    db.pragma('journal_mode = DELETE');
  } catch {
    // busy: a reader holds the file; the next writer's close will switch it.
  }
}
