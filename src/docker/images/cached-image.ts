import { ImageBuildError, OttoError } from '../../errors.js';
import type { EngineClient } from '../engine/engine-client.js';
import { inspectImage, removeImage, splitImageRef, tagImage } from './image-api.js';

/** An image that otto-ts made from a recipe, now present in the engine. */
export interface CachedImage {
  /** The friendly reference, e.g. `otto/debian:bookworm`. */
  ref: string;
  /** The reference that pins the recipe, e.g. `otto/debian:recipe-3f2a9c1b7e44`. */
  recipeRef: string;
  /** Image id, `sha256:` and 64 hex digits. */
  id: string;
  /** Hex hash of everything the image is made from, as the caller gave it. */
  recipeHash: string;
  /** False when an image of the same recipe already existed and nothing was built. */
  built: boolean;
  /** Milliseconds the call took, checks and any build included. */
  durationMs: number;
}

/** Options of {@link ensureCachedImage}. */
export interface EnsureCachedImageOptions {
  /** Friendly reference to point at the image, e.g. `otto/busybox:latest`. */
  ref: string;
  /** Hash of everything the image is made from; equal hashes mean equal images. */
  recipeHash: string;
  /** Builds the image and returns its (untagged) id. Called only when no image has this recipe. */
  build: () => Promise<string>;
  /** Build even when an image of this recipe exists. @default false */
  force?: boolean;
  /** The reference that pins the recipe. @default `<repo of ref>:recipe-<first 12 hex digits>` */
  recipeRef?: string;
}

/** Length of the recipe hash prefix used in tags. */
const RECIPE_TAG_CHARS = 12;

/** The tag that pins a recipe: `recipe-<first 12 hex digits>`. */
export function recipeTag(recipeHash: string): string {
  return `recipe-${recipeHash.slice(0, RECIPE_TAG_CHARS)}`;
}

/**
 * Makes sure an image built from a recipe exists and `ref` points at it. When an image with the
 * recipe's tag exists this is a no-op (two inspects, at most one tag); otherwise `build` runs and
 * its result is tagged only after it succeeded, so a failed build leaves no tag behind.
 * @example
 * const image = await ensureCachedImage(engine, {
 *   ref: 'my/tool:latest',
 *   recipeHash: createHash('sha256').update(dockerfileText).digest('hex'),
 *   build: () => buildImage(engine, contextTar, { subject: 'my/tool:latest' }),
 * });
 * console.log(image.built ? `built in ${image.durationMs}ms` : 'already there');
 */
export async function ensureCachedImage(
  engine: EngineClient,
  options: EnsureCachedImageOptions,
): Promise<CachedImage> {
  const startMs = performance.now();
  const { repo } = splitImageRef(options.ref);
  const recipeRef = options.recipeRef ?? `${repo}:${recipeTag(options.recipeHash)}`;
  const existing = await inspectImage(engine, recipeRef);
  if (existing && !options.force) {
    if (!existing.tags.includes(options.ref)) await tagImage(engine, existing.id, options.ref);
    return {
      ref: options.ref,
      recipeRef,
      id: existing.id,
      recipeHash: options.recipeHash,
      built: false,
      durationMs: performance.now() - startMs,
    };
  }
  const id = await runBuild(options);
  try {
    await tagImage(engine, id, recipeRef);
    await tagImage(engine, id, options.ref);
  } catch (error) {
    await removeImage(engine, recipeRef).catch(() => undefined);
    await removeImage(engine, id, { force: true }).catch(() => undefined);
    throw error;
  }
  if (existing && existing.id !== id) await removeReplaced(engine, existing.id);
  return {
    ref: options.ref,
    recipeRef,
    id,
    recipeHash: options.recipeHash,
    built: true,
    durationMs: performance.now() - startMs,
  };
}

async function runBuild(options: EnsureCachedImageOptions): Promise<string> {
  try {
    return await options.build();
  } catch (error) {
    if (error instanceof OttoError) throw error;
    throw new ImageBuildError(
      'IMAGE_BUILD_FAILED',
      `Building ${options.ref} failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * A forced rebuild leaves the image it replaced without tags. It is removed when nothing uses it;
 * an image that containers still use stays (the engine refuses), and that is no failure.
 */
async function removeReplaced(engine: EngineClient, imageId: string): Promise<void> {
  const replaced = await inspectImage(engine, imageId);
  if (replaced && replaced.tags.length === 0)
    await removeImage(engine, imageId).catch(() => undefined);
}
