/**
 * A build context read as the docker CLI reads it. `.dockerignore` at the context's root lists
 * patterns (Go `filepath.Match` with `**`, comments, `!` exceptions, later lines winning); a path
 * matches when it or one of its parent folders does. What remains is sent, and two files are sent
 * whatever the patterns say, so that the engine can read them: the Dockerfile and `.dockerignore`
 * itself (the engine drops both from the context again when the patterns exclude them). A
 * Dockerfile outside the context goes in under a generated name, which the sent `.dockerignore`
 * then names, so that it never reaches a `COPY`.
 */
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import dockerignore from '@balena/dockerignore';
import type { Pack } from 'tar-stream';
import { ImageBuildError } from '../../errors.js';
import { addEntry, addFile, ROOT_OWNED } from '../exec/archive-pack.js';
import { loadTarStream } from '../tar-stream.js';

/** One file, folder or symbolic link of a context, as it is sent. */
export interface ContextEntry {
  /** Path inside the context, `/`-separated, e.g. `src/main.c`. */
  name: string;
  /** What kind of entry it is. */
  type: 'file' | 'directory' | 'symlink';
  /** Permission bits, e.g. `0o755`. */
  mode: number;
  /** Size of a file in bytes; 0 for the others. */
  sizeBytes: number;
  /** Modification time, kept in the archive as the docker CLI keeps it (it is in no hash). */
  mtime: Date;
  /** Where a symbolic link points. */
  linkTarget?: string;
  /** Its path on this machine. */
  source: string;
}

/** A context folder after `.dockerignore`, with the Dockerfile to build from. */
export interface BuildContext {
  /** The context folder. */
  dir: string;
  /** What `.dockerignore` lets through, sorted by name: what a `COPY . /dst` sees. */
  entries: ContextEntry[];
  /** The Dockerfile: its name in the archive, its bytes and whether it lies outside the folder. */
  dockerfile: { name: string; content: Buffer; source: string; isOutside: boolean };
  /** The text of `.dockerignore`, when the context has one. */
  ignoreText?: string;
}

/**
 * The patterns of a `.dockerignore` text, normalized as the docker CLI does: lines starting with
 * `#` and blank lines are skipped, each pattern is trimmed and cleaned (`./a//b/` is `a/b`), and a
 * leading `/` is dropped, since every pattern is relative to the context's root.
 */
export function parseDockerignore(text: string): string[] {
  const patterns: string[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (raw.startsWith('#')) continue;
    let pattern = raw.trim();
    if (pattern === '') continue;
    const isException = pattern.startsWith('!');
    if (isException) pattern = pattern.slice(1).trim();
    if (pattern !== '') pattern = cleanPattern(pattern);
    patterns.push(isException ? `!${pattern}` : pattern);
  }
  return patterns;
}

/** Go's `filepath.Clean` for a relative pattern, without its leading `/`. */
function cleanPattern(pattern: string): string {
  const parts: string[] = [];
  for (const part of pattern.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts.at(-1) !== '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/') || '.';
}

/**
 * Reads a context folder: every file, folder and symbolic link that `.dockerignore` lets through,
 * and the Dockerfile at `dockerfilePath` (absolute, or relative to the folder). A folder that
 * cannot be read fails with `BUILD_CONTEXT_UNREADABLE` naming the path.
 * @example const context = await readBuildContext('/src/app', '/src/app/docker/Dockerfile');
 */
export async function readBuildContext(dir: string, dockerfilePath: string): Promise<BuildContext> {
  const ignoreText = await readFile(join(dir, '.dockerignore'), 'utf8').catch(orMissing(dir));
  const patterns = parseDockerignore(ignoreText ?? '');
  // The package is CommonJS; its typings describe the `default` it also sets on itself.
  const filter = dockerignore.default().add(patterns);
  const walk: ContextWalk = {
    ignores: (name) => filter.ignores(name),
    hasExceptions: patterns.some((pattern) => pattern.startsWith('!')),
    entries: [],
  };
  await walkFolder(walk, dir, '');
  const source = isAbsolute(dockerfilePath) ? dockerfilePath : join(dir, dockerfilePath);
  const content = await readFile(source).catch(orMissing(source));
  if (content === undefined)
    throw new ImageBuildError('DOCKERFILE_MISSING', `No Dockerfile at ${source}.`);
  const inside = relative(dir, source);
  const isOutside = inside.startsWith('..') || isAbsolute(inside);
  const name = isOutside ? generatedDockerfileName(content) : inside.split(sep).join('/');
  return {
    dir,
    entries: walk.entries,
    dockerfile: { name, content, source, isOutside },
    ignoreText,
  };
}

/**
 * Packs a context into a tar stream for the engine's build endpoint, file by file from disk,
 * owned by root, with the Dockerfile and `.dockerignore` added when the patterns left them out
 * (see the file's description). A file that cannot be read destroys the archive with the error.
 */
export async function packBuildContext(context: BuildContext): Promise<Pack> {
  const { pack } = await loadTarStream();
  const archive = pack();
  const extras = extraEntries(context);
  const skipped = new Set(extras.map((extra) => extra.name));
  void (async () => {
    for (const entry of context.entries) {
      if (skipped.has(entry.name)) continue;
      const header = { ...ROOT_OWNED, name: entry.name, mode: entry.mode, mtime: entry.mtime };
      if (entry.type === 'file')
        await addFile(archive, entry.source, header, entry.sizeBytes, undefined);
      else if (entry.type === 'directory')
        await addEntry(archive, { ...header, type: 'directory' });
      else await addEntry(archive, { ...header, type: 'symlink', linkname: entry.linkTarget });
    }
    for (const { name, content } of extras)
      await new Promise<void>((resolve, reject) =>
        archive.entry({ ...ROOT_OWNED, name, mode: 0o644 }, content, (error) =>
          error ? reject(error) : resolve(),
        ),
      );
    archive.finalize();
  })().catch((error: unknown) => archive.destroy(error as Error));
  return archive;
}

/** What the engine needs besides what the patterns let through. */
function extraEntries(context: BuildContext): Array<{ name: string; content: Buffer }> {
  const { dockerfile, ignoreText } = context;
  const sent = new Set(context.entries.map((entry) => entry.name));
  if (dockerfile.isOutside) {
    // As the docker CLI does: the generated name is listed, so the engine drops it after reading.
    const ignoreList = `${ignoreText ?? '.dockerignore'}\n${dockerfile.name}\n`;
    return [
      { name: '.dockerignore', content: Buffer.from(ignoreList) },
      { name: dockerfile.name, content: dockerfile.content },
    ];
  }
  const extras: Array<{ name: string; content: Buffer }> = [];
  if (ignoreText !== undefined && !sent.has('.dockerignore'))
    extras.push({ name: '.dockerignore', content: Buffer.from(ignoreText) });
  if (!sent.has(dockerfile.name))
    extras.push({ name: dockerfile.name, content: dockerfile.content });
  return extras;
}

interface ContextWalk {
  ignores(name: string): boolean;
  hasExceptions: boolean;
  entries: ContextEntry[];
}

async function walkFolder(walk: ContextWalk, dir: string, prefix: string): Promise<void> {
  const names = await readdir(dir).catch(unreadable(dir));
  for (const child of names.sort()) {
    const name = prefix ? `${prefix}/${child}` : child;
    const source = join(dir, child);
    const stat = await lstat(source).catch(unreadable(source));
    const isIgnored = walk.ignores(name);
    // An excluded folder is skipped whole unless an exception may bring back something inside.
    if (isIgnored && !(stat.isDirectory() && walk.hasExceptions)) continue;
    const base = { name, mode: stat.mode & 0o7777, mtime: stat.mtime, sizeBytes: 0, source };
    if (stat.isDirectory()) {
      if (!isIgnored) walk.entries.push({ ...base, type: 'directory' });
      await walkFolder(walk, source, name);
    } else if (stat.isSymbolicLink()) {
      const linkTarget = await readlink(source).catch(unreadable(source));
      walk.entries.push({ ...base, type: 'symlink', linkTarget });
    } else if (stat.isFile()) {
      walk.entries.push({ ...base, type: 'file', sizeBytes: stat.size });
    }
    // Sockets, pipes and devices cannot be part of an image: the docker CLI skips them too.
  }
}

/** A Dockerfile from outside the context goes in under a name derived from its bytes. */
function generatedDockerfileName(content: Buffer): string {
  return `.dockerfile.${createHash('sha256').update(content).digest('hex').slice(0, 12)}`;
}

function orMissing(path: string): (error: NodeJS.ErrnoException) => undefined {
  return (error) => {
    if (error.code === 'ENOENT') return undefined;
    return unreadable(path)(error);
  };
}

function unreadable(path: string): (error: Error) => never {
  return (error) => {
    throw new ImageBuildError(
      'BUILD_CONTEXT_UNREADABLE',
      `Cannot read ${path} of the build context: ${error.message}`,
      { cause: error },
    );
  };
}
