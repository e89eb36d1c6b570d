import { Deadline } from '../common/deadline.js';
import { describePlace, placeDetails, type Place } from '../common/place.js';
import {
  TransferError,
  type AbortedError,
  type TimeoutError,
  type TransferErrorCode,
} from '../errors.js';
import { problemOf, type Problem } from './transfer-problems.js';
import type { TransferKind, TransferOptions, TransferResult } from './transfer.js';

/** Which way files move: `put` sends them to the host, `get` brings them here. */
export type TransferDirection = 'put' | 'get';

/** Time allowed for removing what a failed or stopped transfer left, after it stopped. */
export const CLEANUP_TIMEOUT_MS = 10_000;

/**
 * One put or get under way: where it runs, its deadline (the transfer's `timeoutMs` joined with
 * the caller's signal) and how its errors read. Every implementation starts one per call, so
 * every transfer stops, and words its failures, the same way.
 * @example
 * using run = startTransfer(this.place, 'put', localPaths, remoteDir, options);
 * ... throw run.failed(file.source, `cannot write ${file.destination}: permission denied`);
 */
export class TransferRun implements Disposable {
  readonly deadline: Deadline;
  private readonly startMs = performance.now();

  constructor(
    readonly place: Place,
    readonly direction: TransferDirection,
    readonly paths: readonly string[],
    readonly destDir: string,
    options: TransferOptions,
  ) {
    this.deadline = new Deadline({ timeoutMs: options.timeoutMs, signal: options.signal });
  }

  /** Aborts when the transfer must stop: its deadline passed or the caller aborted. */
  get signal(): AbortSignal {
    return this.deadline.signal;
  }

  get isStopped(): boolean {
    return this.deadline.reason !== undefined;
  }

  /** Throws the stop error once the deadline passed or the caller aborted. */
  throwIfStopped(): void {
    if (this.isStopped) throw this.stopError();
  }

  /** `Timed out after 500ms putting /a into /srv on host "db-1" (…) [sftp].`, or `Aborted …`. */
  stopError(): TimeoutError | AbortedError {
    const doing = `${this.direction === 'put' ? 'putting' : 'getting'} ${describePaths(this.paths)}`;
    return this.deadline.stopError(
      'TRANSFER_TIMEOUT',
      `${doing} into ${this.destDir} on ${describePlace(this.place)}`,
      { ...placeDetails(this.place), operation: `${this.direction} ${describePaths(this.paths)}` },
    );
  }

  /** `put /a/b.txt on host "db-1" (…) [sftp] failed: cannot write /srv/b.txt: permission denied.` */
  failed(
    path: string,
    reason: string,
    code: TransferErrorCode = 'TRANSFER_FAILED',
    cause?: unknown,
  ): TransferError {
    const summary = `${this.direction} ${path} on ${describePlace(this.place)} failed: ${sentence(reason)}`;
    return new TransferError(code, summary, {
      ...placeDetails(this.place),
      operation: `${this.direction} ${path}`,
      cause,
    });
  }

  /** The failure of `path` because of `problem`: the code follows the problem's kind. */
  failedWith(path: string, reason: string, problem: Problem, cause?: unknown): TransferError {
    return this.failed(path, `${reason}: ${problem.phrase}`, problem.code, cause);
  }

  /** A source that could not be read: missing (its own code), or another problem. */
  sourceFailed(path: string, error: unknown): TransferError {
    const problem = problemOf(error);
    if (problem.isMissing) {
      const code = this.direction === 'put' ? 'LOCAL_PATH_NOT_FOUND' : 'REMOTE_PATH_NOT_FOUND';
      return this.failed(path, problem.phrase, code, error);
    }
    // The problem's code speaks of destinations: an unreadable source is a plain failure.
    return this.failed(path, `cannot read ${path}: ${problem.phrase}`, 'TRANSFER_FAILED', error);
  }

  /** A destination that could not be written (`target`, while moving `source`). */
  writeFailed(source: string, target: string, error: unknown): TransferError {
    return this.failedWith(source, `cannot write ${target}`, problemOf(error), error);
  }

  /** A destination directory that could not be made. */
  createFailed(dir: string, error: unknown): TransferError {
    return this.failedWith(
      describePaths(this.paths),
      `cannot create ${dir}`,
      problemOf(error),
      error,
    );
  }

  /** The destination directory exists but is not one. */
  notADirectory(dir: string): TransferError {
    return this.failed(describePaths(this.paths), `${dir} exists and is not a directory`);
  }

  /**
   * What to throw for an error caught while the transfer ran: the stop error once it was stopped
   * (an error caused by stopping it says nothing more), transfer errors as they are, anything
   * else (a lost connection, an engine failure) as a failure of the whole transfer, its cause.
   */
  toError(error: unknown): TransferError | TimeoutError | AbortedError {
    if (this.isStopped) return this.stopError();
    if (error instanceof TransferError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return this.failed(
      describePaths(this.paths),
      message.split('\n')[0]!,
      'TRANSFER_FAILED',
      error,
    );
  }

  /** The result of the finished transfer. */
  result(files: TransferResult['files']): TransferResult {
    return { files, durationMs: performance.now() - this.startMs };
  }

  dispose(): void {
    this.deadline.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * Starts a transfer's run; throws the `AbortedError` at once when the caller's signal is
 * already aborted, so that nothing starts.
 */
export function startTransfer(
  place: Place,
  direction: TransferDirection,
  paths: readonly string[],
  destDir: string,
  options: TransferOptions,
): TransferRun {
  const run = new TransferRun(place, direction, paths, destDir, options);
  if (run.isStopped) {
    run.dispose();
    throw run.stopError();
  }
  return run;
}

/** The place of a transfer: its host and address, with the transfer's kind in brackets. */
export function transferPlace(place: Place, kind: TransferKind): Place {
  return { ...place, kind };
}

/** Names a list of paths in a message: one as it is, several counted with the first few. */
export function describePaths(paths: readonly string[]): string {
  if (paths.length === 1) return paths[0]!;
  const shown = paths.slice(0, 3).join(', ');
  return `${paths.length} paths (${shown}${paths.length > 3 ? ', …' : ''})`;
}

/** A reason as the end of a sentence: one final period, none after `?` or `!`. */
function sentence(reason: string): string {
  const trimmed = reason.trim().replace(/\.$/, '');
  return /[?!]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
