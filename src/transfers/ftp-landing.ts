import { posix } from 'node:path';
import type { FtpConnection } from './ftp-connection.js';
import { ftpProblemOf } from './ftp-problems.js';
import { finalPathOf } from './transfer-problems.js';
import { partPathOf, type PlannedDir, type PlannedFile } from './transfer-files.js';
import { describePaths, type TransferRun } from './transfer-run.js';

/**
 * Where the files of one FTP put land on the server, by the rules of the transfer contract: files
 * are stored under temporary names (`STOR`) and renamed into place together by {@link commit}
 * (`RNFR`/`RNTO`); {@link discard} removes the temporaries (`DELE`) and the directories this put
 * made (`RMD`). New directories stay writable by their owner until the commit gives them their
 * modes (`SITE CHMOD`), so a read-only one can be filled.
 */
export class FtpLanding {
  private readonly created: string[] = [];
  private readonly pending = new Map<string, string>();
  private readonly dirModes: Array<[string, number]> = [];

  constructor(
    private readonly run: TransferRun,
    private readonly connection: FtpConnection,
  ) {}

  /** Makes the destination directory with its missing parents (`mkdir -p`, the server's mode). */
  async ensureDestDir(dir: string): Promise<void> {
    if (await this.connection.isDirectory(dir)) return;
    const parent = posix.dirname(dir);
    if (parent !== dir && (await this.connection.stat(dir))) throw this.run.notADirectory(dir);
    if (parent !== dir) await this.ensureDestDir(parent);
    await this.mkdir(dir, (error) =>
      this.run.failedWith(
        describePaths(this.run.paths),
        `cannot create ${dir}`,
        ftpProblemOf(error, 'create'),
        error,
      ),
    );
  }

  /** Makes a directory of a tree being put, unless it exists (it then keeps its mode). */
  async makeDir(dir: PlannedDir): Promise<void> {
    if (await this.connection.isDirectory(dir.path)) return;
    if (await this.connection.stat(dir.path))
      throw this.run.failed(dir.source, `${dir.path} exists and is not a directory`);
    await this.mkdir(dir.path, (error) =>
      this.run.failedWith(
        dir.source,
        `cannot write ${dir.path}`,
        ftpProblemOf(error, 'create'),
        error,
      ),
    );
    this.dirModes.push([dir.path, dir.mode]);
  }

  /** The temporary name a file is stored under; it is renamed into place at the commit. */
  partFor(file: PlannedFile): string {
    const part = partPathOf(file.destination);
    this.pending.set(file.destination, part);
    return part;
  }

  /** Gives `path` its mode exactly (`SITE CHMOD`); a server that refuses fails the put. */
  async chmod(path: string, mode: number, source: string): Promise<void> {
    await this.connection
      .command(`SITE CHMOD ${mode.toString(8)} ${path}`)
      .catch((error: unknown) => {
        const problem = ftpProblemOf(error, 'write');
        throw this.run.failedWith(source, `cannot set the mode of ${path}`, problem, error);
      });
    // Some servers drop setuid, setgid and sticky silently (vsftpd keeps 0o777 of a mode): the
    // listing says what was set, and a mode that did not land whole fails the put.
    if ((mode & 0o7000) === 0) return;
    const setMode = (await this.connection.stat(path))?.mode;
    if (setMode === mode) return;
    const set = setMode === undefined ? 'none' : octal(setMode);
    throw this.run.failed(
      source,
      `the server did not keep mode ${octal(mode)} of ${finalPathOf(path)}: it set ${set} (it drops setuid, setgid and sticky bits)`,
    );
  }

  /** Renames every file into place, then gives new directories their modes. */
  async commit(): Promise<void> {
    for (const [final, part] of this.pending) {
      try {
        await this.connection.command(`RNFR ${part}`);
        await this.connection.command(`RNTO ${final}`);
      } catch (error) {
        throw this.run.failedWith(
          final,
          `cannot write ${final}`,
          ftpProblemOf(error, 'write'),
          error,
        );
      }
      this.pending.delete(final);
    }
    for (const [path, mode] of this.dirModes.reverse()) await this.chmod(path, mode, path);
    this.dirModes.length = 0;
    this.created.length = 0;
  }

  /** True when a failure left something to remove. */
  get isEmpty(): boolean {
    return this.pending.size === 0 && this.created.length === 0;
  }

  /**
   * Removes the temporaries, then the directories this put created, deepest first (`RMD`: what
   * someone else put into one meanwhile stays), through `connection` (the put's own may be
   * closed). Best effort: what cannot be removed stays.
   */
  async discard(connection: FtpConnection): Promise<void> {
    for (const part of this.pending.values())
      await connection.command(`DELE ${part}`).catch(() => undefined);
    this.pending.clear();
    for (const dir of this.created.reverse())
      await connection.command(`RMD ${dir}`).catch(() => undefined);
    this.created.length = 0;
  }

  /**
   * Makes `dir`, counted as this put's before the command goes out: a stop closes the session
   * while the server may already have made it, so {@link discard} must try to remove it. A refusal
   * from the server (not a stop) means it was not made.
   */
  private async mkdir(dir: string, failure: (error: unknown) => Error): Promise<void> {
    this.created.push(dir);
    await this.connection.command(`MKD ${dir}`).catch((error: unknown) => {
      if (!this.run.isStopped) this.created.splice(this.created.lastIndexOf(dir), 1);
      throw failure(error);
    });
  }
}

/** `0o4755` as messages show it: `4755`. */
function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
