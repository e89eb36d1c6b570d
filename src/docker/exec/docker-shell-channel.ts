/**
 * A shell channel in a container: a long-lived exec of a shell with stdin attached, on a
 * connection the engine hands over (`Upgrade: tcp`). Without a TTY the output is framed: stdout
 * goes to the channel's receiver, stderr to an optional hook. With a TTY it is raw, and Ctrl-C,
 * resize and TERM behave as on a terminal. Closing half-closes the connection (the shell reads
 * end-of-file and exits); a shell still busy after a grace period is killed by its environment
 * token, since dropping the connection alone would leave it running.
 */
import type { Duplex } from 'node:stream';
import { ConnectionError } from '../../errors.js';
import { childSignalScript } from '../../transports/interrupt-script.js';
import type { ShellChannel, ShellChannelOptions } from '../../transports/transport.js';
import { createFrameDemuxer } from '../engine/frame-demuxer.js';
import { createExec, resizeExec, runHelperExec, startExecAttached } from './exec-api.js';
import type { ExecTarget } from './exec-command.js';
import { toExecError } from './exec-failures.js';
import { createExecToken, tokenEnvironment, tokenKillScript } from './exec-token.js';

/** Options of {@link openDockerShell} besides the channel's own. */
export interface DockerShellOptions {
  /** Receives the shell's stderr when there is no TTY. @default dropped */
  onStderr?: (chunk: Buffer) => void;
  /** How long `close()` waits for the shell to exit before killing it. @default 2000 */
  closeGraceMs?: number;
}

const RESIZE_PAUSES_MS = [0, 10, 20, 40, 80];
const HELPER_TIMEOUT_MS = 5_000;

/**
 * Starts a shell in a container and returns its channel.
 * @example const channel = await openDockerShell(target, { pty: false });
 */
export async function openDockerShell(
  target: ExecTarget,
  options: ShellChannelOptions,
  shellOptions: DockerShellOptions = {},
): Promise<DockerShellChannel> {
  const token = createExecToken();
  const env: Record<string, string> = options.pty ? { TERM: options.term ?? 'dumb' } : {};
  const action = `open a shell${options.pty ? ' on a TTY' : ''}`;
  try {
    const execId = await createExec(target.engine, target.containerId, {
      cmd: [options.shell ?? 'sh'],
      env: { ...env, ...tokenEnvironment(token) },
      tty: options.pty,
      attachStdin: true,
      user: target.user,
    });
    const stream = await startExecAttached(target.engine, execId, { tty: options.pty });
    const channel = new DockerShellChannel(
      target,
      execId,
      stream,
      token,
      options.pty,
      shellOptions,
    );
    if (options.pty && options.cols && options.rows) {
      await channel.resizeNow(options.cols, options.rows);
    }
    return channel;
  } catch (error) {
    throw toExecError(error, target, action);
  }
}

/** The channel of a shell started by {@link openDockerShell}. */
export class DockerShellChannel implements ShellChannel {
  private receiver: ((chunk: Buffer) => void) | undefined;
  private pending: Buffer[] = [];
  private readonly closeListeners: Array<(error?: Error) => void> = [];
  private closeError: Error | undefined;
  private isClosed = false;
  private isInputEnded = false;
  private readonly closed: Promise<void>;

  constructor(
    private readonly target: ExecTarget,
    readonly execId: string,
    private readonly stream: Duplex,
    private readonly token: string,
    readonly hasPty: boolean,
    private readonly options: DockerShellOptions,
  ) {
    const deliver = (chunk: Buffer): void => this.deliver(chunk);
    const onStderr = options.onStderr ?? (() => undefined);
    stream.on(
      'data',
      hasPty
        ? deliver
        : createFrameDemuxer((name, payload) => (name === 'stdout' ? deliver : onStderr)(payload)),
    );
    // The shell has exited when its output ends; a stream that allows half-open connections
    // (an SSH channel) closes only once our side has ended too.
    stream.once('end', () => stream.end());
    this.closed = new Promise((resolve) => {
      stream.once('close', () => resolve(this.finish()));
      stream.on('error', (error) => (this.closeError ??= this.lost(error)));
    });
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.receiver = listener;
    for (const chunk of this.pending.splice(0)) listener(chunk);
  }

  onClose(listener: (error?: Error) => void): void {
    if (this.isClosed) queueMicrotask(() => listener(this.closeError));
    else this.closeListeners.push(listener);
  }

  write(data: string | Buffer): void {
    if (this.isInputEnded || this.isClosed) return;
    this.stream.write(data);
  }

  async interrupt(shellPid: number | undefined, signal: 'INT' | 'KILL' = 'INT'): Promise<void> {
    if (this.hasPty && (signal === 'INT' || shellPid === undefined)) return this.write('\x03');
    if (shellPid === undefined) {
      throw new ConnectionError(
        'INTERRUPT_UNAVAILABLE',
        `Cannot interrupt the shell in container ${this.target.containerName} [docker-exec]: without a TTY the shell's process id is needed.`,
      );
    }
    await this.runHelper(childSignalScript(shellPid, signal));
  }

  resize(cols: number, rows: number): void {
    // Best effort, as on a terminal: a failed resize leaves the old size and nothing else.
    if (this.hasPty && !this.isClosed) this.resizeNow(cols, rows).catch(() => undefined);
  }

  /** Resizes the terminal, retrying while the engine has not started the process yet. */
  async resizeNow(cols: number, rows: number): Promise<void> {
    let lastError: unknown;
    for (const pauseMs of RESIZE_PAUSES_MS) {
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      try {
        return await resizeExec(this.target.engine, this.execId, { cols, rows });
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  async close(): Promise<void> {
    if (!this.isInputEnded && !this.isClosed) {
      this.isInputEnded = true;
      this.stream.end();
    }
    const graceMs = this.options.closeGraceMs ?? 2_000;
    const isDone = await Promise.race([
      this.closed.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref()),
    ]);
    if (!isDone) {
      await this.runHelper(tokenKillScript(this.token)).catch(() => undefined);
      this.stream.destroy();
    }
    await this.closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private deliver(chunk: Buffer): void {
    if (this.receiver) this.receiver(chunk);
    else this.pending.push(chunk);
  }

  private finish(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const listener of this.closeListeners.splice(0)) listener(this.closeError);
  }

  private lost(error: Error): ConnectionError {
    const reason = (error as NodeJS.ErrnoException).code ?? error.message;
    return new ConnectionError(
      'SHELL_STREAM_LOST',
      `Lost the shell stream of container ${this.target.containerName} [docker-exec]: ${reason}.`,
      { where: this.target.containerName, cause: error },
    );
  }

  private async runHelper(script: string): Promise<void> {
    const { engine, containerId } = this.target;
    const signal = AbortSignal.timeout(HELPER_TIMEOUT_MS);
    await runHelperExec(engine, containerId, ['sh', '-c', script], signal);
  }
}
