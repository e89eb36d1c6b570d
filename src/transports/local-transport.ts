import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { ExecOutput } from '../common/bounded-output.js';
import { Deadline, raceDeadline } from '../common/deadline.js';
import { describePlace, placeDetails, shortCommand, type Place } from '../common/place.js';
import { ClosedError, CommandError, ConfigError } from '../errors.js';
import { findChildren, killSessions, sessionOf, trackSession } from './local-processes.js';
import type {
  Argv,
  ExecOptions,
  ExecOutcome,
  ShellChannel,
  ShellChannelOptions,
  Transport,
  TransportOptions,
} from './transport.js';

/**
 * The machine otto-ts runs on. Shells run over pipes: no native addon is needed, bytes pass
 * exactly (binary output, CRLF), stderr stays apart and nothing is echoed. Interrupting the
 * foreground command is done by signalling the shell's children, found in /proc. When a terminal
 * is asked for (prompts such as sudo's need one), util-linux `script` provides the PTY.
 *
 * Every shell and command runs in a session of its own (setsid), so that closing, a deadline or
 * an abort ends everything it started, background jobs included, by session id.
 */
export class LocalTransport implements Transport {
  readonly kind = 'local' as const;
  readonly address = 'this machine';
  readonly place: Place;
  private readonly closeTimeoutMs: number;
  private readonly shells = new Set<LocalShellChannel>();
  private readonly running = new Set<ChildProcessWithoutNullStreams>();
  private closing?: Promise<void>;

  constructor(options: TransportOptions = {}) {
    this.place = { host: options.hostId ?? 'local', kind: this.kind };
    this.closeTimeoutMs = options.closeTimeoutMs ?? 1000;
  }

  /** Nothing to open: the machine is always there. Refused once closed. */
  open(): Promise<void> {
    const refusal = this.refusal('open');
    return refusal ? Promise.reject(refusal) : Promise.resolve();
  }

  async openShell(options: ShellChannelOptions): Promise<ShellChannel> {
    this.assertOpen('open a shell');
    const child = options.pty
      ? // `script` runs its command through `$SHELL -c`; `exec` makes the shell itself lead the
        // terminal's session whatever $SHELL is (dash would keep a `sh -c` above it).
        spawn('script', ['-q', '-f', '-e', '-c', `exec ${options.shell ?? 'sh -i'}`, '/dev/null'], {
          env: {
            ...process.env,
            SHELL: process.env.SHELL || '/bin/sh',
            TERM: options.term ?? 'dumb',
          },
          detached: true,
        })
      : spawn(options.shell ?? 'sh', [], { env: process.env, detached: true });
    const channel = await new Promise<LocalShellChannel>((resolve, reject) => {
      child.once('error', (error) => reject(this.notStarted(options.shell ?? 'sh', error)));
      child.once('spawn', () =>
        resolve(new LocalShellChannel(child, options.pty, this.closeTimeoutMs)),
      );
    });
    // Kept until it was closed, also once the shell ended: its jobs may still run.
    this.shells.add(channel);
    channel.onEnded(() => this.shells.delete(channel));
    return channel;
  }

  async exec(command: string | Argv, options: ExecOptions): Promise<ExecOutcome> {
    this.assertOpen('run a command');
    const shown = describeCommand(command);
    using deadline = new Deadline({ timeoutMs: options.timeoutMs, signal: options.signal });
    const output = new ExecOutput(options.maxOutputBytes, options.onOutput);
    if (deadline.reason) return this.stoppedOutcome(output, deadline, shown);
    const child = this.spawnCommand(command, options.env);
    this.running.add(child);
    const forget = trackSession(child.pid);
    try {
      return await this.collect(child, output, deadline, shown);
    } finally {
      this.running.delete(child);
      forget();
    }
  }

  /** Ends every shell and command this transport started. Final; idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const child of this.running) killSessions([child.pid]);
      await Promise.all([...this.shells].map((shell) => shell.close()));
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private assertOpen(call: string): void {
    const refusal = this.refusal(call);
    if (refusal) throw refusal;
  }

  private refusal(call: string): ClosedError | undefined {
    if (!this.closing) return undefined;
    return new ClosedError(`Cannot ${call} on ${describePlace(this.place)}: it was closed.`, {
      ...placeDetails(this.place),
    });
  }

  private spawnCommand(
    command: string | Argv,
    env: Record<string, string> | undefined,
  ): ChildProcessWithoutNullStreams {
    const options = { env: { ...process.env, ...env }, detached: true };
    if (typeof command === 'string') return spawn('sh', ['-c', command], options);
    if (command.length === 0)
      throw new ConfigError(
        'INVALID_ARGV',
        `Cannot run an empty argument vector on ${describePlace(this.place)}: give the program first.`,
      );
    return spawn(command[0]!, command.slice(1), options);
  }

  /** Collects a child's output; on the deadline or an abort ends its whole session. */
  private collect(
    child: ChildProcessWithoutNullStreams,
    output: ExecOutput,
    deadline: Deadline,
    shown: string,
  ): Promise<ExecOutcome> {
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream].on('data', (chunk: Buffer) => output.push(chunk, stream));
    }
    child.stdin.on('error', () => undefined);
    child.stdin.end();
    const onStop = (): void => void killSessions([child.pid]);
    deadline.signal.addEventListener('abort', onStop, { once: true });
    return new Promise((resolve) => {
      let spawnError: NodeJS.ErrnoException | undefined;
      let isDone = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (isDone) return;
        isDone = true;
        deadline.signal.removeEventListener('abort', onStop);
        if (deadline.reason) return resolve(this.stoppedOutcome(output, deadline, shown));
        if (spawnError) return resolve(this.spawnFailure(output, spawnError, shown));
        resolve({ exitCode: code ?? 128, ...(signal ? { signal } : {}), ...output.collect() });
      };
      child.on('error', (error) => (spawnError = error));
      // 'close' waits for the output pipes; a stopped command's pipes may be held by a process
      // that left its session, so once it was stopped its exit is enough.
      child.on('close', finish);
      child.on('exit', (code, signal) => {
        if (!deadline.reason) return;
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code, signal);
      });
    });
  }

  private stoppedOutcome(output: ExecOutput, deadline: Deadline, shown: string): ExecOutcome {
    const error = deadline.stopError(
      'COMMAND_TIMEOUT',
      `running \`${shortCommand(shown)}\` on ${describePlace(this.place)}`,
      { ...placeDetails(this.place), operation: shown },
    );
    return { exitCode: -1, ...output.collect(), error };
  }

  /**
   * A program that could not be started: as a shell would say it, 127 when it is missing and 126
   * when it cannot be executed; any other reason is an error result naming the host and command.
   */
  private spawnFailure(
    output: ExecOutput,
    error: NodeJS.ErrnoException,
    shown: string,
  ): ExecOutcome {
    const exitCode = error.code === 'ENOENT' ? 127 : error.code === 'EACCES' ? 126 : -1;
    if (exitCode > 0) {
      const why = exitCode === 127 ? 'command not found' : 'not executable';
      output.push(Buffer.from(`${shortCommand(shown).split(' ')[0]}: ${why}\n`), 'stderr');
      return { exitCode, ...output.collect() };
    }
    return { exitCode, ...output.collect(), error: this.notStarted(shown, error) };
  }

  private notStarted(command: string, error: Error): CommandError {
    return new CommandError(
      'COMMAND_NOT_STARTED',
      `Could not start \`${shortCommand(command)}\` on ${describePlace(this.place)}: ${error.message}.`,
      { ...placeDetails(this.place), operation: command, cause: error },
    );
  }
}

function describeCommand(command: string | Argv): string {
  return typeof command === 'string' ? command : command.join(' ');
}

/** A local shell over pipes (or over `script`'s terminal), in a session of its own. */
class LocalShellChannel implements ShellChannel {
  private pid?: number;
  /** The shell ended (by itself or closed): nothing more is written to it. */
  private hasExited = false;
  private closing?: Promise<void>;
  private readonly exited: Promise<void>;
  /** Forget the session leaders tracked for node's exit (see trackSession). */
  private readonly untrack: Array<() => void> = [];
  private endedListener?: () => void;
  /** Sessions besides the child's own that the shell's jobs run in (a terminal's). */
  private readonly sessions: number[] = [];

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly hasPty: boolean,
    private readonly closeTimeoutMs: number,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.untrack.push(trackSession(child.pid));
    // A shell whose reader went away must not take the process down with EPIPE.
    child.stdin.on('error', () => undefined);
    // The shell itself rarely writes to stderr (commands are framed with 2>&1), but an unread pipe would block it.
    child.stderr.resume();
  }

  /** The shell's pid; on a terminal it leads a session of its own, which is tracked too. */
  get shellPid(): number | undefined {
    return this.pid;
  }

  set shellPid(pid: number | undefined) {
    this.pid = pid;
    if (pid === undefined) return;
    // The session the shell runs in (its own on a terminal), wherever it came from.
    const session = sessionOf(pid);
    if (session !== undefined && session !== this.child.pid) {
      this.sessions.push(session);
      this.untrack.push(trackSession(session));
    }
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.child.stdout.on('data', listener);
  }

  onClose(listener: (error?: Error) => void): void {
    // 'exit', not 'close': a background job may hold the shell's stdout long after it ended.
    void this.exited.then(() => {
      this.hasExited = true;
      listener();
    });
  }

  write(data: string | Buffer): void {
    if (!this.hasExited && !this.closing) this.child.stdin.write(data);
  }

  async interrupt(shellPid: number | undefined, signal: 'INT' | 'KILL' = 'INT'): Promise<void> {
    if (this.hasPty && signal === 'INT') return void this.write('\x03');
    for (const pid of await findChildren(shellPid ?? this.child.pid!)) {
      try {
        process.kill(pid, signal === 'INT' ? 'SIGINT' : 'SIGKILL');
      } catch {
        // it ended meanwhile
      }
    }
  }

  /**
   * Ends the shell's input, gives it `closeTimeoutMs` to exit, then ends its whole session (the
   * shell if it still runs, and every job it left, such as `sleep 100 &`, also when the shell
   * had ended by itself). Bounded in time; idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.end();
    return this.closing;
  }

  /** Calls `listener` once `close()` has ended everything. */
  onEnded(listener: () => void): void {
    this.endedListener = listener;
  }

  private async end(): Promise<void> {
    this.child.stdin.end();
    await raceDeadline(this.exited, this.closeTimeoutMs);
    killSessions([this.child.pid, ...this.sessions]);
    for (const untrack of this.untrack) untrack();
    await raceDeadline(this.exited, this.closeTimeoutMs);
    this.child.stdout.destroy();
    this.child.stderr.destroy();
    this.endedListener?.();
  }
}
