import { posix } from 'node:path';
import type { SftpChannel } from './sftp-channel.js';
import { partPathOf, type PlannedDir, type PlannedFile } from './transfer-files.js';
import type { TransferRun } from './transfer-run.js';

/**
 * Where the files of one SFTP put land on the host, by the rules of the transfer contract: files
 * are uploaded under temporary names and renamed into place together by {@link commit};
 * {@link discard} removes the temporaries and the directories this put created. New directories
 * stay writable by their owner until the commit gives them their modes.
 */
export class SftpLanding {
  private readonly created: string[] = [];
  private readonly pending = new Map<string, string>();
  private readonly dirModes: Array<[string, number]> = [];

  constructor(
    private readonly run: TransferRun,
    private readonly channel: SftpChannel,
  ) {}

  /** Makes the destination directory with its missing parents (`mkdir -p`). */
  async ensureDestDir(dir: string): Promise<void> {
    const info = await this.channel.statIfExists(dir).catch((error: unknown) => {
      throw this.run.createFailed(dir, error);
    });
    if (info?.isDirectory()) return;
    if (info) throw this.run.notADirectory(dir);
    const parent = posix.dirname(dir);
    if (parent !== dir) await this.ensureDestDir(parent);
    await this.mkdir(dir, undefined, (error) => this.run.createFailed(dir, error));
  }

  /** Makes a directory of a tree being put, unless it exists (it then keeps its mode). */
  async makeDir(dir: PlannedDir): Promise<void> {
    const info = await this.channel.statIfExists(dir.path).catch(() => undefined);
    if (info?.isDirectory()) return;
    if (info) throw this.run.failed(dir.source, `${dir.path} exists and is not a directory`);
    await this.mkdir(dir.path, 0o700, (error) => this.run.writeFailed(dir.source, dir.path, error));
    this.dirModes.push([dir.path, dir.mode]);
  }

  /**
   * Makes `dir`, counted as this put's before the request goes out: a stop ends the channel while
   * the request may already have been done on the host, so {@link discard} must try to remove it.
   * A definite refusal from the host (not a stop) means it was not made.
   */
  private async mkdir(
    dir: string,
    mode: number | undefined,
    failure: (error: unknown) => Error,
  ): Promise<void> {
    this.created.push(dir);
    await this.channel.mkdir(dir, mode).catch((error: unknown) => {
      if (!this.run.isStopped) this.created.splice(this.created.lastIndexOf(dir), 1);
      throw failure(error);
    });
  }

  /** The temporary name a file is uploaded under; it is renamed into place at the commit. */
  partFor(file: PlannedFile): string {
    const part = partPathOf(file.destination);
    this.pending.set(file.destination, part);
    return part;
  }

  /** Renames every file into place, then gives new directories their modes. */
  async commit(): Promise<void> {
    for (const [final, part] of this.pending) {
      await this.channel.replace(part, final).catch((error: unknown) => {
        throw this.run.writeFailed(final, final, error);
      });
      this.pending.delete(final);
    }
    for (const [path, mode] of this.dirModes.reverse()) await this.channel.chmod(path, mode);
    this.dirModes.length = 0;
    this.created.length = 0;
  }

  /** True when a failure left something to remove. */
  get isEmpty(): boolean {
    return this.pending.size === 0 && this.created.length === 0;
  }

  /**
   * Removes the temporaries, then the directories this put created, deepest first (`rmdir`: what
   * someone else put into one meanwhile stays), through `channel` (the put's own may be ended).
   */
  async discard(channel: SftpChannel): Promise<void> {
    await Promise.all(
      [...this.pending.values()].map((part) => channel.unlink(part).catch(() => undefined)),
    );
    this.pending.clear();
    for (const dir of this.created.reverse()) await channel.rmdir(dir).catch(() => undefined);
    this.created.length = 0;
  }
}
