import type { ProgressListener } from '../../common/progress.js';
import type { EngineClient } from '../engine/engine-client.js';
import { imageLabels } from '../labels.js';
import { packBuildContext, readBuildContext, type BuildContext } from './build-context.js';
import { ensureCachedImage } from './cached-image.js';
import { buildAborted, buildImage } from './image-build.js';
import { hashImageRecipe, recipeRefsOf, type ImageRecipe } from './image-recipe.js';

/** Options of {@link buildImageRecipe}. */
export interface RecipeBuildOptions {
  /** Build even when an image tagged with the recipe's hash exists. @default false */
  rebuild?: boolean;
  /** Receives a `build` event per step and an `output` event per line of output. @default none */
  onProgress?: ProgressListener;
  /** Aborts the build: the request is cut and the engine stops the build; nothing is tagged. */
  signal?: AbortSignal;
}

/** An image built from a recipe (or found already built), now tagged in the engine. */
export interface RecipeImage {
  /** The declared name, e.g. `app`. */
  name: string;
  /** `<repository>:latest`, e.g. `demo-app:latest`. */
  ref: string;
  /** The tag that pins the content: the first 16 hex digits of the hash. */
  hashTag: string;
  /** `<repository>:<hashTag>`. */
  hashRef: string;
  /** Image id, `sha256:` and 64 hex digits. */
  id: string;
  /** Hex SHA-256 of the recipe. */
  recipeHash: string;
  /** False when the hash tag existed and nothing was built. */
  built: boolean;
  /** Milliseconds the call took, reading and hashing the context included. */
  durationMs: number;
}

/** The purpose label of images built from a repo's declarations. */
const PURPOSE = 'repo-image';

/**
 * Makes sure the image of a recipe exists, tagged `<repository>:<hash16>` and `:latest`. When the
 * hash tag exists nothing is built (one inspect, at most one tag); otherwise the context is sent
 * to the engine's build endpoint, and only a successful build is tagged, so a failed or aborted
 * one leaves no tag behind. The images carry the ownership labels with lifetime `kept`.
 * @example
 * const image = await buildImageRecipe(engine, recipe, { onProgress: console.log });
 * console.log(image.built ? `built ${image.hashRef}` : `up to date (${image.hashTag})`);
 */
export async function buildImageRecipe(
  engine: EngineClient,
  recipe: ImageRecipe,
  options: RecipeBuildOptions = {},
): Promise<RecipeImage> {
  const startMs = performance.now();
  const context = await readBuildContext(recipe.contextDir, recipe.dockerfilePath);
  const recipeHash = await hashImageRecipe(recipe, context);
  const refs = recipeRefsOf(recipe.repository, recipeHash);
  const image = await ensureCachedImage(engine, {
    ref: refs.latestRef,
    recipeRef: refs.hashRef,
    recipeHash,
    force: options.rebuild,
    build: () => runBuild(engine, recipe, context, recipeHash, options),
  });
  return {
    name: recipe.name,
    ref: refs.latestRef,
    hashTag: refs.hashTag,
    hashRef: refs.hashRef,
    id: image.id,
    recipeHash,
    built: image.built,
    durationMs: performance.now() - startMs,
  };
}

async function runBuild(
  engine: EngineClient,
  recipe: ImageRecipe,
  context: BuildContext,
  recipeHash: string,
  options: RecipeBuildOptions,
): Promise<string> {
  try {
    return await buildImage(engine, await packBuildContext(context), {
      subject: recipe.subject,
      dockerfile: context.dockerfile.name,
      buildArgs: recipe.buildArgs,
      target: recipe.target,
      labels: imageLabels(PURPOSE, recipeHash),
      source: {
        text: context.dockerfile.content.toString('utf8'),
        path: recipe.dockerfileName ?? recipe.dockerfilePath,
      },
      onProgress: options.onProgress,
      signal: options.signal,
    });
  } catch (error) {
    if (!options.signal?.aborted) throw error;
    throw buildAborted(engine, recipe.subject, options.signal);
  }
}
