/**
 * The transfer contract: moving files between this machine and a host. Every implementation
 * (local copy, sftp, scp, docker archive; later ftp, nc, shell/base64) keeps these rules, and
 * test/helpers/transfer-contract.ts checks them on each:
 *
 * - **What moves.** Each path given (a file, or a directory with everything below it) lands in
 *   the destination directory under its basename. Symbolic links are followed on the sending
 *   side, except by docker-archive, which moves them as links (as `docker cp` does); sockets,
 *   pipes and devices are left out. Contents move byte for byte and sizes are checked. Permission
 *   bits (`0o7777`) of the files, and of the directories a call creates, are kept exactly, both
 *   ways, on every implementation (no umask applies); directories that exist keep theirs.
 * - **The destination directory.** `destDir` is created when it is missing, with its missing
 *   parents (`mkdir -p`, with the receiving side's default mode: 0o755 under the usual umask).
 *   A `destDir` that exists and is not a directory fails the transfer.
 * - **Nothing partial.** Each file is written under a temporary name beside its destination
 *   (`.name.otto-part-1a2b3c4d`, see `partPathOf`) and renamed into place only once every file of
 *   the call has arrived complete, so a file that existed before is never left half written. A
 *   transfer that fails, times out or is aborted removes its temporaries and the directories it
 *   created (`destDir` and its parents included) before it rejects: the destination is as it was.
 *   One exception: a docker-archive put is extracted in place by the engine, so it removes every
 *   entry it may have reached, a file it was replacing included.
 * - **Deadline and signal.** `timeoutMs` bounds the call until its files have all arrived: past
 *   it the transfer stops and rejects with a `TimeoutError` (`TRANSFER_TIMEOUT`); once they have,
 *   the renames into place are not stopped halfway. Aborting `signal` stops it the same way and
 *   rejects with an `AbortedError` (its `cause` is the signal's reason); a signal that is already
 *   aborted starts nothing. Removing what a stopped transfer left has a deadline of its own.
 * - **Errors.** A failure rejects with a `TransferError` whose first line reads
 *   `<put|get> <path> on <host> failed: <reason>.`, naming the file that failed and, in the
 *   reason, the path it could not read or write (`cannot write /srv/app.tar: no space left on
 *   device`). Fields: `host`, `transport` (the address), `operation` (`put <path>`). Codes:
 *   `LOCAL_PATH_NOT_FOUND` (a put's source is missing), `REMOTE_PATH_NOT_FOUND` (a get's source
 *   is missing), `DESTINATION_NOT_WRITABLE` (permission denied, read-only), `DESTINATION_FULL`
 *   (no space, quota), `SIZE_MISMATCH`, `UNSAFE_ARCHIVE_ENTRY`, and `TRANSFER_FAILED` for the rest.
 *   A missing source fails the call, and nothing of the call lands: puts check every source
 *   before they write; gets learn it from the host as they go, and discard what arrived.
 */

import type { Place } from '../common/place.js';

/** How far one file has come, reported while it moves. */
export interface TransferProgress {
  /** The file being moved, as named on the sending side. */
  file: string;
  /** Bytes of that file moved so far. */
  doneBytes: number;
  /** The file's size in bytes. */
  totalBytes: number;
}

/** Options of every put and get. */
export interface TransferOptions {
  /** Called as bytes move; must not throw. */
  onProgress?: (p: TransferProgress) => void;
  /** Give up after this long (a `TimeoutError`, `TRANSFER_TIMEOUT`). @default no limit */
  timeoutMs?: number;
  /** Aborting it stops the transfer (an `AbortedError`); an aborted signal starts nothing. */
  signal?: AbortSignal;
}

/** One file a transfer moved. */
export interface TransferredFile {
  /** Its path on the sending side. */
  source: string;
  /** Its path on the receiving side, inside the destination directory. */
  destination: string;
  /** Its size in bytes. */
  sizeBytes: number;
}

/**
 * What a finished transfer moved.
 * @example
 * const { files, durationMs } = await host.put(['build/'], '/srv/app');
 * console.log(`${files.length} files in ${durationMs} ms`);
 */
export interface TransferResult {
  /** Every file moved (directories are walked; their files are listed one by one). */
  files: TransferredFile[];
  /** How long the whole call took, in milliseconds. */
  durationMs: number;
}

/** The ways files move, as shown in messages: `[sftp]`, `[docker-archive]`. */
export type TransferKind = 'sftp' | 'scp' | 'ftp' | 'nc' | 'shell' | 'docker-archive' | 'local';

/** Moves files to and from one host, by the rules above. */
export interface Transfer {
  readonly kind: TransferKind;
  /** The host it moves files to and from, its address, and its kind, for messages. */
  readonly place: Place;
  /** Copies local files and directories into `remoteDir` (created when missing), keeping their basenames. */
  put(
    localPaths: readonly string[],
    remoteDir: string,
    options?: TransferOptions,
  ): Promise<TransferResult>;
  /** Copies remote files and directories into `localDir` (created when missing), keeping their basenames. */
  get(
    remotePaths: readonly string[],
    localDir: string,
    options?: TransferOptions,
  ): Promise<TransferResult>;
}
