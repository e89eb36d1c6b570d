import { randomBytes } from 'node:crypto';
import type { ExecOutput } from '../../common/bounded-output.js';
import type { Deadline } from '../../common/deadline.js';
import { describePlace, placeDetails, shortCommand, type Place } from '../../common/place.js';
import { quotePosix } from '../../common/quote.js';
import { ConfigError, ConnectionError, tailLines, type OttoError } from '../../errors.js';
import { markAssignment } from '../interrupt-script.js';
import type { ExecOutcome } from '../transport.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A new mark for the processes of one direct command (see markedKillScript). */
export function newExecMark(): string {
  return randomBytes(8).toString('hex');
}

/**
 * The command line an exec channel runs: the mark first, then `export NAME=value;` for each
 * variable (sshd drops most env requests), then the command.
 */
export function markedCommandLine(
  commandLine: string,
  mark: string,
  env: Record<string, string> | undefined,
): string {
  return `export ${markAssignment(mark)}; ${withEnv(commandLine, env)}`;
}

/** Prefixes a command line with `export NAME=value;` for each variable. Throws INVALID_ENV for a bad name. */
export function withEnv(commandLine: string, env: Record<string, string> | undefined): string {
  const entries = Object.entries(env ?? {});
  if (entries.length === 0) return commandLine;
  const invalid = entries.map(([name]) => name).filter((name) => !ENV_NAME.test(name));
  if (invalid.length > 0) {
    throw new ConfigError(
      'INVALID_ENV',
      `Invalid environment variable name${invalid.length > 1 ? 's' : ''} ${invalid.map((name) => JSON.stringify(name)).join(', ')}: expected letters, digits and _ (not first a digit).`,
    );
  }
  const exports = entries.map(([name, value]) => `export ${name}=${quotePosix(value)};`).join(' ');
  return `${exports} ${commandLine}`;
}

/** The outcome of a command that did not finish: exit code -1, the output so far and why. */
export function unfinishedOutcome(output: ExecOutput, error: OttoError): ExecOutcome {
  return { exitCode: -1, ...output.collect(), error };
}

/** The error of a command its deadline or its caller's abort stopped. */
export function stoppedError(
  deadline: Deadline,
  place: Place,
  command: string,
  output: ExecOutput,
): OttoError {
  return deadline.stopError(
    'COMMAND_TIMEOUT',
    `running \`${shortCommand(command)}\` on ${describePlace(place)}`,
    { ...placeDetails(place), operation: command, outputTail: outputTail(output) },
  );
}

/**
 * The error of a command whose channel went away before it finished: the connection dropped
 * (`drop` tells why), or the server ended the channel without an exit status.
 */
export function lostError(
  place: Place,
  command: string,
  output: ExecOutput,
  drop: { error: Error; why: string } | undefined,
): ConnectionError {
  const why = drop ? drop.why : 'the channel closed without an exit status';
  return new ConnectionError(
    'CONNECTION_LOST',
    `Lost the connection to ${describePlace(place)} while running \`${shortCommand(command)}\`: ${why}.`,
    {
      ...placeDetails(place),
      operation: command,
      outputTail: outputTail(output),
      cause: drop?.error,
    },
  );
}

function outputTail(output: ExecOutput): string | undefined {
  return tailLines(output.output.toBuffer().toString('utf8')) || undefined;
}
