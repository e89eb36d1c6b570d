import type { SFTPWrapper, Stats, TransferOptions as Ssh2TransferOptions } from 'ssh2';

/** Requests in flight per file and bytes per request: OpenSSH's sftp-server takes up to 256 KiB. */
const REQUESTS_IN_FLIGHT = 32;
const REQUEST_BYTES = 128 * 1024;

/** An entry of a remote directory listing. */
export interface RemoteDirEntry {
  name: string;
  isDirectory: boolean;
}

/** The promise-returning SFTP calls the transfers use, over one ssh2 SFTP session. */
export class SftpSession {
  constructor(readonly sftp: SFTPWrapper) {}

  /** Stats a path, following symbolic links. */
  stat(path: string): Promise<Stats> {
    return call<Stats>((done) => this.sftp.stat(path, done));
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
    await call((done) => this.sftp.mkdir(path, { mode }, done));
  }

  /** Removes a file. */
  async unlink(path: string): Promise<void> {
    await call((done) => this.sftp.unlink(path, done));
  }

  /** Renames over an existing file (posix-rename@openssh.com), or unlinks it first elsewhere. */
  async replace(from: string, to: string): Promise<void> {
    try {
      await call((done) => this.sftp.ext_openssh_rename(from, to, done));
    } catch (error) {
      if (!/not support/i.test((error as Error).message)) throw error;
      await this.unlink(to).catch(() => undefined);
      await call((done) => this.sftp.rename(from, to, done));
    }
  }

  /** Lists a directory, sorted by name; symbolic links count as what they point to. */
  async list(path: string): Promise<RemoteDirEntry[]> {
    const entries = await call<Array<{ filename: string; attrs: Stats }>>((done) =>
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

  /** Uploads with many requests in flight (ssh2's fastPut); `onBytes` sees the running total. */
  async upload(
    local: string,
    remote: string,
    mode: number,
    onBytes: (done: number) => void,
  ): Promise<void> {
    const options: Ssh2TransferOptions = { ...parallelism(), mode, step: (done) => onBytes(done) };
    await call((done) => this.sftp.fastPut(local, remote, options, done));
  }

  /** Downloads with many requests in flight (ssh2's fastGet); `onBytes` sees the running total. */
  async download(remote: string, local: string, onBytes: (done: number) => void): Promise<void> {
    const options: Ssh2TransferOptions = { ...parallelism(), step: (done) => onBytes(done) };
    await call((done) => this.sftp.fastGet(remote, local, options, done));
  }

  /** Ends the session; requests still in flight fail. */
  end(): void {
    this.sftp.end();
  }
}

/** The SFTP status code of an error (2: no such file, 3: permission denied), if it has one. */
export function sftpCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

function parallelism(): Ssh2TransferOptions {
  return { concurrency: REQUESTS_IN_FLIGHT, chunkSize: REQUEST_BYTES };
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
