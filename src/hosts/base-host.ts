import { writeToSink } from '../common/bounded-output.js';
import { describePlace, placeDetails } from '../common/place.js';
import { joinArgv } from '../common/quote.js';
import {
  ClosedError,
  ConfigError,
  ConnectionError,
  isOttoError,
  type OttoError,
} from '../errors.js';
import { LineSplitter } from '../sessions/line-splitter.js';
import { ShellSession } from '../sessions/shell-session.js';
import type { Argv, ExecOutcome, Transport } from '../transports/transport.js';
import type { Transfer, TransferResult } from '../transfers/transfer.js';
import { commandFailure, statusOf, type CommandResult, type RunResult } from './command-result.js';
import type {
  Commands,
  ExpectOptions,
  Host,
  HostSession,
  InteractOptions,
  OneshotOptions,
  RunOptions,
} from './host.js';
import { HostLog } from './host-log.js';
import { HostTransfers, type HostTransferOptions } from './host-transfers.js';
import type { ResolvedHostOptions } from './host-options.js';
import { bridgeTerminal } from './interact.js';
import { Repeater, type RepeatOptions, type RepeatRecord } from './repeater.js';
import { runCommands } from './run-commands.js';

const DEFAULT_SESSION = 'default';

/**
 * What every host kind shares: the default and named persistent sessions, command lists with a
 * shared deadline, oneshot on the transport, transfers, repeats, logging and closing. A host kind
 * only supplies its transport and its transfers (one, or several by kind with a default).
 */
export abstract class BaseHost implements Host {
  readonly id: string;
  log: boolean;
  private readonly logLines: HostLog;
  private readonly sessions = new Map<string, HostSessionHandle>();
  private readonly repeaters = new Map<string, Repeater>();
  private closing?: Promise<void>;
  private readonly transfers: HostTransfers;

  protected constructor(
    private readonly transport: Transport,
    transfers: Transfer | HostTransfers,
    private readonly options: ResolvedHostOptions,
  ) {
    this.transfers = transfers instanceof HostTransfers ? transfers : HostTransfers.only(transfers);
    this.id = options.id;
    this.log = options.log;
    this.logLines = new HostLog(options.id, options.logger, () => this.log);
  }

  get kind(): Transport['kind'] {
    return this.transport.kind;
  }

  async run(cmds: Commands, options: RunOptions = {}): Promise<RunResult> {
    return (await this.session(DEFAULT_SESSION, 'run commands')).run(cmds, options);
  }

  /**
   * Runs one command apart from every session. A deadline, an abort or a lost connection give an
   * `error` result (with the output so far); only a closed host or invalid options reject.
   */
  async oneshot(cmd: string | Argv, options: OneshotOptions = {}): Promise<CommandResult> {
    this.assertOpen('run a oneshot');
    const command = typeof cmd === 'string' ? cmd : joinArgv(cmd);
    this.logLines.command(command, 'oneshot');
    const startMs = performance.now();
    const outcome = await this.execOnTransport(cmd, options);
    const error = outcome.error;
    const result: CommandResult = {
      command,
      output: outcome.output.toString('utf8'),
      stdout: outcome.stdout.toString('utf8'),
      stderr: outcome.stderr.toString('utf8'),
      outputBytes: outcome.output,
      exitCode: outcome.exitCode,
      status: statusOf(outcome.exitCode, options.okExitCodes, error),
      durationMs: performance.now() - startMs,
      droppedBytes: outcome.droppedBytes,
      ...(error ? { error } : {}),
    };
    if (options.check && result.status !== 'success') throw commandFailure(result, this.id);
    return result;
  }

  private async execOnTransport(cmd: string | Argv, options: OneshotOptions): Promise<ExecOutcome> {
    const lines = this.log ? new LineSplitter((line) => this.logLines.output(line)) : undefined;
    const sink = options.output;
    try {
      return await this.transport.exec(cmd, {
        timeoutMs: options.timeoutMs ?? this.options.oneshotTimeoutMs,
        signal: options.signal,
        env: options.env,
        maxOutputBytes: options.maxOutputBytes ?? this.options.maxOutputBytes,
        onOutput: (chunk, stream) => {
          lines?.push(chunk);
          writeToSink(sink, chunk, stream);
        },
      });
    } catch (error) {
      // A closed host and invalid options are the caller's mistakes; anything else (no
      // connection) is this command's outcome, as it is for `run`.
      if (error instanceof ClosedError || error instanceof ConfigError) throw error;
      const empty = Buffer.alloc(0);
      return {
        exitCode: -1,
        stdout: empty,
        stderr: empty,
        output: empty,
        droppedBytes: 0,
        error: this.asOttoError(error),
      };
    } finally {
      lines?.flush();
    }
  }

  /** Opens (or returns the live) named session with its own shell state. */
  async openSession(name: string): Promise<HostSession> {
    if (name === DEFAULT_SESSION)
      throw new ConfigError(
        'RESERVED_SESSION',
        `Session name "${DEFAULT_SESSION}" is reserved for the host's own session on host "${this.id}".`,
      );
    return this.session(name, 'open a session');
  }

  async send(text: string): Promise<void> {
    await (await this.session(DEFAULT_SESSION, 'send text')).send(text);
  }

  async expect(pattern: RegExp | string, options: ExpectOptions = {}): Promise<string> {
    return (await this.session(DEFAULT_SESSION, 'expect output')).expect(pattern, options);
  }

  async put(
    files: readonly string[],
    destDir: string,
    options: HostTransferOptions = {},
  ): Promise<TransferResult> {
    this.assertOpen('put files');
    const { transfer: kind, ...rest } = options;
    const transfer = await this.transfers.resolve(kind, options.signal);
    this.logLines.note(`put ${files.join(' ')} -> ${destDir} [${transfer.kind}]`);
    return transfer.put(files, destDir, rest);
  }

  async get(
    files: readonly string[],
    destDir: string,
    options: HostTransferOptions = {},
  ): Promise<TransferResult> {
    this.assertOpen('get files');
    const { transfer: kind, ...rest } = options;
    const transfer = await this.transfers.resolve(kind, options.signal);
    this.logLines.note(`get ${files.join(' ')} -> ${destDir} [${transfer.kind}]`);
    return transfer.get(files, destDir, rest);
  }

  /** Bridges this terminal to a new shell on the host until the shell ends or Ctrl-] is typed. */
  async interact(options: InteractOptions = {}): Promise<void> {
    this.assertOpen('interact');
    const output = options.output ?? process.stdout;
    const channel = await this.transport.openShell({
      pty: true,
      term: process.env.TERM ?? 'xterm',
      cols: output.columns ?? 80,
      rows: output.rows ?? 24,
    });
    await bridgeTerminal(channel, options);
  }

  /** Starts running `cmds` every `intervalMs` on a session of its own, in the background. */
  startRepeat(name: string, cmds: Commands, options: RepeatOptions): void {
    this.assertOpen('start a repeat');
    if (this.repeaters.get(name)?.isRunning)
      throw new ConfigError(
        'REPEAT_RUNNING',
        `A repeat named "${name}" already runs on host "${this.id}".`,
      );
    const task = async (): Promise<RunResult> =>
      (await this.session(`repeat:${name}`, 'run a repeat')).run(cmds);
    this.repeaters.set(name, new Repeater(name, task, options));
  }

  async stopRepeat(name: string): Promise<void> {
    await this.repeaters.get(name)?.stop();
  }

  repeatResults(name: string): readonly RepeatRecord[] {
    return this.repeaters.get(name)?.history ?? [];
  }

  /**
   * Stops repeats and closes every session (ending what runs there), then the transport. Final:
   * every later call is refused with a `ClosedError`. Idempotent: a second call waits for the first.
   */
  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private async closeAll(): Promise<void> {
    // Together: closing a session ends the command a repeat waits for.
    await Promise.all([
      ...[...this.repeaters.values()].map((repeater) => repeater.stop()),
      ...[...this.sessions.values()].map((session) => session.close()),
    ]);
    this.sessions.clear();
    await this.transfers.close();
    await this.transport.close();
  }

  /** Refuses calls once the host is closed. */
  private assertOpen(call: string): void {
    const refusal = this.refusal(call);
    if (refusal) throw refusal;
  }

  private refusal(call: string): ClosedError | undefined {
    if (!this.closing) return undefined;
    return new ClosedError(
      `Cannot ${call} on ${describePlace(this.transport.place)}: the host was closed.`,
      placeDetails(this.transport.place),
    );
  }

  private asOttoError(error: unknown): OttoError {
    if (isOttoError(error)) return error;
    return new ConnectionError(
      'CONNECT_FAILED',
      `Could not reach ${describePlace(this.transport.place)}: ${(error as Error).message}`,
      { ...placeDetails(this.transport.place), cause: error },
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * The session of that name, created on first use. Creation is synchronous (the shell opens on
   * the session's first command), so concurrent callers always get the same session.
   */
  private session(name: string, call: string): Promise<HostSessionHandle> {
    const refusal = this.refusal(call);
    if (refusal) return Promise.reject(refusal);
    const existing = this.sessions.get(name);
    if (existing) return Promise.resolve(existing);
    const session = new ShellSession({
      name,
      place: this.transport.place,
      openChannel: () => this.transport.openShell({ pty: this.options.pty }),
      defaultTimeoutMs: this.options.runTimeoutMs,
      openTimeoutMs: this.options.openTimeoutMs,
      recoverTimeoutMs: this.options.recoverTimeoutMs,
      killTimeoutMs: this.options.killTimeoutMs,
      expectTimeoutMs: this.options.expectTimeoutMs,
      maxOutputBytes: this.options.maxOutputBytes,
      onLine: (line) => this.logLines.output(line),
      isLogging: () => this.log,
    });
    const handle = new HostSessionHandle(session, this.options, this.logLines, () =>
      this.sessions.delete(name),
    );
    this.sessions.set(name, handle);
    return Promise.resolve(handle);
  }
}

/** A named persistent shell of a host (the default one included). */
class HostSessionHandle implements HostSession {
  constructor(
    private readonly session: ShellSession,
    private readonly options: ResolvedHostOptions,
    private readonly logLines: HostLog,
    private readonly onClose: () => void,
  ) {}

  get name(): string {
    return this.session.options.name;
  }

  /** True while the shell is open (it opens on first use and reopens on the next call after it died). */
  get isAlive(): boolean {
    return this.session.isAlive;
  }

  async run(cmds: Commands, options: RunOptions = {}): Promise<RunResult> {
    const result = await runCommands(
      this.session,
      cmds,
      {
        ...options,
        timeoutMs: options.timeoutMs ?? this.options.runTimeoutMs,
        maxOutputBytes: options.maxOutputBytes ?? this.options.maxOutputBytes,
      },
      this.logLines,
    );
    return options.check ? result.check(this.session.options.place.host) : result;
  }

  send(text: string): Promise<void> {
    return this.session.send(text);
  }

  expect(pattern: RegExp | string, options: ExpectOptions = {}): Promise<string> {
    return this.session.expect(pattern, {
      timeoutMs: options.timeoutMs ?? this.options.expectTimeoutMs,
      signal: options.signal,
    });
  }

  async close(): Promise<void> {
    this.onClose();
    await this.session.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
