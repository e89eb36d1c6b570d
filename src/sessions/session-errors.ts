import { describePlace, placeDetails, shortCommand, type Place } from '../common/place.js';
import type { Deadline } from '../common/deadline.js';
import {
  ClosedError,
  ConnectionError,
  isOttoError,
  type OttoError,
  TimeoutError,
  type AbortedError,
} from '../errors.js';

/** Where a session is, for messages: `host "db-1" (session logs) [ssh]`. */
export interface SessionPlace {
  place: Place;
  label: string;
}

/** Describes a session for messages. */
export function describeSession(name: string, place: Place): SessionPlace {
  const host = describePlace(place);
  const label = name === 'default' ? host : host.replace(/ \[/, ` (session ${name}) [`);
  return { place, label };
}

/** A command that reached its deadline or was aborted by its caller. */
export function stopError(
  deadline: Deadline,
  command: string,
  at: SessionPlace,
): TimeoutError | AbortedError {
  return deadline.stopError(
    'COMMAND_TIMEOUT',
    `running \`${shortCommand(command)}\` on ${at.label}`,
    {
      ...placeDetails(at.place),
      operation: command,
    },
  );
}

/** The shell ended while a command ran (`exit` in the command, a lost connection). */
export function lostError(command: string, cause: unknown, at: SessionPlace): OttoError {
  return new ConnectionError(
    'SESSION_LOST',
    `The shell of ${at.label} ended while running \`${shortCommand(command)}\`; it is reopened on the next call.`,
    { ...placeDetails(at.place), operation: command, cause },
  );
}

/** The shell's channel ended (seen while nothing or a wait was running). */
export function endedError(cause: Error | undefined, at: SessionPlace): ConnectionError {
  const why = cause ? `: ${cause.message.split('\n')[0]!.replace(/\.$/, '')}` : '';
  return new ConnectionError('SESSION_LOST', `The shell of ${at.label} ended${why}.`, {
    ...placeDetails(at.place),
    cause,
  });
}

/** A wait on the session's output that reached its deadline, with the last output seen. */
export function sessionTimeoutError(
  what: string,
  at: SessionPlace,
  lastOutput: string,
): TimeoutError {
  const tail = lastOutput.slice(-200);
  return new TimeoutError(
    'SESSION_TIMEOUT',
    `${what} on ${at.label}.${tail ? ` Last output: ${JSON.stringify(tail)}` : ''}`,
    placeDetails(at.place),
  );
}

/** A call on a session after it was closed. */
export function closedError(at: SessionPlace, call: string): ClosedError {
  return new ClosedError(`Cannot ${call} on ${at.label}: the session was closed.`, {
    ...placeDetails(at.place),
  });
}

/** Any failure as one of our errors, naming the session. */
export function asOttoError(error: unknown, at: SessionPlace): OttoError {
  if (isOttoError(error)) return error;
  return new ConnectionError(
    'SESSION_FAILED',
    `The shell of ${at.label} failed: ${(error as Error).message}`,
    { ...placeDetails(at.place), cause: error },
  );
}
