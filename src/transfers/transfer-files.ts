import { randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { posix } from 'node:path';
import { TimeoutError, TransferError } from '../errors.js';
import type { TransferOptions } from './transfer.js';

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

/** Reads a local file or directory tree (symbolic links followed). */
export async function walkLocal(path: string): Promise<LocalEntry> {
  const info = await stat(path);
  const name = basename(path);
  const mode = info.mode & 0o7777;
  if (!info.isDirectory()) return { kind: 'file', path, name, sizeBytes: info.size, mode };
  const names = (await readdir(path)).sort();
  const children = await Promise.all(names.map((child) => walkLocal(join(path, child))));
  return { kind: 'dir', path, name, mode, children };
}

/** The remote directories (parents first) and files of local trees sent into `remoteDir`. */
export function planPut(
  entries: readonly LocalEntry[],
  remoteDir: string,
): { directories: string[]; files: PlannedFile[] } {
  const directories: string[] = [];
  const files: PlannedFile[] = [];
  const visit = (entry: LocalEntry, dir: string): void => {
    const destination = posix.join(dir, entry.name);
    if (entry.kind === 'file') {
      files.push({ source: entry.path, destination, sizeBytes: entry.sizeBytes, mode: entry.mode });
      return;
    }
    directories.push(destination);
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

/** Aborts a transfer on its timeout or its caller's signal. */
export interface TransferStop {
  signal: AbortSignal;
  /** The error to report, once stopped. */
  error(): Error;
  dispose(): void;
}

/** Arms a transfer's timeout (if any) and links its caller's signal. */
export function createTransferStop(
  options: TransferOptions,
  what: string,
  where: string,
): TransferStop {
  const controller = new AbortController();
  let cause: 'timeout' | 'abort' = 'abort';
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          cause = 'timeout';
          controller.abort();
        }, options.timeoutMs);
  const onAbort = (): void => controller.abort();
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    error: () =>
      cause === 'timeout'
        ? new TimeoutError(
            'TRANSFER_TIMEOUT',
            `Timed out after ${options.timeoutMs}ms ${what} on ${where}.`,
            { where },
          )
        : new TransferError('TRANSFER_ABORTED', `Aborted ${what} on ${where}.`, {
            where,
            cause: options.signal?.reason,
          }),
    dispose: () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** The error of one file that could not be moved; the first line names the file, host and reason. */
export function transferFailed(
  kind: 'sftp' | 'scp',
  direction: 'put' | 'get',
  file: { source: string; destination: string },
  address: string,
  reason: string,
  cause?: unknown,
): TransferError {
  const summary =
    direction === 'put'
      ? `Could not put ${file.source} to ${file.destination} on ${address} [${kind}]: ${reason.replace(/\.$/, '')}.`
      : `Could not get ${file.source} from ${address} to ${file.destination} [${kind}]: ${reason.replace(/\.$/, '')}.`;
  return new TransferError('TRANSFER_FAILED', summary, {
    where: address,
    operation: `${direction} ${file.source}`,
    cause,
  });
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
