import { open } from 'node:fs/promises';
import type { Place } from '../common/place.js';
import { quotePosix } from '../common/quote.js';
import { fetchRemotely } from './remote-fetch.js';
import { landRemotely } from './remote-landing.js';
import { reasonIn, type RemoteShell } from './remote-shell.js';
import type { RemoteEntry } from './remote-walk.js';
import {
  decodeHexDump,
  encodeBase64Heredoc,
  encodePrintfOctal,
  probeShellTools,
  type ShellTools,
} from './shell-encoding.js';
import type { PlannedFile } from './transfer-files.js';
import { problemOf } from './transfer-problems.js';
import { startTransfer, transferPlace, type TransferRun } from './transfer-run.js';
import type { Transfer, TransferOptions, TransferResult } from './transfer.js';

/** Options of a {@link ShellTransfer}. */
export interface ShellTransferOptions {
  /**
   * Bytes of a file sent per script on a put, as base64 a third more (see
   * {@link RemoteShell.maxScriptBytes}). @default 65536, or 262144 where scripts are typed (telnet)
   */
  putChunkBytes?: number;
  /** Bytes of a file read per script on a get. @default 4194304 */
  getChunkBytes?: number;
}

/**
 * Moves files through nothing but the host's shell, for hosts that have no other way: a put
 * sends base64 text in chunks that `base64 -d` decodes on the host (without `base64`: `printf`
 * octal escapes, POSIX), a get reads `dd` slices as base64 (without it: `od -An -v -tx1`). Slow
 * (each chunk is one script) but it needs only `sh`, `dd`, `ls`, `wc` and `mv`. Follows the
 * transfer contract (transfer.ts): staging directory, sizes checked, modes kept, nothing partial.
 * @example await new ShellTransfer(remoteShellOf(host.transport)).put(['app.tar'], '/srv');
 */
export class ShellTransfer implements Transfer {
  readonly kind = 'shell' as const;
  private readonly putChunkBytes: number;
  private readonly getChunkBytes: number;
  private tools: Promise<ShellTools> | undefined;

  constructor(
    private readonly shell: RemoteShell,
    options: ShellTransferOptions = {},
  ) {
    // Fewer, bigger scripts where the shell takes them: each script costs a round trip.
    this.putChunkBytes =
      options.putChunkBytes ?? (shell.maxScriptBytes >= 1 << 20 ? 256 : 64) << 10;
    this.getChunkBytes = options.getChunkBytes ?? 4 << 20;
  }

  /** The host, its address and `[shell]`, for messages. */
  get place(): Place {
    return transferPlace(this.shell.place, this.kind);
  }

  async put(
    localPaths: readonly string[],
    remoteDir: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    using run = startTransfer(this.place, 'put', localPaths, remoteDir, options);
    const send = async (file: PlannedFile): Promise<void> => {
      const tools = await this.toolsOf(run);
      await this.sendFile(run, tools, file, options);
    };
    return await landRemotely(run, this.shell, localPaths, send, options);
  }

  async get(
    remotePaths: readonly string[],
    localDir: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    using run = startTransfer(this.place, 'get', remotePaths, localDir, options);
    return await fetchRemotely(
      run,
      this.shell,
      async (entry, write) => {
        const tools = await this.toolsOf(run);
        await write(this.readFile(run, tools, entry));
      },
      options,
    );
  }

  /** The host's tools, probed once (a failed probe is tried again on the next call). */
  private toolsOf(run: TransferRun): Promise<ShellTools> {
    this.tools ??= probeShellTools(this.shell, run.signal);
    this.tools.catch(() => (this.tools = undefined));
    return this.tools;
  }

  private async sendFile(
    run: TransferRun,
    tools: ShellTools,
    file: PlannedFile,
    options: TransferOptions,
  ): Promise<void> {
    const target = quotePosix(file.destination);
    if (file.sizeBytes === 0) return this.runChunk(run, file, `: > ${target}`);
    const input = await open(file.source, 'r').catch((error: unknown) => {
      throw run.sourceFailed(file.source, error);
    });
    try {
      const buffer = Buffer.alloc(this.putChunkBytes);
      for (let doneBytes = 0; doneBytes < file.sizeBytes;) {
        const { bytesRead } = await input.read(buffer, 0, buffer.length, doneBytes);
        if (bytesRead === 0)
          throw run.failed(file.source, `${file.source} shrank while it was sent`);
        const chunk = buffer.subarray(0, bytesRead);
        // Through `cat`: its write error names the cause (`no space left on device`).
        const sink = `| cat ${doneBytes === 0 ? '>' : '>>'} ${target}`;
        const script = tools.hasBase64
          ? encodeBase64Heredoc(chunk, 'base64 -d', sink)
          : encodePrintfOctal(chunk, sink);
        await this.runChunk(run, file, script);
        doneBytes += bytesRead;
        options.onProgress?.({ file: file.source, doneBytes, totalBytes: file.sizeBytes });
      }
    } finally {
      await input.close();
    }
  }

  private async runChunk(run: TransferRun, file: PlannedFile, script: string): Promise<void> {
    const result = await this.shell.run(script, { signal: run.signal });
    run.throwIfStopped();
    if (result.exitCode === 0) return;
    const why = reasonIn(result.stderr, `the shell exited with ${result.exitCode}`);
    const final = file.destination.replace(/\/\.put\.otto-part-[0-9a-f]{8}\//, '/');
    throw run.failedWith(file.source, `cannot write ${final}`, problemOf(new Error(why)));
  }

  /** The file's bytes, slice after slice, each read by one script. */
  private async *readFile(
    run: TransferRun,
    tools: ShellTools,
    entry: RemoteEntry,
  ): AsyncGenerator<Buffer> {
    const chunkBytes = tools.hasBase64 ? this.getChunkBytes : this.getChunkBytes >> 2;
    const encoder = tools.hasBase64 ? 'base64' : 'od -An -v -tx1';
    const source = quotePosix(entry.path);
    for (let index = 0; index * chunkBytes < entry.sizeBytes; index += 1) {
      const script = `dd if=${source} bs=${chunkBytes} skip=${index} count=1 2>/dev/null | ${encoder}`;
      const result = await this.shell.run(script, { signal: run.signal });
      run.throwIfStopped();
      const text = result.stdout.toString('latin1');
      const chunk = tools.hasBase64 ? Buffer.from(text, 'base64') : decodeHexDump(text);
      if (chunk.length === 0) return;
      yield chunk;
    }
  }
}
