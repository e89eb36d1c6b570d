import { hashFile, hashParts } from '../../common/hash.js';
import type { BuildContext } from './build-context.js';

/**
 * Content-hash recipes of declared images. An image's hash covers what its build reads: the
 * Dockerfile's bytes, every file, folder and symbolic link of the context that `.dockerignore`
 * lets through (path, kind, permission bits, and content or link target; not times or owners,
 * which a `COPY` does not keep), the build arguments and the target stage. Equal hashes mean the
 * build would make the same image, so an image tagged with the hash is used as it is. Base images
 * are not in the hash: an image rebuilt under the same `FROM` name needs a forced rebuild.
 */

/** Everything a declared image is built from. */
export interface ImageRecipe {
  /** The declared name, e.g. `app`. */
  name: string;
  /** Image repository name the tags go on, e.g. `demo-app`. */
  repository: string;
  /** How messages name it, e.g. `image "app" of repo demo`. */
  subject: string;
  /** The context folder, absolute. */
  contextDir: string;
  /** The Dockerfile, absolute; it may lie outside the context folder. */
  dockerfilePath: string;
  /** How messages name the Dockerfile, e.g. `docker/app/Dockerfile`. @default dockerfilePath */
  dockerfileName?: string;
  /** Build stage to stop at; undefined for the last one. */
  target?: string;
  /** Values of the Dockerfile's `ARG`s, by name. */
  buildArgs: Record<string, string>;
}

/** The references of an image built from a recipe. */
export interface RecipeRefs {
  /** The first 16 hex digits of the recipe hash: the tag that pins the content. */
  hashTag: string;
  /** `<repository>:<hashTag>`, e.g. `demo-app:3f2a9c1b7e44d0a1`. */
  hashRef: string;
  /** `<repository>:latest`. */
  latestRef: string;
}

/** Bumped when what the hash covers changes, so that older images are not taken as equal. */
const RECIPE_VERSION = 'repo-image-1';
/** Hex digits of the hash in the tag. */
const HASH_TAG_CHARS = 16;

/**
 * An image repository name made of parts, e.g. `demo-app` of repo `demo` and image `app`:
 * lower case, and every run of characters a reference does not allow (or of separators) is one
 * `-`, so that any repo and image name gives a valid reference.
 * @example imageRepositoryName('My Repo', 'Web_Server') // 'my-repo-web_server'
 */
export function imageRepositoryName(...parts: string[]): string {
  return parts.map(sanitizePart).join('-');
}

function sanitizePart(part: string): string {
  const cleaned = part
    .toLowerCase()
    .replace(/[^a-z0-9._]+/g, '-')
    .replace(/[._-]{2,}/g, (run) => (run === '__' ? run : '-'))
    .replace(/^[._-]+|[._-]+$/g, '');
  return cleaned || 'x';
}

/**
 * The hash of a recipe over its read context (see the file's description): hex SHA-256. Reads
 * every file of the context once.
 * @example const hash = await hashImageRecipe(recipe, await readBuildContext(dir, dockerfile));
 */
export async function hashImageRecipe(recipe: ImageRecipe, context: BuildContext): Promise<string> {
  const parts: Array<string | Uint8Array> = [
    RECIPE_VERSION,
    'dockerfile',
    context.dockerfile.content,
    'target',
    recipe.target ?? '',
    'args',
    JSON.stringify(Object.entries(recipe.buildArgs).sort(([a], [b]) => (a < b ? -1 : 1))),
  ];
  for (const entry of context.entries) {
    const what =
      entry.type === 'file'
        ? await hashFile(entry.source)
        : entry.type === 'symlink'
          ? entry.linkTarget!
          : '';
    parts.push(entry.type, entry.name, entry.mode.toString(8), what);
  }
  return hashParts(parts);
}

/** The references of a recipe hash on a repository. */
export function recipeRefsOf(repository: string, recipeHash: string): RecipeRefs {
  const hashTag = recipeHash.slice(0, HASH_TAG_CHARS);
  return { hashTag, hashRef: `${repository}:${hashTag}`, latestRef: `${repository}:latest` };
}
