import type { ClientChannel } from 'ssh2';
import { raceDeadline } from '../../common/deadline.js';
import type { Logger } from '../../common/logger.js';
import { quotePosix } from '../../common/quote.js';
import { childSignalScript, treeKillScript } from '../interrupt-script.js';
import type { ShellChannel } from '../transport.js';
import { sendSignal } from './ssh-exec.js';

/** The first line a shell without a PTY writes to stderr: its pid (see plainShellCommand). */
const PID_LINE = /^OTTO_SHELL_PID=(\d+)\r?\n/;
const PID_LINE_MAX_CHARS = 64;

/**
 * The command line of a shell without a PTY: `/bin/sh` tells its pid on stderr, then becomes
 * `shell` by `exec`, which keeps that pid. The login shell runs one command by its path (never
 * a user's function or alias) and replaces itself with it, so the shell is the leader of the
 * session sshd made, and closing can end everything it started by that session id.
 */
export function plainShellCommand(shell = 'sh'): string {
  return `/bin/sh -c ${quotePosix(`echo "OTTO_SHELL_PID=$$" >&2; exec ${shell}`)}`;
}

/** What a shell channel needs from its transport. */
export interface ShellChannelHooks {
  /** Runs a script on a side channel of the same connection (`/bin/sh -s`, the script on stdin). */
  runSideScript(script: string): Promise<void>;
  /**
   * Why a channel that ended without an exit status (and without our `close()`) went away: the
   * connection's drop reason, or undefined when the transport itself was closed.
   */
  endReason(): Error | undefined;
  /** Gives the channel's slot back; called once when the channel closes. */
  release(): void;
  /** Told once the channel ended by itself (`exit`, a drop), not by `close()`. */
  onEnded(shell: SshShellChannel): void;
  /** Told once `close()` finished. */
  onClosed(shell: SshShellChannel): void;
  /** How long closing waits for the shell to end by itself after its input ended. */
  closeTimeoutMs: number;
  logger?: Logger;
}

/**
 * A shell on an SSH session channel: `shell` with a PTY, or `exec` of a plain shell over pipes.
 * Output that arrives before a listener is registered is kept and handed over on registration.
 * Closing ends the shell and everything it started, through a side command that kills the
 * shell's process tree and session by `shellPid`.
 */
export class SshShellChannel implements ShellChannel {
  /** The shell's pid: told by the shell itself without a PTY, else set by the session. */
  shellPid?: number;
  private dataListener?: (chunk: Buffer) => void;
  private readonly pending: Buffer[] = [];
  private closeListener?: (error?: Error) => void;
  private closed?: { error?: Error };
  private closing?: Promise<void>;
  private isClosing = false;
  private hasExited = false;
  private stderrHead? = '';
  private markExited!: () => void;
  private readonly whenExited = new Promise<void>((resolve) => (this.markExited = resolve));
  private markClosed!: () => void;
  private readonly whenClosed = new Promise<void>((resolve) => (this.markClosed = resolve));

  constructor(
    private readonly channel: ClientChannel,
    readonly hasPty: boolean,
    private readonly hooks: ShellChannelHooks,
  ) {
    channel.on('data', (chunk: Buffer) => this.deliver(chunk));
    // Without a PTY stderr is its own stream; the session engine reads stdout only.
    channel.stderr.on('data', (chunk: Buffer) => this.onStderr(chunk));
    channel.once('exit', () => {
      this.hasExited = true;
      this.markExited();
    });
    channel.once('close', () => this.onChannelClose());
  }

  /** True once the channel ended, by `close()` or by itself. */
  get isClosed(): boolean {
    return this.closed !== undefined;
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

  /**
   * Ctrl-C on a PTY; otherwise SIGINT to the shell's children. `KILL` ends the shell's whole
   * process tree but the shell itself (a PTY gets the Ctrl-C too).
   */
  async interrupt(shellPid: number | undefined, signal: 'INT' | 'KILL' = 'INT'): Promise<void> {
    this.shellPid ??= shellPid;
    const pid = shellPid ?? this.shellPid;
    if (this.hasPty) this.write('\x03');
    if (this.hasPty && signal === 'INT') return;
    if (pid !== undefined) {
      const script =
        signal === 'INT'
          ? childSignalScript(pid, 'INT')
          : treeKillScript(pid, { includeRoot: false, session: 'none' });
      await this.hooks.runSideScript(script);
    } else if (!this.hasPty && !this.closed) {
      // Without the shell's pid the best left is to signal the shell's process group.
      sendSignal(this.channel, signal);
    }
  }

  resize(cols: number, rows: number): void {
    if (this.hasPty && !this.closed) this.channel.setWindow(rows, cols, 0, 0);
  }

  /**
   * Ends the shell's input and gives it `closeTimeoutMs` to exit, then kills whatever is left of
   * its session (the shell if it still runs, a loop in the shell itself, background jobs), then
   * closes the channel. Idempotent; a second call waits for the first. Bounded in time.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.isClosing = true;
    if (!this.closed) {
      // On a terminal the end of input is Ctrl-D: an idle shell exits at once.
      if (this.hasPty) this.channel.write('\x04');
      this.channel.end();
      await raceDeadline(this.whenExited, this.hooks.closeTimeoutMs);
    }
    await this.killLeftovers();
    if (!this.closed) {
      this.channel.close();
      // A channel on a dead connection may never report its close; do not wait for it forever.
      await raceDeadline(this.whenClosed, this.hooks.closeTimeoutMs);
      this.onChannelClose();
    }
    this.hooks.onClosed(this);
  }

  private async killLeftovers(): Promise<void> {
    const pid = this.shellPid;
    if (pid === undefined) {
      if (!this.closed) sendSignal(this.channel, 'KILL');
      return;
    }
    await this.hooks
      .runSideScript(treeKillScript(pid, { session: 'assumed' }))
      .catch((error: Error) =>
        this.hooks.logger?.debug(`could not end the processes of shell ${pid}: ${error.message}`),
      );
  }

  private deliver(chunk: Buffer): void {
    if (this.dataListener) this.dataListener(chunk);
    else this.pending.push(chunk);
  }

  private onStderr(chunk: Buffer): void {
    let text = chunk.toString('utf8');
    if (this.stderrHead !== undefined) {
      this.stderrHead += text;
      const match = PID_LINE.exec(this.stderrHead);
      if (!match && this.stderrHead.length < PID_LINE_MAX_CHARS && !this.stderrHead.includes('\n'))
        return;
      if (match) this.shellPid ??= Number(match[1]);
      text = match ? this.stderrHead.slice(match[0].length) : this.stderrHead;
      this.stderrHead = undefined;
    }
    if (text) this.hooks.logger?.debug(`shell stderr: ${text.trimEnd()}`);
  }

  private onChannelClose(): void {
    if (this.closed) return;
    this.markExited();
    const isExpected = this.isClosing || this.hasExited;
    this.closed = { error: isExpected ? undefined : this.hooks.endReason() };
    this.hooks.release();
    this.closeListener?.(this.closed.error);
    this.markClosed();
    if (!this.isClosing) this.hooks.onEnded(this);
  }
}
