/**
 * Errors of otto-ts. Every error has a stable `code` (each class owns its codes as a string
 * union) and structured fields; its first message line says what failed, where and why, further
 * lines give output or context, the last one the fix.
 */

/** Structured context attached to an error; every field is optional. */
export interface ErrorDetails {
  /** The id of the host where it failed (`db-1`, `local`), when a host was involved. */
  host?: string;
  /** The address it failed at: `otto@10.0.0.5:22 via jump`, an engine endpoint, a container. */
  transport?: string;
  /** Command, request or step that failed. */
  operation?: string;
  /** Exit code of the failed command, when there is one. */
  exitCode?: number;
  /** The last lines of output, for the message and for reporters. */
  outputTail?: string;
  /** What the user can do about it, when known. */
  fix?: string;
}

/** Options of every otto-ts error constructor. */
export interface OttoErrorOptions extends ErrorDetails {
  /** The error underneath (a socket error, an engine answer), kept as the standard `Error.cause`. */
  cause?: unknown;
}

/**
 * Base class of every error otto-ts throws. The message is the summary, then `details.outputTail`
 * (indented) and a `Fix:` line from `details.fix`; user code may throw it with codes of its own.
 * @example
 * throw new OttoError('FIRMWARE_TOO_OLD', 'Firmware 1.2 on host "sw-1" is older than 2.0.', {
 *   host: 'sw-1',
 *   fix: 'upgrade sw-1 to firmware 2.0 or later.',
 * });
 */
export class OttoError<Code extends string = string> extends Error {
  /** Stable machine-readable code, e.g. `ENGINE_UNREACHABLE`. */
  readonly code: Code;
  /** Where and how it failed: host, transport, operation, exit code, output tail and fix. */
  readonly details: ErrorDetails;

  constructor(code: Code, summary: string, options: OttoErrorOptions = {}) {
    const { cause, ...details } = options;
    super(composeMessage(summary, details), cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

function composeMessage(summary: string, details: ErrorDetails): string {
  const lines = [summary];
  if (details.outputTail) lines.push(indent(details.outputTail));
  if (details.fix) lines.push(`Fix: ${details.fix}`);
  return lines.join('\n');
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `  | ${line}`)
    .join('\n');
}

/** Codes of {@link ConfigError}. */
export type ConfigErrorCode =
  | 'BUILD_CONTEXT_MISSING'
  | 'COMPLETION_CACHE_WRITE'
  | 'COMPOSE_FILE_INVALID'
  | 'COMPOSE_NOT_DECLARED'
  | 'HOP_CYCLE'
  | 'INSTRUCTION_DUPLICATE'
  | 'INSTRUCTION_INVALID'
  | 'INVALID_ARGV'
  | 'INVALID_CONTAINER_SPEC'
  | 'INVALID_DOCKER_HOST'
  | 'INVALID_DURATION'
  | 'INVALID_ENV'
  | 'INVALID_HOST_OPTION'
  | 'INVALID_HOST_OPTIONS'
  | 'INVALID_REPEAT'
  | 'INVALID_SSH_TARGET'
  | 'INVALID_TELNET_TARGET'
  | 'INVALID_TRANSFER'
  | 'KEY_INVALID'
  | 'MARKER_INVALID'
  | 'LAB_INVALID'
  | 'LOCAL_SOURCE_NOT_FOUND'
  | 'NO_CREDENTIALS'
  | 'NO_IMAGES'
  | 'NOT_DOCKER_CAPABLE'
  | 'NO_INSTRUCTION'
  | 'NO_LAB'
  | 'NO_REPO'
  | 'NO_SUITE'
  | 'NO_USER'
  | 'OPTION_INVALID'
  | 'REPEAT_RUNNING'
  | 'RESERVATION_CONFIG'
  | 'RESERVED_SESSION'
  | 'SETTINGS_INVALID'
  | 'SUITE_CHANGED'
  | 'SUITE_DUPLICATE'
  | 'SUITE_INVALID'
  | 'UNKNOWN_BASE_IMAGE'
  | 'UNKNOWN_COMMAND'
  | 'UNKNOWN_HOST'
  | 'UNKNOWN_IMAGE'
  | 'UNKNOWN_INSTRUCTION'
  | 'UNKNOWN_LAB'
  | 'UNKNOWN_SERVICE'
  | 'UNKNOWN_SUITE'
  | 'UNSUPPORTED_HOST'
  | 'USAGE'
  | 'USER_MODULE_INVALID'
  | 'USER_MODULE_NOT_FOUND'
  | 'XDIR_INVALID';

/** Invalid configuration or options given by the user (labs, settings, arguments). */
export class ConfigError extends OttoError<ConfigErrorCode> {}

/** Codes of {@link ConnectionError}. */
export type ConnectionErrorCode =
  | 'AUTH_FAILED'
  | 'CHANNEL_FAILED'
  | 'CHANNEL_LOST'
  | 'CONNECTION_LOST'
  | 'CONNECT_FAILED'
  | 'CONTAINER_NOT_FOUND'
  | 'CONTAINER_NOT_RUNNING'
  | 'ENGINE_UNREACHABLE'
  | 'EXEC_STREAM_LOST'
  | 'EXIT_CODE_UNKNOWN'
  | 'FORWARD_FAILED'
  | 'HOST_KEY_MISMATCH'
  | 'HOST_KEY_UNKNOWN'
  | 'INTERRUPT_UNAVAILABLE'
  | 'SESSION_FAILED'
  | 'SESSION_LOST'
  | 'SFTP_UNAVAILABLE'
  | 'SHELL_STREAM_LOST';

/** A connection could not be opened or was lost (engine socket, SSH, telnet, a shell). */
export class ConnectionError extends OttoError<ConnectionErrorCode> {}

/** Codes of {@link CommandError}. */
export type CommandErrorCode =
  | 'COMMAND_FAILED'
  | 'COMMAND_NOT_FOUND'
  | 'COMMAND_NOT_EXECUTABLE'
  | 'COMMAND_NOT_STARTED'
  | 'NOT_ONE_RESULT'
  | 'PROGRAM_MISSING';

/** A command ran and failed, or could not be started. */
export class CommandError extends OttoError<CommandErrorCode> {}

/** Codes of {@link TimeoutError}. */
export type TimeoutErrorCode =
  | 'CLOSE_TIMEOUT'
  | 'COMMAND_TIMEOUT'
  | 'LOGIN_TIMEOUT'
  | 'SESSION_TIMEOUT'
  | 'TEST_TIMEOUT'
  | 'TRANSFER_TIMEOUT'
  | 'WAIT_TIMEOUT';

/** A wait reached its deadline. */
export class TimeoutError extends OttoError<TimeoutErrorCode> {}

/**
 * The caller's `AbortSignal` stopped the work. The signal's reason is the `cause`; the message
 * says what was stopped and where. Commands (`run`, `oneshot`) return it as the `error` of an
 * `error` result with the output so far; transfers and other calls reject with it.
 */
export class AbortedError extends OttoError<'ABORTED'> {
  constructor(summary: string, options: OttoErrorOptions = {}) {
    super('ABORTED', summary, options);
  }
}

/**
 * A call reached something that was closed: a host, session, transport or engine client stays
 * closed, and every call after `close()` is refused with this error.
 */
export class ClosedError extends OttoError<'CLOSED'> {
  constructor(summary: string, options: OttoErrorOptions = {}) {
    super('CLOSED', summary, options);
  }
}

/** Codes of {@link TransferError}. */
export type TransferErrorCode =
  | 'DESTINATION_FULL'
  | 'DESTINATION_NOT_WRITABLE'
  | 'LOCAL_PATH_NOT_FOUND'
  | 'REMOTE_PATH_NOT_FOUND'
  | 'SIZE_MISMATCH'
  | 'TRANSFER_FAILED'
  | 'UNSAFE_ARCHIVE_ENTRY';

/** Moving files failed. */
export class TransferError extends OttoError<TransferErrorCode> {}

/** Codes of {@link DockerError}. */
export type DockerErrorCode =
  | 'CLEANUP_FAILED'
  | 'COMPOSE_FAILED'
  | 'COMPOSE_NOT_FOUND'
  | 'CONTAINER_RUN_FAILED'
  | 'ENGINE_REQUEST_FAILED'
  | 'ENGINE_START_FAILED'
  | 'NOT_ON_NETWORK'
  | 'PORT_NOT_PUBLISHED'
  | 'SERVICE_NOT_RUNNING'
  | 'STACK_NOT_UP'
  | 'WATCHDOG_FAILED';

/** The Docker engine refused or failed a request, or a Docker resource is not as expected. */
export class DockerError<Code extends string = DockerErrorCode> extends OttoError<Code> {}

/** Codes of {@link ImageBuildError}. */
export type ImageBuildErrorCode =
  | 'BASE_IMAGE_MISSING'
  | 'BUILD_CONTEXT_UNREADABLE'
  | 'BUILD_STEP_FAILED'
  | 'BUSYBOX_NOT_STATIC'
  | 'DOCKERFILE_MISSING'
  | 'IMAGE_BUILD_FAILED'
  | 'IMAGE_IMPORT_FAILED';

/** Building an image failed; `details.operation` names the step. */
export class ImageBuildError extends DockerError<ImageBuildErrorCode> {}

/** Codes of {@link FixtureError}. */
export type FixtureErrorCode =
  | 'FIXTURE_UNKNOWN_REFERENCE'
  | 'FIXTURE_CYCLE'
  | 'FIXTURE_SCOPE_VIOLATION'
  | 'FIXTURE_INVALID'
  | 'FIXTURE_IMAGE_MISSING'
  | 'FIXTURE_FETCH_FAILED'
  | 'FIXTURE_CONTAINER_EXITED'
  | 'FIXTURE_NOT_READY'
  | 'FIXTURE_NAME_REQUIRED'
  | 'FIXTURE_NAME_TAKEN'
  | 'FIXTURE_NOT_OURS'
  | 'FIXTURE_DECLARATIONS';

/**
 * A Docker fixture is declared wrongly (an unknown reference, a cycle, a scope violation) or
 * could not be set up (a missing image, a container that exited or never became ready).
 */
export class FixtureError extends DockerError<FixtureErrorCode> {}

/**
 * The reservation gate refused: resources the lab needs are not held by the user
 * (`RESERVATION_MISSING`), or the reservation backend failed (`RESERVATION_BACKEND`, fail closed).
 */
export class ReservationError extends OttoError<'RESERVATION_MISSING' | 'RESERVATION_BACKEND'> {}

/** Codes of {@link InstructionError}. */
export type InstructionErrorCode = 'INSTRUCTION_FAILED' | 'MODULE_LOAD_FAILED' | 'MODULE_NOT_FOUND';

/** An instruction or user module could not be loaded or failed while running. */
export class InstructionError extends OttoError<InstructionErrorCode> {}

/** Returns the last `maxLines` lines of a text, for error messages. */
export function tailLines(text: string, maxLines = 20): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-maxLines).join('\n');
}

/**
 * True for every error of otto-ts (typed with its code as a plain string).
 * @example
 * try {
 *   await ensureBaseImage(engine, 'busybox');
 * } catch (error) {
 *   if (!isOttoError(error)) throw error;
 *   console.error(`${error.code}: ${error.message}`);
 * }
 */
export function isOttoError(error: unknown): error is OttoError {
  return error instanceof OttoError;
}

/** Codes of {@link TestFailure}. */
export type TestFailureCode = 'EXPECT_FAILED' | 'TEST_UNSTABLE';

/**
 * A test of a suite failed in otto-ts's own terms: its non-fatal expectations failed
 * (`EXPECT_FAILED`, every one listed with file:line), or its stability run passed less often
 * than the threshold (`TEST_UNSTABLE`).
 */
export class TestFailure extends OttoError<TestFailureCode> {}

/** Codes of {@link MonitorError}. */
export type MonitorErrorCode =
  | 'MONITOR_DB_LOCKED'
  | 'MONITOR_DB_INVALID'
  | 'MONITOR_DB_MISSING'
  | 'MONITOR_IMPORT_INVALID'
  | 'MONITOR_OPTIONS'
  | 'MONITOR_NO_HOSTS'
  | 'MONITOR_LISTEN_FAILED'
  | 'MONITOR_PARSER_INVALID'
  | 'MONITOR_READ_ONLY'
  | 'MONITOR_STOPPED'
  | 'MONITOR_UNKNOWN_SERIES'
  | 'MONITOR_UNKNOWN_EVENT'
  | 'MONITOR_SQLITE_UNAVAILABLE';

/**
 * The monitor could not do what was asked: its database is held by another writer, unreadable or
 * missing, an import is not a monitor export, its options or a metric parser are invalid, no host
 * matched, or its server could not listen.
 */
export class MonitorError extends OttoError<MonitorErrorCode> {}

/** The value as an Error (a catch clause or an abort reason sees `unknown`). */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
