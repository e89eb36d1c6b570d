import { StringDecoder } from 'node:string_decoder';
import { ConnectionError, type OttoError, type TimeoutError } from '../errors.js';
import { Mutex } from '../common/mutex.js';
import type { ShellChannel, TransportKind } from '../transports/transport.js';
import { CommandReader, type CommandEnd } from './command-reader.js';
import { ExpectMatcher, toRegExp, type ExpectRule } from './expect-matcher.js';
import {
  createMarkers,
  createSessionToken,
  frameCommand,
  readyProbe,
  recoveryProbe,
  type SessionMarkers,
} from './framing.js';
import { LineSplitter } from './line-splitter.js';
import {
  abortError,
  asOttoError,
  describeSession,
  lostError,
  sessionTimeoutError,
  stopError,
  type SessionWhere,
} from './session-errors.js';
import { waitFor } from './wait-for.js';

/** Options of a {@link ShellSession}, resolved by its host. */
export interface ShellSessionOptions {
  /** Session name: `default` or the name given to `openSession`. */
  name: string;
  /** The host, for messages. */
  hostId: string;
  transportKind: TransportKind;
  /** Opens a new shell channel on the host's transport. */
  openChannel: () => Promise<ShellChannel>;
  /** Deadline of a command without its own. */
  defaultTimeoutMs: number;
  /** Deadline of opening the shell and its readiness handshake. */
  openTimeoutMs: number;
  /** How long an interrupted shell may take to answer the recovery probe. */
  recoverTimeoutMs: number;
  /** Receives each output line of every command (host logging). */
  onLine?: (line: string) => void;
  /** Whether `onLine` wants lines now (a host's log switch); checked once per command. @default always */
  isLogging?: () => boolean;
}

/** Per-command options. */
export interface SessionRunOptions {
  timeoutMs?: number;
  /** Prompts to answer while the command runs; makes the command's stdin the session. */
  expects?: readonly ExpectRule[];
  signal?: AbortSignal;
}

/** What a command on a session left. `error` is set when it did not finish by itself. */
export interface SessionOutcome {
  /** Exit code; -1 when the command did not finish. */
  exitCode: number;
  output: Buffer;
  durationMs: number;
  error?: OttoError;
}

type State = 'closed' | 'ready' | 'dead';

/**
 * A persistent shell on a transport: cwd, environment, variables and functions persist between
 * commands. Commands are framed (framing.ts) and served one at a time in call order; every call
 * has a deadline, after which the command is interrupted and the shell recovered (or, failing
 * that, marked dead and reopened on the next call). Works on any POSIX shell: sh, bash, dash,
 * busybox ash, with or without a terminal.
 * @example
 * const session = new ShellSession({ name: 'default', hostId: 'local', ... });
 * const { exitCode, output } = await session.run('cd /tmp && pwd');
 */
export class ShellSession {
  private readonly lock = new Mutex();
  private state: State = 'closed';
  private channel?: ShellChannel;
  private markers!: SessionMarkers;
  private seq = 0;
  private shellPid?: number;
  private isCooked = false;
  private unread = '';
  private decoder = new StringDecoder('utf8');
  private consumer?: (chunk: Buffer) => void;
  private onLost?: (error: Error) => void;

  private readonly where: SessionWhere;

  constructor(readonly options: ShellSessionOptions) {
    this.where = describeSession(options.name, options.hostId, options.transportKind);
  }

  /** True while the shell is open and usable. */
  get isAlive(): boolean {
    return this.state === 'ready';
  }

  /** Runs one command; resolves with its outcome, never rejects for the command's own failure. */
  run(command: string, options: SessionRunOptions = {}): Promise<SessionOutcome> {
    return this.lock.runExclusive(async () => {
      const startMs = performance.now();
      try {
        await this.ensureOpen();
      } catch (error) {
        return {
          exitCode: -1,
          output: Buffer.alloc(0),
          durationMs: performance.now() - startMs,
          error: asOttoError(error),
        };
      }
      return this.runFramed(command, options, startMs);
    });
  }

  /** Writes raw text to the shell (the caller supplies line endings). */
  send(text: string): Promise<void> {
    return this.lock.runExclusive(async () => {
      await this.ensureOpen();
      this.channel!.write(text);
    });
  }

  /**
   * Waits for `pattern` in the shell's output and returns everything up to and including the
   * match; what follows stays for the next expect.
   */
  expect(
    pattern: RegExp | string,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<string> {
    return this.lock.runExclusive(async () => {
      await this.ensureOpen();
      const regex = toRegExp(pattern);
      const timeoutMs = options.timeoutMs ?? 10_000;
      const match = await this.waitForText(regex, timeoutMs, options.signal, () =>
        this.timeoutError(
          `Timed out after ${timeoutMs}ms waiting for ${String(regex)}`,
          this.unread,
        ),
      );
      const end = match.index + match[0].length;
      const consumed = this.unread.slice(0, end);
      this.unread = this.unread.slice(end);
      return consumed;
    });
  }

  /** Closes the shell; a running command ends with an error outcome. Idempotent. */
  async close(): Promise<void> {
    const channel = this.channel;
    this.channel = undefined;
    this.state = 'closed';
    this.onLost?.(new ConnectionError('SESSION_CLOSED', `Session ${this.describe()} was closed.`));
    await channel?.close();
  }

  private async ensureOpen(): Promise<void> {
    if (this.state === 'ready') return;
    const channel = await this.withOpenDeadline(this.options.openChannel());
    this.attach(channel);
    this.markers = createMarkers(createSessionToken());
    const probe = readyProbe(this.markers.token, channel.hasPty);
    channel.write(probe);
    const match = await this.waitForText(
      this.markers.readyPattern,
      this.options.openTimeoutMs,
      undefined,
      () => {
        void channel.close();
        return this.timeoutError(
          `The shell did not answer within ${this.options.openTimeoutMs}ms after it was opened`,
          this.unread,
        );
      },
      () => channel.write(probe),
    );
    this.isCooked = match[1] === 'cooked';
    this.shellPid = Number(match[2]);
    this.unread = this.unread.slice(match.index + match[0].length);
    this.state = 'ready';
  }

  private attach(channel: ShellChannel): void {
    this.channel = channel;
    this.unread = '';
    this.decoder = new StringDecoder('utf8');
    channel.onData((chunk) => (this.consumer ? this.consumer(chunk) : this.keepUnread(chunk)));
    channel.onClose((error) => {
      if (this.channel !== channel) return;
      this.state = 'dead';
      this.channel = undefined;
      const why = error ? `: ${error.message}` : '';
      this.onLost?.(
        new ConnectionError(
          'SESSION_LOST',
          `The shell of session ${this.describe()} ended${why}.`,
          { cause: error },
        ),
      );
    });
  }

  private keepUnread(chunk: Buffer): void {
    // Raw output waits here for expect(); a bound keeps a chatty idle shell from growing it forever.
    this.unread = (this.unread + this.decoder.write(chunk)).slice(-8_000_000);
  }

  private async runFramed(
    command: string,
    options: SessionRunOptions,
    startMs: number,
  ): Promise<SessionOutcome> {
    const seq = ++this.seq;
    const chunks: Buffer[] = [];
    // Both are built only when needed: this is the per-command hot path.
    const onLine = this.options.onLine;
    const lines =
      onLine && (this.options.isLogging?.() ?? true) ? new LineSplitter(onLine) : undefined;
    const matcher = options.expects?.length ? new ExpectMatcher(options.expects) : undefined;
    const reader = new CommandReader(
      this.markers.begin(seq),
      this.markers.endPrefix(seq),
      (bytes) => {
        chunks.push(bytes);
        lines?.push(bytes);
        if (matcher) for (const answer of matcher.push(bytes)) this.channel?.write(answer);
      },
    );
    const timeoutMs = options.timeoutMs ?? this.options.defaultTimeoutMs;
    this.unread = '';
    const ended = this.consume(reader);
    this.channel!.write(
      frameCommand(command, {
        token: this.markers.token,
        seq,
        isInteractive: (options.expects?.length ?? 0) > 0,
      }),
    );
    const result = await waitFor(ended, timeoutMs, options.signal);
    if (result.kind === 'done') {
      lines?.flush();
      this.keepRest(result.value.rest);
      return {
        exitCode: result.value.exitCode,
        output: this.joinOutput(chunks),
        durationMs: performance.now() - startMs,
      };
    }
    const error =
      result.kind === 'failed'
        ? lostError(command, result.error, this.where)
        : stopError(result.kind, command, timeoutMs, this.where);
    if (result.kind !== 'failed') await this.recover(seq, reader);
    lines?.flush();
    this.consumer = undefined;
    this.onLost = undefined;
    return {
      exitCode: -1,
      output: this.cutRecovery(this.joinOutput(chunks), seq),
      durationMs: performance.now() - startMs,
      error,
    };
  }

  /** Routes incoming bytes to `reader` until the command ends or the shell is lost. */
  private consume(reader: CommandReader): Promise<CommandEnd> {
    return new Promise<CommandEnd>((resolve, reject) => {
      this.onLost = reject;
      this.consumer = (chunk) => {
        const end = reader.push(chunk);
        if (!end) return;
        this.consumer = undefined;
        this.onLost = undefined;
        resolve(end);
      };
    });
  }

  private keepRest(rest: Buffer): void {
    if (rest.length > 0) this.keepUnread(rest);
  }

  /**
   * Interrupts the running command and asks the shell to answer a recovery probe. Output that
   * still arrives goes on into the command's output. A shell that does not answer, even after
   * SIGKILL to its children, is marked dead and reopened on the next call.
   */
  private async recover(seq: number, reader: CommandReader): Promise<void> {
    const channel = this.channel;
    if (!channel) return;
    const pattern = this.markers.recoverPattern(seq);
    let seen = '';
    let recovered!: () => void;
    const answered = new Promise<void>((resolve) => (recovered = resolve));
    this.consumer = (chunk) => {
      reader.push(chunk);
      seen = (seen + chunk.toString('latin1')).slice(-4096);
      if (pattern.test(seen)) recovered();
    };
    for (const signal of ['INT', 'KILL'] as const) {
      await channel.interrupt(this.shellPid, signal).catch(() => undefined);
      channel.write(recoveryProbe(this.markers.token, seq));
      const outcome = await waitFor(
        answered,
        signal === 'INT' ? this.options.recoverTimeoutMs : 2000,
      );
      if (outcome.kind === 'done') return;
    }
    this.state = 'dead';
    this.channel = undefined;
    await channel.close();
  }

  private joinOutput(chunks: Buffer[]): Buffer {
    const output = Buffer.concat(chunks);
    return this.isCooked
      ? Buffer.from(output.toString('latin1').replace(/\r\n/g, '\n'), 'latin1')
      : output;
  }

  /** Drops the recovery probe's answer where it landed in the output of an aborted command line. */
  private cutRecovery(output: Buffer, seq: number): Buffer {
    const at = output.indexOf(`__OTTO_${this.markers.token}_R${seq}_`);
    return at < 0 ? output : output.subarray(0, at);
  }

  private waitForText(
    pattern: RegExp,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    onTimeout: () => OttoError,
    onTick?: () => void,
  ): Promise<RegExpExecArray> {
    const found = new Promise<RegExpExecArray>((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(this.unread);
        if (match) {
          this.consumer = undefined;
          this.onLost = undefined;
          resolve(match);
        }
      };
      this.onLost = reject;
      this.consumer = (chunk) => {
        this.keepUnread(chunk);
        check();
      };
      check();
    });
    return waitFor(found, timeoutMs, signal, onTick).then((result) => {
      this.consumer = undefined;
      this.onLost = undefined;
      if (result.kind === 'done') return result.value;
      if (result.kind === 'failed') throw asOttoError(result.error);
      if (result.kind === 'aborted') throw abortError(this.describe());
      throw onTimeout();
    });
  }

  private async withOpenDeadline(opening: Promise<ShellChannel>): Promise<ShellChannel> {
    const result = await waitFor(opening, this.options.openTimeoutMs);
    if (result.kind === 'done') return result.value;
    if (result.kind === 'failed') throw asOttoError(result.error);
    opening.then((late) => late.close()).catch(() => undefined);
    throw this.timeoutError(
      `Opening the shell took longer than ${this.options.openTimeoutMs}ms`,
      '',
    );
  }

  private timeoutError(what: string, lastOutput: string): TimeoutError {
    return sessionTimeoutError(what, this.where, lastOutput);
  }

  private describe(): string {
    return this.where.label;
  }
}
