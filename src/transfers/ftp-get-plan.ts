import { join, posix } from 'node:path';
import type { FtpConnection } from './ftp-connection.js';
import type { FtpEntry } from './ftp-list.js';
import type { PlannedDir, PlannedFile } from './transfer-files.js';
import type { TransferRun } from './transfer-run.js';

/** Links followed one after the other before a path counts as a loop. */
const MAX_LINK_HOPS = 8;

/**
 * The local directories (parents first) and files of a get of `remotePaths` into `localDir`,
 * read from the server's listings before anything is written here: sizes and modes come from
 * `LIST`, symbolic links are followed (the sending side follows them), entries that are neither
 * file nor directory (pipes, sockets, devices) are left out. A missing path fails the get with
 * `REMOTE_PATH_NOT_FOUND`, naming it.
 */
export async function planFtpGet(
  run: TransferRun,
  connection: FtpConnection,
  remotePaths: readonly string[],
  localDir: string,
): Promise<{ directories: PlannedDir[]; files: PlannedFile[] }> {
  const plan = { directories: [] as PlannedDir[], files: [] as PlannedFile[] };
  const visit = async (remote: string, local: string, listed?: FtpEntry): Promise<void> => {
    const entry = await followLinks(connection, remote, listed);
    if (!entry) throw run.failed(remote, 'no such file or directory', 'REMOTE_PATH_NOT_FOUND');
    const { mode, sizeBytes } = entry;
    if (entry.type === 'file')
      plan.files.push({ source: remote, destination: local, sizeBytes, mode });
    if (entry.type !== 'dir') return;
    plan.directories.push({ path: local, mode, source: remote });
    for (const child of await connection.list(remote)) {
      if (child.name === '.' || child.name === '..') continue;
      await visit(posix.join(remote, child.name), join(local, child.name), child);
    }
  };
  for (const remote of remotePaths) await visit(remote, join(localDir, posix.basename(remote)));
  return plan;
}

/**
 * The entry of `path` (`listed` when its directory's listing gave it already), with the links it
 * goes through followed to what they point at: undefined when missing, or when a link dangles or
 * loops.
 */
async function followLinks(
  connection: FtpConnection,
  path: string,
  listed?: FtpEntry,
): Promise<FtpEntry | undefined> {
  let entry = listed ?? (await connection.stat(path));
  for (let hops = 0; entry?.type === 'link' && hops < MAX_LINK_HOPS; hops++) {
    if (entry.linkTarget === undefined) return undefined;
    path = posix.resolve(posix.dirname(path), entry.linkTarget);
    entry = await connection.stat(path);
  }
  return entry?.type === 'link' ? undefined : entry;
}
