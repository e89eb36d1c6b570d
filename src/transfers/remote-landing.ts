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
 * Sends one file's bytes to `file.destination` (a path in the staging directory). With the last
 * file comes the landing's commit: a sender that can run it in the same script as the file's
 * write (saving a round trip) does and resolves `true`; otherwise the landing runs it after.
 */
export type SendStagedFile = (file: PlannedFile, commit?: LandingCommit) => Promise<boolean | void>;

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
 */
export async function landRemotely(
  run: TransferRun,
  shell: RemoteShell,
  localPaths: readonly string[],
  send: SendStagedFile,
  options: TransferOptions,
): Promise<TransferResult> {
  const entries = await walkSources(run, localPaths);
  const landing = new RemoteLanding(run, shell, run.destDir);
  const { directories, files } = planPut(entries, landing.stage);
  try {
    await landing.prepare(directories);
    let isCommitted = false;
    for (const [index, file] of files.entries()) {
      run.throwIfStopped();
      options.onProgress?.({ file: file.source, doneBytes: 0, totalBytes: file.sizeBytes });
      const isLast = index === files.length - 1;
      const commit = isLast ? landing.commitOf(files, directories) : undefined;
      isCommitted = (await send(file, commit)) === true;
    }
    if (!isCommitted) {
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
    const ancestors = ancestorsOf(this.remoteDir);
    const dirs = directories.map((dir) => quotePosix(dir.path)).join(' ');
    const script = [
      `set -- ${[this.remoteDir, this.stage, ...ancestors].map(quotePosix).join(' ')}`,
      STAGE_PRELUDE,
      ...(dirs
        ? [`e=$(mkdir -m 700 -- ${dirs} 2>&1) || { echo "stage $e" | head -n 1; exit 1; }`]
        : []),
    ];
    this.run.throwIfStopped();
    // Not stopped halfway (only its own deadline): a prelude killed after its `mkdir -p` would
    // not say which directories it made, and the discard could not remove them.
    const result = await this.shell.run(script.join('\n'), { timeoutMs: CLEANUP_TIMEOUT_MS });
    const [count, status = ''] = result.stdout.toString('utf8').split(/\r?\n/);
    const missing = Number(count);
    this.createdDirs = ancestors.slice(0, Number.isInteger(missing) ? missing : 0);
    this.run.throwIfStopped();
    if (result.exitCode !== 0 || status !== 'ok') throw this.preludeFailure(status, result.stderr);
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
    if (status === 'notdir') return run.notADirectory(remoteDir);
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
