import type { Place } from '../common/place.js';
import type { Transport } from '../transports/transport.js';
import { problemOf } from './transfer-problems.js';

/** Options of one {@link RemoteShell.run}. */
export interface RemoteRunOptions {
  /** Aborting it stops the script (the transport kills it). */
  signal?: AbortSignal;
  /** Give up after this long. @default 60000 */
  timeoutMs?: number;
  /** Gets the script's stdout as it arrives (it is in the result too). */
  onStdout?: (chunk: Buffer) => void;
}

/** What a script printed and how it ended. */
export interface RemoteRunResult {
  exitCode: number;
  stdout: Buffer;
  /** Its standard error as text (over telnet it arrives after stdout, as a whole). */
  stderr: string;
}

/**
 * Runs POSIX shell scripts on a host: everything a transfer does there besides moving bytes
 * (making folders, listing a tree, checking sizes, renaming, cleaning up). Scripts stick to what
 * busybox `sh` and its tools offer.
 * @example
 * const shell = remoteShellOf(host.transport);
 * const { stdout } = await shell.run('ls -ldn /srv');
 */
export interface RemoteShell {
  /** The host the scripts run on, for messages. */
  readonly place: Place;
  /**
   * The longest script `run` takes: under the 128 KiB limit of one argument where the transport
   * passes it to `sh -c` (SSH, Docker exec, local), 1 MiB where it is typed into a shell (telnet).
   */
  readonly maxScriptBytes: number;
  /**
   * Runs `script` (several lines allowed) in a subshell of its own, so that `exit` ends only it.
   * Rejects when the transport could not run it to its end (deadline, abort, lost connection).
   */
  run(script: string, options?: RemoteRunOptions): Promise<RemoteRunResult>;
}

/** Options of {@link remoteShellOf}. */
export interface RemoteShellOptions {
  /** Most bytes of stdout kept per script. @default 32 MiB */
  maxOutputBytes?: number;
}

const DEFAULT_RUN_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_OUTPUT_BYTES = 32 << 20;
/** One argument of `sh -c` may hold 128 KiB (Linux MAX_ARG_STRLEN); the rest is margin. */
const ARGUMENT_SCRIPT_BYTES = 120_000;
/** A typed script has no such limit; this bounds the memory and the time of one. */
const TYPED_SCRIPT_BYTES = 1 << 20;

/**
 * The {@link RemoteShell} of any transport, by its `exec` (over telnet: the pooled sessions).
 * @example const shell = remoteShellOf(sshTransport);
 */
export function remoteShellOf(transport: Transport, options: RemoteShellOptions = {}): RemoteShell {
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  return {
    get place() {
      return transport.place;
    },
    // Over telnet the pooled sessions type the script into the shell: no argument limit.
    maxScriptBytes: transport.kind === 'telnet' ? TYPED_SCRIPT_BYTES : ARGUMENT_SCRIPT_BYTES,
    run: async (script, runOptions = {}) => {
      runOptions.signal?.throwIfAborted();
      // A subshell: `exit` in a script must not end a pooled session's shell (telnet).
      const { onStdout, signal } = runOptions;
      const outcome = await transport.exec(`(\n${script}\n)`, {
        timeoutMs: runOptions.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS,
        maxOutputBytes,
        ...(signal ? { signal } : {}),
        ...(onStdout
          ? { onOutput: (chunk, stream) => stream === 'stdout' && onStdout(chunk) }
          : {}),
      });
      if (outcome.error) throw outcome.error;
      return {
        exitCode: outcome.exitCode,
        stdout: outcome.stdout,
        stderr: outcome.stderr.toString('utf8'),
      };
    },
  };
}

/** The last non-empty line of a script's stderr, or `fallback`. */
export function lastLineOf(text: string, fallback: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  return lines.at(-1) ?? fallback;
}

/**
 * The line of a script's stderr that says why it failed: the last one naming a known problem
 * (`cat: write error: No space left on device`), else the last line, else `fallback`.
 */
export function reasonIn(stderr: string, fallback: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  const known = lines.filter(
    (line) =>
      problemOf(new Error(line)).code !== 'TRANSFER_FAILED' || problemOf(new Error(line)).isMissing,
  );
  return known.at(-1) ?? lines.at(-1) ?? fallback;
}
