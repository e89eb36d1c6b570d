import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageBuildError, OttoError } from '../../errors.js';
import { runChild } from '../../common/child-process.js';
import { hashParts } from '../../common/hash.js';
import { ensurePrograms } from '../../common/system-packages.js';
import type { ProgressListener } from '../../common/progress.js';
import type { EngineClient } from '../engine/engine-client.js';
import { imageLabels } from '../labels.js';
import type { BaseImageOptions } from './busybox-image.js';
import { ensureCachedImage, type CachedImage } from './cached-image.js';
import { classifyDebootstrapFailure, createDebootstrapProgress } from './debootstrap-output.js';
import { importImage } from './image-api.js';
import { findDebianMirror } from './debian-mirror.js';
import { unmountBelow } from './mounts.js';

/** The recipe of a Debian base image; everything in it is part of the recipe hash. */
export interface DebianRecipe {
  /** Debian release by code name, e.g. `bookworm`. */
  suite: string;
  /** debootstrap's variant; only the minimal `minbase` is supported. */
  variant: 'minbase';
  /** Packages added to the minimal base. */
  include: readonly string[];
}

/** The recipe of `otto/debian:bookworm`. */
export const DEBIAN_RECIPE: DebianRecipe = {
  suite: 'bookworm',
  variant: 'minbase',
  include: ['ca-certificates', 'netbase', 'procps', 'iproute2', 'less'],
};
/** Bump when the steps below change, so that existing images are rebuilt. */
const RECIPE_VERSION = 'debian-rootfs-1';

/** Options of {@link ensureDebianImage}. */
export interface DebianImageOptions extends BaseImageOptions {
  /** Package mirror. @default the first Debian mirror in this machine's apt sources, else deb.debian.org */
  mirror?: string;
  /** What to bootstrap. @default {@link DEBIAN_RECIPE} */
  recipe?: DebianRecipe;
  /** Reference to give the image. @default `otto/debian:<suite>` */
  ref?: string;
}

/** The reference of a Debian base image for a suite: `otto/debian:bookworm`. */
export function debianImageRef(suite: string): string {
  return `otto/debian:${suite}`;
}

/**
 * Makes sure `otto/debian:<suite>` exists: `debootstrap --variant=minbase` into a temporary folder,
 * streamed into the engine as an image import. Built once per machine (tagged by its recipe hash);
 * progress is reported while it builds; a failure names its step and leaves no tag behind.
 * @example await ensureDebianImage(engine, { onProgress: (e) => console.log(e.message) });
 */
export async function ensureDebianImage(
  engine: EngineClient,
  options: DebianImageOptions = {},
): Promise<CachedImage> {
  const recipe = options.recipe ?? DEBIAN_RECIPE;
  const ref = options.ref ?? debianImageRef(recipe.suite);
  const recipeHash = hashParts([RECIPE_VERSION, JSON.stringify(recipe), process.arch]);
  return ensureCachedImage(engine, {
    ref,
    recipeHash,
    force: options.force,
    build: async () => {
      await ensurePrograms(
        [{ program: 'debootstrap', debianPackage: 'debootstrap', purpose: `to build ${ref}` }],
        options.onProgress,
      );
      const mirror = options.mirror ?? (await findDebianMirror());
      const rootDir = await mkdtemp(join(process.env.OTTO_BUILD_DIR ?? tmpdir(), 'otto-debian-'));
      try {
        await debootstrap(rootDir, recipe, mirror, ref, options.onProgress);
        await prepareForContainers(rootDir, recipe.suite, mirror);
        return await importDirectory(engine, rootDir, ref, recipeHash, options.onProgress);
      } finally {
        await unmountBelow(rootDir);
        await rm(rootDir, { recursive: true, force: true });
      }
    },
  });
}

async function debootstrap(
  rootDir: string,
  recipe: DebianRecipe,
  mirror: string,
  ref: string,
  onProgress?: ProgressListener,
): Promise<void> {
  const progress = createDebootstrapProgress(ref, onProgress);
  const args = [
    `--variant=${recipe.variant}`,
    `--include=${recipe.include.join(',')}`,
    recipe.suite,
    rootDir,
    mirror,
  ];
  const result = await runChild('debootstrap', args, { check: false, onLine: progress });
  if (result.exitCode === 0) return;
  const log = await readFile(join(rootDir, 'debootstrap/debootstrap.log'), 'utf8').catch(() => '');
  const output = `${result.stdout}${result.stderr}${log}`;
  throw new ImageBuildError(
    'IMAGE_BUILD_FAILED',
    `Building ${ref} failed at step debootstrap: ${classifyDebootstrapFailure(output, mirror)}.`,
    {
      operation: 'debootstrap',
      exitCode: result.exitCode,
      outputTail: output.trimEnd().split('\n').slice(-15).join('\n'),
    },
  );
}

/** Container conventions: no service starts on package install, apt sources, no caches. */
async function prepareForContainers(rootDir: string, suite: string, mirror: string): Promise<void> {
  await writeFile(
    join(rootDir, 'usr/sbin/policy-rc.d'),
    '#!/bin/sh\n# No service starts during package installs in a container.\nexit 101\n',
    { mode: 0o755 },
  );
  await writeFile(
    join(rootDir, 'etc/apt/sources.list'),
    `deb ${mirror} ${suite} main\ndeb ${mirror} ${suite}-updates main\n`,
  );
  await writeFile(
    join(rootDir, 'etc/apt/apt.conf.d/90otto-container'),
    'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n',
  );
  for (const folder of ['var/cache/apt/archives', 'var/lib/apt/lists']) {
    await runChild(
      'find',
      [join(rootDir, folder), '-mindepth', '1', '-maxdepth', '1', '-type', 'f', '-delete'],
      { check: false },
    );
  }
}

/**
 * Streams the folder into the engine as an image. GNU tar reads it (not a JS packer) because a
 * root file system has hard links, device nodes, setuid bits and numeric owners that tar keeps
 * exactly, and it is already on every machine that has debootstrap.
 */
async function importDirectory(
  engine: EngineClient,
  rootDir: string,
  ref: string,
  recipeHash: string,
  onProgress?: ProgressListener,
): Promise<string> {
  onProgress?.({
    subject: ref,
    phase: 'import',
    message: 'streaming the root file system into the engine',
  });
  const tar = spawn(
    'tar',
    [
      '--numeric-owner',
      '-C',
      rootDir,
      '--exclude=./dev/*',
      '--exclude=./proc/*',
      '--exclude=./sys/*',
      '--exclude=./debootstrap',
      '-cf',
      '-',
      '.',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let tarErrors = '';
  tar.stderr.on('data', (chunk: Buffer) => (tarErrors += chunk.toString()));
  const exited = new Promise<number>((resolve) => tar.on('close', (code) => resolve(code ?? 1)));
  const changes = [
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'CMD ["bash"]',
    ...labelChanges(recipeHash),
  ];
  try {
    const id = await importImage(engine, tar.stdout, { subject: ref, changes, onProgress });
    if ((await exited) !== 0)
      throw new ImageBuildError(
        'IMAGE_BUILD_FAILED',
        `Building ${ref} failed at step import: tar could not read ${rootDir}.`,
        { operation: 'import', outputTail: tarErrors },
      );
    return id;
  } catch (error) {
    tar.kill();
    if (error instanceof OttoError) throw error;
    throw new ImageBuildError(
      'IMAGE_BUILD_FAILED',
      `Building ${ref} failed at step import: ${(error as Error).message}`,
      { operation: 'import', cause: error },
    );
  }
}

function labelChanges(recipeHash: string): string[] {
  return Object.entries(imageLabels('base-image', recipeHash)).map(
    ([key, value]) => `LABEL ${key}=${value}`,
  );
}
