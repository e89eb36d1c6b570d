import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { ProgressListener } from '../common/progress.js';
import type { EngineClient } from '../docker/engine/engine-client.js';
import { imageRepositoryName, type ImageRecipe } from '../docker/images/image-recipe.js';
import { buildImageRecipe } from '../docker/images/recipe-build.js';
import { AbortedError, ConfigError } from '../errors.js';
import { nearestIds } from './closest.js';
import type { RepoDockerImage } from './repo-settings.js';
import type { Repo } from './settings.js';

/**
 * The images a repo declares (`[[docker.images]]` of its settings), as recipes and as builds.
 * `dockerfile` and `context` are relative to the repo root. An image is named by its `name`, or
 * as `<repo>/<name>` when several repos are loaded; its tags are `<repo>-<name>:<hash16>` and
 * `<repo>-<name>:latest`.
 */

/** A declared image, found in its repo. */
export interface DeclaredImage {
  /** The repo that declares it. */
  repo: Repo;
  /** Its `[[docker.images]]` entry, as written. */
  entry: RepoDockerImage;
  /** Its position among the repo's `[[docker.images]]`. */
  index: number;
  /** The recipe, paths resolved. */
  recipe: ImageRecipe;
}

/** Options of {@link buildRepoImages}. */
export interface BuildRepoImagesOptions {
  /** Images to build, by `name` or `<repo>/<name>`. @default every declared image */
  names?: readonly string[];
  /** Build even when an image tagged with the content hash exists. @default false */
  rebuild?: boolean;
  /** Receives a `build` event per step and an `output` event per line of output. @default none */
  onProgress?: ProgressListener;
  /** Aborts the build that runs (the engine stops it, nothing is tagged) and skips the rest. */
  signal?: AbortSignal;
}

/** One image after {@link buildRepoImages}: built now, or found up to date. */
export interface RepoImageResult {
  /** The declared name, e.g. `app`. */
  name: string;
  /** The repo's name. */
  repo: string;
  /** `<repo>-<name>:latest`: what compose files and containers use. */
  ref: string;
  /** The tag that pins the content: the first 16 hex digits of the recipe hash. */
  hashTag: string;
  /** Image id, `sha256:` and 64 hex digits. */
  id: string;
  /** False when an image with the same content hash existed and nothing was built. */
  built: boolean;
  /** Milliseconds it took, hashing included. */
  durationMs: number;
}

/**
 * Builds a repo's declared images on an engine, in settings order, each unless an image of its
 * content hash exists. Unknown names (`UNKNOWN_IMAGE`), no images at all (`NO_IMAGES`) and a
 * missing Dockerfile or context folder (`BUILD_CONTEXT_MISSING`) are refused before anything is
 * built. A failed step is an `ImageBuildError` `BUILD_STEP_FAILED`.
 * @example
 * const images = await buildRepoImages(engine, repo, { names: ['app'] });
 * for (const image of images) console.log(image.ref, image.built ? 'built' : 'up to date');
 */
export async function buildRepoImages(
  engine: EngineClient,
  repos: Repo | readonly Repo[],
  options: BuildRepoImagesOptions = {},
): Promise<RepoImageResult[]> {
  const declared = selectRepoImages(repos, options.names);
  await Promise.all(declared.map(checkImageSources));
  const results: RepoImageResult[] = [];
  for (const { repo, recipe } of declared) {
    if (options.signal?.aborted)
      throw new AbortedError(`Aborted before building ${recipe.subject}.`, {
        cause: options.signal.reason,
      });
    const image = await buildImageRecipe(engine, recipe, options);
    results.push({
      name: image.name,
      repo: repo.settings.name,
      ref: image.ref,
      hashTag: image.hashTag,
      id: image.id,
      built: image.built,
      durationMs: image.durationMs,
    });
  }
  return results;
}

/** Every image the repos declare, in order, with its recipe. */
export function declaredImagesOf(repos: Repo | readonly Repo[]): DeclaredImage[] {
  return listOf(repos).flatMap((repo) =>
    (repo.settings.docker?.images ?? []).map((entry, index) => ({
      repo,
      entry,
      index,
      recipe: recipeOf(repo, entry),
    })),
  );
}

/** The declared images named (all when none are): unknown names are a ConfigError. */
export function selectRepoImages(
  repos: Repo | readonly Repo[],
  names: readonly string[] = [],
): DeclaredImage[] {
  const declared = declaredImagesOf(repos);
  if (declared.length === 0) throw noImages(listOf(repos));
  if (names.length === 0) return declared;
  const qualify = listOf(repos).length > 1;
  const selected = new Set<DeclaredImage>();
  for (const name of names) {
    const matches = declared.filter(
      (image) =>
        image.entry.name === name || `${image.repo.settings.name}/${image.entry.name}` === name,
    );
    if (matches.length === 0) throw unknownImage(name, declared, qualify);
    for (const match of matches) selected.add(match);
  }
  return declared.filter((image) => selected.has(image));
}

function recipeOf(repo: Repo, entry: RepoDockerImage): ImageRecipe {
  const at = (path: string) => (isAbsolute(path) ? path : resolve(repo.root, path));
  const dockerfilePath = at(entry.dockerfile);
  return {
    name: entry.name,
    repository: imageRepositoryName(repo.settings.name, entry.name),
    subject: `image "${entry.name}" of repo ${repo.settings.name}`,
    contextDir: at(entry.context),
    dockerfilePath,
    dockerfileName: relative(repo.root, dockerfilePath),
    target: entry.target,
    buildArgs: entry.build_args ?? {},
  };
}

/** A missing context folder or Dockerfile, named with its settings entry. */
async function checkImageSources(image: DeclaredImage): Promise<void> {
  const { recipe, entry, repo } = image;
  const where = `[[docker.images]] "${entry.name}" of ${repo.settingsPath}`;
  const context = await stat(recipe.contextDir).catch(() => undefined);
  if (!context?.isDirectory())
    throw new ConfigError(
      'BUILD_CONTEXT_MISSING',
      `Cannot build ${recipe.subject}: its context folder ${recipe.contextDir} ${context ? 'is not a folder' : 'does not exist'} (context = "${entry.context}" in ${where}).`,
      { fix: 'create the folder, or set context to a folder relative to the repo root.' },
    );
  const dockerfile = await stat(recipe.dockerfilePath).catch(() => undefined);
  if (!dockerfile?.isFile())
    throw new ConfigError(
      'BUILD_CONTEXT_MISSING',
      `Cannot build ${recipe.subject}: its Dockerfile ${recipe.dockerfilePath} ${dockerfile ? 'is not a file' : 'does not exist'} (dockerfile = "${entry.dockerfile}" in ${where}).`,
      { fix: 'create the Dockerfile, or set dockerfile to a path relative to the repo root.' },
    );
}

function listOf(repos: Repo | readonly Repo[]): readonly Repo[] {
  return 'root' in repos ? [repos] : repos;
}

function noImages(repos: readonly Repo[]): ConfigError {
  const where = repos.map((repo) => repo.settingsPath).join(', ') || 'no repo';
  return new ConfigError('NO_IMAGES', `No images to build: no [[docker.images]] in ${where}.`, {
    fix: 'declare one: [[docker.images]] with name, dockerfile and context (relative to the repo root).',
  });
}

function unknownImage(
  name: string,
  declared: readonly DeclaredImage[],
  qualify: boolean,
): ConfigError {
  const names = declared.map((image) =>
    qualify ? `${image.repo.settings.name}/${image.entry.name}` : image.entry.name,
  );
  const near = nearestIds(name, names);
  return new ConfigError(
    'UNKNOWN_IMAGE',
    `No image "${name}" in [[docker.images]]${near ? `; did you mean ${near}?` : '.'} The declared ones are: ${names.join(', ')}.`,
    { fix: 'otto docker build without names builds every declared image.' },
  );
}
