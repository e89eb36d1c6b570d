/**
 * The transfer contract: moving files between this machine and a host. Every implementation
 * (sftp, scp, docker archive, local copy, shell/base64) copies files and directories recursively,
 * keeps basenames, verifies sizes and leaves no partial file when it fails. Most write atomically
 * (a temporary name, then a rename); a put into a container cannot (the engine extracts in place)
 * and instead removes what it reached when it fails.
 */

/** How far one file has come, reported while it moves. */
export interface TransferProgress {
  /** The file being moved, as named on the sending side. */
  file: string;
  doneBytes: number;
  totalBytes: number;
}

/** Options of every put and get. */
export interface TransferOptions {
  /** Called as bytes move; must not throw. */
  onProgress?: (p: TransferProgress) => void;
  /** Give up after this long. @default no limit */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** What a finished transfer moved. */
export interface TransferResult {
  /** Every file moved (directories are walked; their files are listed one by one). */
  files: Array<{ source: string; destination: string; sizeBytes: number }>;
  durationMs: number;
}

/** Moves files to and from one host. */
export interface Transfer {
  readonly kind: 'sftp' | 'scp' | 'docker-archive' | 'local' | 'shell';
  /** Copies local files and directories into `remoteDir`, keeping their basenames. */
  put(
    localPaths: readonly string[],
    remoteDir: string,
    options?: TransferOptions,
  ): Promise<TransferResult>;
  /** Copies remote files and directories into `localDir`, keeping their basenames. */
  get(
    remotePaths: readonly string[],
    localDir: string,
    options?: TransferOptions,
  ): Promise<TransferResult>;
}
