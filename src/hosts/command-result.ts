import { CommandError, type OttoError } from '../errors.js';
import type { ExpectRule } from '../sessions/expect-matcher.js';

/**
 * Outcome of a command, as in otto: `success` and `skipped` are ok; `failed` is a non-accepted
 * exit code; `error` means the command did not finish (timeout, lost connection); `unstable` is
 * for suites (passed, but not every time).
 */
export type Status = 'success' | 'failed' | 'error' | 'unstable' | 'skipped';

/**
 * True for the statuses that count as ok: `success` and `skipped`.
 * @example if (!isOkStatus(result.status)) console.log(result.output);
 */
export function isOkStatus(status: Status): boolean {
  return status === 'success' || status === 'skipped';
}

/** What one command did. */
export interface CommandResult {
  /** The command as run: the command line, or an argv joined and quoted for a shell. */
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
  /**
   * `success` (an accepted exit code), `failed` (another one), `error` (it did not finish) or
   * `skipped` (a dry run).
   */
  status: Status;
  /** How long it ran, in milliseconds. */
  durationMs: number;
  /** Bytes of `output` dropped by the output limit; a marker line stands where they were. */
  droppedBytes: number;
  /**
   * Why the command did not finish, for `error` results: a `TimeoutError`, an `AbortedError`, a
   * `ConnectionError` (the shell or connection was lost) or a `ClosedError`.
   */
  error?: OttoError;
}

/** A command with its own prompts, deadline and accepted exit codes. */
export interface ShellCommand {
  /** The command line, run by the session's shell (multi-line scripts and heredocs work). */
  cmd: string;
  /** Prompts to answer while it runs: `[[/password:/i, 'secret\n']]`. */
  expects?: readonly ExpectRule[];
  /** Its own deadline, within the list's. @default what is left of the list's deadline */
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

/** A result for a command of a list that was not run (a deadline spent, an abort, stopOnError). */
export function notRunResult(command: string, why: string): CommandResult {
  return { ...emptyResult(command, why), status: 'error' };
}

/** A result for a command that a dry run did not run: `skipped`, which counts as ok. */
export function dryRunResult(command: string): CommandResult {
  return { ...emptyResult(command, ''), status: 'skipped' };
}

function emptyResult(command: string, output: string): Omit<CommandResult, 'status'> {
  return {
    command,
    output,
    stdout: output,
    stderr: '',
    outputBytes: Buffer.from(output),
    exitCode: -1,
    durationMs: 0,
    droppedBytes: 0,
  };
}

/**
 * What `run` did with one or more commands: a result per command of the list, in order (those not
 * run after a stop come back as `error` results saying why).
 * @example
 * const run = await host.run(['make', 'make test']);
 * if (!run.ok) console.log(run.status, run.results.map((r) => r.exitCode));
 */
export class RunResult {
  constructor(
    /** One result per command of the list, in order. */
    readonly results: readonly CommandResult[],
  ) {}

  /** The first status that is not ok, else `skipped` when nothing ran (a dry run), else `success`. */
  get status(): Status {
    const failed = this.results.find((result) => !isOkStatus(result.status));
    if (failed) return failed.status;
    const skippedAll =
      this.results.length > 0 && this.results.every((result) => result.status === 'skipped');
    return skippedAll ? 'skipped' : 'success';
  }

  /** True when every command is ok (`success` or `skipped`). */
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

  /**
   * Throws a {@link CommandError} (`COMMAND_FAILED`) for the first command that is not ok, with its
   * output's last lines; returns this otherwise.
   * @param hostId the host's id, for the message.
   * @example const { results } = (await host.run('make')).check(host.id);
   */
  check(hostId: string): this {
    const failed = this.results.find((result) => !isOkStatus(result.status));
    if (failed) throw commandFailure(failed, hostId);
    return this;
  }
}

/** What an exit code says, as shells mean it: 126 and 127 have names of their own. */
export function describeExitCode(exitCode: number): string {
  if (exitCode === 127) return 'exit code 127: command not found';
  if (exitCode === 126) return 'exit code 126: not executable';
  if (exitCode > 128 && exitCode < 160)
    return `exit code ${exitCode}: killed by signal ${exitCode - 128}`;
  return `exit code ${exitCode}`;
}

/** The error for a command whose result is not ok. */
export function commandFailure(result: CommandResult, hostId: string): CommandError {
  const why = result.error
    ? result.error.message.split('\n')[0]!
    : describeExitCode(result.exitCode);
  return new CommandError(
    'COMMAND_FAILED',
    `Command failed on host "${hostId}" (${why}): \`${result.command.split('\n')[0]}\``,
    {
      host: hostId,
      operation: result.command,
      exitCode: result.exitCode,
      outputTail: result.output.trimEnd().split('\n').slice(-20).join('\n'),
      cause: result.error,
    },
  );
}
