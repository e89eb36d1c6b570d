import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ImageBuildError } from '../../errors.js';
import { hashParts } from '../../common/hash.js';
import type { ProgressListener } from '../../common/progress.js';
import type { EngineClient } from '../engine/engine-client.js';
import { imageLabels } from '../labels.js';
import { ensureCachedImage, type CachedImage } from './cached-image.js';
import { buildImage, inspectImage } from './image-api.js';
import { loadTarStream } from '../tar-stream.js';

/** Options of {@link ensureImageFromDirectory}. */
export interface DirectoryImageOptions {
  /** Folder holding the Dockerfile and everything it copies. */
  contextDir: string;
  /** Reference to give the image, e.g. `otto-test/sshd:latest`. */
  ref: string;
  /** Values of the Dockerfile's `ARG`s, by name; part of the content hash. @default none */
  buildArgs?: Record<string, string>;
  /** Build even when an image of the same content exists. @default false */
  force?: boolean;
  /** Receives each line of build output. @default none */
  onProgress?: ProgressListener;
}

interface ContextFile {
  path: string;
  mode: number;
  content: Buffer;
}

const RECIPE_VERSION = 'directory-build-1';

/**
 * Builds an image from a folder through the engine's build endpoint, unless an image of the same
 * content exists. The content hash covers every file of the folder, the build arguments and the
 * id of each `FROM` image, so a rebuilt base image rebuilds what stands on it.
 * @example await ensureImageFromDirectory(engine, { contextDir: 'test/images/sshd', ref: 'otto-test/sshd' });
 */
export async function ensureImageFromDirectory(
  engine: EngineClient,
  options: DirectoryImageOptions,
): Promise<CachedImage> {
  const files = await readContext(options.contextDir);
  const dockerfile = files.find((file) => file.path === 'Dockerfile');
  if (!dockerfile)
    throw new ImageBuildError(
      'DOCKERFILE_MISSING',
      `Cannot build ${options.ref}: ${options.contextDir} has no Dockerfile.`,
    );
  const baseIds = await resolveBaseImages(engine, dockerfile.content.toString('utf8'), options.ref);
  const recipeHash = hashParts([
    RECIPE_VERSION,
    JSON.stringify(options.buildArgs ?? {}),
    ...baseIds,
    ...files.flatMap((file) => [file.path, String(file.mode), file.content]),
  ]);
  const ref = options.ref.includes(':') ? options.ref : `${options.ref}:latest`;
  return ensureCachedImage(engine, {
    ref,
    recipeHash,
    force: options.force,
    build: async () =>
      buildImage(engine, await packContext(files), {
        subject: ref,
        buildArgs: options.buildArgs,
        labels: imageLabels('test-image', recipeHash),
        onProgress: options.onProgress,
      }),
  });
}

async function readContext(dir: string): Promise<ContextFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(
    (error: Error) => {
      throw new ImageBuildError(
        'BUILD_CONTEXT_UNREADABLE',
        `Cannot read the build folder ${dir}: ${error.message}`,
        { cause: error },
      );
    },
  );
  const files: ContextFile[] = [];
  for (const entry of entries.filter((item) => item.isFile())) {
    const full = join(entry.parentPath, entry.name);
    const info = await stat(full);
    files.push({
      path: relative(dir, full),
      mode: info.mode & 0o7777,
      content: await readFile(full),
    });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** The ids of the images named by `FROM` lines (stages named earlier in the file are skipped). */
async function resolveBaseImages(
  engine: EngineClient,
  dockerfile: string,
  ref: string,
): Promise<string[]> {
  const stages = new Set<string>();
  const ids: string[] = [];
  for (const match of dockerfile.matchAll(/^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/gim)) {
    const base = match[1]!;
    if (match[2]) stages.add(match[2].toLowerCase());
    if (stages.has(base.toLowerCase()) || base === 'scratch') continue;
    const image = await inspectImage(engine, base);
    if (!image) {
      throw new ImageBuildError(
        'BASE_IMAGE_MISSING',
        `Cannot build ${ref}: its base image ${base} is not in the engine, and otto-ts never pulls.`,
        {
          operation: `FROM ${base}`,
          fix: base.startsWith('otto/')
            ? `build it first: otto image base ${base.slice(5).split(':')[0]}`
            : `build or load ${base} first.`,
        },
      );
    }
    ids.push(image.id);
  }
  return ids;
}

async function packContext(files: readonly ContextFile[]) {
  const { pack } = await loadTarStream();
  const archive = pack();
  for (const file of files)
    archive.entry({ name: file.path, mode: file.mode, mtime: new Date(0) }, file.content);
  archive.finalize();
  return archive;
}
