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
import { groupLines } from './script-lines.js';
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

/** Room left in a landing's script for what a sender adds around it (its listener). */
const SENDER_ROOM_BYTES = 4096;
/** The prelude's own lines, besides its `mkdir` of the tree's directories (long paths allowed). */
const PRELUDE_BYTES = 24 * 1024;

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
  // Steps too long for one script of the sender's are run by the landing, in several.
  const prelude = isFolded ? landing.preludeOf(directories) : undefined;
  const commit = isFolded ? landing.commitOf(files, directories) : undefined;
  try {
    if (!prelude) await landing.prepare(directories);
    for (const [index, file] of files.entries()) {
      run.throwIfStopped();
      options.onProgress?.({ file: file.source, doneBytes: 0, totalBytes: file.sizeBytes });
      await send(file, {
        ...(index === 0 && prelude ? { prelude } : {}),
        ...(index === files.length - 1 && commit ? { commit } : {}),
      });
    }
    if (!commit) {
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

  /**
   * Makes the destination, the staging directory and the tree's directories in it (mode 0700),
   * in one script, or more when the tree's directories do not fit in one.
   */
  async prepare(directories: readonly PlannedDir[]): Promise<void> {
    const [first = [], ...more] = this.mkdirLines(directories);
    const prelude = this.preludeWith(first);
    // Not stopped halfway (only their own deadline): see LandingPrelude.
    this.run.throwIfStopped();
    const result = await this.shell.run(prelude.script, {
      timeoutMs: CLEANUP_TIMEOUT_MS,
      onStdout: prelude.onStdout,
    });
    const failure = prelude.failure(result.stderr);
    if (failure) throw failure;
    for (const lines of more) {
      const next = await this.shell.run([...lines, 'echo ready'].join('\n'), {
        timeoutMs: CLEANUP_TIMEOUT_MS,
      });
      const status = next.stdout.toString('utf8').split(/\r?\n/)[0] ?? '';
      if (status !== 'ready') throw this.preludeFailure(status, next.stderr);
    }
    this.run.throwIfStopped();
  }

  /**
   * The prelude of {@link prepare} as one script, for a sender to run before its first file;
   * undefined when it takes more than one (a tree of very many directories).
   */
  preludeOf(directories: readonly PlannedDir[]): LandingPrelude | undefined {
    const lines = this.mkdirLines(directories);
    return lines.length > 1 ? undefined : this.preludeWith(lines[0] ?? []);
  }

  /**
   * The first script of a prelude, with `mkdirs` (lines making the tree's directories): it
   * prints how many of the destination's ancestors are missing (before it makes any), then
   * `ready`, or the line naming what failed.
   */
  private preludeWith(mkdirs: readonly string[]): LandingPrelude {
    const ancestors = ancestorsOf(this.remoteDir);
    const script = [
      `set -- ${[this.remoteDir, this.stage, ...ancestors].map(quotePosix).join(' ')}`,
      STAGE_PRELUDE,
      ...mkdirs,
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

  /** `mkdir` lines for the tree's directories (parents first), grouped by the script they fit in. */
  private mkdirLines(directories: readonly PlannedDir[]): string[][] {
    const paths = directories.map((dir) => quotePosix(dir.path));
    const groups = groupLines(paths, this.scriptBytes - PRELUDE_BYTES, ' ');
    return groups.map((group) => [
      `e=$(mkdir -m 700 -- ${group.join(' ')} 2>&1) || { echo "stage $e" | head -n 1; exit 1; }`,
    ]);
  }

  /**
   * Checks the staged sizes and sets modes, merges the tree into place, gives new dirs their
   * modes: one script, or for a tree too large for one, several (sizes and modes; which
   * directories are new; the merge; their modes).
   */
  async commit(files: readonly PlannedFile[], directories: readonly PlannedDir[]): Promise<void> {
    const whole = this.commitOf(files, directories);
    if (whole) return await this.runCommit(whole.script, files);
    const limit = this.scriptBytes;
    for (const group of groupLines(this.fileChecks(files), limit))
      await this.runCommit(group.join('\n'), files);
    const finals = directories.map((dir) => this.finalOf(dir.path));
    const news = finals.map((final, index) => `[ -e ${quotePosix(final)} ] || echo ${index}`);
    const fresh: number[] = [];
    for (const group of groupLines(news, limit)) {
      const result = await this.shell.run(`${group.join('\n')}\nexit 0`, {
        timeoutMs: COMMIT_TIMEOUT_MS,
      });
      fresh.push(...result.stdout.toString('utf8').split(/\s+/).filter(Boolean).map(Number));
    }
    await this.runCommit(
      [MERGE_FUNCTION, this.mergeLine(), `rm -rf -- ${quotePosix(this.stage)}`].join('\n'),
      files,
    );
    const modes = fresh.map(
      (index) =>
        `chmod ${directories[index]!.mode.toString(8)} -- ${quotePosix(finals[index]!)} || exit 1`,
    );
    for (const group of groupLines(modes, limit)) await this.runCommit(group.join('\n'), files);
  }

  /**
   * The commit of {@link commit} as one script, for a sender to run after the last file;
   * undefined when it would be too long for one (a tree of very many files).
   */
  commitOf(
    files: readonly PlannedFile[],
    directories: readonly PlannedDir[],
  ): LandingCommit | undefined {
    const q = quotePosix;
    const finals = directories.map((dir) => this.finalOf(dir.path));
    const news = finals.map((final, index) => `[ -e ${q(final)} ] || d${index}=1`);
    const modes = finals.map(
      (final, index) =>
        `[ -z "$d${index}" ] || chmod ${directories[index]!.mode.toString(8)} -- ${q(final)} || exit 1`,
    );
    const script = [
      MERGE_FUNCTION,
      ...this.fileChecks(files),
      ...news,
      this.mergeLine(),
      `rm -rf -- ${q(this.stage)}`,
      ...modes,
    ].join('\n');
    if (Buffer.byteLength(script) > this.scriptBytes) return undefined;
    return { script, failure: (result) => this.commitFailureOf(files, result) };
  }

  /** Runs one script of a commit: not stopped halfway, only its own deadline. */
  private async runCommit(script: string, files: readonly PlannedFile[]): Promise<void> {
    const result = await this.shell.run(script, { timeoutMs: COMMIT_TIMEOUT_MS });
    const failure = this.commitFailureOf(files, result);
    if (failure) throw failure;
  }

  /** Each staged file's size check and mode, one line each. */
  private fileChecks(files: readonly PlannedFile[]): string[] {
    return files.map((file, index) => {
      const path = quotePosix(file.destination);
      return `s=$(wc -c < ${path}) && [ $s -eq ${file.sizeBytes} ] || { echo "size ${index} $s"; exit 1; }; chmod ${file.mode.toString(8)} -- ${path} || exit 1`;
    });
  }

  private mergeLine(): string {
    return `merge ${quotePosix(this.stage)} ${quotePosix(this.remoteDir)} || exit 1`;
  }

  /** The longest script the landing sends, leaving room for what a sender adds around a step. */
  private get scriptBytes(): number {
    return this.shell.maxScriptBytes - SENDER_ROOM_BYTES;
  }

  private commitFailureOf(
    files: readonly PlannedFile[],
    result: RemoteRunResult,
  ): Error | undefined {
    if (result.exitCode === 0) return undefined;
    return this.commitFailure(files, lastLineOf(result.stdout.toString('utf8'), ''), result.stderr);
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
