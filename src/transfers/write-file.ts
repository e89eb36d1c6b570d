import { open } from 'node:fs/promises';

/** Writes are gathered into batches this large (one `writev` in flight), as disks like. */
const WRITE_BATCH_BYTES = 1 << 20;

/** A failure of {@link writeFileFrom}, saying which side failed: reading the input or writing. */
export class WriteFileError extends Error {
  constructor(
    readonly side: 'read' | 'write',
    readonly error: unknown,
  ) {
    super(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** Options of {@link writeFileFrom}. */
export interface WriteFileOptions {
  /** Mode of the new file (before its final chmod). @default 0o600 */
  mode?: number;
  /** Sees the running total of bytes received. */
  onBytes?: (doneBytes: number) => void;
  /** Stops at the next chunk (the file is then incomplete): data received is not written on. */
  signal?: AbortSignal;
}

/**
 * Writes a stream of chunks to a new file (it must not exist) in large batches, one write in
 * flight while the next batch gathers; returns the number of bytes written.
 * @example const sizeBytes = await writeFileFrom(createReadStream(source), part, { signal });
 */
export async function writeFileFrom(
  input: AsyncIterable<Buffer>,
  path: string,
  options: WriteFileOptions = {},
): Promise<number> {
  const handle = await open(path, 'wx', options.mode ?? 0o600).catch((error: unknown) => {
    throw new WriteFileError('write', error);
  });
  let writing: Promise<unknown> = Promise.resolve();
  try {
    let batch: Buffer[] = [];
    let batchBytes = 0;
    let doneBytes = 0;
    const iterator = input[Symbol.asyncIterator]();
    for (;;) {
      const next = await iterator.next().catch((error: unknown) => {
        throw new WriteFileError('read', error);
      });
      if (next.done) break;
      options.signal?.throwIfAborted();
      batch.push(next.value);
      batchBytes += next.value.length;
      doneBytes += next.value.length;
      options.onBytes?.(doneBytes);
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
  } catch (error) {
    await writing.catch(() => undefined);
    if (error instanceof WriteFileError) throw error;
    throw new WriteFileError('write', error);
  } finally {
    await handle.close();
  }
}
