import type { Place } from '../common/place.js';
import type { OttoError } from '../errors.js';
import type { ShellChannel } from '../transports/transport.js';
import type { ExpectRule } from './expect-matcher.js';

/** Options of a `ShellSession`, resolved by its host. */
export interface ShellSessionOptions {
  /** Session name: `default` or the name given to `openSession`. */
  name: string;
  /** The host, for messages. */
  place: Place;
  /** Opens a new shell channel on the host's transport. */
  openChannel: () => Promise<ShellChannel>;
  /** Deadline of a command without its own. */
  defaultTimeoutMs: number;
  /** Deadline of opening the shell and its readiness handshake. */
  openTimeoutMs: number;
  /** How long an interrupted shell may take to answer the recovery probe. */
  recoverTimeoutMs: number;
  /** How long it may take after its command's processes were sent SIGKILL, before it counts as dead. */
  killTimeoutMs: number;
  /** Deadline of `expect` without its own. @default 10000 */
  expectTimeoutMs?: number;
  /** Most bytes of output kept per command. @default DEFAULT_MAX_OUTPUT_BYTES (16 MiB) */
  maxOutputBytes?: number;
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
  /** Most bytes of output kept in the outcome. @default the session's maxOutputBytes */
  maxOutputBytes?: number;
  /** Receives every output byte as it arrives (nothing is dropped here), until the command ends or is stopped. */
  onOutput?: (chunk: Buffer) => void;
}

/** What a command on a session left. `error` is set when it did not finish by itself. */
export interface SessionOutcome {
  /** Exit code; -1 when the command did not finish. */
  exitCode: number;
  output: Buffer;
  /** Bytes of output dropped by the output limit (a marker line stands in their place). */
  droppedBytes: number;
  durationMs: number;
  error?: OttoError;
}
