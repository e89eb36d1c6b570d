import { ExecOutput } from '../common/bounded-output.js';
import { Deadline } from '../common/deadline.js';
import { describePlace, placeDetails, shortCommand, type Place } from '../common/place.js';
import { ClosedError, ConnectionError } from '../errors.js';
import { ShellSession } from '../sessions/shell-session.js';
import type {
  Argv,
  ExecOptions,
  ExecOutcome,
  ShellChannel,
  ShellChannelOptions,
  ShellTransport,
  Transport,
} from '../transports/transport.js';
import {
  buildOneshotScript,
  cleanupScript,
  newOneshotFiles,
  oneshotLine,
  OneshotSplitter,
  type OneshotFiles,
} from './oneshot-script.js';

/** Options of a {@link SessionPoolTransport}. */
export interface SessionPoolOptions {
  /** Most sessions open at once for oneshots; more callers wait their turn. @default 8 */
  maxSessions?: number;
  /** An idle session is closed after this long. @default 30000 */
  idleTimeoutMs?: number;
  /** Open the pool's shells on a terminal. @default true */
  pty?: boolean;
  /** Deadline of opening a pool session (login and handshake). @default 15000 */
  openTimeoutMs?: number;
  /** @default 5000 */
  recoverTimeoutMs?: number;
  /** @default 2000 */
  killTimeoutMs?: number;
}

type ResolvedPoolOptions = Required<SessionPoolOptions>;

/** The longest delay a Node timer takes: a pool session's own deadline, never reached. */
const NO_TIMEOUT_MS = 2_147_483_647;
/** The session's own copy of a oneshot's output is unused (ExecOutput keeps it): keep it tiny. */
const SESSION_OUTPUT_BYTES = 4096;
/** Tries of opening a shell whose server hung up during the login, and the pause after the first. */
const OPEN_ATTEMPTS = 4;
const OPEN_RETRY_MS = 50;
/** Deadline of removing stopped oneshots' temporary files when the pool closes. */
const CLEANUP_TIMEOUT_MS = 2000;

/**
 * A full {@link Transport} from one that only opens shells (telnet): each `exec` runs on a pool of
 * extra framed shell sessions. An idle session is reused, so serial callers share one warm
 * session; concurrent callers get sessions of their own, up to `maxSessions` (then they queue).
 * Idle sessions close after `idleTimeoutMs`, all of them on close. A oneshot stopped by its
 * deadline or signal closes its session (which ends everything it started) rather than
 * recovering it. stdout and stderr come apart, stderr after stdout (see oneshot-script.ts).
 * @example
 * const transport = new SessionPoolTransport(new TelnetTransport(target), { maxSessions: 4 });
 * const { stdout } = await transport.exec(['uname', '-a'], { timeoutMs: 10_000 });
 */
export class SessionPoolTransport implements Transport {
  private readonly options: ResolvedPoolOptions;
  /** Every open session, with the files its oneshots use on the host. */
  private readonly all = new Map<ShellSession, OneshotFiles>();
  private readonly idle: Array<{ session: ShellSession; timer: NodeJS.Timeout }> = [];
  private readonly waiters: Array<(session: ShellSession | undefined) => void> = [];
  private staleFiles: string[] = [];
  private opened = 0;
  private closing?: Promise<void>;

  constructor(
    private readonly inner: ShellTransport,
    options: SessionPoolOptions = {},
  ) {
    this.options = {
      maxSessions: options.maxSessions ?? 8,
      idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
      pty: options.pty ?? true,
      openTimeoutMs: options.openTimeoutMs ?? 15_000,
      recoverTimeoutMs: options.recoverTimeoutMs ?? 5_000,
      killTimeoutMs: options.killTimeoutMs ?? 2_000,
    };
  }

  get kind(): Transport['kind'] {
    return this.inner.kind;
  }

  get address(): string {
    return this.inner.address;
  }

  get place(): Place {
    return this.inner.place;
  }

  /** Sessions open for oneshots now, idle or busy. */
  get sessionCount(): number {
    return this.all.size;
  }

  open(): Promise<void> {
    return this.inner.open();
  }

  /**
   * Opens a shell on the inner transport. A server that hangs up before the login completes (a
   * busybox telnetd whose listen queue of one overflows in a burst of logins) is tried again, up
   * to {@link OPEN_ATTEMPTS} times; a refused login or port is not.
   */
  async openShell(options: ShellChannelOptions): Promise<ShellChannel> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.inner.openShell(options);
      } catch (error) {
        const isHangUp = error instanceof ConnectionError && error.code === 'CONNECTION_LOST';
        if (!isHangUp || attempt >= OPEN_ATTEMPTS || this.closing) throw error;
        await new Promise((resolve) => setTimeout(resolve, OPEN_RETRY_MS * attempt));
      }
    }
  }

  /** Runs one command on a pool session; never rejects for the command's own failure. */
  async exec(command: string | Argv, options: ExecOptions): Promise<ExecOutcome> {
    this.assertOpen('run a command');
    const shown = typeof command === 'string' ? command : command.join(' ');
    const maxBytes = options.maxOutputBytes;
    const line = oneshotLine(command, options.env, this.place);
    using deadline = new Deadline({ timeoutMs: options.timeoutMs, signal: options.signal });
    const output = new ExecOutput(maxBytes, options.onOutput);
    if (deadline.reason) return this.stopped(output, deadline, shown);
    const session = await this.acquire(deadline);
    this.assertOpen('run a command');
    if (!session) return this.stopped(output, deadline, shown);
    const script = buildOneshotScript(line, {
      maxStderrBytes: maxBytes ?? 16 * 1024 * 1024,
      files: this.all.get(session)!,
    });
    const splitter = new OneshotSplitter(script.separator, (chunk, stream) =>
      output.push(chunk, stream),
    );
    const onStop = (): void => void session.close();
    deadline.signal.addEventListener('abort', onStop, { once: true });
    const outcome = await session
      .run(this.withCleanup(script.script), {
        timeoutMs: NO_TIMEOUT_MS,
        maxOutputBytes: SESSION_OUTPUT_BYTES,
        onOutput: (chunk) => splitter.push(chunk),
      })
      .finally(() => deadline.signal.removeEventListener('abort', onStop));
    splitter.flush();
    if (deadline.reason || outcome.error) {
      // Closing the session ends the command and all it started; its files stay until the next call.
      await this.discard(session);
      if (deadline.reason) return this.stopped(output, deadline, shown);
      return { exitCode: -1, ...output.collect(), error: outcome.error };
    }
    this.release(session);
    return { exitCode: outcome.exitCode, ...output.collect() };
  }

  /** Closes every pool session, then the inner transport. Final; idempotent. */
  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async closeAll(): Promise<void> {
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
    for (const { session } of this.idle) this.staleFiles.push(...pathsOf(this.all.get(session)!));
    await this.removeStaleFiles();
    for (const { timer } of this.idle.splice(0)) clearTimeout(timer);
    await Promise.all([...this.all.keys()].map((session) => session.close()));
    this.all.clear();
    await this.inner.close();
  }

  /** Best effort: an idle session removes what stopped oneshots left in /tmp. */
  private async removeStaleFiles(): Promise<void> {
    const idle = this.idle.at(-1);
    if (this.staleFiles.length === 0 || !idle) return;
    const paths = this.staleFiles.splice(0);
    await idle.session.run(cleanupScript(paths), { timeoutMs: CLEANUP_TIMEOUT_MS });
  }

  /** The command, after removing what stopped oneshots left behind. */
  private withCleanup(script: string): string {
    if (this.staleFiles.length === 0) return script;
    const cleanup = cleanupScript(this.staleFiles);
    this.staleFiles = [];
    return `${cleanup}\n${script}`;
  }

  /** A warm idle session, a new one below the cap, or the next one released (undefined when stopped). */
  private acquire(deadline: Deadline): Promise<ShellSession | undefined> {
    const warm = this.idle.pop();
    if (warm) {
      clearTimeout(warm.timer);
      return Promise.resolve(warm.session);
    }
    if (this.all.size < this.options.maxSessions) return Promise.resolve(this.createSession());
    return new Promise((resolve) => {
      const onStop = (): void => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        resolve(undefined);
      };
      const waiter = (session: ShellSession | undefined): void => {
        deadline.signal.removeEventListener('abort', onStop);
        resolve(session);
      };
      this.waiters.push(waiter);
      deadline.signal.addEventListener('abort', onStop, { once: true });
    });
  }

  /** Hands a healthy session to the next waiter, or keeps it idle until its idle timeout. */
  private release(session: ShellSession): void {
    const waiter = this.waiters.shift();
    if (waiter) return waiter(session);
    const timer = setTimeout(() => void this.retire(session), this.options.idleTimeoutMs);
    timer.unref();
    this.idle.push({ session, timer });
  }

  /** Closes an idle session after it removed its own files (and those of closed sessions). */
  private async retire(session: ShellSession): Promise<void> {
    const at = this.idle.findIndex((entry) => entry.session === session);
    if (at < 0) return;
    this.idle.splice(at, 1);
    const paths = [...this.staleFiles.splice(0), ...pathsOf(this.all.get(session)!)];
    this.all.delete(session);
    await session
      .run(cleanupScript(paths), { timeoutMs: CLEANUP_TIMEOUT_MS })
      .catch(() => undefined);
    await session.close();
  }

  /**
   * Closes a session that is done with (its files stay for the next call to remove); a waiter
   * gets a new one in its place.
   */
  private async discard(session: ShellSession): Promise<void> {
    const files = this.all.get(session);
    if (files) this.staleFiles.push(...pathsOf(files));
    this.all.delete(session);
    const waiter = this.closing ? undefined : this.waiters.shift();
    if (waiter) waiter(this.createSession());
    await session.close();
  }

  private createSession(): ShellSession {
    const session = new ShellSession({
      name: `oneshot-${++this.opened}`,
      place: this.place,
      openChannel: () => this.openShell({ pty: this.options.pty }),
      defaultTimeoutMs: NO_TIMEOUT_MS,
      openTimeoutMs: this.options.openTimeoutMs,
      recoverTimeoutMs: this.options.recoverTimeoutMs,
      killTimeoutMs: this.options.killTimeoutMs,
    });
    this.all.set(session, newOneshotFiles());
    return session;
  }

  private stopped(output: ExecOutput, deadline: Deadline, shown: string): ExecOutcome {
    const error = deadline.stopError(
      'COMMAND_TIMEOUT',
      `running \`${shortCommand(shown)}\` on ${describePlace(this.place)}`,
      { ...placeDetails(this.place), operation: shown },
    );
    return { exitCode: -1, ...output.collect(), error };
  }

  private assertOpen(call: string): void {
    if (!this.closing) return;
    throw new ClosedError(`Cannot ${call} on ${describePlace(this.place)}: it was closed.`, {
      ...placeDetails(this.place),
    });
  }
}

function pathsOf(files: OneshotFiles): string[] {
  return [files.stderr, files.status];
}
