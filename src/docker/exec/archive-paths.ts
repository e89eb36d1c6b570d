/**
 * Naming in archive transfers. A put sends each local path under its basename, its contents
 * below it (`dir/sub/file`); the engine extracts them into the target directory. A get receives
 * entries named after the requested path's basename; each must land inside the local directory:
 * absolute names, `..` and names below a symbolic link extracted earlier are refused, so that a
 * hostile archive cannot write outside it.
 */
import { dirname, join, resolve, sep } from 'node:path';
import { posix } from 'node:path';

/** A container path without trailing slashes (`/` stays `/`). */
export function normalizeRemotePath(remotePath: string): string {
  const trimmed = posix.normalize(remotePath).replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/** The tar entry name of `relativePath` (local separators) inside a sent path called `name`. */
export function tarEntryName(name: string, relativePath = ''): string {
  const parts = relativePath.split(sep).filter(Boolean);
  return [name, ...parts].join('/');
}

/** The container path an entry of a put lands at, or an entry of a get came from. */
export function remoteEntryPath(remoteDir: string, entryName: string): string {
  return posix.join(normalizeRemotePath(remoteDir), trimEntryName(entryName));
}

/** The container directory whose entries a get of `remotePath` is named relative to. */
export function remoteParent(remotePath: string): string {
  return posix.dirname(normalizeRemotePath(remotePath));
}

/**
 * Where an entry of a received archive lands under `localDir`; undefined when its name would
 * leave `localDir` or pass through one of `symlinkPaths` (links extracted earlier).
 */
export function localEntryPath(
  localDir: string,
  entryName: string,
  symlinkPaths: ReadonlySet<string> = new Set(),
): string | undefined {
  const name = trimEntryName(entryName);
  const parts = name.split('/');
  if (name === '' || entryName.startsWith('/') || parts.some((part) => part === '..'))
    return undefined;
  const root = resolve(localDir);
  const target = join(root, ...parts.filter((part) => part !== '.'));
  if (target === root || !target.startsWith(root + sep)) return undefined;
  for (let parent = dirname(target); parent !== root; parent = dirname(parent)) {
    if (symlinkPaths.has(parent)) return undefined;
  }
  return target;
}

function trimEntryName(entryName: string): string {
  return entryName.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}
