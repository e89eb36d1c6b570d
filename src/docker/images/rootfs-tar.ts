import type { Pack } from 'tar-stream';
import { loadTarStream } from '../tar-stream.js';

/** One entry of a root file system built in memory. */
export type RootfsEntry =
  | { kind: 'dir'; path: string; mode: number }
  | { kind: 'file'; path: string; mode: number; content: Uint8Array | string }
  | { kind: 'symlink'; path: string; target: string };

/** Packs entries (paths absolute inside the image) into a tar stream owned by root. */
export async function packRootfs(entries: readonly RootfsEntry[]): Promise<Pack> {
  const { pack } = await loadTarStream();
  const archive = pack();
  const mtime = new Date(0);
  for (const entry of entries) {
    const name = entry.path.replace(/^\/+/, '');
    const base = { name, uid: 0, gid: 0, uname: 'root', gname: 'root', mtime };
    if (entry.kind === 'dir') archive.entry({ ...base, type: 'directory', mode: entry.mode });
    else if (entry.kind === 'symlink')
      archive.entry({ ...base, type: 'symlink', linkname: entry.target, mode: 0o777 });
    else archive.entry({ ...base, type: 'file', mode: entry.mode }, Buffer.from(entry.content));
  }
  archive.finalize();
  return archive;
}
