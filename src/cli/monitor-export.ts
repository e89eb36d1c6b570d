import { createWriteStream, existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { MonitorError } from '../errors.js';
import type { MonitorSource } from '../monitor/monitor-source.js';
import { openReplay } from '../monitor/monitor.js';
import { MonitorStore } from '../monitor/store/monitor-store.js';

/**
 * `otto monitor --export PATH`: a recording written as the JSON archive (`.json`) or as a
 * database (`.db`), from a `.db` or a `.json`, losslessly both ways (series placement, units,
 * hover text, host states and events). Nothing partial is left: the file is written under a
 * temporary name beside its place, then renamed. A `.json` is replaced; an existing `.db` is
 * refused (it may be another run's recording).
 */

/**
 * Writes the recording at `from` (`.db` or `.json`) to `to` (`.json` or `.db`).
 * @example await convertRecording('run.db', 'run.json');
 */
export async function convertRecording(from: string, to: string): Promise<void> {
  const [source, target] = [resolve(from), resolve(to)];
  if (source === target)
    throw new MonitorError('MONITOR_OPTIONS', `Cannot export ${source} onto itself.`, {
      fix: 'give --export another path (.json or .db).',
    });
  await using replay = await openReplay(source);
  await writeRecording(replay, target);
}

/** Writes what `source` holds to `path`, as `.json` or `.db` by its extension (see the file comment). */
export async function writeRecording(source: MonitorSource, path: string): Promise<void> {
  const isDb = extname(path).toLowerCase() === '.db';
  if (isDb && existsSync(path))
    throw new MonitorError(
      'MONITOR_OPTIONS',
      `Cannot export to ${path}: the file exists already, and a database is never overwritten.`,
      { fix: 'give --export a new path, or remove that file first.' },
    );
  const partial = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
  try {
    await (isDb ? writeDatabase(source, partial) : writeArchive(source, partial));
    await rename(partial, path);
  } finally {
    // After a failure: the file, and a database's journal files.
    await Promise.all(['', '-wal', '-shm'].map((end) => rm(`${partial}${end}`, { force: true })));
  }
}

async function writeArchive(source: MonitorSource, path: string): Promise<void> {
  const out = createWriteStream(path);
  try {
    await source.exportJson(out);
  } finally {
    out.end();
    await finished(out);
  }
}

/** The archive streamed from `source` into a new database, as an import reads it. */
async function writeDatabase(source: MonitorSource, path: string): Promise<void> {
  const store = await MonitorStore.open(path, { mode: 'write' });
  const pipe = new PassThrough();
  const exporting = source.exportJson(pipe).then(
    () => void pipe.end(),
    (error: unknown) => void pipe.destroy(error as Error),
  );
  try {
    await store.importJson(pipe);
    await exporting;
  } catch (error) {
    // The export waits on the pipe: an error ends its wait rather than leaving it pending.
    pipe.destroy(new Error('the import stopped'));
    throw error;
  } finally {
    store.close();
  }
}
