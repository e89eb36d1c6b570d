import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import nodePath, { join, posix } from 'node:path';
import { TransferError } from '../errors.js';
import type { SshTransport } from '../transports/ssh/ssh-transport.js';
import {
  createTransferStop,
  mapSettled,
  partPathOf,
  planPut,
  transferFailed,
  walkLocal,
  type PlannedFile,
  type TransferStop,
} from './transfer-files.js';
import { SftpSession, sftpCode } from './sftp-session.js';
import type { Transfer, TransferOptions, TransferResult } from './transfer.js';

/** Files moved at the same time; each also has many requests in flight. */
const FILES_AT_ONCE = 4;

/**
 * Moves files over SFTP on an {@link SshTransport}'s connection (through its hops). Each file is
 * written under a temporary name (`.name.otto-part-…`) and renamed once complete, its size is
 * checked afterwards, and a failed file leaves no partial copy behind.
 * @example
 * const sftp = new SftpTransfer(ssh);
 * await sftp.put(['dist/app.tar.gz', 'config'], '/opt/app', { onProgress: console.log });
 */
export class SftpTransfer implements Transfer {
  readonly kind = 'sftp' as const;

  constructor(private readonly transport: SshTransport) {}

  async put(
    localPaths: readonly string[],
    remoteDir: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    const startMs = performance.now();
    const entries = await Promise.all(localPaths.map((path) => walkLocal(path)));
    const plan = planPut(entries, remoteDir);
    const parts = new Set<string>();
    const files = await this.withSession(
      options,
      `putting files into ${remoteDir}`,
      async (session, stop) => {
        await this.ensureRemoteDir(session, remoteDir);
        for (const dir of plan.directories) await this.ensureRemoteDir(session, dir);
        return mapSettled(plan.files, FILES_AT_ONCE, (file) =>
          this.putFile(session, file, parts, options, stop),
        );
      },
    ).catch(async (error: unknown) => {
      await this.removeRemote([...parts]);
      throw error;
    });
    return { files, durationMs: performance.now() - startMs };
  }

  async get(
    remotePaths: readonly string[],
    localDir: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    const startMs = performance.now();
    const files = await this.withSession(
      options,
      `getting files into ${localDir}`,
      async (session, stop) => {
        const plan = await this.planGet(session, remotePaths, localDir);
        await mkdir(localDir, { recursive: true });
        for (const dir of plan.directories) await mkdir(dir, { recursive: true });
        return mapSettled(plan.files, FILES_AT_ONCE, (file) =>
          this.getFile(session, file, options, stop),
        );
      },
    );
    return { files, durationMs: performance.now() - startMs };
  }

  private async withSession<R>(
    options: TransferOptions,
    what: string,
    work: (session: SftpSession, stop: TransferStop) => Promise<R>,
  ): Promise<R> {
    const stop = createTransferStop(options, what, `${this.transport.address} [sftp]`);
    const session = new SftpSession(await this.transport.openSftp());
    // Ending the session fails every request in flight, which is how a transfer is stopped.
    const onStop = (): void => session.end();
    stop.signal.addEventListener('abort', onStop, { once: true });
    try {
      return await work(session, stop);
    } catch (error) {
      throw stop.signal.aborted ? stop.error() : error;
    } finally {
      stop.signal.removeEventListener('abort', onStop);
      stop.dispose();
      session.end();
    }
  }

  private async putFile(
    session: SftpSession,
    file: PlannedFile,
    parts: Set<string>,
    options: TransferOptions,
    stop: TransferStop,
  ): Promise<TransferResult['files'][number]> {
    const part = partPathOf(file.destination);
    const progress = (doneBytes: number): void =>
      options.onProgress?.({ file: file.source, doneBytes, totalBytes: file.sizeBytes });
    try {
      progress(0);
      parts.add(part);
      await session.upload(file.source, part, file.mode & 0o777, progress);
      // Requests already queued may all succeed after the stop: the file must still not land.
      if (stop.signal.aborted) throw stop.error();
      await session.replace(part, file.destination);
      parts.delete(part);
      await this.verifySize((await session.stat(file.destination)).size, file, 'put');
      progress(file.sizeBytes);
    } catch (error) {
      if (stop.signal.aborted) throw stop.error();
      throw this.failure('put', file, error);
    }
    return { source: file.source, destination: file.destination, sizeBytes: file.sizeBytes };
  }

  private async getFile(
    session: SftpSession,
    file: PlannedFile,
    options: TransferOptions,
    stop: TransferStop,
  ): Promise<TransferResult['files'][number]> {
    const part = partPathOf(file.destination, nodePath);
    const progress = (doneBytes: number): void =>
      options.onProgress?.({ file: file.source, doneBytes, totalBytes: file.sizeBytes });
    try {
      progress(0);
      await session.download(file.source, part, progress);
      if (stop.signal.aborted) throw stop.error();
      await rename(part, file.destination);
      await this.verifySize((await stat(file.destination)).size, file, 'get');
      progress(file.sizeBytes);
    } catch (error) {
      await unlink(part).catch(() => undefined);
      if (stop.signal.aborted) throw stop.error();
      throw this.failure('get', file, error);
    }
    return { source: file.source, destination: file.destination, sizeBytes: file.sizeBytes };
  }

  private async planGet(
    session: SftpSession,
    remotePaths: readonly string[],
    localDir: string,
  ): Promise<{ directories: string[]; files: PlannedFile[] }> {
    const plan = { directories: [] as string[], files: [] as PlannedFile[] };
    const visit = async (remote: string, local: string): Promise<void> => {
      const info = await session.stat(remote).catch((error: unknown) => {
        throw this.failure('get', { source: remote, destination: local }, error);
      });
      if (!info.isDirectory()) {
        plan.files.push({
          source: remote,
          destination: local,
          sizeBytes: info.size,
          mode: info.mode & 0o7777,
        });
        return;
      }
      plan.directories.push(local);
      for (const entry of await session.list(remote)) {
        if (entry.name === '.' || entry.name === '..') continue;
        await visit(posix.join(remote, entry.name), join(local, entry.name));
      }
    };
    for (const remote of remotePaths) await visit(remote, join(localDir, posix.basename(remote)));
    return plan;
  }

  private async ensureRemoteDir(session: SftpSession, dir: string): Promise<void> {
    const info = await session.statIfExists(dir);
    if (info?.isDirectory()) return;
    if (info)
      throw this.failure(
        'put',
        { source: dir, destination: dir },
        new Error('it exists and is not a directory'),
      );
    const parent = posix.dirname(dir);
    if (parent !== dir) await this.ensureRemoteDir(session, parent);
    await session.mkdir(dir).catch((error: unknown) => {
      throw this.failure('put', { source: dir, destination: dir }, error);
    });
  }

  private verifySize(
    actualBytes: number,
    file: PlannedFile,
    direction: 'put' | 'get',
  ): Promise<void> {
    if (actualBytes === file.sizeBytes) return Promise.resolve();
    const where = direction === 'put' ? 'on the host' : 'here';
    return Promise.reject(
      new Error(`the copy ${where} has ${actualBytes} bytes, the original ${file.sizeBytes}`),
    );
  }

  private failure(
    direction: 'put' | 'get',
    file: { source: string; destination: string },
    error: unknown,
  ) {
    if (error instanceof TransferError) return error;
    return transferFailed(
      'sftp',
      direction,
      file,
      this.transport.address,
      describeSftpError(error),
      error,
    );
  }

  /** Removes leftover temporary files through a fresh session (the old one may be ended). */
  private async removeRemote(paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return;
    const session = new SftpSession(await this.transport.openSftp());
    try {
      await Promise.all(paths.map((path) => session.unlink(path).catch(() => undefined)));
    } finally {
      session.end();
    }
  }
}

function describeSftpError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = sftpCode(error);
  if (code === 2) return 'No such file or directory';
  if (code === 3) return 'Permission denied';
  return message;
}
