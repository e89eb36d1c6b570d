import { chmod } from 'node:fs/promises';
import { writeFileFrom, WriteFileError } from './write-file.js';
import { join } from 'node:path';
import { landLocally } from './local-landing.js';
import type { RemoteShell } from './remote-shell.js';
import { walkRemote, type RemoteEntry } from './remote-walk.js';
import type { TransferRun } from './transfer-run.js';
import type { TransferOptions, TransferResult } from './transfer.js';

/**
 * Fetches one remote file: opens its bytes, hands them to `write` (which stores them under the
 * file's temporary name, reports progress and resolves with the count), and cleans up after.
 */
export type ReceiveFile = (
  entry: RemoteEntry,
  write: (chunks: AsyncIterable<Buffer>) => Promise<number>,
) => Promise<void>;

/**
 * Gets remote files through a host's shell, by the rules of the transfer contract: lists the
 * sources first (a missing one fails the call before anything moves), makes the directories,
 * lets `receive` write each file under its temporary name, gives it its mode, and renames
 * everything into place once all arrived (see {@link landLocally}).
 */
export async function fetchRemotely(
  run: TransferRun,
  shell: RemoteShell,
  receive: ReceiveFile,
  options: TransferOptions,
): Promise<TransferResult> {
  return await landLocally(run, run.destDir, async (landing) => {
    const entries = await walkRemote(run, shell, run.paths);
    const files: TransferResult['files'] = [];
    for (const entry of entries) {
      run.throwIfStopped();
      const final = join(run.destDir, entry.relative);
      if (entry.kind === 'dir') {
        await landing.makeDir(final, entry.mode, entry.path);
        continue;
      }
      const part = landing.partFor(final);
      options.onProgress?.({ file: entry.path, doneBytes: 0, totalBytes: entry.sizeBytes });
      let sizeBytes = -1;
      await receive(
        entry,
        async (chunks) => (sizeBytes = await writePart(run, entry, final, part, chunks, options)),
      );
      if (sizeBytes !== entry.sizeBytes) throw sizeMismatch(run, entry, sizeBytes);
      await chmod(part, entry.mode).catch((error: unknown) => {
        throw run.writeFailed(entry.path, final, error);
      });
      files.push({ source: entry.path, destination: final, sizeBytes: entry.sizeBytes });
    }
    return files;
  });
}

async function writePart(
  run: TransferRun,
  entry: RemoteEntry,
  final: string,
  part: string,
  chunks: AsyncIterable<Buffer>,
  options: TransferOptions,
): Promise<number> {
  const progress = (doneBytes: number): void =>
    options.onProgress?.({ file: entry.path, doneBytes, totalBytes: entry.sizeBytes });
  try {
    return await writeFileFrom(chunks, part, { onBytes: progress, signal: run.signal });
  } catch (error) {
    if (run.isStopped) throw run.stopError();
    if (error instanceof WriteFileError && error.side === 'write')
      throw run.writeFailed(entry.path, final, error.error);
    throw run.toError(error instanceof WriteFileError ? error.error : error);
  }
}

function sizeMismatch(run: TransferRun, entry: RemoteEntry, sizeBytes: number): Error {
  const reason = `received ${Math.max(sizeBytes, 0)} bytes, the file on the host has ${entry.sizeBytes}`;
  return run.failed(entry.path, reason, 'SIZE_MISMATCH');
}
