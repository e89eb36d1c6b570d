/**
 * Errors of otto-ts. Every error has a stable `code` and structured fields; its first message line
 * says what failed, where and why, further lines give output or context, the last one the fix.
 */

/** Structured context attached to an error; every field is optional. */
export interface ErrorDetails {
  /** Host id or engine endpoint where the failure happened. */
  where?: string;
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
  cause?: unknown;
}

/** Base class of every error otto-ts throws. */
export class OttoError extends Error {
  /** Stable machine-readable code, e.g. `ENGINE_UNREACHABLE`. */
  readonly code: string;
  readonly details: ErrorDetails;

  constructor(code: string, summary: string, options: OttoErrorOptions = {}) {
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

/** Invalid configuration or options given by the user (labs, settings, arguments). */
export class ConfigError extends OttoError {}

/** A connection could not be opened or was lost (engine socket, SSH, telnet). */
export class ConnectionError extends OttoError {}

/** A command ran and failed, or could not be started. */
export class CommandError extends OttoError {}

/** A wait reached its deadline. */
export class TimeoutError extends OttoError {}

/** Moving files failed. */
export class TransferError extends OttoError {}

/** The Docker engine refused or failed a request, or a Docker resource is not as expected. */
export class DockerError extends OttoError {}

/** Building an image failed; `details.operation` names the step. */
export class ImageBuildError extends DockerError {}

/**
 * The reservation gate refused: resources the lab needs are not held by the user
 * (`RESERVATION_MISSING`), or the reservation backend failed (`RESERVATION_BACKEND`, fail closed).
 */
export class ReservationError extends OttoError {}

/** An instruction or user module could not be loaded or failed while running. */
export class InstructionError extends OttoError {}

/** Returns the last `maxLines` lines of a text, for error messages. */
export function tailLines(text: string, maxLines = 20): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-maxLines).join('\n');
}
