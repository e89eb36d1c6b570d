import type { OutputSink } from '../common/bounded-output.js';
import type { Argv, TransportKind } from '../transports/transport.js';
import type { TransferResult } from '../transfers/transfer.js';
import type { HostTransferOptions } from './host-transfers.js';
import type { ExpectRule } from '../sessions/expect-matcher.js';
import type { CommandResult, RunResult, ShellCommand } from './command-result.js';
import type { RepeatOptions, RepeatRecord } from './repeater.js';

/**
 * Shell commands for `run`: one command line, a {@link ShellCommand}, or a list of them run in
 * order on a persistent shell. (A direct command's argument vector is an `Argv`, for `oneshot`.)
 */
export type Commands = string | ShellCommand | ReadonlyArray<string | ShellCommand>;

export type { Argv };

/** What commands do with their output besides returning it. */
export interface OutputOptions {
  /**
   * Most bytes of output kept in each result (per stream); the rest is dropped from the middle,
   * with a marker line and a count (`droppedBytes`). @default the host's maxOutputBytes (16 MiB)
   */
  maxOutputBytes?: number;
  /** Receives every output byte as it arrives (a callback or a writable stream), nothing dropped. */
  output?: OutputSink;
}

/**
 * Options of `run`. A command stopped by its deadline or `signal` comes back as an `error` result
 * with the output so far and a `TimeoutError` or `AbortedError` as its `error`; the rest of the
 * list is not run.
 */
export interface RunOptions extends OutputOptions {
  /** Deadline for the whole list (each command gets what is left). @default the host's runTimeoutMs */
  timeoutMs?: number;
  /** Prompts to answer, for every command of the list that has none of its own. */
  expects?: readonly ExpectRule[];
  /** Skip the rest of a list after the first command that is not ok. @default false */
  stopOnError?: boolean;
  /** Throw a CommandError when a command is not ok, instead of returning it. @default false */
  check?: boolean;
  /** Aborting it stops the command running (an `error` result, `AbortedError`) and the rest. */
  signal?: AbortSignal;
}

/**
 * Options of `oneshot`. A command stopped by its deadline or `signal` comes back as an `error`
 * result with the output so far and a `TimeoutError` or `AbortedError` as its `error`, and
 * nothing it started keeps running.
 */
export interface OneshotOptions extends OutputOptions {
  /**
   * Deadline of the command; past it, the command and what it started are killed.
   * @default the host's oneshotTimeoutMs
   */
  timeoutMs?: number;
  /** Extra environment variables for the command. @default none */
  env?: Record<string, string>;
  /** Exit codes that count as success. @default [0] */
  okExitCodes?: readonly number[];
  /** Throw a CommandError when the command is not ok, instead of returning it. @default false */
  check?: boolean;
  /** Aborting it stops the command: an `error` result with an `AbortedError`. */
  signal?: AbortSignal;
}

/** Options of `expect`. */
export interface ExpectOptions {
  /** Give up after this long (a `TimeoutError`). @default the host's expectTimeoutMs */
  timeoutMs?: number;
  /** Aborting it stops the wait (an `AbortedError`). */
  signal?: AbortSignal;
}

/**
 * A persistent shell of a host with its own state (cwd, environment, shell variables), apart from
 * the host's default shell; see {@link Host.openSession}.
 * @example
 * await using build = await host.openSession('build');
 * await build.run(['cd /src', 'export CC=clang']);
 * const { ok } = await build.run('make'); // runs in /src with CC set
 */
export interface HostSession extends AsyncDisposable {
  /** The name it was opened with. */
  readonly name: string;
  /** True while its shell is open: it opens on first use, and reopens on the next call after it died. */
  readonly isAlive: boolean;
  /** Runs commands on this session's shell, as {@link Host.run} does on the default one. */
  run(cmds: Commands, options?: RunOptions): Promise<RunResult>;
  /** Sends raw text to the shell (the caller supplies line endings). */
  send(text: string): Promise<void>;
  /**
   * Waits until the shell's output matches `pattern` and returns the output up to and including
   * the match; a `TimeoutError` past the deadline.
   */
  expect(pattern: RegExp | string, options?: ExpectOptions): Promise<string>;
  /** Closes the shell and ends what it runs. Final: later calls are refused with a `ClosedError`. */
  close(): Promise<void>;
}

/** Options of `interact`. */
export interface InteractOptions {
  /** @default process.stdin */
  input?: NodeJS.ReadableStream & { setRawMode?: (raw: boolean) => unknown; isTTY?: boolean };
  /** @default process.stdout */
  output?: NodeJS.WritableStream & {
    columns?: number;
    rows?: number;
    on?: (event: 'resize', listener: () => void) => unknown;
  };
  /** The byte that leaves the bridge. @default 0x1d (Ctrl-]) */
  escapeByte?: number;
}

/**
 * A machine or container to run commands on. Every kind (local, SSH, telnet, container) implements all of
 * it. `run` uses the host's default persistent shell; `oneshot` is stateless and safe to run many
 * at once.
 * @example
 * await using host = new LocalHost();
 * const result = await host.run(['cd /tmp', 'pwd']);
 * console.log(result.results[1].output); // "/tmp\n"
 */
export interface Host extends AsyncDisposable {
  /** The host's id in logs and messages: the lab id, `local`, a container's short id. */
  readonly id: string;
  /** How it is reached: `local`, `ssh`, `telnet` or `docker-exec`. */
  readonly kind: TransportKind;
  /** Log this host's commands and output lines. @default true */
  log: boolean;
  /**
   * Runs commands on the host's default persistent shell: cwd, environment and shell variables
   * persist between calls. A list runs in order under one deadline and goes on after a failure
   * unless `stopOnError`. A failed command, a deadline or a lost connection come back in the
   * result (`status` `failed` or `error`); only a closed host or invalid options reject (and a
   * result that is not ok with `check: true`).
   * @example
   * const result = await host.run(['cd /opt/app', 'git pull', 'make install'], { stopOnError: true });
   * if (!result.ok) console.log(result.results.at(-1)?.output);
   */
  run(cmds: Commands, options?: RunOptions): Promise<RunResult>;
  /**
   * Runs one command apart from every session, stdout and stderr kept apart: a command line, or
   * an {@link Argv} run without a shell. Safe to run many at once. A deadline, an abort or a lost
   * connection give an `error` result with the output so far.
   * @example const { stdout } = await host.oneshot(['cat', '/etc/hostname']);
   */
  oneshot(cmd: string | Argv, options?: OneshotOptions): Promise<CommandResult>;
  /**
   * Opens a named persistent shell with its own state, or returns the live one of that name.
   * `default` is reserved (a `ConfigError`).
   */
  openSession(name: string): Promise<HostSession>;
  /** Sends raw text to the default shell (the caller supplies line endings), e.g. to a REPL. */
  send(text: string): Promise<void>;
  /**
   * Waits until the default shell's output matches `pattern` and returns the output up to and
   * including the match; a `TimeoutError` past the deadline.
   * @example await host.send('python3\n'); await host.expect(/>>> $/);
   */
  expect(pattern: RegExp | string, options?: ExpectOptions): Promise<string>;
  /**
   * Copies local files and directories into `destDir` on the host (created when missing), each
   * under its basename; nothing partial is left when it fails. Rejects with a `TransferError`,
   * a `TimeoutError` (`TRANSFER_TIMEOUT`) or an `AbortedError`. `options.transfer` picks another
   * of the host's transfers for this call (a `ConfigError` for one it does not offer).
   * @example await host.put(['dist/app.tar'], '/tmp/deploy');
   */
  put(
    files: readonly string[],
    destDir: string,
    options?: HostTransferOptions,
  ): Promise<TransferResult>;
  /**
   * Copies files and directories of the host into the local `destDir` (created when missing),
   * each under its basename, by the same rules as {@link Host.put}.
   * @example const { files } = await host.get(['/var/log/syslog'], './logs');
   */
  get(
    files: readonly string[],
    destDir: string,
    options?: HostTransferOptions,
  ): Promise<TransferResult>;
  /**
   * Bridges this terminal to a new shell on the host, on a PTY with the window size forwarded,
   * until the shell ends or the escape byte (Ctrl-]) is typed.
   */
  interact(options?: InteractOptions): Promise<void>;
  /**
   * Starts running `cmds` every `options.intervalMs` in the background, on a session of its own;
   * runs never overlap. A repeat of that name that still runs is a `ConfigError`.
   * @example host.startRepeat('load', 'cat /proc/loadavg', { intervalMs: 1000, times: 10 });
   */
  startRepeat(name: string, cmds: Commands, options: RepeatOptions): void;
  /** Stops a repeat after the run in progress; resolves when it has stopped. An unknown name is a no-op. */
  stopRepeat(name: string): Promise<void>;
  /** The kept history of a repeat, oldest first (empty for an unknown name). */
  repeatResults(name: string): readonly RepeatRecord[];
  /**
   * Stops repeats, closes every session and the transport, ending every process the host
   * started. Final: every later call is refused with a `ClosedError`. Idempotent, bounded in time.
   */
  close(): Promise<void>;
}
