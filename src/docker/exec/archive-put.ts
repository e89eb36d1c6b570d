/**
 * One archive put: ONE streamed `PUT /containers/{id}/archive?path=<dir>`, a tar packed from disk
 * as it is sent. The engine extracts it while it arrives and answers once it is all extracted, so
 * its 200 is the verification. A missing destination is made by the same request: the put goes
 * to the deepest directory that exists, with the missing ones as the archive's first entries.
 * A stop (deadline or abort) ends the archive where it is instead of cutting the connection: the
 * engine then fails on the short archive and answers, so that it has stopped writing before
 * what it extracted is removed (one exec: files with `rm -f`, directories with `rmdir`).
 */
import { posix } from 'node:path';
import type { TransferOptions, TransferResult } from '../../transfers/transfer.js';
import { CLEANUP_TIMEOUT_MS, type TransferRun } from '../../transfers/transfer-run.js';
import { engineStatusOf, type ByteSource, type EngineClient } from '../engine/engine-client.js';
import type { Pack } from 'tar-stream';
import { isMissingPath } from './archive-failures.js';
import { packLocalPaths, type PackedFile } from './archive-pack.js';
import { remoteEntryPath } from './archive-paths.js';
import { runHelperExec } from './exec-api.js';

/** Removes what a failed put may have extracted, deepest first; paths come as arguments. */
const CLEANUP_SCRIPT =
  'for p do if [ -d "$p" ] && [ ! -L "$p" ]; then rmdir "$p"; else rm -f "$p"; fi 2>/dev/null; done; exit 0';
/** Paths given to one cleanup exec at most (its argument list must stay under ARG_MAX). */
const CLEANUP_MAX_PATHS = 5_000;

/** Where a put goes: the container, and the directory the request names. */
export interface PutTarget {
  engine: EngineClient;
  containerId: string;
  /** A directory that exists in the container. */
  dir: string;
  /** Directories to make below `dir` first (entry names, parents first): the missing destination. */
  prefixDirs: readonly string[];
}

/** How one attempt ended: done, or refused because its directory is missing (nothing extracted). */
export type PutOutcome =
  | { kind: 'done'; files: TransferResult['files'] }
  | { kind: 'missing-dir' }
  | { kind: 'failed'; error: unknown; files: readonly PackedFile[] };

/** Sends the local paths into `target.dir` in one request; see the file's description. */
export async function putArchive(
  run: TransferRun,
  target: PutTarget,
  localPaths: readonly string[],
  options: TransferOptions,
): Promise<PutOutcome> {
  const started: string[] = [];
  const { archive, files } = await packLocalPaths(localPaths, {
    onProgress: options.onProgress,
    onEntry: (entryName) => started.push(entryName),
    prefixDirs: target.prefixDirs,
  });
  const body = new TruncatableBody(archive);
  const hardStop = new AbortController();
  let hardTimer: ReturnType<typeof setTimeout> | undefined;
  // Ends the archive where it is (a local failure, or a stop), and waits for the engine's answer.
  const truncate = (): void => {
    if (hardTimer) return;
    body.end();
    archive.destroy(new Error('stopped'));
    hardTimer = setTimeout(() => hardStop.abort(), CLEANUP_TIMEOUT_MS);
  };
  files.catch(truncate);
  const onStop = (): void => truncate();
  run.signal.addEventListener('abort', onStop, { once: true });
  const request = target.engine.json({
    method: 'PUT',
    path: `/containers/${encodeURIComponent(target.containerId)}/archive`,
    query: { path: target.dir },
    input: body,
    okStatus: [200],
    signal: hardStop.signal,
  });
  request.catch(() => archive.destroy());
  const [sent, packed] = await Promise.allSettled([request, files]);
  run.signal.removeEventListener('abort', onStop);
  clearTimeout(hardTimer);
  if (sent.status === 'fulfilled' && packed.status === 'fulfilled' && !run.isStopped) {
    return { kind: 'done', files: packed.value.map((file) => resultOf(target, file)) };
  }
  if (!run.isStopped && sent.status === 'rejected' && isMissingPath(sent.reason))
    return { kind: 'missing-dir' };
  const refusal = sent.status === 'rejected' ? engineStatusOf(sent.reason) : undefined;
  // The engine refuses a bad destination (4xx) before it extracts anything.
  if (run.isStopped || refusal === undefined || refusal >= 500)
    await removeExtracted(target, started);
  const error = pickError(sent, packed);
  return { kind: 'failed', error, files: packed.status === 'fulfilled' ? packed.value : [] };
}

/**
 * The request body: the archive's bytes, passed on with backpressure (no stream in between), and
 * ended early by {@link end}, mid-entry if need be: that is how a stop reaches the engine without
 * cutting the connection. pipe() cannot do it: it would end the request only with the archive.
 */
class TruncatableBody implements ByteSource {
  private destination: NodeJS.WritableStream | undefined;
  private isEnded = false;

  constructor(private readonly archive: Pack) {
    // What goes wrong while packing is reported by `files`, not here.
    archive.on('error', () => undefined);
  }

  pipe<T extends NodeJS.WritableStream>(destination: T): T {
    this.destination = destination;
    if (this.isEnded) return (void destination.end(), destination);
    this.archive.on('data', (chunk: unknown) => {
      if (!this.isEnded && !destination.write(chunk as Buffer)) this.archive.pause();
    });
    destination.on('drain', () => this.archive.resume());
    this.archive.on('end', () => this.end());
    return destination;
  }

  on(): this {
    return this;
  }

  /** Ends the request body where the archive is. */
  end(): void {
    if (this.isEnded) return;
    this.isEnded = true;
    this.destination?.end();
  }
}

/** The container path a packed file landed at. */
export function landedAt(target: PutTarget, entryName: string): string {
  return remoteEntryPath(target.dir, entryName);
}

function resultOf(target: PutTarget, file: PackedFile): TransferResult['files'][number] {
  return {
    source: file.source,
    destination: landedAt(target, file.entryName),
    sizeBytes: file.sizeBytes,
  };
}

/** Best effort: the container may not run, and then an exec cannot either. */
async function removeExtracted(target: PutTarget, entryNames: readonly string[]): Promise<void> {
  if (entryNames.length === 0) return;
  const paths = entryNames.map((entryName) => landedAt(target, entryName)).reverse();
  const argv = ['sh', '-c', CLEANUP_SCRIPT, 'sh', ...paths.slice(0, CLEANUP_MAX_PATHS)];
  await runHelperExec(
    target.engine,
    target.containerId,
    argv,
    AbortSignal.timeout(CLEANUP_TIMEOUT_MS),
  ).catch(() => undefined);
}

/** The engine's refusal first, then a local failure, then a broken request. */
function pickError(
  sent: PromiseSettledResult<unknown>,
  packed: PromiseSettledResult<unknown>,
): unknown {
  if (sent.status === 'rejected' && engineStatusOf(sent.reason) !== undefined) return sent.reason;
  if (packed.status === 'rejected') return packed.reason;
  return sent.status === 'rejected' ? sent.reason : undefined;
}

/** The deepest existing directory of `path` and the entry names of the missing ones below it. */
export function splitMissing(path: string, existing: string): string[] {
  const rest = posix.relative(existing, path).split('/').filter(Boolean);
  return rest.map((_, index) => rest.slice(0, index + 1).join('/'));
}
