import { describePlace, placeDetails, shortCommand, type Place } from '../../common/place.js';
import { ClosedError, ConnectionError, tailLines } from '../../errors.js';
import { engineStatusOf } from '../engine/engine-client.js';

/**
 * Turns the engine's refusal to create or start an exec into an error that says which container
 * and why; other errors pass through. `action` completes "Cannot …", e.g. "run `ls`".
 */
export function toExecError(error: unknown, place: Place, action: string): unknown {
  const status = engineStatusOf(error);
  if (status === 409) return notRunning(place, action, error);
  if (status === 404) {
    return new ConnectionError(
      'CONTAINER_NOT_FOUND',
      `Cannot ${action} on ${describePlace(place)}: there is no such container.`,
      { ...placeDetails(place), operation: action, cause: error },
    );
  }
  return error;
}

/** The container exists but does not run (stopped, exited or paused). */
export function notRunning(place: Place, action: string, cause?: unknown): ConnectionError {
  const isPaused = /paused/i.test(String((cause as Error | undefined)?.message ?? ''));
  return new ConnectionError(
    'CONTAINER_NOT_RUNNING',
    `Cannot ${action} on ${describePlace(place)}: the container is ${isPaused ? 'paused' : 'not running'}.`,
    {
      ...placeDetails(place),
      operation: action,
      fix: isPaused
        ? 'unpause the container.'
        : 'start the container again; its logs may say why it stopped.',
      cause,
    },
  );
}

/** A call on a transport after its `close()`. */
export function transportClosed(place: Place, action: string): ClosedError {
  return new ClosedError(`Cannot ${action} on ${describePlace(place)}: it was closed.`, {
    ...placeDetails(place),
    operation: action,
  });
}

/** The engine connection broke while a command's output was being read. */
export function outputLost(place: Place, command: string, cause: unknown): ConnectionError {
  const reason = (cause as NodeJS.ErrnoException | undefined)?.code ?? (cause as Error).message;
  return new ConnectionError(
    'EXEC_STREAM_LOST',
    `Lost the output of \`${shortCommand(command)}\` on ${describePlace(place)}: ${reason}.`,
    { ...placeDetails(place), operation: command, cause },
  );
}

/** The output ended but the engine never recorded how the process exited. */
export function exitCodeUnknown(place: Place, command: string): ConnectionError {
  return new ConnectionError(
    'EXIT_CODE_UNKNOWN',
    `The output of \`${shortCommand(command)}\` on ${describePlace(place)} ended, but the engine recorded no exit code.`,
    { ...placeDetails(place), operation: command },
  );
}

/** The last lines of a command's output, for an error's details; undefined when it printed nothing. */
export function outputTail(output: Buffer): string | undefined {
  const text = output.toString('utf8');
  return text.trim() ? tailLines(text) : undefined;
}
