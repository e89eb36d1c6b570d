/**
 * The transport contract. A transport is a connection to one host that can (1) open shell
 * channels, duplex byte streams to a POSIX shell that the session engine frames, and (2) run one
 * command directly, stdout and stderr apart (oneshot). Transports know nothing of framing,
 * markers or expect: that is the session engine's job (src/sessions/).
 */

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
  /** Closes the channel; idempotent. */
  close(): Promise<void>;
}

/** Options of a direct command. */
export interface ExecOptions {
  /** Give up after this long; the command is then killed where the transport can. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Called with each output chunk as it arrives (for logging). */
  onOutput?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
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
  /** Why the command did not finish, when it did not. */
  error?: Error;
}

/** Kinds of transport, as shown in messages: `[ssh]`, `[docker-exec]`. */
export type TransportKind = 'local' | 'ssh' | 'telnet' | 'docker-exec';

/** A connection to one host. */
export interface Transport {
  readonly kind: TransportKind;
  /** Where it goes, for messages: `otto@127.0.0.1:2222 via hop-1`, `container 3f2a… at unix:///var/run/docker.sock`. */
  readonly address: string;
  /** Opens the connection if it is not open (idempotent, concurrency-safe). */
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
  exec(command: string | readonly string[], options: ExecOptions): Promise<ExecOutcome>;
  /** Closes the connection and everything opened on it; idempotent. */
  close(): Promise<void>;
}
