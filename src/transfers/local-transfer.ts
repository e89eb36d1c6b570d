import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { TransferError } from '../errors.js';
import type { Transfer, TransferOptions, TransferResult } from './transfer.js';

/**
 * Transfers on this machine: copies. Each file is copied to a temporary name beside its
 * destination, its size checked, then renamed, so a failed copy leaves no partial file.
 */
export class LocalTransfer implements Transfer {
  readonly kind = 'local' as const;

  put(
    sources: readonly string[],
    destDir: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    return copyAll(sources, destDir, options);
  }

  get(
    sources: readonly string[],
    destDir: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    return copyAll(sources, destDir, options);
  }
}

async function copyAll(
  sources: readonly string[],
  destDir: string,
  options: TransferOptions,
): Promise<TransferResult> {
  const startMs = performance.now();
  const files: TransferResult['files'] = [];
  for (const source of sources)
    await copyPath(source, join(destDir, basename(source)), files, options);
  return { files, durationMs: performance.now() - startMs };
}

async function copyPath(
  source: string,
  destination: string,
  files: TransferResult['files'],
  options: TransferOptions,
): Promise<void> {
  const info = await stat(source).catch((error: Error) => {
    throw new TransferError(
      'TRANSFER_FAILED',
      `Cannot copy ${source} on this machine [local]: ${error.message}`,
      { cause: error },
    );
  });
  if (info.isDirectory()) {
    await mkdir(destination, { recursive: true, mode: info.mode & 0o7777 });
    for (const name of await readdir(source))
      await copyPath(join(source, name), join(destination, name), files, options);
    return;
  }
  const temporary = join(
    destination,
    '..',
    `.${basename(destination)}.otto-part-${randomBytes(4).toString('hex')}`,
  );
  try {
    await copyFile(source, temporary);
    const copied = await stat(temporary);
    if (copied.size !== info.size) throw new Error(`copied ${copied.size} of ${info.size} bytes`);
    await rename(temporary, destination);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw new TransferError(
      'TRANSFER_FAILED',
      `Copying ${source} to ${destination} on this machine [local] failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
  options.onProgress?.({ file: source, doneBytes: info.size, totalBytes: info.size });
  files.push({ source, destination, sizeBytes: info.size });
}
