import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { posix } from 'node:path';
import { quotePosix } from '../common/quote.js';
import { TransferError } from '../errors.js';
import type { SshTransport } from '../transports/ssh/ssh-transport.js';
import { formatRecord, readAck, ScpReader, writeWithBackpressure } from './scp-protocol.js';
import { receiveAll, type ScpStream } from './scp-receive.js';
import { runRemoteScript, watchExecStream } from './scp-remote-script.js';
import {
  createTransferStop,
  partPathOf,
  transferFailed,
  walkLocal,
  type LocalEntry,
  type PlannedFile,
} from './transfer-files.js';
import type { Transfer, TransferOptions, TransferResult } from './transfer.js';

type MovedFile = TransferResult['files'][number];
type SentFile = { file: PlannedFile; part: string };

const READ_CHUNK_BYTES = 256 * 1024;

/**
 * Moves files with the scp protocol over an exec channel of an {@link SshTransport}: `scp -t`
 * receives puts, `scp -f` sends gets, directories recursively. Files are written under a
 * temporary name (`.name.otto-part-…`) and moved into place once complete (`mv -f` for puts),
 * sizes are checked afterwards, and a failed file leaves no partial copy behind.
 * @example await new ScpTransfer(ssh).get(['/var/log/syslog'], './logs');
 */
export class ScpTransfer implements Transfer {
  readonly kind = 'scp' as const;

  constructor(private readonly transport: SshTransport) {}

  async put(
    localPaths: readonly string[],
    remoteDir: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    const startMs = performance.now();
    const entries = await Promise.all(localPaths.map((path) => walkLocal(path)));
    const sent: SentFile[] = [];
    const dir = quotePosix(remoteDir);
    // mkdir -p first, as the SFTP transfer does; -d makes scp check that the target is a directory.
    const commandLine = `mkdir -p -- ${dir} && exec scp -r -d -t -- ${dir}`;
    await this.withStream(
      options,
      `putting files into ${remoteDir}`,
      commandLine,
      async (stream) => {
        await readAck(stream.reader, stream.watch.endedReason).catch((error: Error) => {
          const where = { source: localPaths.join(', '), destination: remoteDir };
          throw this.failed('put', where, error.message, error);
        });
        for (const entry of entries) await this.sendEntry(stream, entry, remoteDir, sent, options);
        stream.channel.end();
        await stream.reader.drain();
        await stream.watch.exited;
      },
    ).catch(async (error: unknown) => {
      await this.removeRemote(sent.map(({ part }) => part));
      throw error;
    });
    const files = await this.commitPut(sent);
    return { files, durationMs: performance.now() - startMs };
  }

  async get(
    remotePaths: readonly string[],
    localDir: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    const startMs = performance.now();
    await mkdir(localDir, { recursive: true });
    const commandLine = `scp -r -f -- ${remotePaths.map(quotePosix).join(' ')}`;
    const files = await this.withStream(
      options,
      `getting files into ${localDir}`,
      commandLine,
      (stream) =>
        receiveAll(stream, remotePaths, localDir, options, (file, reason, cause) =>
          this.failed('get', file, reason, cause),
        ),
    );
    return { files, durationMs: performance.now() - startMs };
  }

  private async withStream<R>(
    options: TransferOptions,
    what: string,
    commandLine: string,
    work: (stream: ScpStream) => Promise<R>,
  ): Promise<R> {
    const stop = createTransferStop(options, what, `${this.transport.address} [scp]`);
    const channel = await this.transport.openExecStream(commandLine);
    const stream = {
      channel,
      reader: new ScpReader(channel),
      watch: watchExecStream(channel),
      signal: stop.signal,
    };
    const onStop = (): void => channel.close();
    stop.signal.addEventListener('abort', onStop, { once: true });
    try {
      return await work(stream);
    } catch (error) {
      throw stop.signal.aborted ? stop.error() : error;
    } finally {
      stop.signal.removeEventListener('abort', onStop);
      stop.dispose();
      channel.close();
    }
  }

  private async sendEntry(
    stream: ScpStream,
    entry: LocalEntry,
    dir: string,
    sent: SentFile[],
    options: TransferOptions,
  ): Promise<void> {
    const destination = posix.join(dir, entry.name);
    if (entry.kind === 'file') return this.sendFile(stream, entry, destination, sent, options);
    const where = { source: entry.path, destination };
    await this.exchange(
      stream,
      formatRecord({ kind: 'D', mode: entry.mode, sizeBytes: 0, name: entry.name }),
      where,
    );
    for (const child of entry.children)
      await this.sendEntry(stream, child, destination, sent, options);
    await this.exchange(stream, 'E\n', where);
  }

  private async sendFile(
    stream: ScpStream,
    entry: LocalEntry & { kind: 'file' },
    destination: string,
    sent: SentFile[],
    options: TransferOptions,
  ): Promise<void> {
    const file = { source: entry.path, destination, sizeBytes: entry.sizeBytes, mode: entry.mode };
    const part = partPathOf(destination);
    const name = posix.basename(part);
    await this.exchange(
      stream,
      formatRecord({ kind: 'C', mode: entry.mode, sizeBytes: entry.sizeBytes, name }),
      file,
      part,
    );
    sent.push({ file, part });
    const progress = (doneBytes: number): void =>
      options.onProgress?.({ file: file.source, doneBytes, totalBytes: file.sizeBytes });
    progress(0);
    let doneBytes = 0;
    try {
      for await (const chunk of createReadStream(file.source, {
        highWaterMark: READ_CHUNK_BYTES,
      })) {
        await writeWithBackpressure(stream.channel, chunk as Buffer, stream.signal);
        progress((doneBytes += (chunk as Buffer).length));
      }
    } catch (error) {
      throw this.failed('put', file, (error as Error).message, error);
    }
    await this.exchange(stream, Buffer.from([0]), file, part);
  }

  /** Sends a record (or a file's closing `\0`) and reads the answer; a refusal names the file. */
  private async exchange(
    stream: ScpStream,
    message: string | Buffer,
    file: { source: string; destination: string },
    part?: string,
  ): Promise<void> {
    try {
      await writeWithBackpressure(stream.channel, message, stream.signal);
      await readAck(stream.reader, stream.watch.endedReason);
    } catch (error) {
      const reason = (error as Error).message;
      // The sink names the temporary file; the reason alone is what the user needs.
      const shown = part && reason.startsWith(`${part}: `) ? reason.slice(part.length + 2) : reason;
      throw this.failed('put', file, shown, error);
    }
  }

  /** Moves every sent file from its temporary name into place, then reads back the sizes. */
  private async commitPut(sent: readonly SentFile[]): Promise<MovedFile[]> {
    if (sent.length === 0) return [];
    const moves = sent.map(
      ({ file, part }) => `mv -f -- ${quotePosix(part)} ${quotePosix(file.destination)}`,
    );
    const sizes = sent.map(({ file }) => `wc -c < ${quotePosix(file.destination)}`);
    const result = await runRemoteScript(this.transport, ['set -e', ...moves, ...sizes].join('\n'));
    if (result.exitCode !== 0) {
      await this.removeRemote(sent.map(({ part }) => part));
      const reason = `moving it into place failed: ${result.stderr.trim() || `exit code ${result.exitCode}`}`;
      throw this.failed('put', sent[0]!.file, reason);
    }
    const lines = result.stdout.trim().split('\n');
    return sent.map(({ file }, index) => {
      const actualBytes = Number(lines[index]?.trim());
      if (actualBytes !== file.sizeBytes) {
        throw this.failed(
          'put',
          file,
          `the copy on the host has ${actualBytes} bytes, the original ${file.sizeBytes}`,
        );
      }
      return { source: file.source, destination: file.destination, sizeBytes: file.sizeBytes };
    });
  }

  private failed(
    direction: 'put' | 'get',
    file: { source: string; destination: string },
    reason: string,
    cause?: unknown,
  ): TransferError {
    if (cause instanceof TransferError) return cause;
    return transferFailed('scp', direction, file, this.transport.address, reason, cause);
  }

  private async removeRemote(parts: readonly string[]): Promise<void> {
    if (parts.length === 0) return;
    await runRemoteScript(this.transport, `rm -f -- ${parts.map(quotePosix).join(' ')}`).catch(
      () => undefined,
    );
  }
}
