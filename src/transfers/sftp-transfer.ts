import { chmod } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { raceDeadline } from '../common/deadline.js';
import type { Place } from '../common/place.js';
import type { SshTransport } from '../transports/ssh/ssh-transport.js';
import { LocalLanding } from './local-landing.js';
import { SftpChannel, sftpCode } from './sftp-channel.js';
import { SftpLanding } from './sftp-landing.js';
import {
  mapSettled,
  planPut,
  walkSources,
  type PlannedDir,
  type PlannedFile,
} from './transfer-files.js';
import { problemNamed } from './transfer-problems.js';
import {
  CLEANUP_TIMEOUT_MS,
  startTransfer,
  transferPlace,
  type TransferRun,
} from './transfer-run.js';
import type { Transfer, TransferOptions, TransferResult } from './transfer.js';

/** Files moved at the same time; each also has many requests in flight. */
const FILES_AT_ONCE = 4;
/** SFTP's SSH_FX_FAILURE: OpenSSH's sftp-server gives it for a full disk, among others. */
const SFTP_FAILURE = 4;

type MovedFile = TransferResult['files'][number];

/**
 * Moves files over SFTP on an {@link SshTransport}'s connection (through its hops), several
 * files at once with many requests in flight each, by the rules of the transfer contract
 * (transfer.ts): temporary names renamed into place together, sizes checked, modes kept both ways.
 * A stop ends the SFTP channel, which fails every request in flight.
 * @example
 * const sftp = new SftpTransfer(ssh);
 * await sftp.put(['dist/app.tar.gz', 'config'], '/opt/app', { onProgress: console.log });
 */
export class SftpTransfer implements Transfer {
  readonly kind = 'sftp' as const;

  constructor(private readonly transport: SshTransport) {}

  /** The host, its address and `[sftp]`, for messages. */
  get place(): Place {
    return transferPlace(this.transport.place, this.kind);
  }

  async put(
    localPaths: readonly string[],
    remoteDir: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    using run = startTransfer(this.place, 'put', localPaths, remoteDir, options);
    const plan = planPut(await walkSources(run, localPaths), remoteDir);
    return await this.withChannel(run, async (channel) => {
      const landing = new SftpLanding(run, channel);
      try {
        await landing.ensureDestDir(remoteDir);
        for (const dir of plan.directories) await landing.makeDir(dir);
        const files = await mapSettled(plan.files, FILES_AT_ONCE, (file) =>
          this.putFile(run, channel, file, landing.partFor(file), options),
        );
        run.throwIfStopped();
        await landing.commit();
        return run.result(files);
      } catch (error) {
        if (!landing.isEmpty) await this.cleanUp(run, channel, (live) => landing.discard(live));
        throw error;
      }
    });
  }

  async get(
    remotePaths: readonly string[],
    localDir: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    using run = startTransfer(this.place, 'get', remotePaths, localDir, options);
    return await this.withChannel(run, async (channel) => {
      const plan = await this.planGet(run, channel, remotePaths, localDir);
      run.throwIfStopped();
      const landing = new LocalLanding(run);
      try {
        await landing.ensureDestDir(localDir);
        for (const dir of plan.directories) await landing.makeDir(dir.path, dir.mode, dir.source);
        const files = await mapSettled(plan.files, FILES_AT_ONCE, (file) =>
          this.getFile(run, channel, file, landing.partFor(file.destination), options),
        );
        run.throwIfStopped();
        await landing.commit();
        return run.result(files);
      } catch (error) {
        await landing.discard();
        throw error;
      }
    });
  }

  /** Opens an SFTP channel within the run's deadline, ends it when the run stops, and after. */
  private async withChannel<R>(
    run: TransferRun,
    work: (channel: SftpChannel) => Promise<R>,
  ): Promise<R> {
    const opening = this.transport.openSftp();
    const opened = await run.deadline.race(opening);
    if (opened.kind !== 'done') {
      opening.then((sftp) => sftp.end()).catch(() => undefined);
      throw opened.kind === 'failed' ? run.toError(opened.error) : run.stopError();
    }
    const channel = new SftpChannel(opened.value);
    const onStop = (): void => channel.end();
    run.signal.addEventListener('abort', onStop, { once: true });
    try {
      return await work(channel);
    } catch (error) {
      throw run.toError(error);
    } finally {
      run.signal.removeEventListener('abort', onStop);
      channel.end();
    }
  }

  private async putFile(
    run: TransferRun,
    channel: SftpChannel,
    file: PlannedFile,
    part: string,
    options: TransferOptions,
  ): Promise<MovedFile> {
    const progress = (doneBytes: number): void =>
      options.onProgress?.({ file: file.source, doneBytes, totalBytes: file.sizeBytes });
    progress(0);
    try {
      await channel.upload(file.source, part, file.mode, progress);
    } catch (error) {
      if (run.isStopped) throw run.stopError();
      if (typeof (error as NodeJS.ErrnoException).code === 'string')
        throw run.sourceFailed(file.source, error);
      if (sftpCode(error) === SFTP_FAILURE) {
        const freeBytes = await channel.freeBytes(posix.dirname(part));
        if (freeBytes !== undefined && freeBytes < file.sizeBytes)
          throw run.failedWith(
            file.source,
            `cannot write ${file.destination}`,
            problemNamed('ENOSPC'),
            error,
          );
      }
      throw run.writeFailed(file.source, file.destination, error);
    }
    const sizeBytes = (await channel.stat(part)).size;
    if (sizeBytes !== file.sizeBytes) throw sizeMismatch(run, file, sizeBytes);
    progress(file.sizeBytes);
    return { source: file.source, destination: file.destination, sizeBytes };
  }

  private async getFile(
    run: TransferRun,
    channel: SftpChannel,
    file: PlannedFile,
    part: string,
    options: TransferOptions,
  ): Promise<MovedFile> {
    const progress = (doneBytes: number): void =>
      options.onProgress?.({ file: file.source, doneBytes, totalBytes: file.sizeBytes });
    progress(0);
    let sizeBytes: number;
    try {
      sizeBytes = await channel.download(file.source, part, file.sizeBytes, progress);
      await chmod(part, file.mode);
    } catch (error) {
      if (run.isStopped) throw run.stopError();
      if (sftpCode(error) !== undefined) throw run.sourceFailed(file.source, error);
      throw run.writeFailed(file.source, file.destination, error);
    }
    if (sizeBytes !== file.sizeBytes) throw sizeMismatch(run, file, sizeBytes);
    progress(file.sizeBytes);
    return { source: file.source, destination: file.destination, sizeBytes };
  }

  /** Stats every remote path and walks its directories before anything is written here. */
  private async planGet(
    run: TransferRun,
    channel: SftpChannel,
    remotePaths: readonly string[],
    localDir: string,
  ): Promise<{ directories: PlannedDir[]; files: PlannedFile[] }> {
    const plan = { directories: [] as PlannedDir[], files: [] as PlannedFile[] };
    const visit = async (remote: string, local: string): Promise<void> => {
      const info = await channel.stat(remote).catch((error: unknown) => {
        throw run.sourceFailed(remote, error);
      });
      const mode = info.mode & 0o7777;
      if (!info.isDirectory()) {
        if (info.isFile())
          plan.files.push({ source: remote, destination: local, sizeBytes: info.size, mode });
        return;
      }
      plan.directories.push({ path: local, mode, source: remote });
      const entries = await channel.list(remote).catch((error: unknown) => {
        throw run.sourceFailed(remote, error);
      });
      for (const entry of entries) {
        if (entry.name === '.' || entry.name === '..') continue;
        await visit(posix.join(remote, entry.name), join(local, entry.name));
      }
    };
    for (const remote of remotePaths) await visit(remote, join(localDir, posix.basename(remote)));
    return plan;
  }

  /**
   * Runs a cleanup on the host within its own deadline: on the transfer's channel while it
   * lives, else on a fresh one (a stop ended the transfer's). Best effort.
   */
  private async cleanUp(
    run: TransferRun,
    channel: SftpChannel,
    work: (channel: SftpChannel) => Promise<void>,
  ): Promise<void> {
    const cleanup = async (): Promise<void> => {
      if (!run.isStopped) return work(channel);
      // The stop ended the channel: once it is closed, its sftp-server has done every request
      // it had (an upload's open included), so nothing it does can come after the cleanup.
      await channel.closed;
      const fresh = new SftpChannel(await this.transport.openSftp());
      try {
        await work(fresh);
      } finally {
        fresh.end();
      }
    };
    const done = cleanup();
    done.catch(() => undefined);
    await raceDeadline(done, CLEANUP_TIMEOUT_MS);
  }
}

function sizeMismatch(run: TransferRun, file: PlannedFile, sizeBytes: number) {
  const side = run.direction === 'put' ? 'on the host' : 'here';
  const reason = `the copy ${side} has ${sizeBytes} bytes, the original ${file.sizeBytes}`;
  return run.failed(file.source, reason, 'SIZE_MISMATCH');
}
