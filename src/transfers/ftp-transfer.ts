import { createReadStream } from 'node:fs';
import { chmod, open } from 'node:fs/promises';
import { raceDeadline } from '../common/deadline.js';
import type { Place } from '../common/place.js';
import { FtpConnection, isLocalFailure, type FtpEndpoint } from './ftp-connection.js';
import { planFtpGet } from './ftp-get-plan.js';
import { FtpLanding } from './ftp-landing.js';
import { normalizeFtpOptions, type FtpTransferOptions } from './ftp-options.js';
import { ftpProblemOf } from './ftp-problems.js';
import { landLocally } from './local-landing.js';
import { planPut, walkSources, type PlannedFile } from './transfer-files.js';
import { CLEANUP_TIMEOUT_MS, startTransfer, type TransferRun } from './transfer-run.js';
import type { Transfer, TransferOptions, TransferResult } from './transfer.js';

type MovedFile = TransferResult['files'][number];

/** Bytes read from a local file at a time: fewer, larger writes to the data connection. */
const READ_CHUNK_BYTES = 1 << 20;

/**
 * Moves files over FTP in passive mode, by the rules of the transfer contract (transfer.ts): files
 * are stored under temporary names and renamed into place (`RNFR`/`RNTO`) once all arrived, sizes
 * are checked (`SIZE`), modes set (`SITE CHMOD`) and read back from listings, missing directories
 * made (`MKD`). The control connection and every data connection go through the
 * {@link TcpOpener}, so a server behind SSH hops works as one next door. One session per call; a
 * session that ended well is kept, idle, for the next call. A stop closes the session (which ends
 * its data connection); what the call left is removed over a fresh one.
 * @example
 * const ftp = new FtpTransfer({ place: { host: 'box', kind: 'telnet' }, tcp: directTcp(),
 *   host: '10.0.0.7', user: 'otto', password: 'secret' });
 * await ftp.put(['dist/app.tar.gz'], '/opt/app');
 */
export class FtpTransfer implements Transfer {
  readonly kind = 'ftp' as const;
  private readonly endpoint: FtpEndpoint;
  private idle: FtpConnection | undefined;

  constructor(options: FtpTransferOptions) {
    this.endpoint = normalizeFtpOptions(options);
  }

  /** The host, the FTP login's address and `[ftp]`, for messages. */
  get place(): Place {
    return this.endpoint.place;
  }

  async put(
    localPaths: readonly string[],
    remoteDir: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    using run = startTransfer(this.place, 'put', localPaths, remoteDir, options);
    const plan = planPut(await walkSources(run, localPaths), remoteDir);
    return await this.withConnection(run, async (connection) => {
      const landing = new FtpLanding(run, connection);
      try {
        await landing.ensureDestDir(remoteDir);
        for (const dir of plan.directories) await landing.makeDir(dir);
        const files: MovedFile[] = [];
        for (const file of plan.files)
          files.push(await this.putFile(run, connection, landing, file, options));
        run.throwIfStopped();
        await landing.commit();
        return run.result(files);
      } catch (error) {
        if (!landing.isEmpty) await this.cleanUp(connection, (live) => landing.discard(live));
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
    return await this.withConnection(run, async (connection) => {
      const plan = await planFtpGet(run, connection, remotePaths, localDir);
      run.throwIfStopped();
      return await landLocally(run, localDir, async (landing) => {
        for (const dir of plan.directories) await landing.makeDir(dir.path, dir.mode, dir.source);
        const files: MovedFile[] = [];
        for (const file of plan.files)
          files.push(
            await this.getFile(run, connection, file, landing.partFor(file.destination), options),
          );
        return files;
      });
    });
  }

  /** Ends the idle session kept between calls. Idempotent; a later call opens a new one. */
  async close(): Promise<void> {
    this.idle?.close();
    this.idle = undefined;
    return Promise.resolve();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Runs `work` on a logged-in session (the idle one, or a new one), closed when the run stops.
   * Login and connection failures reject as `ConnectionError`s, the rest as the run's errors.
   */
  private async withConnection<R>(
    run: TransferRun,
    work: (connection: FtpConnection) => Promise<R>,
  ): Promise<R> {
    const connection = await this.acquire(run);
    const onStop = (): void => connection.close();
    run.signal.addEventListener('abort', onStop, { once: true });
    let healthy = false;
    try {
      const result = await work(connection);
      healthy = true;
      return result;
    } catch (error) {
      throw run.toError(error);
    } finally {
      run.signal.removeEventListener('abort', onStop);
      this.release(connection, healthy && !run.isStopped);
    }
  }

  private async acquire(run: TransferRun): Promise<FtpConnection> {
    const idle = this.idle;
    this.idle = undefined;
    if (idle && (await isAlive(idle))) return idle;
    idle?.close();
    try {
      return await FtpConnection.open(this.endpoint, run.signal);
    } catch (error) {
      if (run.isStopped) throw run.stopError();
      throw error;
    }
  }

  /** Keeps a healthy session for the next call (one at most); closes the others. */
  private release(connection: FtpConnection, healthy: boolean): void {
    if (healthy && !this.idle && !connection.isClosed) {
      connection.setIdle(true);
      this.idle = connection;
    } else connection.close();
  }

  private async putFile(
    run: TransferRun,
    connection: FtpConnection,
    landing: FtpLanding,
    file: PlannedFile,
    options: TransferOptions,
  ): Promise<MovedFile> {
    const progress = (doneBytes: number): void =>
      options.onProgress?.({ file: file.source, doneBytes, totalBytes: file.sizeBytes });
    progress(0);
    const part = landing.partFor(file);
    const source = createReadStream(file.source, { highWaterMark: READ_CHUNK_BYTES });
    try {
      await connection.upload(source, part, progress);
    } catch (error) {
      if (run.isStopped) throw run.stopError();
      if (isLocalFailure(error)) throw run.sourceFailed(file.source, error);
      const problem = ftpProblemOf(error, 'write');
      throw run.failedWith(file.source, `cannot write ${file.destination}`, problem, error);
    }
    const sizeBytes = await this.sizeOf(run, connection, part, file);
    if (sizeBytes !== file.sizeBytes) throw sizeMismatch(run, file, sizeBytes);
    await landing.chmod(part, file.mode, file.source);
    progress(file.sizeBytes);
    return { source: file.source, destination: file.destination, sizeBytes };
  }

  /** The size of a stored file as the server says (`SIZE`, in binary mode: its bytes). */
  private async sizeOf(
    run: TransferRun,
    connection: FtpConnection,
    path: string,
    file: PlannedFile,
  ): Promise<number> {
    try {
      const reply = await connection.command(`SIZE ${path}`);
      return Number(reply.message.slice(4).trim());
    } catch (error) {
      const problem = ftpProblemOf(error, 'read');
      throw run.failedWith(
        file.source,
        `cannot check the size of ${file.destination}`,
        problem,
        error,
      );
    }
  }

  private async getFile(
    run: TransferRun,
    connection: FtpConnection,
    file: PlannedFile,
    part: string,
    options: TransferOptions,
  ): Promise<MovedFile> {
    const progress = (doneBytes: number): void =>
      options.onProgress?.({ file: file.source, doneBytes, totalBytes: file.sizeBytes });
    progress(0);
    const handle = await open(part, 'w', 0o600).catch((error: unknown) => {
      throw run.writeFailed(file.source, file.destination, error);
    });
    let sizeBytes: number;
    try {
      sizeBytes = await connection.download(handle.createWriteStream(), file.source, progress);
      await chmod(part, file.mode);
    } catch (error) {
      if (run.isStopped) throw run.stopError();
      if (isLocalFailure(error)) throw run.writeFailed(file.source, file.destination, error);
      throw readFailed(run, file.source, error);
    } finally {
      await handle.close().catch(() => undefined);
    }
    if (sizeBytes !== file.sizeBytes) throw sizeMismatch(run, file, sizeBytes);
    progress(file.sizeBytes);
    return { source: file.source, destination: file.destination, sizeBytes };
  }

  /**
   * Runs a cleanup within its own deadline: on the call's session while it lives, else on a fresh
   * one (a stop closed the call's, a lost connection ended it). Best effort.
   */
  private async cleanUp(
    connection: FtpConnection,
    work: (connection: FtpConnection) => Promise<void>,
  ): Promise<void> {
    const cleanup = async (): Promise<void> => {
      if (!connection.isClosed) return work(connection);
      const fresh = await FtpConnection.open(this.endpoint);
      try {
        await work(fresh);
      } finally {
        fresh.close();
      }
    };
    const done = cleanup();
    done.catch(() => undefined);
    await raceDeadline(done, CLEANUP_TIMEOUT_MS);
  }
}

/**
 * True when an idle session still answers (`NOOP`): the server may have ended it meanwhile
 * (vsftpd's idle timeout), and its goodbye may not have been read yet.
 */
async function isAlive(connection: FtpConnection): Promise<boolean> {
  if (connection.isClosed) return false;
  connection.setIdle(false);
  return connection.command('NOOP').then(
    () => true,
    () => false,
  );
}

/** A remote file that could not be read: missing (its own code), or another problem. */
export function readFailed(run: TransferRun, path: string, error: unknown): Error {
  const problem = ftpProblemOf(error, 'read');
  if (problem.isMissing) return run.failed(path, problem.phrase, 'REMOTE_PATH_NOT_FOUND', error);
  return run.failed(path, `cannot read ${path}: ${problem.phrase}`, 'TRANSFER_FAILED', error);
}

function sizeMismatch(run: TransferRun, file: PlannedFile, sizeBytes: number) {
  const side = run.direction === 'put' ? 'on the host' : 'here';
  const reason = `the copy ${side} has ${sizeBytes} bytes, the original ${file.sizeBytes}`;
  return run.failed(file.source, reason, 'SIZE_MISMATCH');
}
export { probeFtp } from './ftp-probe.js';
export type { FtpTransferOptions } from './ftp-options.js';
