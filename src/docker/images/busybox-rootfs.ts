import { hashParts } from '../../common/hash.js';
import type { RootfsEntry } from './rootfs-tar.js';

/**
 * The layout of the `otto/busybox` image: its folders, the binary, applet links and users. Kept
 * apart from busybox-image.ts so that the public declarations of that module name no tar types.
 */

/** Bump when the layout below changes, so that existing images are rebuilt. */
const RECIPE_VERSION = 'busybox-rootfs-1';

const DIRECTORIES: ReadonlyArray<[string, number]> = [
  ['/bin', 0o755],
  ['/sbin', 0o755],
  ['/usr', 0o755],
  ['/usr/bin', 0o755],
  ['/usr/sbin', 0o755],
  ['/etc', 0o755],
  ['/tmp', 0o1777],
  ['/var', 0o755],
  ['/var/log', 0o755],
  ['/var/lib', 0o755],
  ['/var/tmp', 0o1777],
  ['/root', 0o700],
  ['/home', 0o755],
  ['/run', 0o755],
  ['/proc', 0o555],
  ['/sys', 0o555],
  ['/dev', 0o755],
];

const PASSWD =
  'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';
// Scripts written for bash mostly run under ash; the shim makes `bash -c ...` and #!/bin/bash work.
const BASH_SHIM = '#!/bin/sh\nexec /bin/sh "$@"\n';

/** The recipe hash of the busybox image: the layout version, the binary, its applets, the files. */
export function busyboxRecipeHash(binary: Uint8Array, applets: readonly string[]): string {
  return hashParts([RECIPE_VERSION, binary, applets.join('\n'), PASSWD, GROUP, BASH_SHIM]);
}

/** The file system of the busybox image: directories, the binary, applet links, users. */
export function busyboxRootfs(binary: Uint8Array, applets: readonly string[]): RootfsEntry[] {
  const entries: RootfsEntry[] = DIRECTORIES.map(([path, mode]) => ({ kind: 'dir', path, mode }));
  entries.push({ kind: 'file', path: '/bin/busybox', mode: 0o755, content: binary });
  for (const applet of applets) {
    const path = `/${applet}`;
    if (path !== '/bin/busybox' && path !== '/bin/bash')
      entries.push({ kind: 'symlink', path, target: '/bin/busybox' });
  }
  entries.push(
    { kind: 'file', path: '/bin/bash', mode: 0o755, content: BASH_SHIM },
    { kind: 'file', path: '/etc/passwd', mode: 0o644, content: PASSWD },
    { kind: 'file', path: '/etc/group', mode: 0o644, content: GROUP },
  );
  return entries;
}
