/**
 * A shell channel in a container: a long-lived exec of a shell with stdin attached, on a
 * connection the engine hands over (`Upgrade: tcp`). Without a TTY the output is framed: stdout
 * goes to the channel's receiver, stderr to an optional hook. With a TTY it is raw, and Ctrl-C,
 * resize and TERM behave as on a terminal.
 *
 * Closing ends the shell and everything it started. Neither dropping the connection nor ending its
 * input is enough: the engine leaves the process running when the connection goes, and a TTY exec
 * never sees the end of its input. So closing half-closes the connection (a shell without a TTY
 * reads end-of-file and exits), waits for that up to `closeTimeoutMs`, then kills whatever still
 * carries the shell's environment token (the shell itself, its background jobs, their children;
 * see exec-token.ts) from a second exec, and waits for the engine to end the stream.
 */
import type { Duplex } from 'node:stream';
import { Deadline, raceDeadline } from '../../common/deadline.js';
import { describePlace, placeDetails } from '../../common/place.js';
import { ConnectionError } from '../../errors.js';
import { childSignalScript } from '../../transports/interrupt-script.js';
import type { ShellChannel, ShellChannelOptions } from '../../transports/transport.js';
import { createFrameDemuxer } from '../engine/frame-demuxer.js';
import { createExec, resizeExec, runHelperExec, startExecAttached } from './exec-api.js';
import { killByToken, type ExecTarget } from './exec-command.js';
import { toExecError } from './exec-failures.js';
import { createExecToken, tokenEnvironment } from './exec-token.js';

/** Options of {@link openDockerShell} besides the channel's own. */
export interface DockerShellOptions {
  /** Receives the shell's stderr when there is no TTY. @default dropped */
  onStderr?: (chunk: Buffer) => void;
  /** How long `close()` waits for a shell without a TTY to exit after its input ended. @default 1000 */
  closeTimeoutMs?: number;
}

const RESIZE_PAUSES_MS = [0, 10, 20, 40, 80];

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
    throw toExecError(error, target.place, action);
  }
}

/** The channel of a shell started by {@link openDockerShell}. */
export class DockerShellChannel implements ShellChannel {
  shellPid?: number;
  private receiver: ((chunk: Buffer) => void) | undefined;
  private pending: Buffer[] = [];
  private readonly closeListeners: Array<(error?: Error) => void> = [];
  private closeError: Error | undefined;
  private isClosed = false;
  private isInputEnded = false;
  private closing: Promise<void> | undefined;
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

  /**
   * Interrupts the shell's foreground command: Ctrl-C on a TTY; SIGINT to the shell's children
   * otherwise. SIGKILL goes to everything the shell started, grandchildren too, but not to the
   * shell: a command that ignored the interrupt dies with whatever it started.
   */
  async interrupt(shellPid: number | undefined, signal: 'INT' | 'KILL' = 'INT'): Promise<void> {
    const pid = shellPid ?? this.shellPid;
    if (this.hasPty && (signal === 'INT' || pid === undefined)) return this.write('\x03');
    if (pid === undefined) {
      throw new ConnectionError(
        'INTERRUPT_UNAVAILABLE',
        `Cannot interrupt the shell on ${describePlace(this.target.place)}: without a TTY the shell's process id is needed.`,
        placeDetails(this.target.place),
      );
    }
    if (signal === 'KILL') return killByToken(this.target, this.token, 'KILL', pid);
    await this.runHelper(childSignalScript(pid, signal));
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

  /** Ends the shell and every process it started; idempotent, bounded in time. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async shutDown(): Promise<void> {
    if (!this.isInputEnded && !this.isClosed) {
      this.isInputEnded = true;
      this.stream.end();
    }
    // A TTY exec never sees its input end: waiting for it to exit by itself would only lose time.
    if (!this.hasPty) await raceDeadline(this.closed, this.options.closeTimeoutMs ?? 1_000);
    await killByToken(this.target, this.token);
    const ended = await raceDeadline(this.closed, this.target.signalTimeoutMs);
    if (ended.kind !== 'done') this.stream.destroy();
    await this.closed;
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
      `Lost the shell stream on ${describePlace(this.target.place)}: ${reason}.`,
      { ...placeDetails(this.target.place), cause: error },
    );
  }

  private async runHelper(script: string): Promise<void> {
    const { engine, containerId, user, signalTimeoutMs } = this.target;
    using deadline = new Deadline({ timeoutMs: signalTimeoutMs });
    await runHelperExec(engine, containerId, ['sh', '-c', script], deadline.signal, { user });
  }
}
