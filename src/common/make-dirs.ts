import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `mkdir -p`: makes `dir` and its missing parents, one level at a time, and returns the first
 * folder it made (undefined when `dir` existed), as `mkdir(dir, { recursive: true })` does. It
 * exists because Node's recursive mkdir loops for ever where the kernel answers ENOENT for a
 * parent that exists (inside /proc and /sys); here a second ENOENT once the parent is there is
 * the answer, thrown as it is.
 * @example await makeDirs('/tmp/a/b/c', 0o700);
 */
export async function makeDirs(dir: string, mode?: number): Promise<string | undefined> {
  try {
    await mkdir(dir, { mode });
    return dir;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && (await stat(dir).catch(() => undefined))?.isDirectory())
      return undefined;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw error;
    const first = await makeDirs(parent, mode);
    await mkdir(dir, { mode });
    return first ?? dir;
  }
}
