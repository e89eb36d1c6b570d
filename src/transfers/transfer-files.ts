import { randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { posix } from 'node:path';
import type { TransferRun } from './transfer-run.js';

/** A local file or directory tree about to be sent. */
export type LocalEntry =
  | { kind: 'file'; path: string; name: string; sizeBytes: number; mode: number }
  | { kind: 'dir'; path: string; name: string; mode: number; children: LocalEntry[] };

/** One file of a transfer, where it comes from and where it goes. */
export interface PlannedFile {
  source: string;
  destination: string;
  sizeBytes: number;
  mode: number;
}

/**
 * Reads a local file or directory tree (symbolic links followed). Sockets, pipes and devices are
 * left out: reading a pipe would block, and no protocol recreates them.
 */
export async function walkLocal(path: string): Promise<LocalEntry | undefined> {
  const info = await stat(path);
  const name = basename(path);
  const mode = info.mode & 0o7777;
  if (info.isFile()) return { kind: 'file', path, name, sizeBytes: info.size, mode };
  if (!info.isDirectory()) return undefined;
  const names = (await readdir(path)).sort();
  const children = await Promise.all(names.map((child) => walkLocal(join(path, child))));
  return {
    kind: 'dir',
    path,
    name,
    mode,
    children: children.filter((child) => child !== undefined),
  };
}

/**
 * Walks every source of a put before anything is written: a missing or unreadable one fails the
 * transfer at once, naming it.
 */
export async function walkSources(
  run: TransferRun,
  paths: readonly string[],
): Promise<LocalEntry[]> {
  const entries = await Promise.all(
    paths.map((path) =>
      walkLocal(path).catch((error: NodeJS.ErrnoException) => {
        throw run.sourceFailed(error.path ?? path, error);
      }),
    ),
  );
  return entries.filter((entry) => entry !== undefined);
}

/** A directory of a transfer's plan and the mode it gets. */
export interface PlannedDir {
  path: string;
  mode: number;
  /** The directory it copies, as named on the sending side. */
  source: string;
}

/** The remote directories (parents first) and files of local trees sent into `remoteDir`. */
export function planPut(
  entries: readonly LocalEntry[],
  remoteDir: string,
): { directories: PlannedDir[]; files: PlannedFile[] } {
  const directories: PlannedDir[] = [];
  const files: PlannedFile[] = [];
  const visit = (entry: LocalEntry, dir: string): void => {
    const destination = posix.join(dir, entry.name);
    if (entry.kind === 'file') {
      files.push({ source: entry.path, destination, sizeBytes: entry.sizeBytes, mode: entry.mode });
      return;
    }
    directories.push({ path: destination, mode: entry.mode, source: entry.path });
    for (const child of entry.children) visit(child, destination);
  };
  for (const entry of entries) visit(entry, remoteDir);
  return { directories, files };
}

/** The temporary name a file is written under before its rename: `dir/.name.otto-part-1a2b3c4d`. */
export function partPathOf(path: string, pathApi: typeof posix = posix): string {
  const suffix = randomBytes(4).toString('hex');
  return pathApi.join(pathApi.dirname(path), `.${pathApi.basename(path)}.otto-part-${suffix}`);
}

/**
 * Runs `work` on every item, at most `limit` at a time, and waits for all of them. Returns the
 * results in order, or throws the first failure once every item has settled.
 */
export async function mapSettled<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: PromiseSettledResult<R>[] = new Array<PromiseSettledResult<R>>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) {
      try {
        results[index] = { status: 'fulfilled', value: await work(items[index]!) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((result) => (result as PromiseFulfilledResult<R>).value);
}
