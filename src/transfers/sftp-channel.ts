import { open, type FileHandle } from 'node:fs/promises';
import type { SFTPWrapper, Stats } from 'ssh2';

/** Requests in flight per file and bytes per request: OpenSSH's sftp-server takes up to 256 KiB. */
const REQUESTS_IN_FLIGHT = 32;
const REQUEST_BYTES = 128 * 1024;

/** An entry of a remote directory listing. */
export interface RemoteDirEntry {
  name: string;
  isDirectory: boolean;
}

/**
 * The promise-returning SFTP calls the transfers use, over one SFTP subsystem channel of an SSH
 * connection (a channel, not a session: in otto-ts a session is a persistent shell).
 */
export class SftpChannel {
  private readonly whenClosed: Promise<void>;
  private isClosed = false;
  /** The requests made and not answered yet; the channel's close fails them. */
  private readonly unanswered = new Set<(error: Error | undefined) => void>();

  constructor(readonly sftp: SFTPWrapper) {
    this.whenClosed = new Promise((resolve) =>
      sftp.once('close', () => {
        this.isClosed = true;
        for (const settle of [...this.unanswered]) settle(channelClosed());
        resolve();
      }),
    );
  }

  /** Stats a path, following symbolic links. */
  stat(path: string): Promise<Stats> {
    return this.call<Stats>((done) => this.sftp.stat(path, done));
  }

  /** Stats a path; undefined when it does not exist. */
  async statIfExists(path: string): Promise<Stats | undefined> {
    try {
      return await this.stat(path);
    } catch (error) {
      if (sftpCode(error) === 2) return undefined;
      throw error;
    }
  }

  /** Makes one directory (its parent must exist). */
  async mkdir(path: string, mode = 0o755): Promise<void> {
    await this.call((done) => this.sftp.mkdir(path, { mode }, done));
  }

  /** Removes an empty directory. */
  async rmdir(path: string): Promise<void> {
    await this.call((done) => this.sftp.rmdir(path, done));
  }

  /** Sets the permission bits of a path. */
  async chmod(path: string, mode: number): Promise<void> {
    await this.call((done) => this.sftp.chmod(path, mode, done));
  }

  /** Removes a file. */
  async unlink(path: string): Promise<void> {
    await this.call((done) => this.sftp.unlink(path, done));
  }

  /** Renames over an existing file (posix-rename@openssh.com), or unlinks it first elsewhere. */
  async replace(from: string, to: string): Promise<void> {
    try {
      await this.call((done) => this.sftp.ext_openssh_rename(from, to, done));
    } catch (error) {
      if (!/not support/i.test((error as Error).message)) throw error;
      await this.unlink(to).catch(() => undefined);
      await this.call((done) => this.sftp.rename(from, to, done));
    }
  }

  /** Bytes free for unprivileged users on the file system of `path` (statvfs@openssh.com), if known. */
  async freeBytes(path: string): Promise<number | undefined> {
    try {
      const info = await this.call<{ f_bavail: number; f_frsize: number }>((done) =>
        this.sftp.ext_openssh_statvfs(path, done),
      );
      return info.f_bavail * info.f_frsize;
    } catch {
      return undefined;
    }
  }

  /** Lists a directory, sorted by name; symbolic links count as what they point to. */
  async list(path: string): Promise<RemoteDirEntry[]> {
    const entries = await this.call<Array<{ filename: string; attrs: Stats }>>((done) =>
      this.sftp.readdir(path, done),
    );
    entries.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
    return Promise.all(
      entries.map(async ({ filename, attrs }) => ({
        name: filename,
        isDirectory: attrs.isSymbolicLink()
          ? ((await this.statIfExists(`${path}/${filename}`))?.isDirectory() ?? false)
          : attrs.isDirectory(),
      })),
    );
  }

  /**
   * Uploads with many writes in flight, then gives the file `mode` (explicitly, so the server's
   * umask does not apply); `onBytes` sees the running total. Like {@link download} it settles only
   * once every local read has, and closes the local file itself, also after a stop.
   */
  async upload(
    local: string,
    remote: string,
    mode: number,
    onBytes: (done: number) => void,
  ): Promise<void> {
    const file = await open(local, 'r');
    try {
      const sizeBytes = (await file.stat()).size;
      const handle = await this.call<Buffer>((done) => this.sftp.open(remote, 'w', done));
      try {
        let doneBytes = 0;
        await inRanges(sizeBytes, async (position, length) => {
          const buffer = Buffer.allocUnsafe(length);
          const { bytesRead } = await file.read(buffer, 0, length, position);
          if (bytesRead === 0) return;
          await this.call((done) => this.sftp.write(handle, buffer, 0, bytesRead, position, done));
          onBytes((doneBytes += bytesRead));
        });
      } finally {
        await this.call((done) => this.sftp.close(handle, done)).catch(() => undefined);
      }
    } finally {
      await file.close();
    }
    await this.chmod(remote, mode);
  }

  /**
   * Downloads into a new local file with many reads in flight, each written where it belongs;
   * returns the bytes written. Unlike ssh2's fastGet it creates the local file itself (`wx`)
   * before the first read and settles only once every local write has: after a stop nothing
   * touches the file any more, so that it can be removed.
   */
  async download(
    remote: string,
    local: string,
    sizeBytes: number,
    onBytes: (done: number) => void,
  ): Promise<number> {
    const file = await open(local, 'wx', 0o600);
    let doneBytes = 0;
    try {
      const handle = await this.call<Buffer>((done) => this.sftp.open(remote, 'r', done));
      try {
        await inRanges(sizeBytes, async (position, length) => {
          const copied = await this.copyRange(handle, file, position, length);
          onBytes((doneBytes += copied));
        });
      } finally {
        await this.call((done) => this.sftp.close(handle, done)).catch(() => undefined);
      }
    } finally {
      await file.close();
    }
    return doneBytes;
  }

  /**
   * One request. ssh2 fails the requests in flight when the channel's input ends, but leaves a
   * request made after that unanswered: such a request fails at once when the channel is closed,
   * and when it closes.
   */
  private call<T = void>(
    start: (done: (error: Error | null | undefined, value: T) => void) => void,
  ): Promise<T> {
    if (this.isClosed) return Promise.reject(channelClosed());
    return new Promise<T>((resolve, reject) => {
      const settle = (error: Error | undefined, value?: T): void => {
        if (!this.unanswered.delete(settle)) return;
        if (error) reject(error);
        else resolve(value as T);
      };
      this.unanswered.add(settle);
      call(start).then((value) => settle(undefined, value), settle);
    });
  }

  /** Channel ended, or the server's sftp-server exited: it will not touch a file any more. */
  get closed(): Promise<void> {
    return this.whenClosed;
  }

  /** Reads `length` bytes at `position` (in several reads when the server sends less) and writes them there. */
  private async copyRange(
    handle: Buffer,
    file: FileHandle,
    position: number,
    length: number,
  ): Promise<number> {
    const buffer = Buffer.allocUnsafe(length);
    let copied = 0;
    while (copied < length) {
      const bytesRead = await this.call<number>((done) =>
        this.sftp.read(handle, buffer, copied, length - copied, position + copied, done),
      );
      if (bytesRead === 0) break;
      copied += bytesRead;
    }
    await file.write(buffer, 0, copied, position);
    return copied;
  }

  /** Ends the channel; requests still in flight fail. */
  end(): void {
    this.sftp.end();
  }
}

/** The SFTP status code of an error (2: no such file, 3: permission denied), if it has one. */
export function sftpCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

function channelClosed(): Error {
  return new Error('the SFTP channel is closed');
}

/**
 * Runs `copy` over `sizeBytes` in ranges of {@link REQUEST_BYTES}, {@link REQUESTS_IN_FLIGHT} at
 * once; settles once every copy has, failing with the first failure.
 */
async function inRanges(
  sizeBytes: number,
  copy: (position: number, length: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sizeBytes) {
      const position = next;
      const length = Math.min(REQUEST_BYTES, sizeBytes - position);
      next += length;
      await copy(position, length);
    }
  };
  const workers = Math.max(1, Math.min(REQUESTS_IN_FLIGHT, Math.ceil(sizeBytes / REQUEST_BYTES)));
  const results = await Promise.allSettled(Array.from({ length: workers }, worker));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
}

function call<T = void>(
  start: (done: (error: Error | null | undefined, value: T) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    try {
      start((error, value) => (error ? reject(error) : resolve(value)));
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
