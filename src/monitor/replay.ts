import { createReadStream } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { getDefaultLogger } from '../common/logger.js';
import { MonitorError } from '../errors.js';
import type { MonitorSource } from './monitor-source.js';
import type { MonitorServeOptions } from './monitor-options.js';
import { startMonitorServer, type MonitorServer } from './server/monitor-server.js';
import { MonitorStore } from './store/monitor-store.js';
import { StoreView } from './store-view.js';

/**
 * Replays a recorded monitor run with no collection: a `.db` opened read-only (the run's writer
 * may still be recording into it: readers never wait in WAL mode), or a `.json` archive imported
 * into memory. The dashboard draws exactly what was live: series placement, units, hover text,
 * states and events all come from the file.
 */

/** A recorded run opened for replay; close it when done (or `await using` it). */
export interface Replay extends MonitorSource, AsyncDisposable {
  /** The dashboard's URL when serving (with ?token= when bound beyond loopback). */
  readonly url: string | undefined;
  /** Closes the server and the file. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link openReplay}. */
export interface ReplayOptions {
  /** Serve the dashboard: bind and port. @default undefined: no server */
  serve?: MonitorServeOptions;
}

/**
 * Opens a recorded `.db` (read-only) or a `.json` archive for replay, optionally serving it.
 * @example
 * await using replay = await openReplay('run.db', { serve: {} });
 * console.log(`dashboard: ${replay.url}`);
 */
export async function openReplay(path: string, options: ReplayOptions = {}): Promise<Replay> {
  const isJson = extname(path).toLowerCase() === '.json';
  const store = isJson
    ? await importArchive(path)
    : await MonitorStore.open(path, { mode: 'read' });
  const replay = new ReplaySource(store, basename(path), isJson);
  try {
    if (options.serve) await replay.serve(options.serve);
  } catch (error) {
    await replay.close();
    throw error;
  }
  return replay;
}

/** A JSON archive in a memory store; its events may be changed (and exported again). */
async function importArchive(path: string): Promise<MonitorStore> {
  const store = await MonitorStore.openMemory();
  try {
    await store.importJson(createReadStream(resolve(path)));
    return store;
  } catch (error) {
    store.close();
    throw missingArchive(error, path) ?? error;
  }
}

/** The read stream's ENOENT, as the store says a missing database. */
function missingArchive(error: unknown, path: string): MonitorError | undefined {
  if ((error as NodeJS.ErrnoException)?.code !== 'ENOENT') return undefined;
  return new MonitorError(
    'MONITOR_DB_MISSING',
    `Cannot open monitor archive ${resolve(path)}: there is no such file.`,
    { fix: 'give the path of an archive that the dashboard or exportJson wrote.', cause: error },
  );
}

class ReplaySource extends StoreView implements Replay {
  private server: MonitorServer | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly replayed: MonitorStore,
    private readonly fileName: string,
    isJson: boolean,
  ) {
    super(replayed, {
      mode: 'replay',
      hostIds: () => replayed.hosts(),
      // A recording without a title is shown under its file's name.
      title: fileName,
      logger: getDefaultLogger(),
      ...(isJson ? {} : { readOnlyReason: `the replay of ${fileName} is read-only` }),
    });
  }

  get url(): string | undefined {
    return this.server?.url;
  }

  async serve(options: MonitorServeOptions): Promise<void> {
    this.server = await startMonitorServer(this, options);
  }

  close(): Promise<void> {
    return (this.closing ??= this.shutDown());
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async shutDown(): Promise<void> {
    try {
      await this.server?.close();
    } finally {
      this.markClosed(`the replay of ${this.fileName} was closed`);
      this.replayed.close();
    }
  }
}
