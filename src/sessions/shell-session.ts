import { StringDecoder } from 'node:string_decoder';
import { BoundedOutput, DEFAULT_MAX_OUTPUT_BYTES } from '../common/bounded-output.js';
import { Deadline, raceDeadline } from '../common/deadline.js';
import { Mutex } from '../common/mutex.js';
import type { OttoError, TimeoutError } from '../errors.js';
import type { ShellChannel } from '../transports/transport.js';
import { CommandReader, type CommandEnd } from './command-reader.js';
import { ExpectMatcher, toRegExp } from './expect-matcher.js';
import {
  createMarkers,
  createSessionToken,
  frameCommand,
  RAW_TERMINAL,
  readyProbe,
  type SessionMarkers,
} from './framing.js';
import { LineSplitter } from './line-splitter.js';
import type { SessionOutcome, SessionRunOptions, ShellSessionOptions } from './session-options.js';
import { recoverShell } from './session-recovery.js';
import {
  asOttoError,
  closedError,
  describeSession,
  endedError,
  lostError,
  sessionTimeoutError,
  stopError,
  type SessionPlace,
} from './session-errors.js';

export type { SessionOutcome, SessionRunOptions, ShellSessionOptions };

/** `new`: not opened yet; `dead`: the shell ended, reopened on the next call; `closed`: final. */
type State = 'new' | 'ready' | 'dead' | 'closed';

/**
 * A persistent shell on a transport: cwd, environment, variables and functions persist between
 * commands. Commands are framed (framing.ts) and served one at a time in call order; every call
 * has a deadline (and honours its caller's signal), after which the command is interrupted and
 * the shell recovered (or, failing that, marked dead and reopened on the next call). Works on any
 * POSIX shell: sh, bash, dash, busybox ash, with or without a terminal. Closing is final: every
 * later call is refused with a `ClosedError`.
 * @example
 * const session = new ShellSession({ name: 'default', place, openChannel, ... });
 * const { exitCode, output } = await session.run('cd /tmp && pwd');
 */
export class ShellSession {
  private readonly lock = new Mutex();
  private state: State = 'new';
  private channel?: ShellChannel;
  private closing?: Promise<void>;
  private markers!: SessionMarkers;
  private seq = 0;
  private shellPid?: number;
  private isCooked = false;
  /** The terminal was found post-processing output again (`stty sane`): raw mode is restored next. */
  private needsRawTerminal = false;
  private unread = '';
  private decoder = new StringDecoder('utf8');
  private consumer?: (chunk: Buffer) => void;
  private onLost?: (error: Error) => void;

  private readonly place: SessionPlace;

  constructor(readonly options: ShellSessionOptions) {
    this.place = describeSession(options.name, options.place);
  }

  /** True while the shell is open and usable. */
  get isAlive(): boolean {
    return this.state === 'ready';
  }

  /** True once `close()` was called. */
  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Runs one command; resolves with its outcome, never rejects for the command's own failure. */
  run(command: string, options: SessionRunOptions = {}): Promise<SessionOutcome> {
    return this.exclusive('run a command', async () => {
      const startMs = performance.now();
      using deadline = new Deadline({
        timeoutMs: options.timeoutMs ?? this.options.defaultTimeoutMs,
        signal: options.signal,
      });
      const failed = (error: OttoError): SessionOutcome => ({
        exitCode: -1,
        output: Buffer.alloc(0),
        droppedBytes: 0,
        durationMs: performance.now() - startMs,
        error,
      });
      if (deadline.reason) return failed(stopError(deadline, command, this.place));
      try {
        await this.ensureOpen(options.signal);
      } catch (error) {
        return failed(asOttoError(error, this.place));
      }
      return await this.runFramed(command, options, deadline, startMs);
    });
  }

  /** Writes raw text to the shell (the caller supplies line endings). */
  send(text: string): Promise<void> {
    return this.exclusive('send text', async () => {
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
    return this.exclusive('expect output', async () => {
      await this.ensureOpen(options.signal);
      const regex = toRegExp(pattern);
      const timeoutMs = options.timeoutMs ?? this.options.expectTimeoutMs ?? 10_000;
      using deadline = new Deadline({ timeoutMs, signal: options.signal });
      const match = await this.waitForText(regex, deadline, `waiting for ${String(regex)}`);
      const end = match.index + match[0].length;
      const consumed = this.unread.slice(0, end);
      this.unread = this.unread.slice(end);
      return consumed;
    });
  }

  /**
   * Closes the shell and ends what it runs (the transport's channel close kills its processes);
   * a running command ends with an error outcome. Final and idempotent: a second call waits for
   * the first.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.state = 'closed';
    const channel = this.channel;
    this.channel = undefined;
    this.onLost?.(closedError(this.place, 'finish the command'));
    this.closing = channel ? channel.close().catch(() => undefined) : Promise.resolve();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Runs `work` in turn; refused once the session is closed, also for callers still queued. */
  private exclusive<T>(call: string, work: () => Promise<T>): Promise<T> {
    if (this.state === 'closed') return Promise.reject(closedError(this.place, call));
    return this.lock.runExclusive(() => {
      if (this.state === 'closed') throw closedError(this.place, call);
      return work();
    });
  }

  private async ensureOpen(signal?: AbortSignal): Promise<void> {
    if (this.state === 'ready') return;
    const channel = await this.openChannel(signal);
    this.attach(channel);
    this.markers = createMarkers(createSessionToken());
    const probe = readyProbe(this.markers.token, channel.hasPty);
    channel.write(probe);
    using deadline = new Deadline({ timeoutMs: this.options.openTimeoutMs, signal });
    let match: RegExpExecArray;
    try {
      match = await this.waitForText(
        this.markers.readyPattern,
        deadline,
        `waiting for the shell to answer after it was opened`,
        () => channel.write(probe),
      );
    } catch (error) {
      this.channel = undefined;
      if (this.state !== 'closed') this.state = 'dead';
      await channel.close().catch(() => undefined);
      throw error;
    }
    this.isCooked = match[1] === 'cooked';
    this.needsRawTerminal = false;
    this.shellPid = Number(match[2]);
    channel.shellPid = this.shellPid;
    this.unread = this.unread.slice(match.index + match[0].length);
    this.state = 'ready';
  }

  private async openChannel(signal: AbortSignal | undefined): Promise<ShellChannel> {
    const opening = this.options.openChannel();
    const result = await raceDeadline(opening, this.options.openTimeoutMs, signal);
    if (result.kind === 'done') {
      if (this.state !== 'closed') return result.value;
      await result.value.close().catch(() => undefined);
      throw closedError(this.place, 'open the shell');
    }
    if (result.kind === 'failed') throw asOttoError(result.error, this.place);
    opening.then((late) => late.close()).catch(() => undefined);
    if (result.kind === 'aborted') {
      using deadline = new Deadline({ signal });
      throw deadline.stopError('SESSION_TIMEOUT', `opening the shell of ${this.place.label}`);
    }
    throw this.timeoutError(
      `Opening the shell took longer than ${this.options.openTimeoutMs}ms`,
      '',
    );
  }

  private attach(channel: ShellChannel): void {
    this.channel = channel;
    this.unread = '';
    this.decoder = new StringDecoder('utf8');
    channel.onData((chunk) => (this.consumer ? this.consumer(chunk) : this.keepUnread(chunk)));
    channel.onClose((error) => {
      // The shell ended (`exit`, a dropped connection): closing its channel ends what it left.
      void channel.close().catch(() => undefined);
      if (this.channel !== channel) return;
      this.state = 'dead';
      this.channel = undefined;
      this.onLost?.(endedError(error, this.place));
    });
  }

  private keepUnread(chunk: Buffer): void {
    // Raw output waits here for expect(); a bound keeps a chatty idle shell from growing it forever.
    this.unread += this.decoder.write(chunk);
    if (this.unread.length > 8_000_000) this.unread = this.unread.slice(-4_000_000);
  }

  private async runFramed(
    command: string,
    options: SessionRunOptions,
    deadline: Deadline,
    startMs: number,
  ): Promise<SessionOutcome> {
    const seq = ++this.seq;
    const output = new BoundedOutput(
      options.maxOutputBytes ?? this.options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
    );
    // Both are built only when needed: this is the per-command hot path.
    const onLine = this.options.onLine;
    const lines =
      onLine && (this.options.isLogging?.() ?? true) ? new LineSplitter(onLine) : undefined;
    const matcher = options.expects?.length ? new ExpectMatcher(options.expects) : undefined;
    const onOutput = options.onOutput;
    // Once the command is stopped, what still arrives (the shell's answer to the interrupt, the
    // recovery probe's) is kept for the result, which cuts it, but is no longer streamed or logged.
    let isStopped = false;
    const reader = new CommandReader(
      this.markers.begin(seq),
      this.markers.endPrefix(seq),
      (bytes) => {
        output.push(bytes);
        if (isStopped) return;
        onOutput?.(bytes);
        lines?.push(bytes);
        if (matcher) for (const answer of matcher.push(bytes)) this.channel?.write(answer);
      },
    );
    this.unread = '';
    const ended = this.consume(reader);
    this.channel!.write(
      frameCommand(command, {
        token: this.markers.token,
        seq,
        isInteractive: (options.expects?.length ?? 0) > 0,
        ...(this.needsRawTerminal ? { prefix: RAW_TERMINAL } : {}),
      }),
    );
    this.needsRawTerminal = false;
    const result = await deadline.race(ended);
    const outcome = (exitCode: number, error?: OttoError): SessionOutcome => ({
      exitCode,
      output: this.finishOutput(output, reader, seq, error !== undefined),
      droppedBytes: output.droppedBytes,
      durationMs: performance.now() - startMs,
      ...(error ? { error } : {}),
    });
    if (result.kind === 'done') {
      lines?.flush();
      this.keepRest(result.value.rest);
      return outcome(result.value.exitCode);
    }
    const error =
      result.kind === 'failed'
        ? this.state === 'closed'
          ? asOttoError(result.error, this.place)
          : lostError(command, result.error, this.place)
        : stopError(deadline, command, this.place);
    isStopped = true;
    if (result.kind !== 'failed') await this.recover(seq, reader);
    lines?.flush();
    this.consumer = undefined;
    this.onLost = undefined;
    return outcome(-1, error);
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
   * Interrupts the running command and gets the shell back (session-recovery.ts). A shell that
   * does not come back is ended (its channel's close ends its processes) and reopened next time.
   */
  private async recover(seq: number, reader: CommandReader): Promise<void> {
    const channel = this.channel;
    if (!channel) return;
    const recovered = await recoverShell({
      channel,
      markers: this.markers,
      seq,
      shellPid: this.shellPid,
      reader,
      setConsumer: (consumer) => (this.consumer = consumer),
      recoverTimeoutMs: this.options.recoverTimeoutMs,
      killTimeoutMs: this.options.killTimeoutMs,
    });
    if (recovered) return;
    if (this.state !== 'closed') this.state = 'dead';
    this.channel = undefined;
    await channel.close().catch(() => undefined);
  }

  /**
   * The kept output as the caller sees it: `\r\n` turned into `\n` where the terminal adds `\r`
   * (a cooked terminal, or one that `stty sane` put back to post-processing: raw mode is then
   * restored before the next command), and, for a stopped command, without the recovery answer.
   */
  private finishOutput(
    output: BoundedOutput,
    reader: CommandReader,
    seq: number,
    wasStopped: boolean,
  ): Buffer {
    let bytes = output.toBuffer();
    if (wasStopped) bytes = this.cutRecovery(bytes, seq);
    const isCrlf = this.isCooked || reader.isCrlf;
    if (reader.isCrlf && !this.isCooked) this.needsRawTerminal = true;
    return isCrlf ? Buffer.from(bytes.toString('latin1').replace(/\r\n/g, '\n'), 'latin1') : bytes;
  }

  /** Drops the recovery probe's answer where it landed in the output of an aborted command line. */
  private cutRecovery(output: Buffer, seq: number): Buffer {
    const at = output.indexOf(`__OTTO_${this.markers.token}_R${seq}_`);
    return at < 0 ? output : output.subarray(0, at);
  }

  private async waitForText(
    pattern: RegExp,
    deadline: Deadline,
    doing: string,
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
    const result = await deadline.race(found, onTick);
    this.consumer = undefined;
    this.onLost = undefined;
    if (result.kind === 'done') return result.value;
    if (result.kind === 'failed') throw asOttoError(result.error, this.place);
    if (result.kind === 'aborted')
      throw deadline.stopError('SESSION_TIMEOUT', `${doing} on ${this.place.label}`);
    throw this.timeoutError(`Timed out after ${deadline.timeoutMs}ms ${doing}`, this.unread);
  }

  private timeoutError(what: string, lastOutput: string): TimeoutError {
    return sessionTimeoutError(what, this.place, lastOutput);
  }
}
