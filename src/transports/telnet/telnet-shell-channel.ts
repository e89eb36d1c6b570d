import { raceDeadline } from '../../common/deadline.js';
import type { Logger } from '../../common/logger.js';
import { treeKillScript } from '../interrupt-script.js';
import type { ShellChannel } from '../transport.js';
import type { TelnetConnection } from './telnet-connection.js';

/** What a telnet shell channel needs from its transport. */
export interface TelnetChannelHooks {
  /** Runs a script on the transport's control connection; resolves its output. */
  runSideScript(script: string): Promise<string>;
  /** Why a connection that ended without our `close()` went away. */
  endReason(error: Error | undefined): Error;
  /** Told once `close()` finished or the connection ended by itself. */
  onGone(channel: TelnetShellChannel): void;
  /** How long closing waits for the shell to end by itself after Ctrl-D. */
  closeTimeoutMs: number;
  logger?: Logger;
}

/**
 * The session id of a process, from /proc: telnetd makes `login` the leader of each
 * connection's session, and the shell is its child, so the shell's jobs are found by that id.
 */
function sessionIdScript(pid: number): string {
  return `read -r l < /proc/${pid}/stat && set -- \${l##*) } && echo "sid=$4"`;
}

/**
 * A logged-in shell on its own telnet connection, always on a terminal. Ctrl-C interrupts;
 * `KILL` and `close()` end the shell's processes through the transport's control connection,
 * because a hang-up alone leaves background jobs running: closing learns the session of the
 * shell, types Ctrl-D, waits `closeTimeoutMs` for the server to hang up, then kills whatever is
 * left of that session (login, the shell, its jobs), then cuts the connection. Idempotent and
 * bounded in time.
 */
export class TelnetShellChannel implements ShellChannel {
  readonly hasPty = true;
  private closing?: Promise<void>;
  private isClosing = false;
  private closeListener?: (error?: Error) => void;
  private closed?: { error?: Error };
  private markGone!: () => void;
  private readonly whenGone = new Promise<void>((resolve) => (this.markGone = resolve));

  constructor(
    private readonly connection: TelnetConnection,
    /** The shell's pid, as its login handshake told. */
    public shellPid: number | undefined,
    private readonly hooks: TelnetChannelHooks,
  ) {
    connection.onClose((error) => this.onConnectionClose(error));
  }

  /** True once the channel ended, by `close()` or by itself. */
  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.connection.onData(listener);
  }

  onClose(listener: (error?: Error) => void): void {
    this.closeListener = listener;
    if (this.closed) listener(this.closed.error);
  }

  write(data: string | Buffer): void {
    if (!this.closed) this.connection.write(data);
  }

  /** Ctrl-C; `KILL` also kills everything the shell started (not the shell). */
  async interrupt(shellPid: number | undefined, signal: 'INT' | 'KILL' = 'INT'): Promise<void> {
    const pid = shellPid ?? this.shellPid;
    this.write('\x03');
    if (signal === 'INT' || pid === undefined) return;
    // What ignores Ctrl-C (or took the terminal raw) is killed from the control connection.
    await this.hooks.runSideScript(treeKillScript(pid, { includeRoot: false, session: 'none' }));
  }

  resize(cols: number, rows: number): void {
    if (!this.closed) this.connection.resize(cols, rows);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.isClosing = true;
    const sessionId = await this.findSessionId();
    if (!this.closed) {
      // On a terminal the end of input is Ctrl-D: an idle shell exits, and telnetd hangs up.
      this.connection.write('\x04');
      await raceDeadline(this.whenGone, this.hooks.closeTimeoutMs);
    }
    await this.killLeftovers(sessionId);
    if (!this.closed) {
      this.connection.destroy();
      await raceDeadline(this.whenGone, this.hooks.closeTimeoutMs);
      this.onConnectionClose(undefined);
    }
  }

  private async findSessionId(): Promise<number | undefined> {
    if (this.shellPid === undefined || this.closed) return undefined;
    try {
      const match = /sid=(\d+)/.exec(
        await this.hooks.runSideScript(sessionIdScript(this.shellPid)),
      );
      return match && Number(match[1]) > 1 ? Number(match[1]) : undefined;
    } catch (error) {
      this.hooks.logger?.debug(
        `could not read the session of shell ${this.shellPid}: ${(error as Error).message}`,
      );
      return undefined;
    }
  }

  private async killLeftovers(sessionId: number | undefined): Promise<void> {
    const pid = this.shellPid;
    if (pid === undefined) return;
    const script =
      sessionId === undefined
        ? treeKillScript(pid, { session: 'led' })
        : treeKillScript(sessionId, { session: 'assumed' });
    await this.hooks
      .runSideScript(script)
      .catch((error: Error) =>
        this.hooks.logger?.debug(`could not end the processes of shell ${pid}: ${error.message}`),
      );
  }

  private onConnectionClose(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = { error: this.isClosing ? undefined : this.hooks.endReason(error) };
    this.markGone();
    this.closeListener?.(this.closed.error);
    this.hooks.onGone(this);
  }
}
