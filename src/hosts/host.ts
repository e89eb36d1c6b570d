import type { OutputSink } from '../common/bounded-output.js';
import type { Argv, TransportKind } from '../transports/transport.js';
import type { TransferOptions, TransferResult } from '../transfers/transfer.js';
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
  signal?: AbortSignal;
}

/**
 * Options of `oneshot`. A command stopped by its deadline or `signal` comes back as an `error`
 * result with the output so far and a `TimeoutError` or `AbortedError` as its `error`, and
 * nothing it started keeps running.
 */
export interface OneshotOptions extends OutputOptions {
  /** @default the host's oneshotTimeoutMs */
  timeoutMs?: number;
  env?: Record<string, string>;
  /** Exit codes that count as success. @default [0] */
  okExitCodes?: readonly number[];
  check?: boolean;
  signal?: AbortSignal;
}

/** A persistent shell of a host with its own state. */
export interface HostSession extends AsyncDisposable {
  readonly name: string;
  readonly isAlive: boolean;
  run(cmds: Commands, options?: RunOptions): Promise<RunResult>;
  /** Sends raw text to the shell (the caller supplies line endings). */
  send(text: string): Promise<void>;
  expect(
    pattern: RegExp | string,
    options?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<string>;
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
 * A machine or container to run commands on. Every kind (local, SSH, container) implements all of
 * it. `run` uses the host's default persistent shell; `oneshot` is stateless and safe to run many
 * at once.
 * @example
 * await using host = new LocalHost();
 * const result = await host.run(['cd /tmp', 'pwd']);
 * console.log(result.results[1].output); // "/tmp\n"
 */
export interface Host extends AsyncDisposable {
  readonly id: string;
  readonly kind: TransportKind;
  /** Log this host's commands and output lines. */
  log: boolean;
  run(cmds: Commands, options?: RunOptions): Promise<RunResult>;
  /** Runs one command apart from every session: a command line, or an {@link Argv}. */
  oneshot(cmd: string | Argv, options?: OneshotOptions): Promise<CommandResult>;
  openSession(name: string): Promise<HostSession>;
  send(text: string): Promise<void>;
  expect(
    pattern: RegExp | string,
    options?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<string>;
  put(
    files: readonly string[],
    destDir: string,
    options?: TransferOptions,
  ): Promise<TransferResult>;
  get(
    files: readonly string[],
    destDir: string,
    options?: TransferOptions,
  ): Promise<TransferResult>;
  interact(options?: InteractOptions): Promise<void>;
  startRepeat(name: string, cmds: Commands, options: RepeatOptions): void;
  stopRepeat(name: string): Promise<void>;
  repeatResults(name: string): readonly RepeatRecord[];
  /**
   * Stops repeats, closes every session and the transport, ending every process the host
   * started. Final: every later call is refused with a `ClosedError`. Idempotent, bounded in time.
   */
  close(): Promise<void>;
}
