import { CommandError, type OttoError } from '../errors.js';
import type { ExpectRule } from '../sessions/expect-matcher.js';

/**
 * Outcome of a command, as in otto: `success` and `skipped` are ok; `failed` is a non-accepted
 * exit code; `error` means the command did not finish (timeout, lost connection); `unstable` is
 * for suites (passed, but not every time).
 */
export type Status = 'success' | 'failed' | 'error' | 'unstable' | 'skipped';

/** True for the statuses that count as ok. */
export function isOkStatus(status: Status): boolean {
  return status === 'success' || status === 'skipped';
}

/** What one command did. */
export interface CommandResult {
  command: string;
  /** stdout and stderr in the order they came. */
  output: string;
  /** stdout alone (on a persistent session, where streams are merged, equal to `output`). */
  stdout: string;
  /** stderr alone (empty on a persistent session). */
  stderr: string;
  /** `output` as bytes, exactly (binary and non-UTF-8 output). */
  outputBytes: Buffer;
  /** Exit code; -1 when the command did not finish. */
  exitCode: number;
  status: Status;
  durationMs: number;
  /** Why the command did not finish, for `error` results. */
  error?: OttoError;
}

/** A command with its own prompts, deadline and accepted exit codes. */
export interface ShellCommand {
  cmd: string;
  /** Prompts to answer while it runs: `[[/password:/i, 'secret\n']]`. */
  expects?: readonly ExpectRule[];
  timeoutMs?: number;
  /** Exit codes that count as success. @default [0] */
  okExitCodes?: readonly number[];
}

/** The status of a finished command. */
export function statusOf(
  exitCode: number,
  okExitCodes: readonly number[] = [0],
  error?: OttoError,
): Status {
  if (error) return 'error';
  return okExitCodes.includes(exitCode) ? 'success' : 'failed';
}

/** A result for a command that was not run. */
export function skippedResult(command: string, why: string): CommandResult {
  return {
    command,
    output: why,
    stdout: why,
    stderr: '',
    outputBytes: Buffer.from(why),
    exitCode: -1,
    status: 'error',
    durationMs: 0,
  };
}

/** A result for a command that a dry run did not run: `skipped`, which counts as ok. */
export function dryRunResult(command: string): CommandResult {
  return { ...skippedResult(command, ''), status: 'skipped' };
}

/** What `run` did with one or more commands. */
export class RunResult {
  constructor(readonly results: readonly CommandResult[]) {}

  /** The first status that is not ok, else `skipped` when nothing ran (a dry run), else `success`. */
  get status(): Status {
    const failed = this.results.find((result) => !isOkStatus(result.status));
    if (failed) return failed.status;
    const skippedAll =
      this.results.length > 0 && this.results.every((result) => result.status === 'skipped');
    return skippedAll ? 'skipped' : 'success';
  }

  get ok(): boolean {
    return isOkStatus(this.status);
  }

  /** The single result of a one-command run; throws when there are several. */
  only(): CommandResult {
    if (this.results.length !== 1) {
      throw new CommandError(
        'NOT_ONE_RESULT',
        `only() needs a run of exactly one command; this one ran ${this.results.length}.`,
      );
    }
    return this.results[0]!;
  }

  /** Throws a {@link CommandError} for the first command that is not ok; returns this otherwise. */
  check(hostId: string): this {
    const failed = this.results.find((result) => !isOkStatus(result.status));
    if (failed) throw commandFailure(failed, hostId);
    return this;
  }
}

/** The error for a command whose result is not ok. */
export function commandFailure(result: CommandResult, hostId: string): CommandError {
  const why = result.error ? result.error.message.split('\n')[0]! : `exit code ${result.exitCode}`;
  return new CommandError(
    'COMMAND_FAILED',
    `Command failed on host "${hostId}" (${why}): \`${result.command.split('\n')[0]}\``,
    {
      where: hostId,
      operation: result.command,
      exitCode: result.exitCode,
      outputTail: result.output.trimEnd().split('\n').slice(-20).join('\n'),
      cause: result.error,
    },
  );
}
