import { readFile } from 'node:fs/promises';
import { ImageBuildError } from '../../errors.js';
import { runChild } from '../../common/child-process.js';
import { isStaticElf } from '../../common/elf.js';
import { hashParts } from '../../common/hash.js';
import { ensurePrograms } from '../../common/system-packages.js';
import type { ProgressListener } from '../../common/progress.js';
import type { EngineClient } from '../engine/engine-client.js';
import { imageLabels } from '../labels.js';
import { ensureCachedImage, type CachedImage } from './cached-image.js';
import { importImage } from './image-api.js';
import { packRootfs, type RootfsEntry } from './rootfs-tar.js';

/** The reference of the busybox base image. */
export const BUSYBOX_IMAGE = 'otto/busybox:latest';
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

/** Options of {@link ensureBusyboxImage}. */
export interface BaseImageOptions {
  /** Build even when an image of the same recipe exists. @default false */
  force?: boolean;
  onProgress?: ProgressListener;
}

/**
 * Makes sure `otto/busybox` exists: a FROM-scratch image holding this machine's static busybox with
 * every applet linked at its canonical path. Installs `busybox-static` on Debian when missing.
 * @example const image = await ensureBusyboxImage(EngineClient.fromEnvironment());
 */
export async function ensureBusyboxImage(
  engine: EngineClient,
  options: BaseImageOptions = {},
): Promise<CachedImage> {
  const busyboxPath = await findStaticBusybox(options.onProgress);
  const binary = await readFile(busyboxPath);
  const applets = await listApplets(busyboxPath);
  const recipeHash = hashParts([
    RECIPE_VERSION,
    binary,
    applets.join('\n'),
    PASSWD,
    GROUP,
    BASH_SHIM,
  ]);
  return ensureCachedImage(engine, {
    ref: BUSYBOX_IMAGE,
    recipeHash,
    force: options.force,
    onProgress: options.onProgress,
    build: async () => {
      options.onProgress?.({
        subject: BUSYBOX_IMAGE,
        phase: 'import',
        message: `importing busybox with ${applets.length} applets`,
      });
      return importImage(engine, await packRootfs(busyboxRootfs(binary, applets)), {
        subject: BUSYBOX_IMAGE,
        changes: [
          'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin',
          'CMD ["sh"]',
          ...Object.entries(imageLabels('base-image', recipeHash)).map(
            ([key, value]) => `LABEL ${key}=${value}`,
          ),
        ],
      });
    },
  });
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

async function findStaticBusybox(onProgress?: ProgressListener): Promise<string> {
  const programs = await ensurePrograms(
    [
      {
        program: 'busybox',
        debianPackage: 'busybox-static',
        purpose: 'to build the otto/busybox base image',
      },
    ],
    onProgress,
  );
  const path = programs.get('busybox')!;
  if (!isStaticElf(await readFile(path))) {
    throw new ImageBuildError(
      'BUSYBOX_NOT_STATIC',
      `Cannot build ${BUSYBOX_IMAGE}: ${path} is dynamically linked and would not run in an empty image.`,
      {
        operation: 'find busybox',
        fix: 'install the static build (on Debian: apt-get install busybox-static).',
      },
    );
  }
  return path;
}

async function listApplets(busyboxPath: string): Promise<string[]> {
  const { stdout } = await runChild(busyboxPath, ['--list-full']);
  return [
    ...new Set(
      stdout
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
    ),
  ].sort();
}
