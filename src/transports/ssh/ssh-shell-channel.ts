import type { ClientChannel } from 'ssh2';
import type { Logger } from '../../common/logger.js';
import type { ShellChannel } from '../transport.js';
import { sendSignal } from './ssh-exec.js';

const CLOSE_WAIT_MS = 2000;

/** What a shell channel needs from its transport. */
export interface ShellChannelHooks {
  /** Runs the child-signal script (or another command) on a side channel of the same connection. */
  runSideCommand(commandLine: string): Promise<void>;
  /** Builds the script that signals the children of a shell process. */
  childSignalScript(shellPid: number, signal: 'INT' | 'KILL'): string;
  /**
   * Why a channel that ended without an exit status (and without our `close()`) went away: the
   * connection's drop reason, or undefined when the transport itself was closed.
   */
  endReason(): Error | undefined;
  /** Gives the channel's slot back; called once when the channel closes. */
  release(): void;
  logger?: Logger;
}

/**
 * A shell on an SSH session channel: `shell` with a PTY, or `exec` of a plain shell over pipes.
 * Output that arrives before a listener is registered is kept and handed over on registration.
 */
export class SshShellChannel implements ShellChannel {
  private dataListener?: (chunk: Buffer) => void;
  private readonly pending: Buffer[] = [];
  private closeListener?: (error?: Error) => void;
  private closed?: { error?: Error };
  private hasExited = false;
  private isClosing = false;
  private markClosed!: () => void;
  private readonly whenClosed = new Promise<void>((resolve) => (this.markClosed = resolve));

  constructor(
    private readonly channel: ClientChannel,
    readonly hasPty: boolean,
    private readonly hooks: ShellChannelHooks,
  ) {
    channel.on('data', (chunk: Buffer) => this.deliver(chunk));
    // Without a PTY stderr is its own stream; the session engine reads stdout only.
    channel.stderr.on('data', (chunk: Buffer) =>
      hooks.logger?.debug(`shell stderr: ${chunk.toString('utf8').trimEnd()}`),
    );
    channel.once('exit', () => (this.hasExited = true));
    channel.once('close', () => this.onChannelClose());
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.dataListener = listener;
    for (const chunk of this.pending.splice(0)) listener(chunk);
  }

  onClose(listener: (error?: Error) => void): void {
    this.closeListener = listener;
    if (this.closed) listener(this.closed.error);
  }

  write(data: string | Buffer): void {
    if (!this.closed) this.channel.write(data);
  }

  /** Ctrl-C on a PTY (and for KILL also the children's signal); otherwise the children's signal. */
  async interrupt(shellPid: number | undefined, signal: 'INT' | 'KILL' = 'INT'): Promise<void> {
    if (this.hasPty) this.write('\x03');
    if (this.hasPty && signal === 'INT') return;
    if (shellPid !== undefined) {
      await this.hooks.runSideCommand(this.hooks.childSignalScript(shellPid, signal));
    } else if (!this.hasPty) {
      // Without the shell's pid the best left is to signal the shell process itself.
      sendSignal(this.channel, signal);
    }
  }

  resize(cols: number, rows: number): void {
    if (this.hasPty && !this.closed) this.channel.setWindow(rows, cols, 0, 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.isClosing = true;
    this.channel.end();
    this.channel.close();
    // A channel on a dead connection may never report its close; do not wait for it forever.
    const timer = setTimeout(() => this.onChannelClose(), CLOSE_WAIT_MS);
    await this.whenClosed;
    clearTimeout(timer);
  }

  private deliver(chunk: Buffer): void {
    if (this.dataListener) this.dataListener(chunk);
    else this.pending.push(chunk);
  }

  private onChannelClose(): void {
    if (this.closed) return;
    const isExpected = this.hasExited || this.isClosing;
    this.closed = { error: isExpected ? undefined : this.hooks.endReason() };
    this.hooks.release();
    this.closeListener?.(this.closed.error);
    this.markClosed();
  }
}
