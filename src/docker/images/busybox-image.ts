import { readFile } from 'node:fs/promises';
import { ImageBuildError } from '../../errors.js';
import { runChild } from '../../common/child-process.js';
import { isStaticElf } from '../../common/elf.js';
import { ensurePrograms } from '../../common/system-packages.js';
import type { ProgressListener } from '../../common/progress.js';
import type { EngineClient } from '../engine/engine-client.js';
import { imageLabels } from '../labels.js';
import { ensureCachedImage, type CachedImage } from './cached-image.js';
import { importImage } from './image-api.js';
import { busyboxRecipeHash, busyboxRootfs } from './busybox-rootfs.js';
import { packRootfs } from './rootfs-tar.js';

/** The reference of the busybox base image. */
export const BUSYBOX_IMAGE = 'otto/busybox:latest';

/** Options of {@link ensureBusyboxImage}. */
export interface BaseImageOptions {
  /** Build even when an image of the same recipe exists. @default false */
  force?: boolean;
  /** Receives a line per step (installing busybox, importing, ...). @default none */
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
  const recipeHash = busyboxRecipeHash(binary, applets);
  return ensureCachedImage(engine, {
    ref: BUSYBOX_IMAGE,
    recipeHash,
    force: options.force,
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
