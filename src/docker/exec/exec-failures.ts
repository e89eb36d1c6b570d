import { CommandError, ConnectionError, TimeoutError, tailLines } from '../../errors.js';
import { engineStatusOf } from '../engine/engine-client.js';

/** The container an exec runs in, as messages name it. */
export interface ExecPlace {
  /** Container name (or the reference it was given by, before it was inspected). */
  containerName: string;
  /** Engine endpoint URL, e.g. `unix:///var/run/docker.sock`. */
  engineUrl: string;
}

const KIND = '[docker-exec]';

/**
 * Turns the engine's refusal to create or start an exec into an error that says which container
 * and why; other errors pass through. `action` completes "Cannot …", e.g. "run `ls`".
 */
export function toExecError(error: unknown, place: ExecPlace, action: string): unknown {
  const status = engineStatusOf(error);
  if (status === 409) return notRunning(place, action, error);
  if (status === 404) {
    return new ConnectionError(
      'CONTAINER_NOT_FOUND',
      `Cannot ${action} in container ${place.containerName} ${KIND}: there is no such container at ${place.engineUrl}.`,
      { where: place.containerName, operation: action, cause: error },
    );
  }
  return error;
}

/** The container exists but does not run (stopped, exited or paused). */
export function notRunning(place: ExecPlace, action: string, cause?: unknown): ConnectionError {
  const isPaused = /paused/i.test(String((cause as Error | undefined)?.message ?? ''));
  return new ConnectionError(
    'CONTAINER_NOT_RUNNING',
    `Cannot ${action} in container ${place.containerName} ${KIND}: the container is ${isPaused ? 'paused' : 'not running'}.`,
    {
      where: place.containerName,
      operation: action,
      fix: isPaused
        ? 'unpause the container.'
        : 'start the container again; its logs may say why it stopped.',
      cause,
    },
  );
}

/** A command that reached its deadline and was killed; `output` is what it printed until then. */
export function commandTimedOut(
  place: ExecPlace,
  command: string,
  timeoutMs: number,
  output: Buffer,
): TimeoutError {
  return new TimeoutError(
    'COMMAND_TIMEOUT',
    `Timed out after ${timeoutMs}ms running \`${command}\` in container ${place.containerName} ${KIND}.`,
    { where: place.containerName, operation: command, outputTail: outputTail(output) },
  );
}

/** A command stopped by its caller's signal (or by closing the transport). */
export function commandAborted(
  place: ExecPlace,
  command: string,
  elapsedMs: number,
  reason: unknown,
): CommandError {
  return new CommandError(
    'COMMAND_ABORTED',
    `Aborted after ${Math.round(elapsedMs)}ms running \`${command}\` in container ${place.containerName} ${KIND}.`,
    { where: place.containerName, operation: command, cause: reason },
  );
}

/** The engine connection broke while a command's output was being read. */
export function outputLost(place: ExecPlace, command: string, cause: unknown): ConnectionError {
  const reason = (cause as NodeJS.ErrnoException | undefined)?.code ?? (cause as Error).message;
  return new ConnectionError(
    'EXEC_STREAM_LOST',
    `Lost the output of \`${command}\` in container ${place.containerName} ${KIND}: ${reason}.`,
    { where: place.containerName, operation: command, cause },
  );
}

/** The output ended but the engine never recorded how the process exited. */
export function exitCodeUnknown(place: ExecPlace, command: string): ConnectionError {
  return new ConnectionError(
    'EXIT_CODE_UNKNOWN',
    `The output of \`${command}\` in container ${place.containerName} ${KIND} ended, but the engine at ${place.engineUrl} recorded no exit code.`,
    { where: place.containerName, operation: command },
  );
}

function outputTail(output: Buffer): string | undefined {
  const text = output.toString('utf8');
  return text.trim() ? tailLines(text) : undefined;
}
