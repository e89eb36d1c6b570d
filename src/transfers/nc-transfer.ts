import { createReadStream } from 'node:fs';
import type { Duplex } from 'node:stream';
import { raceDeadline } from '../common/deadline.js';
import type { Place } from '../common/place.js';
import { TransferError } from '../errors.js';
import { quotePosix } from '../common/quote.js';
import type { TcpOpener } from '../transports/tcp-opener.js';
import {
  connectToListener,
  listenArgsOf,
  listenerEndReason,
  ncEndPhrase,
  normalizeNcOptions,
  probeNcStyle,
  type NcConnection,
  type NcEndpoint,
  type ListenOptions,
  type NcFlagStyle,
  type NcOptions,
} from './nc-listener.js';
import { fetchRemotely } from './remote-fetch.js';
import { COMMIT_TIMEOUT_MS, landRemotely, type LandingSteps } from './remote-landing.js';
import { putScript } from './nc-put-script.js';
import { reasonIn, type RemoteRunResult, type RemoteShell } from './remote-shell.js';
import type { RemoteEntry } from './remote-walk.js';
import { writeWithBackpressure } from './scp-protocol.js';
import type { PlannedFile } from './transfer-files.js';
import { problemOf } from './transfer-problems.js';
import { startTransfer, transferPlace, type TransferRun } from './transfer-run.js';
import type { Transfer, TransferOptions, TransferResult } from './transfer.js';

export type { NcOptions } from './nc-listener.js';

/** How long a broken-off put waits for the listener's reason (its script's end and stderr). */
const EXPLAIN_WAIT_MS = 5000;

/** Where a netcat transfer runs: the host's shell, how we reach its ports, and its address. */
export interface NcTransferTarget {
  /** Runs the listeners and the landing scripts on the host. */
  shell: RemoteShell;
  /** Opens our connections to the listeners (through the hop chain, when there is one). */
  tcp: TcpOpener;
  /** The host's address as `tcp` reaches it (`127.0.0.1` through the host's own SSH connection). */
  address: string;
  options?: NcOptions;
}

/**
 * Moves files with netcat, one listener per file on the host: a put streams the file into
 * `nc -l … | cat > <temporary>` (so that a write error names its cause), a get reads
 * `nc -l … < <file>`; we connect through the target's `TcpOpener`, so hosts behind a hop chain
 * work. The flag style (OpenBSD `-l PORT`, busybox `-l -p PORT`) is probed once. Follows the
 * transfer contract (transfer.ts): staging directory, sizes checked, modes kept, nothing partial.
 * @example
 * const nc = new NcTransfer({ shell: remoteShellOf(ssh), tcp: tcpThrough(ssh), address: '127.0.0.1' });
 * await nc.put(['app.tar'], '/srv');
 */
export class NcTransfer implements Transfer {
  readonly kind = 'nc' as const;
  private readonly endpoint: NcEndpoint;
  private style: Promise<NcFlagStyle> | undefined;

  constructor(target: NcTransferTarget) {
    this.endpoint = { ...target, options: normalizeNcOptions(target.options) };
  }

  /** The host, its address and `[nc]`, for messages. */
  get place(): Place {
    return transferPlace(this.endpoint.shell.place, this.kind);
  }

  async put(
    localPaths: readonly string[],
    remoteDir: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    using run = startTransfer(this.place, 'put', localPaths, remoteDir, options);
    const send = (file: PlannedFile, steps: LandingSteps): Promise<void> =>
      this.sendFile(run, file, options, steps);
    return await landRemotely(run, this.endpoint.shell, localPaths, send, {
      ...options,
      sendRunsSteps: true,
    });
  }

  async get(
    remotePaths: readonly string[],
    localDir: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    using run = startTransfer(this.place, 'get', remotePaths, localDir, options);
    return await fetchRemotely(
      run,
      this.endpoint.shell,
      (entry, write) => this.receiveFile(run, entry, write),
      options,
    );
  }

  /** The host's netcat flag style, probed once (a failed probe is tried again next time). */
  private styleOf(run: TransferRun): Promise<NcFlagStyle> {
    const { shell, options } = this.endpoint;
    this.style ??= probeNcStyle(shell, options.execName, run.signal);
    this.style.catch(() => (this.style = undefined));
    return this.style;
  }

  private async listen(
    run: TransferRun,
    redirect: (listen: string, style: NcFlagStyle) => string,
    options: ListenOptions = {},
  ): Promise<NcConnection> {
    const style = await this.styleOf(run).catch((error: unknown) => {
      throw run.failed(run.paths.join(', '), (error as Error).message);
    });
    const { execName } = this.endpoint.options;
    const script = (port: number): string =>
      redirect(`${execName} ${listenArgsOf(style, port)}`, style);
    return await connectToListener(this.endpoint, script, run.signal, options).catch(
      (error: unknown) => {
        throw run.isStopped ? run.stopError() : error;
      },
    );
  }

  /**
   * Sends one file into the staging directory: the landing's prelude (first file) and commit
   * (last file) run in the listener's script, so a one-file put is one script on the host.
   */
  private async sendFile(
    run: TransferRun,
    file: PlannedFile,
    options: TransferOptions,
    steps: LandingSteps,
  ): Promise<void> {
    if (file.sizeBytes === 0) return await this.sendEmpty(run, file, steps);
    const { prelude, commit } = steps;
    let hasStartedPrelude = false;
    const script = (listen: string, style: NcFlagStyle): string => {
      // A listener started again (its port was in use) does not make the directories again.
      const withPrelude = prelude !== undefined && !prelude.isReported;
      hasStartedPrelude ||= withPrelude;
      return putScript(listen, style, file, withPrelude ? prelude : undefined, commit);
    };
    const listening = prelude
      ? { onStdout: prelude.onStdout, holdStopUntil: prelude.reported }
      : {};
    const connection = await this.listen(run, script, listening).catch((error: unknown) => {
      if (run.isStopped || error instanceof TransferError) throw error;
      const message = (error as Error).message;
      const failure = hasStartedPrelude ? prelude?.failure(message) : undefined;
      if (failure) throw failure;
      // The staged file could not be made (`cannot create …: Permission denied`).
      if (problemOf(error).code !== 'TRANSFER_FAILED') throw this.writeFailure(run, file, message);
      throw run.toError(error);
    });
    try {
      await this.stream(run, file, connection, options);
      // Every byte is sent: a commit that follows must not be stopped halfway.
      if (commit) connection.detach();
      const ended = await this.waitForEnd(run, connection, commit !== undefined);
      if (ended.exitCode === 3 || /nc exited/.test(ended.stderr))
        throw this.writeFailure(run, file, ended.stderr);
      const failure = commit?.failure(ended);
      if (failure) throw failure;
      if (ended.exitCode !== 0) throw this.writeFailure(run, file, ended.stderr);
    } catch (error) {
      if (run.isStopped) throw run.stopError();
      throw await this.explain(run, file, connection, error);
    } finally {
      connection.socket.destroy();
      await connection.stop();
    }
  }

  /**
   * An empty file needs no listener: one script makes it, with the prelude and the commit when
   * they come with it (then it is not stopped halfway: it has only its own deadline).
   */
  private async sendEmpty(run: TransferRun, file: PlannedFile, steps: LandingSteps): Promise<void> {
    const { prelude, commit } = steps;
    const script = [
      ...(prelude ? [prelude.script] : []),
      `: > ${quotePosix(file.destination)} || exit 3`,
      ...(commit ? [commit.script] : []),
    ];
    const isWhole = prelude !== undefined || commit !== undefined;
    const result = await this.endpoint.shell.run(script.join('\n'), {
      ...(isWhole ? { timeoutMs: COMMIT_TIMEOUT_MS } : { signal: run.signal }),
      ...(prelude ? { onStdout: prelude.onStdout } : {}),
    });
    const failure = prelude?.failure(result.stderr);
    if (failure) throw failure;
    if (result.exitCode === 3) throw this.writeFailure(run, file, result.stderr);
    const commitFailure = commit?.failure(result);
    if (commitFailure) throw commitFailure;
  }

  /** Streams a file into the socket, then ends it (the listener sees EOF and exits). */
  private async stream(
    run: TransferRun,
    file: PlannedFile,
    connection: NcConnection,
    options: TransferOptions,
  ): Promise<void> {
    const { socket } = connection;
    // A socket closed by the other side emits 'close' once: a write after it would wait forever.
    // Through SSH, a listener that died may leave the channel open with its window shut: its
    // end stops the writes too.
    const closed = new Promise<never>((_, reject) => {
      const onClose = (error?: Error): void =>
        reject(error instanceof Error ? error : new Error('the connection closed'));
      socket.once('error', onClose);
      socket.once('close', () => onClose());
      void connection.finished.then(() => onClose(new Error('nc on the host ended early')));
    });
    closed.catch(() => undefined);
    const input = createReadStream(file.source, { highWaterMark: 256 * 1024 });
    const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let doneBytes = 0;
    try {
      for (;;) {
        // Only the file's own errors are the source's: a socket's (`read ECONNRESET` when the
        // listener died of a full disk) is explained by the listener (see `explain`).
        const next = await chunks.next().catch((error: unknown) => {
          throw run.sourceFailed(file.source, error);
        });
        if (next.done) break;
        await Promise.race([writeWithBackpressure(socket, next.value, run.signal), closed]);
        doneBytes += next.value.length;
        options.onProgress?.({ file: file.source, doneBytes, totalBytes: file.sizeBytes });
      }
    } finally {
      input.destroy();
    }
    socket.end();
  }

  /**
   * Waits for the listener's script to end once our side ended, within the run's deadline and
   * at most `listenerTimeoutMs` (a listener that neither exits nor reads is stopped). A script
   * that commits the put has the commit's time too, and the run's signal no longer stops it.
   */
  private async waitForEnd(
    run: TransferRun,
    connection: NcConnection,
    isCommitting = false,
  ): Promise<RemoteRunResult> {
    const { listenerTimeoutMs } = this.endpoint.options;
    const ended = isCommitting
      ? await raceDeadline(connection.finished, listenerTimeoutMs + COMMIT_TIMEOUT_MS)
      : await raceDeadline(connection.finished, listenerTimeoutMs, run.signal);
    if (ended.kind === 'done') return ended.value;
    if (run.isStopped && !isCommitting) throw run.stopError();
    const why = `nc on the host did not end within ${listenerTimeoutMs}ms after the data was sent`;
    throw run.failed(run.paths.join(', '), why);
  }

  /** The error of a put that broke off: the listener's own reason when it gave one. */
  private async explain(
    run: TransferRun,
    file: PlannedFile,
    connection: NcConnection,
    error: unknown,
  ): Promise<Error> {
    if (error instanceof TransferError) return error;
    connection.socket.destroy();
    const ended = await raceDeadline(connection.finished, EXPLAIN_WAIT_MS);
    const stderr = ended.kind === 'done' ? ended.value.stderr : '';
    const reason = reasonIn(stderr, '');
    if (problemOf(new Error(reason)).code !== 'TRANSFER_FAILED')
      return this.writeFailure(run, file, stderr);
    // How the listener ended (`nc was stopped by SIGTERM`) says more than the socket's error.
    const exited = /nc exited with (\d+)/.exec(stderr);
    const detail = exited ? `nc ${ncEndPhrase(Number(exited[1]))}` : reason;
    const why = `the connection to nc on the host closed before all ${file.sizeBytes} bytes were sent`;
    return run.failed(
      file.source,
      `${why} (${detail || (error as Error).message})`,
      'TRANSFER_FAILED',
      error,
    );
  }

  private writeFailure(run: TransferRun, file: PlannedFile, stderr: string): Error {
    const final = file.destination.replace(/\/\.put\.otto-part-[0-9a-f]{8}\//, '/');
    const why = reasonIn(stderr, 'nc on the host ended without a reason');
    return run.failedWith(file.source, `cannot write ${final}`, problemOf(new Error(why)));
  }

  private async receiveFile(
    run: TransferRun,
    entry: RemoteEntry,
    write: (chunks: AsyncIterable<Buffer>) => Promise<number>,
  ): Promise<void> {
    if (entry.sizeBytes === 0) {
      await write((async function* () {})());
      return;
    }
    const connection = await this.listen(
      run,
      (listen) => `${listen} < ${quotePosix(entry.path)}`,
    ).catch((error: unknown) => {
      throw run.toError(error);
    });
    try {
      await write(readExactly(connection.socket, entry.sizeBytes));
      connection.socket.end();
      const ended = await this.waitForEnd(run, connection);
      if (ended.exitCode !== 0)
        throw run.failed(entry.path, listenerEndReason({ ...ended, stdout: Buffer.alloc(0) }));
    } catch (error) {
      if (run.isStopped) throw run.stopError();
      throw run.toError(error);
    } finally {
      connection.socket.destroy();
      await connection.stop();
    }
  }
}

/**
 * The socket's bytes up to `sizeBytes`: an early end yields what came (the size check names
 * it); bytes past the size mean the file changed while it was read.
 */
async function* readExactly(socket: Duplex, sizeBytes: number): AsyncGenerator<Buffer> {
  let doneBytes = 0;
  for await (const chunk of socket) {
    const bytes = chunk as Buffer;
    doneBytes += bytes.length;
    if (doneBytes > sizeBytes)
      throw new Error(`more than the ${sizeBytes} bytes listed arrived (did the file grow?)`);
    yield bytes;
    if (doneBytes === sizeBytes) return;
  }
}

/**
 * Says why netcat cannot work on a host (no `nc`, or one whose flags we do not know), or
 * undefined when it can (for `auto`).
 */
export async function probeNc(
  shell: RemoteShell,
  options?: NcOptions,
  signal?: AbortSignal,
): Promise<string | undefined> {
  try {
    await probeNcStyle(shell, normalizeNcOptions(options).execName, signal);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
