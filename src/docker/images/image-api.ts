import type { Readable } from 'node:stream';
import { ImageBuildError } from '../../errors.js';
import type { ProgressListener } from '../../common/progress.js';
import { engineStatusOf, type ByteSource, type EngineClient } from '../engine/engine-client.js';
import { messageError, readEngineMessages, type EngineMessage } from '../engine/json-messages.js';

// Builds live in their own file; they are part of the image calls.
export { buildImage, type BuildImageOptions } from './image-build.js';

/** What otto-ts needs to know about an image. */
export interface ImageInfo {
  /** Image id, `sha256:` and 64 hex digits. */
  id: string;
  /** Every `repo:tag` that points at it; empty for an untagged image. */
  tags: string[];
  /** Labels of its configuration (otto-ts records ownership and the recipe hash there). */
  labels: Record<string, string>;
  /** Size of the image in bytes, as the engine counts it. */
  sizeBytes: number;
  /** When it was made, as the engine's RFC 3339 timestamp, e.g. `2024-05-01T10:00:00.5Z`. */
  createdAt: string;
  /** Operating system it runs on, e.g. `linux`. */
  os: string;
  /** Processor architecture it runs on, e.g. `amd64`. */
  architecture: string;
}

/** Splits `repo:tag` (the repo may contain a registry port) into its parts. */
export function splitImageRef(ref: string): { repo: string; tag: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash
    ? { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) }
    : { repo: ref, tag: 'latest' };
}

/**
 * Inspects an image by reference or id; undefined when the engine has no such image.
 * @example
 * const image = await inspectImage(engine, 'otto/busybox:latest');
 * if (!image) await ensureBaseImage(engine, 'busybox');
 */
export async function inspectImage(
  engine: EngineClient,
  ref: string,
): Promise<ImageInfo | undefined> {
  try {
    const raw = await engine.json<RawImage>({
      method: 'GET',
      path: `/images/${encodeURIComponent(ref)}/json`,
    });
    return {
      id: raw.Id,
      tags: (raw.RepoTags ?? []).map(familiarTag),
      labels: raw.Config?.Labels ?? {},
      sizeBytes: raw.Size,
      createdAt: raw.Created,
      os: raw.Os,
      architecture: raw.Architecture,
    };
  } catch (error) {
    if (engineStatusOf(error) === 404) return undefined;
    throw error;
  }
}

/**
 * A tag as Docker shows it: Podman's compatible service reports `otto/busybox:latest` as
 * `docker.io/otto/busybox:latest` (and `debian:12` as `docker.io/library/debian:12`).
 */
function familiarTag(tag: string): string {
  return tag.replace(/^docker\.io\/(library\/(?=[^/]+$))?/, '');
}

interface RawImage {
  Id: string;
  RepoTags?: string[];
  Size: number;
  Created: string;
  Os: string;
  Architecture: string;
  Config?: { Labels?: Record<string, string> | null };
}

/** Points `ref` (repo:tag) at an image id. */
export async function tagImage(engine: EngineClient, imageId: string, ref: string): Promise<void> {
  const { repo, tag } = splitImageRef(ref);
  await engine.json({
    method: 'POST',
    path: `/images/${encodeURIComponent(imageId)}/tag`,
    query: { repo, tag },
    okStatus: [200, 201],
  });
}

/** Removes an image (or one of its tags); a missing image is not an error. */
export async function removeImage(
  engine: EngineClient,
  ref: string,
  options: { force?: boolean } = {},
): Promise<void> {
  try {
    await engine.json({
      method: 'DELETE',
      path: `/images/${encodeURIComponent(ref)}`,
      query: { force: options.force ?? false },
    });
  } catch (error) {
    if (engineStatusOf(error) !== 404) throw error;
  }
}

/** Options of {@link importImage}. */
export interface ImportImageOptions {
  /** Dockerfile instructions applied to the imported file system (`CMD`, `ENV`, `LABEL`, ...). */
  changes?: string[];
  /** What is being imported, for progress and error messages, e.g. `otto/busybox:latest`. */
  subject: string;
  /** Receives the engine's progress lines. @default none */
  onProgress?: ProgressListener;
}

/**
 * Creates an untagged image from a root file system tar archive (the engine's import) and
 * returns its id. Tagging is left to the caller, so that a failed import leaves no tag behind.
 */
export async function importImage(
  engine: EngineClient,
  rootfsTar: ByteSource,
  options: ImportImageOptions,
): Promise<string> {
  const response = await engine.stream({
    method: 'POST',
    path: '/images/create',
    query: { fromSrc: '-', changes: options.changes },
    input: rootfsTar,
  });
  let imageId: string | undefined;
  await consumeMessages(
    response,
    options.subject,
    'import',
    (message) => {
      if (message.status?.startsWith('sha256:')) imageId = message.status;
    },
    options.onProgress,
  );
  if (!imageId)
    throw new ImageBuildError(
      'IMAGE_IMPORT_FAILED',
      `Importing ${options.subject} into the engine at ${engine.endpoint.url} returned no image id.`,
      { operation: 'import' },
    );
  return imageId;
}

async function consumeMessages(
  response: Readable,
  subject: string,
  phase: string,
  onMessage: (message: EngineMessage) => void,
  onProgress?: ProgressListener,
): Promise<void> {
  for await (const message of readEngineMessages(response)) {
    const failure = messageError(message);
    if (failure)
      throw new ImageBuildError(
        'IMAGE_BUILD_FAILED',
        `Building ${subject} failed at ${phase}: ${failure.trim()}`,
        { operation: phase },
      );
    onMessage(message);
    const line = (message.stream ?? message.status ?? '').trim();
    if (line) onProgress?.({ subject, phase, message: line });
  }
}
