import { ConnectionError, OttoError, TimeoutError } from '../errors.js';
import type { TransportKind } from '../transports/transport.js';

/** Where a session is, for messages: `host "db-1" (session logs) [ssh]`. */
export interface SessionWhere {
  hostId: string;
  label: string;
}

/** Describes a session for messages. */
export function describeSession(name: string, hostId: string, kind: TransportKind): SessionWhere {
  const session = name === 'default' ? '' : ` (session ${name})`;
  return { hostId, label: `host "${hostId}"${session} [${kind}]` };
}

/** The first line of a command, marked when more lines follow. */
export function firstLine(command: string): string {
  const line = command.split('\n')[0]!;
  return line.length < command.length ? `${line} …` : line;
}

/** A command that reached its deadline or was aborted by its caller. */
export function stopError(
  kind: 'timeout' | 'aborted',
  command: string,
  timeoutMs: number,
  where: SessionWhere,
): OttoError {
  if (kind === 'aborted') return abortError(where.label);
  return new TimeoutError(
    'COMMAND_TIMEOUT',
    `Timed out after ${timeoutMs}ms running \`${firstLine(command)}\` on ${where.label}; the command was interrupted.`,
    {
      where: where.hostId,
      operation: command,
    },
  );
}

/** The shell ended while a command ran (`exit` in the command, a lost connection). */
export function lostError(command: string, cause: unknown, where: SessionWhere): OttoError {
  return new ConnectionError(
    'SESSION_LOST',
    `The shell of ${where.label} ended while running \`${firstLine(command)}\`; it is reopened on the next call.`,
    {
      where: where.hostId,
      operation: command,
      cause,
    },
  );
}

/** A wait on the session's output that reached its deadline, with the last output seen. */
export function sessionTimeoutError(
  what: string,
  where: SessionWhere,
  lastOutput: string,
): TimeoutError {
  const tail = lastOutput.slice(-200);
  return new TimeoutError(
    'SESSION_TIMEOUT',
    `${what} on ${where.label}.${tail ? ` Last output: ${JSON.stringify(tail)}` : ''}`,
    {
      where: where.hostId,
    },
  );
}

/** The caller's AbortSignal fired. */
export function abortError(where: string): OttoError {
  return new OttoError('COMMAND_ABORTED', `The command on ${where} was aborted by its caller.`);
}

/** Any failure as one of our errors. */
export function asOttoError(error: unknown): OttoError {
  if (error instanceof OttoError) return error;
  return new ConnectionError(
    'SESSION_FAILED',
    `Shell session failed: ${(error as Error).message}`,
    { cause: error },
  );
}
