import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import { raceDeadline } from '../common/deadline.js';
import type { Place } from '../common/place.js';
import { quotePosix } from '../common/quote.js';
import type { SshTransport } from '../transports/ssh/ssh-transport.js';
import { landLocally } from './local-landing.js';
import { ancestorsOf } from './remote-scripts.js';
import { formatRecord, readAck, ScpReader, writeWithBackpressure } from './scp-protocol.js';
import { receiveAll, type ScpStream } from './scp-receive.js';
import {
  runRemoteScript,
  SCP_MERGE_FUNCTION,
  SCP_PUT_PRELUDE,
  watchExecStream,
} from './scp-remote-script.js';
import { partPathOf, walkSources, type LocalEntry, type PlannedFile } from './transfer-files.js';
import { pathProblemOf, problemOf } from './transfer-problems.js';
import {
  CLEANUP_TIMEOUT_MS,
  startTransfer,
  transferPlace,
  type TransferRun,
} from './transfer-run.js';
import type { Transfer, TransferOptions, TransferResult } from './transfer.js';

const READ_CHUNK_BYTES = 256 * 1024;

/** A put in progress: the staging directory inside the destination, and what it holds. */
interface ScpPut {
  run: TransferRun;
  remoteDir: string;
  stage: string;
  /** Directories the prelude made (the destination and its missing parents), deepest first. */
  createdDirs: string[];
  isPreludeRead: boolean;
  files: PlannedFile[];
}

/**
 * Moves files with the scp protocol over an exec channel of an {@link SshTransport}: `scp -t`
 * receives puts, `scp -f` sends gets, directories recursively, by the rules of the transfer
 * contract (transfer.ts). A put lands in a staging directory inside the destination
 * (`.put.otto-part-…`) and is merged into place by one script once complete, sizes checked;
 * a get lands under temporary names renamed together at the end. Modes are kept both ways.
 * @example await new ScpTransfer(ssh).get(['/var/log/syslog'], './logs');
 */
export class ScpTransfer implements Transfer {
  readonly kind = 'scp' as const;

  constructor(private readonly transport: SshTransport) {}

  /** The host, its address and `[scp]`, for messages. */
  get place(): Place {
    return transferPlace(this.transport.place, this.kind);
  }

  async put(
    localPaths: readonly string[],
    remoteDir: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    using run = startTransfer(this.place, 'put', localPaths, remoteDir, options);
    const entries = await walkSources(run, localPaths);
    const put: ScpPut = {
      run,
      remoteDir,
      stage: partPathOf(posix.join(remoteDir, 'put')),
      createdDirs: [],
      isPreludeRead: false,
      files: [],
    };
    const ancestors = ancestorsOf(remoteDir);
    const commandLine = [SCP_PUT_PRELUDE, 'sh', remoteDir, put.stage, ...ancestors]
      .map(quotePosix)
      .join(' ');
    try {
      const work = async (stream: ScpStream): Promise<void> => {
        await this.openSink(put, stream, ancestors);
        for (const entry of entries) await this.sendEntry(put, stream, entry, put.stage, options);
        stream.channel.end();
        await stream.reader.drain();
        await stream.watch.exited;
      };
      await this.withStream(run, `sh -c ${commandLine}`, work, (stream) =>
        this.settle(put, stream, ancestors),
      );
      run.throwIfStopped();
      await this.commitPut(put);
      return run.result(
        put.files.map((file) => ({
          source: file.source,
          destination: this.finalOf(put, file.destination),
          sizeBytes: file.sizeBytes,
        })),
      );
    } catch (error) {
      await this.removeRemote(put);
      throw run.toError(error);
    }
  }

  async get(
    remotePaths: readonly string[],
    localDir: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    using run = startTransfer(this.place, 'get', remotePaths, localDir, options);
    const commandLine = `scp -r -f -- ${remotePaths.map(quotePosix).join(' ')}`;
    return await landLocally(run, localDir, (landing) =>
      this.withStream(run, commandLine, (stream) =>
        receiveAll(stream, run, landing, remotePaths, localDir, options),
      ),
    );
  }

  /**
   * Opens the exec stream within the run's deadline and runs `work` on it. Without `settle`, a
   * stop closes the channel. With it, a stop only ends the channel's input, and when the work
   * failed `settle` runs (within the cleanup deadline, even on a channel that opened after the
   * stop) before the channel is closed: the remote side must be done before it is cleaned up.
   */
  private async withStream<R>(
    run: TransferRun,
    commandLine: string,
    work: (stream: ScpStream) => Promise<R>,
    settle?: (stream: ScpStream) => Promise<void>,
  ): Promise<R> {
    const opening = this.transport.openExecStream(commandLine);
    opening.catch(() => undefined);
    const opened = await run.deadline.race(opening);
    if (opened.kind === 'failed') throw run.toError(opened.error);
    if (opened.kind !== 'done') {
      const late = settle ? await raceDeadline(opening, CLEANUP_TIMEOUT_MS) : undefined;
      if (late?.kind === 'done') await this.settleThenClose(this.streamOf(run, late.value), settle);
      else void opening.then((channel) => channel.close());
      throw run.stopError();
    }
    const stream = this.streamOf(run, opened.value);
    const onStop = (): void => void (settle ? stream.channel.end() : stream.channel.close());
    run.signal.addEventListener('abort', onStop, { once: true });
    try {
      const result = await work(stream);
      stream.channel.close();
      return result;
    } catch (error) {
      await this.settleThenClose(stream, settle);
      throw error;
    } finally {
      run.signal.removeEventListener('abort', onStop);
    }
  }

  private streamOf(run: TransferRun, channel: ScpStream['channel']): ScpStream {
    return {
      channel,
      reader: new ScpReader(channel),
      watch: watchExecStream(channel),
      signal: run.signal,
    };
  }

  private async settleThenClose(
    stream: ScpStream,
    settle: ((stream: ScpStream) => Promise<void>) | undefined,
  ): Promise<void> {
    if (settle) {
      const settling = settle(stream);
      settling.catch(() => undefined);
      await raceDeadline(settling, CLEANUP_TIMEOUT_MS);
    }
    stream.channel.close();
  }

  /**
   * After a failed put: reads the prelude's answer when it was not read (which directories it
   * made), ends the sink's input and waits for it to exit, so that it writes nothing after.
   */
  private async settle(put: ScpPut, stream: ScpStream, ancestors: string[]): Promise<void> {
    if (!put.isPreludeRead) await this.readPrelude(put, stream, ancestors);
    stream.channel.end();
    await stream.reader.drain();
    await stream.watch.exited;
  }

  /** Reads the prelude's two lines (see SCP_PUT_PRELUDE); returns its status line. */
  private async readPrelude(put: ScpPut, stream: ScpStream, ancestors: string[]): Promise<string> {
    put.isPreludeRead = true;
    const missing = Number(await stream.reader.readLine());
    put.createdDirs = ancestors.slice(0, Number.isInteger(missing) ? missing : 0);
    return (await stream.reader.readLine()) ?? '';
  }

  /** Reads the prelude's answer (see SCP_PUT_PRELUDE), then the sink's first ready byte. */
  private async openSink(put: ScpPut, stream: ScpStream, ancestors: string[]): Promise<void> {
    const { run, remoteDir } = put;
    const status = await this.readPrelude(put, stream, ancestors);
    run.throwIfStopped();
    if (status.startsWith('notdir ')) throw run.notADirectory(status.slice(7));
    if (status.startsWith('dest ')) throw run.createFailed(remoteDir, new Error(status));
    if (status.startsWith('stage ')) {
      const paths = run.paths.join(', ');
      throw run.failedWith(paths, `cannot write ${remoteDir}`, problemOf(new Error(status)));
    }
    if (status !== 'ok') throw run.createFailed(remoteDir, new Error(stream.watch.endedReason()));
    await readAck(stream.reader, stream.watch.endedReason).catch((error: Error) => {
      throw run.failed(run.paths.join(', '), error.message);
    });
  }

  private async sendEntry(
    put: ScpPut,
    stream: ScpStream,
    entry: LocalEntry,
    dir: string,
    options: TransferOptions,
  ): Promise<void> {
    const destination = posix.join(dir, entry.name);
    if (entry.kind === 'file') return this.sendFile(put, stream, entry, destination, options);
    const record = formatRecord({ kind: 'D', mode: entry.mode, sizeBytes: 0, name: entry.name });
    await this.exchange(put, stream, record, entry.path);
    for (const child of entry.children)
      await this.sendEntry(put, stream, child, destination, options);
    await this.exchange(put, stream, 'E\n', entry.path);
  }

  private async sendFile(
    put: ScpPut,
    stream: ScpStream,
    entry: LocalEntry & { kind: 'file' },
    destination: string,
    options: TransferOptions,
  ): Promise<void> {
    const file = { source: entry.path, destination, sizeBytes: entry.sizeBytes, mode: entry.mode };
    const record = formatRecord({ kind: 'C', ...file, name: entry.name });
    await this.exchange(put, stream, record, file.source);
    put.files.push(file);
    const progress = (doneBytes: number): void =>
      options.onProgress?.({ file: file.source, doneBytes, totalBytes: file.sizeBytes });
    progress(0);
    let doneBytes = 0;
    const input = createReadStream(file.source, { highWaterMark: READ_CHUNK_BYTES });
    try {
      for await (const chunk of input) {
        await writeWithBackpressure(stream.channel, chunk as Buffer, stream.signal);
        progress((doneBytes += (chunk as Buffer).length));
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).syscall) throw put.run.sourceFailed(file.source, error);
      throw put.run.toError(error);
    } finally {
      input.destroy();
    }
    await this.exchange(put, stream, Buffer.from([0]), file.source);
  }

  /** Sends a record (or a file's closing `\0`) and reads the answer; a refusal names the file. */
  private async exchange(
    put: ScpPut,
    stream: ScpStream,
    message: string | Buffer,
    source: string,
  ): Promise<void> {
    try {
      await writeWithBackpressure(stream.channel, message, stream.signal);
      await readAck(stream.reader, stream.watch.endedReason);
    } catch (error) {
      if (put.run.isStopped) throw put.run.stopError();
      const found = pathProblemOf((error as Error).message);
      if (!found) throw put.run.failed(source, (error as Error).message, 'TRANSFER_FAILED', error);
      const target = this.finalOf(put, found.path);
      throw put.run.failedWith(source, `cannot write ${target}`, found.problem, error);
    }
  }

  /** Checks the staged sizes, merges the staging tree into the destination and removes it. */
  private async commitPut(put: ScpPut): Promise<void> {
    const checks = put.files.map(
      (file, index) =>
        `[ "$(wc -c < ${quotePosix(file.destination)})" -eq ${file.sizeBytes} ] || { echo "size ${index} $(wc -c < ${quotePosix(file.destination)})"; exit 1; }`,
    );
    const merge = `merge ${quotePosix(put.stage)} ${quotePosix(put.remoteDir)} || exit 1`;
    const script = [SCP_MERGE_FUNCTION, ...checks, merge, `rm -rf -- ${quotePosix(put.stage)}`];
    // Once every file arrived, the merge is not stopped halfway: it only has its own deadline.
    const signal = AbortSignal.timeout(CLEANUP_TIMEOUT_MS);
    const result = await runRemoteScript(this.transport, script.join('\n'), signal);
    if (result.exitCode === 0) return;
    const last = result.stdout.trim().split('\n').pop() ?? '';
    throw this.commitFailure(put, last, result.stderr);
  }

  private commitFailure(put: ScpPut, line: string, stderr: string): Error {
    const { run } = put;
    const space = line.indexOf(' ');
    const word = space < 0 ? line : line.slice(0, space);
    const rest = space < 0 ? '' : line.slice(space + 1);
    if (word === 'size') {
      const [index, sizeBytes] = rest.split(' ');
      const file = put.files[Number(index)]!;
      const reason = `the copy on the host has ${sizeBytes} bytes, the original ${file.sizeBytes}`;
      return run.failed(file.source, reason, 'SIZE_MISMATCH');
    }
    const paths = run.paths.join(', ');
    if (word === 'isdir') return run.failed(paths, `cannot write ${rest}: is a directory`);
    const reason = stderr.trim().split('\n').pop() || `exit code of the merge script`;
    return run.failedWith(
      paths,
      `moving files into ${put.remoteDir}`,
      problemOf(new Error(reason)),
    );
  }

  /** The path a staged file lands at. */
  private finalOf(put: ScpPut, staged: string): string {
    return staged.startsWith(`${put.stage}/`)
      ? posix.join(put.remoteDir, staged.slice(put.stage.length + 1))
      : staged;
  }

  /** Removes the staging directory and the directories the prelude made, within a deadline. */
  private async removeRemote(put: ScpPut): Promise<void> {
    const rmdirs = put.createdDirs.map((dir) => `rmdir -- ${quotePosix(dir)} 2>/dev/null`);
    const script = [`rm -rf -- ${quotePosix(put.stage)}`, ...rmdirs, 'exit 0'].join('\n');
    await runRemoteScript(this.transport, script, AbortSignal.timeout(CLEANUP_TIMEOUT_MS)).catch(
      () => undefined,
    );
  }
}
