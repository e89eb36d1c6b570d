/**
 * The transport contract. A transport is a connection to one host that can (1) open shell
 * channels, duplex byte streams to a POSIX shell that the session engine frames, and (2) run one
 * command directly, stdout and stderr apart (oneshot). Transports know nothing of framing,
 * markers or expect: that is the session engine's job (src/sessions/).
 */

import type { OttoError } from '../errors.js';
import type { OutputStreamName } from '../common/bounded-output.js';
import type { Place } from '../common/place.js';

/**
 * An argument vector for a direct command: the program, then its arguments, passed as they are
 * (quoted for a shell where the transport can only run command lines). Never empty.
 */
export type Argv = readonly string[];

/** How a shell channel should be opened. */
export interface ShellChannelOptions {
  /**
   * Allocate a pseudo-terminal. With one, the shell is the user's interactive login shell,
   * Ctrl-C reaches the foreground command and programs that need a terminal (sudo) work.
   * Without one, the shell is a plain `sh` over pipes: exact bytes, no echo, no line limits.
   */
  pty: boolean;
  /** Terminal type when `pty` is set. @default 'dumb' */
  term?: string;
  cols?: number;
  rows?: number;
  /** Shell to start when there is no PTY. @default 'sh' */
  shell?: string;
}

/** A duplex byte stream to a shell on a host. */
export interface ShellChannel {
  /** True when the shell runs on a pseudo-terminal (output may be post-processed, input echoed). */
  readonly hasPty: boolean;
  /**
   * The shell's pid on the host, set by the session once its handshake told it; `close()` and
   * `interrupt()` use it to find the shell's processes.
   */
  shellPid?: number;
  /** Registers the receiver of the shell's output bytes (stdout; stderr too when the transport merges them). One receiver only. */
  onData(listener: (chunk: Buffer) => void): void;
  /** Called once when the channel ends, with the reason when it failed. */
  onClose(listener: (error?: Error) => void): void;
  /** Writes raw bytes to the shell's input. */
  write(data: string | Buffer): void;
  /**
   * Interrupts the shell's foreground command: Ctrl-C on a PTY; otherwise SIGINT (or `signal`)
   * to the children of `shellPid` through a side channel of the same transport.
   */
  interrupt(shellPid: number | undefined, signal?: 'INT' | 'KILL'): Promise<void>;
  /** Changes the terminal size (PTY only; ignored otherwise). */
  resize?(cols: number, rows: number): void;
  /**
   * Closes the channel and ends what runs on it: the shell and every process it started
   * (background jobs included). Idempotent and bounded in time.
   */
  close(): Promise<void>;
}

/** Options of a direct command. */
export interface ExecOptions {
  /** Give up after this long; the command and what it started are then killed. */
  timeoutMs: number;
  /** Aborting it stops the command like its deadline does. */
  signal?: AbortSignal;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Most bytes kept of each of stdout, stderr and output (see BoundedOutput). @default 16 MiB */
  maxOutputBytes?: number;
  /** Called with each output chunk as it arrives (logging, output sinks). */
  onOutput?: (chunk: Buffer, stream: OutputStreamName) => void;
}

/** Outcome of a direct command. `output` holds stdout and stderr in arrival order. */
export interface ExecOutcome {
  /** Exit code; -1 when the command did not finish (timeout, abort, lost connection). */
  exitCode: number;
  /** Signal that ended the command, when one did. */
  signal?: string;
  stdout: Buffer;
  stderr: Buffer;
  output: Buffer;
  /** Bytes of `output` dropped by the output limit (a marker line stands in their place). */
  droppedBytes: number;
  /**
   * Why the command did not finish, when it did not: a `TimeoutError` (`COMMAND_TIMEOUT`), an
   * `AbortedError`, a `ConnectionError` (lost connection) or a `CommandError` (could not start).
   */
  error?: OttoError;
}

/**
 * Deadlines every transport takes from its host's options (see HostOptions for the defaults).
 * Passed to the transport's constructor.
 */
export interface TransportOptions {
  /** Id of the host the transport serves, for messages. @default the address */
  hostId?: string;
  /**
   * How long closing waits for a shell (or a connection) to end by itself after its input ended,
   * before its processes are killed. @default 1000
   */
  closeTimeoutMs?: number;
  /** Deadline of delivering a signal or kill through a side channel (a second exec). @default 10000 */
  signalTimeoutMs?: number;
}

/** Kinds of transport, as shown in messages: `[ssh]`, `[docker-exec]`. */
export type TransportKind = 'local' | 'ssh' | 'telnet' | 'docker-exec';

/** A connection to one host. */
export interface Transport {
  readonly kind: TransportKind;
  /** Where it goes, for messages: `otto@127.0.0.1:2222 via hop-1`, `container 3f2a… at unix:///var/run/docker.sock`. */
  readonly address: string;
  /** The host it reaches, its kind and address, for every message (see describePlace). */
  readonly place: Place;
  /** Opens the connection if it is not open (idempotent, concurrency-safe; refused once closed). */
  open(): Promise<void>;
  /** Opens a new shell channel (opening the connection first when needed). */
  openShell(options: ShellChannelOptions): Promise<ShellChannel>;
  /**
   * Runs one command independently of every shell: a string is a command line (run by `sh -c`
   * locally and in containers, by the user's login shell over SSH, as `ssh` does); an array is
   * argv (quoted for a shell where the transport can only run command lines). Never throws for
   * the command's own failure; returns it. Throws only when the transport cannot run it at all.
   * A command killed by a signal has `signal` set (Node's name, e.g. `SIGKILL`) and exitCode
   * 128 + the signal's number.
   */
  exec(command: string | Argv, options: ExecOptions): Promise<ExecOutcome>;
  /**
   * Closes the connection and everything opened on it, ending every process it started.
   * Idempotent and bounded in time. Final: every later call rejects with a `ClosedError`.
   */
  close(): Promise<void>;
}

/**
 * A transport that only opens shells (telnet: one logged-in shell per connection, no way to run
 * a command apart). The hosts layer serves its oneshots from a pool of extra shells.
 */
export type ShellTransport = Omit<Transport, 'exec'>;
