import { posix } from 'node:path';
import { quotePosix } from '../common/quote.js';
import { lastLineOf, type RemoteRunResult, type RemoteShell } from './remote-shell.js';
import { ancestorsOf, MERGE_FUNCTION, STAGE_PRELUDE } from './remote-scripts.js';
import {
  partPathOf,
  planPut,
  walkSources,
  type PlannedDir,
  type PlannedFile,
} from './transfer-files.js';
import { problemOf } from './transfer-problems.js';
import { CLEANUP_TIMEOUT_MS, type TransferRun } from './transfer-run.js';
import type { TransferOptions, TransferResult } from './transfer.js';

/**
 * Sends one file's bytes to `file.destination` (a path in the staging directory). A sender that
 * runs the landing's steps itself (see {@link landRemotely}) gets the prelude with the first file
 * and the commit with the last, to run in the same scripts as their writes (saving round trips);
 * it throws what their `failure` says.
 */
export type SendStagedFile = (file: PlannedFile, steps: LandingSteps) => Promise<void>;

/** The landing's steps that come with a file, for a sender that runs them. */
export interface LandingSteps {
  /** With the first file: to run before its write. */
  prelude?: LandingPrelude;
  /** With the last file: to run after its write. */
  commit?: LandingCommit;
}

/**
 * The prelude of a put as a script (see {@link RemoteLanding.prepare}): it makes directories,
 * so once started it must not be stopped before it reported, or the discard could not tell which
 * directories it made. Its report is the first thing it prints.
 */
export interface LandingPrelude {
  readonly script: string;
  /** Takes the script's stdout as it arrives. */
  readonly onStdout: (chunk: Buffer) => void;
  /** Resolves once the report arrived (never, when the script ended before it printed one). */
  readonly reported: Promise<void>;
  readonly isReported: boolean;
  /** The error the report tells, or that no report came; undefined when it succeeded. */
  failure(stderr: string): Error | undefined;
}

/** How long the commit of a put (sizes, modes, merge) may take once every file arrived. */
export const COMMIT_TIMEOUT_MS = CLEANUP_TIMEOUT_MS * 6;

/**
 * The commit of a put as a script to run once the last file is written (see {@link RemoteLanding.commit}).
 * Once every byte arrived it must not be stopped halfway: it has only its own deadline.
 */
export interface LandingCommit {
  /** POSIX shell lines; they exit 1 with a line on stdout naming the problem. */
  readonly script: string;
  /** The error a run of the script ended in, or undefined when it succeeded. */
  failure(result: RemoteRunResult): Error | undefined;
}

/**
 * Puts local files on a host through its shell, by the rules of the transfer contract: checks
 * every source, makes the destination and a staging directory inside it, lets `send` write each
 * file there, then checks sizes, sets modes and merges the tree into place. On any failure,
 * timeout or abort it removes the staging directory and the directories it made, then rejects.
 * With `sendRunsSteps`, `send` runs the prelude and the commit in its own scripts (see
 * {@link SendStagedFile}); otherwise each is a script of its own.
 */
export async function landRemotely(
  run: TransferRun,
  shell: RemoteShell,
  localPaths: readonly string[],
  send: SendStagedFile,
  options: TransferOptions & { sendRunsSteps?: boolean },
): Promise<TransferResult> {
  const entries = await walkSources(run, localPaths);
  const landing = new RemoteLanding(run, shell, run.destDir);
  const { directories, files } = planPut(entries, landing.stage);
  const isFolded = options.sendRunsSteps === true && files.length > 0;
  try {
    if (!isFolded) await landing.prepare(directories);
    for (const [index, file] of files.entries()) {
      run.throwIfStopped();
      options.onProgress?.({ file: file.source, doneBytes: 0, totalBytes: file.sizeBytes });
      const isFirst = index === 0;
      const isLast = index === files.length - 1;
      await send(file, {
        ...(isFolded && isFirst ? { prelude: landing.preludeOf(directories) } : {}),
        ...(isFolded && isLast ? { commit: landing.commitOf(files, directories) } : {}),
      });
    }
    if (!isFolded) {
      run.throwIfStopped();
      await landing.commit(files, directories);
    }
  } catch (error) {
    await landing.discard();
    throw run.toError(error);
  }
  return run.result(
    files.map((file) => ({
      source: file.source,
      destination: landing.finalOf(file.destination),
      sizeBytes: file.sizeBytes,
    })),
  );
}

/**
 * The remote side of one put: the staging directory (`.put.otto-part-…` inside the destination),
 * the directories the call made, the commit that moves everything into place and the discard
 * that removes what the call left.
 */
export class RemoteLanding {
  /** The staging directory inside the destination. */
  readonly stage: string;
  /** Directories the prelude made (the destination and its missing parents), deepest first. */
  private createdDirs: string[] = [];

  constructor(
    private readonly run: TransferRun,
    private readonly shell: RemoteShell,
    private readonly remoteDir: string,
  ) {
    this.stage = partPathOf(posix.join(remoteDir, 'put'));
  }

  /** Makes the destination, the staging directory and the tree's directories in it (mode 0700). */
  async prepare(directories: readonly PlannedDir[]): Promise<void> {
    const prelude = this.preludeOf(directories);
    this.run.throwIfStopped();
    // Not stopped halfway (only its own deadline): see LandingPrelude.
    const result = await this.shell.run(prelude.script, {
      timeoutMs: CLEANUP_TIMEOUT_MS,
      onStdout: prelude.onStdout,
    });
    this.run.throwIfStopped();
    const failure = prelude.failure(result.stderr);
    if (failure) throw failure;
  }

  /**
   * The prelude of {@link prepare} as a script: it prints how many of the destination's
   * ancestors are missing (before it makes any), then `ready`, or the line naming what failed.
   */
  preludeOf(directories: readonly PlannedDir[]): LandingPrelude {
    const ancestors = ancestorsOf(this.remoteDir);
    const dirs = directories.map((dir) => quotePosix(dir.path)).join(' ');
    const script = [
      `set -- ${[this.remoteDir, this.stage, ...ancestors].map(quotePosix).join(' ')}`,
      STAGE_PRELUDE,
      ...(dirs
        ? [`e=$(mkdir -m 700 -- ${dirs} 2>&1) || { echo "stage $e" | head -n 1; exit 1; }`]
        : []),
      'echo ready',
    ].join('\n');
    let text = '';
    let status: string | undefined;
    let tell: () => void = () => undefined;
    const reported = new Promise<void>((resolve) => (tell = resolve));
    const onStdout = (chunk: Buffer): void => {
      if (status !== undefined) return;
      text += chunk.toString('utf8');
      const lines = text.split(/\r?\n/).slice(0, -1);
      if (lines.length === 0) return;
      // The count comes before any directory is made: known, it lets the discard remove them.
      const missing = Number(lines[0]);
      this.createdDirs = ancestors.slice(0, Number.isInteger(missing) ? missing : 0);
      status = lines.slice(1).find((line) => line !== 'ok');
      if (status !== undefined) tell();
    };
    return {
      script,
      onStdout,
      reported,
      get isReported() {
        return status !== undefined;
      },
      failure: (stderr) =>
        status === 'ready' ? undefined : this.preludeFailure(status ?? '', stderr),
    };
  }

  /** Checks the staged sizes and sets modes, merges the tree into place, gives new dirs their modes. */
  async commit(files: readonly PlannedFile[], directories: readonly PlannedDir[]): Promise<void> {
    const commit = this.commitOf(files, directories);
    // Once every file arrived, the merge is not stopped halfway: it only has its own deadline.
    const result = await this.shell.run(commit.script, { timeoutMs: COMMIT_TIMEOUT_MS });
    const failure = commit.failure(result);
    if (failure) throw failure;
  }

  /** The commit of {@link commit} as a script, for a sender to run after the last file. */
  commitOf(files: readonly PlannedFile[], directories: readonly PlannedDir[]): LandingCommit {
    const q = quotePosix;
    const checks = files.flatMap((file, index) => [
      `s=$(wc -c < ${q(file.destination)}) && [ $s -eq ${file.sizeBytes} ] || { echo "size ${index} $s"; exit 1; }`,
      `chmod ${file.mode.toString(8)} -- ${q(file.destination)} || exit 1`,
    ]);
    const finals = directories.map((dir) => this.finalOf(dir.path));
    const news = finals.map((final, index) => `[ -e ${q(final)} ] || d${index}=1`);
    const modes = finals.map(
      (final, index) =>
        `[ -z "$d${index}" ] || chmod ${directories[index]!.mode.toString(8)} -- ${q(final)} || exit 1`,
    );
    const merge = `merge ${q(this.stage)} ${q(this.remoteDir)} || exit 1`;
    const script = [
      MERGE_FUNCTION,
      ...checks,
      ...news,
      merge,
      `rm -rf -- ${q(this.stage)}`,
      ...modes,
    ].join('\n');
    return {
      script,
      failure: (result) =>
        result.exitCode === 0
          ? undefined
          : this.commitFailure(
              files,
              lastLineOf(result.stdout.toString('utf8'), ''),
              result.stderr,
            ),
    };
  }

  /** Removes the staging directory and the directories the prelude made, within a deadline. */
  async discard(): Promise<void> {
    const rmdirs = this.createdDirs.map((dir) => `rmdir -- ${quotePosix(dir)} 2>/dev/null`);
    const script = [`rm -rf -- ${quotePosix(this.stage)}`, ...rmdirs, 'exit 0'].join('\n');
    await this.shell.run(script, { timeoutMs: CLEANUP_TIMEOUT_MS }).catch(() => undefined);
  }

  /** The path a staged path lands at. */
  finalOf(staged: string): string {
    return staged.startsWith(`${this.stage}/`)
      ? posix.join(this.remoteDir, staged.slice(this.stage.length + 1))
      : staged;
  }

  private preludeFailure(status: string, stderr: string): Error {
    const { run, remoteDir } = this;
    if (status.startsWith('notdir ')) return run.notADirectory(status.slice(7));
    if (status.startsWith('dest ')) return run.createFailed(remoteDir, new Error(status));
    const paths = run.paths.join(', ');
    if (status.startsWith('stage '))
      return run.failedWith(paths, `cannot write ${remoteDir}`, problemOf(new Error(status)));
    return run.createFailed(remoteDir, new Error(lastLineOf(stderr, 'the shell gave no answer')));
  }

  private commitFailure(files: readonly PlannedFile[], line: string, stderr: string): Error {
    const { run } = this;
    const [word = '', ...rest] = line.split(' ');
    if (word === 'size') {
      const file = files[Number(rest[0])]!;
      const reason = `the copy on the host has ${rest[1] || 0} bytes, the original ${file.sizeBytes}`;
      return run.failed(file.source, reason, 'SIZE_MISMATCH');
    }
    const paths = run.paths.join(', ');
    if (word === 'isdir')
      return run.failed(paths, `cannot write ${rest.join(' ')}: is a directory`);
    const reason = lastLineOf(stderr, 'the merge script failed');
    return run.failedWith(
      paths,
      `moving files into ${this.remoteDir}`,
      problemOf(new Error(reason)),
    );
  }
}
