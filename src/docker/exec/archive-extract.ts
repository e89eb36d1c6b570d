import { chmod, link, lstat, mkdir, open, rename, rm, symlink, utimes } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ExtractEvents, Header } from 'tar-stream';
import { loadTarStream } from '../tar-stream.js';
import { TransferError } from '../../errors.js';
import type { TransferProgress } from '../../transfers/transfer.js';
import { localEntryPath, remoteEntryPath, temporaryPath } from './archive-paths.js';

/** Options of {@link extractArchive}. */
export interface ExtractOptions {
  localDir: string;
  /** Container directory the entry names are relative to, for progress and results. */
  remoteDir: string;
  onProgress?: (progress: TransferProgress) => void;
  /** Stops the extraction at the next chunk: data already received is not written on. */
  signal?: AbortSignal;
}

/** A regular file written by {@link extractArchive}. */
export interface ExtractedFile {
  source: string;
  destination: string;
  sizeBytes: number;
}

/** An entry's content as the extractor hands it over (a streamx readable). */
type EntryStream = ExtractEvents['entry'][1];

/** Writes are gathered into batches this large (one `writev` in flight), as disks like. */
const WRITE_BATCH_BYTES = 1 << 20;
/**
 * How much of the response the extractor may hold while a file is written. With the default
 * (16 KiB) the response socket is paused at every chunk and the engine waits: 64 MiB came out at
 * 1.03x the time of `docker cp`; with 4 MiB at 0.90x and 16 MiB at 0.86x (15 interleaved rounds).
 */
const EXTRACT_BUFFER_BYTES = 8 << 20;

/**
 * Extracts a tar stream into a local directory: directories, files, symbolic and hard links,
 * with their modes and times. Each file is written under a temporary name, its size checked
 * against its header, then renamed into place. On any failure everything this call created is
 * removed again, so a failed extraction leaves no partial file behind.
 * @example const files = await extractArchive(response, { localDir: '/tmp/out', remoteDir: '/etc' });
 */
export async function extractArchive(
  archive: Readable,
  options: ExtractOptions,
): Promise<ExtractedFile[]> {
  const state: ExtractState = {
    options,
    created: [],
    symlinks: new Set(),
    dirModes: [],
    files: [],
  };
  const { extract } = await loadTarStream();
  const extractor = extract({ highWaterMark: EXTRACT_BUFFER_BYTES });
  extractor.on('entry', (header, entry, next) => {
    writeEntry(state, header, entry).then(
      () => next(),
      (error: unknown) => next(error as Error),
    );
  });
  try {
    await pipeline(archive, extractor);
    for (const [path, mode] of state.dirModes.reverse()) await chmod(path, mode);
    return state.files;
  } catch (error) {
    for (const path of state.created.reverse()) await rm(path, { recursive: true, force: true });
    throw error;
  }
}

interface ExtractState {
  options: ExtractOptions;
  /** Paths this extraction created, in order, to remove on failure. */
  created: string[];
  symlinks: Set<string>;
  /** Directory modes, applied at the end so that read-only directories can be filled first. */
  dirModes: Array<[string, number]>;
  files: ExtractedFile[];
}

async function writeEntry(state: ExtractState, header: Header, entry: EntryStream): Promise<void> {
  const { localDir, remoteDir } = state.options;
  const target = localEntryPath(localDir, header.name, state.symlinks);
  if (!target)
    throw unsafeEntry(`the archive entry "${header.name}" would land outside ${localDir}`);
  if (header.type === 'file' || header.type === 'contiguous-file') {
    const source = remoteEntryPath(remoteDir, header.name);
    const sizeBytes = await writeFileEntry(state, target, header, entry, source);
    state.files.push({ source, destination: target, sizeBytes });
    return;
  }
  entry.resume();
  if (header.type === 'directory') await makeDirectory(state, target, header.mode);
  else if (header.type === 'symlink')
    await replaceWith(state, target, () => symlink(header.linkname, target));
  else if (header.type === 'link') {
    const existing = localEntryPath(localDir, header.linkname, state.symlinks);
    if (!existing) throw unsafeEntry(`the hard link "${header.name}" points outside ${localDir}`);
    await replaceWith(state, target, () => link(existing, target));
  }
}

async function makeDirectory(state: ExtractState, path: string, mode: number): Promise<void> {
  const first = await mkdir(path, { recursive: true, mode: 0o700 });
  if (first) state.created.push(first);
  state.dirModes.push([path, mode & 0o7777]);
}

async function replaceWith(
  state: ExtractState,
  path: string,
  create: () => Promise<void>,
): Promise<void> {
  const existed = await exists(path);
  if (existed) await rm(path, { force: true });
  await create();
  if (!existed) state.created.push(path);
  if ((await lstat(path)).isSymbolicLink()) state.symlinks.add(path);
}

/** Writes one file under a temporary name, checks its size, then renames it into place. */
async function writeFileEntry(
  state: ExtractState,
  target: string,
  header: Header,
  entry: EntryStream,
  source: string,
): Promise<number> {
  const totalBytes = header.size;
  const temporary = temporaryPath(target);
  const report = (doneBytes: number): void => {
    state.options.onProgress?.({ file: source, doneBytes, totalBytes });
    // A stop must not wait for the response to end: the data already buffered could finish the file.
    state.options.signal?.throwIfAborted();
  };
  const previous = await keepPrevious(target);
  try {
    report(0);
    // streamx readables are async iterable; their typings do not say so.
    const content = entry as unknown as AsyncIterable<Buffer>;
    const writtenBytes = await writeStreamToFile(content, temporary, report);
    if (writtenBytes !== totalBytes) {
      throw new TransferError(
        'SIZE_MISMATCH',
        `${source} arrived with ${writtenBytes} of ${totalBytes} bytes`,
      );
    }
    await chmod(temporary, header.mode & 0o7777);
    await utimes(temporary, header.mtime, header.mtime);
    const existed = previous !== undefined || (await exists(target));
    await rename(temporary, target);
    if (!existed) state.created.push(target);
    // Freeing a large file's pages takes tens of milliseconds; it need not delay the transfer.
    if (previous) rm(previous, { force: true }).catch(() => undefined);
    return writtenBytes;
  } catch (error) {
    await rm(temporary, { force: true });
    if (previous) await rm(previous, { force: true });
    throw error;
  }
}

/**
 * Gives a regular file about to be replaced a second, hidden name, so that the rename over it
 * does not free its content (64 MiB: 40 ms, on the critical path); undefined when there is none.
 */
async function keepPrevious(target: string): Promise<string | undefined> {
  const stat = await lstat(target).catch(() => undefined);
  if (!stat?.isFile()) return undefined;
  const previous = temporaryPath(target, 'old');
  await link(target, previous);
  return previous;
}

/** Writes a stream to a new file in large batches, one write in flight; returns the size. */
async function writeStreamToFile(
  input: AsyncIterable<Buffer>,
  path: string,
  onBytes: (doneBytes: number) => void,
): Promise<number> {
  const handle = await open(path, 'wx', 0o600);
  try {
    let batch: Buffer[] = [];
    let batchBytes = 0;
    let doneBytes = 0;
    let writing: Promise<unknown> = Promise.resolve();
    for await (const chunk of input) {
      batch.push(chunk);
      batchBytes += chunk.length;
      doneBytes += chunk.length;
      onBytes(doneBytes);
      if (batchBytes < WRITE_BATCH_BYTES) continue;
      await writing;
      writing = handle.writev(batch);
      writing.catch(() => undefined);
      batch = [];
      batchBytes = 0;
    }
    await writing;
    if (batch.length > 0) await handle.writev(batch);
    return doneBytes;
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

function unsafeEntry(why: string): TransferError {
  return new TransferError('UNSAFE_ARCHIVE_ENTRY', why);
}
