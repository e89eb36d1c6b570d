import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Header, Pack } from 'tar-stream';
import { loadTarStream } from '../tar-stream.js';
import type { TransferProgress } from '../../transfers/transfer.js';
import { tarEntryName } from './archive-paths.js';

/** A regular file that went into an archive. */
export interface PackedFile {
  source: string;
  entryName: string;
  sizeBytes: number;
}

/** Options of {@link packLocalPaths}. */
export interface PackOptions {
  onProgress?: (progress: TransferProgress) => void;
  /** Called as each entry starts, with its name: what the engine may have extracted so far. */
  onEntry?: (entryName: string) => void;
  /**
   * Directories to create first, parents first (`['srv', 'srv/app']`), with mode 0o755; the
   * paths then go below the last one. This is how a put makes its missing destination.
   */
  prefixDirs?: readonly string[];
}

/** A tar header: its name, and whatever else differs from tar-stream's defaults. */
export type EntryHeader = Partial<Header> & Pick<Header, 'name'>;

/** Read size: large reads halve the time per byte against the 64 KiB default. */
const READ_CHUNK_BYTES = 1 << 20;
const EMPTY = Buffer.alloc(0);

/**
 * Packs local files and directories (recursively, basenames kept, modes and times kept, owned by
 * root) into a tar stream, one file at a time, streamed from disk. `files` resolves once the
 * archive is complete; on a local failure it rejects and the archive is destroyed with the error.
 * @example const { archive, files } = await packLocalPaths(['./dist', './run.sh']);
 */
export async function packLocalPaths(
  localPaths: readonly string[],
  options: PackOptions = {},
): Promise<{ archive: Pack; files: Promise<PackedFile[]> }> {
  const { pack } = await loadTarStream();
  const archive = pack();
  const packed: PackedFile[] = [];
  const prefix = options.prefixDirs?.at(-1);
  const files = (async () => {
    for (const dir of options.prefixDirs ?? []) {
      options.onEntry?.(dir);
      await addEntry(archive, {
        ...ROOT_OWNED,
        name: dir,
        mode: 0o755,
        mtime: new Date(),
        type: 'directory',
      });
    }
    for (const localPath of localPaths) {
      const name = tarEntryName(basename(resolve(localPath)));
      await addPath(archive, localPath, prefix ? `${prefix}/${name}` : name, packed, options);
    }
    archive.finalize();
    return packed;
  })();
  files.catch((error: unknown) => archive.destroy(error as Error));
  return { archive, files };
}

async function addPath(
  archive: Pack,
  source: string,
  entryName: string,
  packed: PackedFile[],
  options: PackOptions,
): Promise<void> {
  const stat = await lstat(source);
  const header = headerOf(entryName, stat);
  if (stat.isDirectory()) {
    options.onEntry?.(entryName);
    await addEntry(archive, { ...header, type: 'directory' });
    for (const child of (await readdir(source)).sort()) {
      await addPath(archive, join(source, child), `${entryName}/${child}`, packed, options);
    }
  } else if (stat.isSymbolicLink()) {
    options.onEntry?.(entryName);
    await addEntry(archive, { ...header, type: 'symlink', linkname: await readlink(source) });
  } else if (stat.isFile()) {
    options.onEntry?.(entryName);
    await addFile(archive, source, header, stat.size, options.onProgress);
    packed.push({ source, entryName, sizeBytes: stat.size });
  }
  // Sockets, pipes and devices are skipped, as `docker cp` cannot recreate them either.
}

/** Header fields of an entry owned by root. */
export const ROOT_OWNED = { uid: 0, gid: 0, uname: 'root', gname: 'root' };

function headerOf(name: string, stat: Stats): EntryHeader {
  return { ...ROOT_OWNED, name, mode: stat.mode & 0o7777, mtime: stat.mtime };
}

/** Adds an entry without content (a directory, a link, an empty file). */
export function addEntry(archive: Pack, header: EntryHeader): Promise<void> {
  return new Promise((resolveEntry, reject) => {
    // Without a buffer, tar-stream waits for content to be written, even for an empty file.
    archive.entry(header, EMPTY, (error) => (error ? reject(error) : resolveEntry()));
  });
}

/** Streams one file into its entry; a file that changes size meanwhile fails the entry. */
export async function addFile(
  archive: Pack,
  source: string,
  header: EntryHeader,
  sizeBytes: number,
  onProgress: PackOptions['onProgress'],
): Promise<void> {
  const fileHeader: EntryHeader = { ...header, type: 'file', size: sizeBytes };
  onProgress?.({ file: source, doneBytes: 0, totalBytes: sizeBytes });
  if (sizeBytes === 0) return addEntry(archive, fileHeader);
  const entry = archive.entry(fileHeader);
  const input = createReadStream(source, {
    start: 0,
    end: sizeBytes - 1,
    highWaterMark: READ_CHUNK_BYTES,
  });
  let doneBytes = 0;
  input.on('data', (chunk) => {
    doneBytes += chunk.length;
    onProgress?.({ file: source, doneBytes, totalBytes: sizeBytes });
  });
  await pipeline(input, entry);
}
