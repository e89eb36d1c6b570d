import { createReadStream } from 'node:fs';
import { chmod } from 'node:fs/promises';
import type { Place } from '../common/place.js';
import { landLocally } from './local-landing.js';
import { planPut, walkSources, type PlannedFile } from './transfer-files.js';
import { startTransfer, type TransferDirection, type TransferRun } from './transfer-run.js';
import type { Transfer, TransferOptions, TransferResult } from './transfer.js';
import { WriteFileError, writeFileFrom } from './write-file.js';

/** Options of a {@link LocalTransfer}. */
export interface LocalTransferOptions {
  /** Id of the host it serves, for messages. @default 'local' */
  hostId?: string;
}

/** Read size of a copy: large reads halve the time per byte against the 64 KiB default. */
const READ_CHUNK_BYTES = 1 << 20;

/**
 * Transfers on this machine: copies, streamed so that a deadline or an abort stops them at the
 * next chunk. Files are copied under temporary names and renamed into place together once all
 * are complete; modes are kept (see the transfer contract in transfer.ts).
 * @example await new LocalTransfer().put(['./build'], '/srv/app');
 */
export class LocalTransfer implements Transfer {
  readonly kind = 'local' as const;
  readonly place: Place;

  constructor(options: LocalTransferOptions = {}) {
    this.place = { host: options.hostId ?? 'local', kind: this.kind };
  }

  put(
    sources: readonly string[],
    destDir: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    return this.copyAll('put', sources, destDir, options);
  }

  get(
    sources: readonly string[],
    destDir: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    return this.copyAll('get', sources, destDir, options);
  }

  private async copyAll(
    direction: TransferDirection,
    sources: readonly string[],
    destDir: string,
    options: TransferOptions,
  ): Promise<TransferResult> {
    using run = startTransfer(this.place, direction, sources, destDir, options);
    const plan = planPut(await walkSources(run, sources), destDir);
    run.throwIfStopped();
    return await landLocally(run, destDir, async (landing) => {
      for (const dir of plan.directories) await landing.makeDir(dir.path, dir.mode, dir.source);
      const files: TransferResult['files'] = [];
      for (const file of plan.files) {
        await copyFile(run, file, landing.partFor(file.destination), options);
        files.push({
          source: file.source,
          destination: file.destination,
          sizeBytes: file.sizeBytes,
        });
      }
      return files;
    });
  }
}

/** Copies one file to its temporary name, checks its size and gives it the source's mode. */
async function copyFile(
  run: TransferRun,
  file: PlannedFile,
  part: string,
  options: TransferOptions,
): Promise<void> {
  const progress = (doneBytes: number): void =>
    options.onProgress?.({ file: file.source, doneBytes, totalBytes: file.sizeBytes });
  progress(0);
  const input = createReadStream(file.source, {
    highWaterMark: READ_CHUNK_BYTES,
    signal: run.signal,
  });
  let copiedBytes: number;
  try {
    copiedBytes = await writeFileFrom(input, part, { onBytes: progress, signal: run.signal });
  } catch (error) {
    if (run.isStopped) throw run.stopError();
    if (error instanceof WriteFileError && error.side === 'read')
      throw run.sourceFailed(file.source, error.error);
    throw run.writeFailed(file.source, file.destination, (error as WriteFileError).error ?? error);
  } finally {
    input.destroy();
  }
  if (copiedBytes !== file.sizeBytes) {
    const reason = `it changed size while being copied (${file.sizeBytes} bytes, then ${copiedBytes})`;
    throw run.failed(file.source, reason, 'SIZE_MISMATCH');
  }
  await chmod(part, file.mode);
}
