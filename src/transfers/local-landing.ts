import { chmod, lstat, open, rename, rm, rmdir, stat } from 'node:fs/promises';
import nodePath, { dirname } from 'node:path';
import { partPathOf } from './transfer-files.js';
import type { TransferRun } from './transfer-run.js';
import type { TransferResult } from './transfer.js';
import { makeDirs } from '../common/make-dirs.js';

/**
 * Lands one transfer in `destDir` on this machine: makes the folder, lets `receive` write every
 * file under its temporary name, then renames them all into place. On any failure, timeout or
 * abort it removes what was written and rethrows as the transfer's error.
 */
export async function landLocally(
  run: TransferRun,
  destDir: string,
  receive: (landing: LocalLanding) => Promise<TransferResult['files']>,
): Promise<TransferResult> {
  const landing = new LocalLanding(run);
  try {
    await landing.ensureDestDir(destDir);
    const files = await receive(landing);
    run.throwIfStopped();
    await landing.commit();
    return run.result(files);
  } catch (error) {
    await landing.discard();
    throw run.toError(error);
  }
}

/**
 * Where the files of one transfer land on this machine (a get, or a local copy), by the rules of
 * the transfer contract: files are written under temporary names and renamed into place together
 * by {@link commit}; {@link discard} removes the temporaries and every directory and link this
 * transfer created, leaving the destination as it was. Directories made here stay writable by
 * their owner until the commit, which gives them their modes (a read-only one can be filled).
 */
export class LocalLanding {
  /** Directories and links this transfer created, in order. */
  private readonly created: string[] = [];
  private readonly pending = new Map<string, string>();
  private readonly dirModes: Array<[string, number]> = [];

  constructor(private readonly run: TransferRun) {}

  /** Makes the destination directory with its missing parents (`mkdir -p`). */
  async ensureDestDir(dir: string): Promise<void> {
    const info = await lstat(dir).catch(() => undefined);
    if (info?.isDirectory()) return;
    if (info && !(await isDirectoryBehindLink(dir))) throw this.run.notADirectory(dir);
    if (info) return;
    const first = await makeDirs(dir).catch(async (error: unknown) => {
      // A parent in the way that is no directory is named, as for the destination itself.
      const blocker = (error as NodeJS.ErrnoException).code === 'ENOTDIR' && (await fileAbove(dir));
      throw blocker ? this.run.notADirectory(blocker) : this.run.createFailed(dir, error);
    });
    if (first) this.noteChain(first, dir);
  }

  /**
   * Makes a directory of a tree that is moving (its parents too, when an archive does not list
   * them); one that exists already keeps its mode. `source` names what is moving, for errors.
   */
  async makeDir(path: string, mode: number, source: string): Promise<void> {
    const info = await lstat(path).catch(() => undefined);
    if (info?.isDirectory() || (info && (await isDirectoryBehindLink(path)))) return;
    if (info) await rm(path, { force: true });
    const first = await makeDirs(path, 0o700).catch((error: unknown) => {
      throw this.run.writeFailed(source, path, error);
    });
    if (first) this.noteChain(first, path);
    this.dirModes.push([path, mode & 0o7777]);
  }

  /** The temporary name `final` is written under; it is renamed into place at the commit. */
  partFor(final: string): string {
    const part = partPathOf(final, nodePath);
    this.pending.set(final, part);
    return part;
  }

  /** Where a file that was written is now: its temporary name until the commit. */
  currentPathOf(final: string): string {
    return this.pending.get(final) ?? final;
  }

  /** Forgets a temporary that was removed (a file replaced later in the same transfer). */
  drop(final: string): string | undefined {
    const part = this.pending.get(final);
    this.pending.delete(final);
    return part;
  }

  /** Records an entry created in place (a link), to remove it on failure. */
  noteCreated(path: string): void {
    this.created.push(path);
  }

  /** Renames every file into place, then gives new directories their modes. */
  async commit(): Promise<void> {
    for (const [final, part] of this.pending) {
      try {
        await replaceFile(part, final);
      } catch (error) {
        throw this.run.writeFailed(final, final, error);
      }
      this.pending.delete(final);
    }
    for (const [path, mode] of this.dirModes.reverse()) await chmod(path, mode);
    this.dirModes.length = 0;
    this.created.length = 0;
  }

  /** Removes every temporary, then every link and directory this transfer created. */
  async discard(): Promise<void> {
    await Promise.all([...this.pending.values()].map((part) => rm(part, { force: true })));
    this.pending.clear();
    for (const path of this.created.reverse()) {
      const info = await lstat(path).catch(() => undefined);
      // rmdir, not rm -r: what someone else put into a directory we made meanwhile stays.
      if (info?.isDirectory()) await rmdir(path).catch(() => undefined);
      else if (info) await rm(path, { force: true });
    }
    this.created.length = 0;
  }

  /** Records `first` and the directories below it down to `last`, all made by one `mkdir -p`. */
  private noteChain(first: string, last: string): void {
    const chain: string[] = [];
    for (let dir = last; dir.length >= first.length && dir !== dirname(dir); dir = dirname(dir))
      chain.unshift(dir);
    this.created.push(...chain);
  }
}

async function isDirectoryBehindLink(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/**
 * Renames `part` over `final`, which replaces a file there whole (rename is atomic). A file being
 * replaced is held open across the rename, so that freeing its content (64 MiB: about 40 ms)
 * happens when that handle closes, in the background, and not on the call's path; no name of it
 * is left in the destination.
 */
async function replaceFile(part: string, final: string): Promise<void> {
  // Only a regular file: opening a FIFO there would wait for a writer.
  const isFile = (await lstat(final).catch(() => undefined))?.isFile() ?? false;
  const previous = isFile ? await open(final, 'r').catch(() => undefined) : undefined;
  try {
    await rename(part, final);
  } finally {
    void previous?.close().catch(() => undefined);
  }
}

/** The nearest parent of `dir` that exists and is no directory; undefined when there is none. */
async function fileAbove(dir: string): Promise<string | undefined> {
  for (let path = dirname(dir); path !== dirname(path); path = dirname(path)) {
    const info = await stat(path).catch(() => undefined);
    if (info) return info.isDirectory() ? undefined : path;
  }
  return undefined;
}
