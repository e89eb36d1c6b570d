import { randomUUID } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fingerprintFiles, hashParts } from '../common/hash.js';
import { makeDirs } from '../common/make-dirs.js';
import type { OptionSpecs } from '../common/option-set.js';
import type { Repo } from '../lab/settings.js';

/**
 * The suites' declarations, kept between runs so that `otto test` does not import every suite
 * file (TypeScript through a loader, and otto-ts with it) before Vitest starts: on this machine
 * that is most of a second. The cache holds for as long as no file under the repos' `tests` and
 * `libs` folders, nor a settings file, changes (path, modification time and size of each).
 * A declaration read from elsewhere (a package) is checked again in the worker.
 */

/** One cached declaration. */
export interface CachedSuite {
  name: string;
  help: string;
  options: OptionSpecs;
  tags: string[];
  /** The repo's root. */
  root: string;
  file: string;
}

interface SuiteCacheFile {
  version: 1;
  fingerprint: string;
  suites: CachedSuite[];
}

/**
 * `<xdir>/.cache/suites-<key>.json`, one file per set of repos (the key hashes their roots), so
 * that working in two repos in turn keeps both caches.
 */
export function suiteCachePath(xdir: string, repos: readonly Pick<Repo, 'root'>[]): string {
  const key = hashParts(repos.map((repo) => repo.root)).slice(0, 12);
  return join(xdir, '.cache', `suites-${key}.json`);
}

/** The fingerprint of everything the repos' suite declarations may come from. */
export async function suiteSourcesFingerprint(
  repos: readonly Repo[],
  version: string,
): Promise<string> {
  const files = [version];
  for (const repo of repos) {
    files.push(repo.settingsPath);
    for (const dir of [...repo.settings.tests, ...repo.settings.libs])
      files.push(...(await filesUnder(resolve(repo.root, dir))));
  }
  return fingerprintFiles(files);
}

/**
 * The cached declarations, or undefined when there are none (for this fingerprint, when one is
 * given: without one, whatever the last run read, as TAB completion wants).
 */
export async function readSuiteCache(
  xdir: string,
  repos: readonly Pick<Repo, 'root'>[],
  fingerprint?: string,
): Promise<CachedSuite[] | undefined> {
  try {
    const text = await readFile(suiteCachePath(xdir, repos), 'utf8');
    const cache = JSON.parse(text) as SuiteCacheFile;
    const fresh = fingerprint === undefined || cache.fingerprint === fingerprint;
    return cache.version === 1 && fresh && Array.isArray(cache.suites) ? cache.suites : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the cache (atomically); a cache that cannot be written only costs time. */
export async function writeSuiteCache(
  xdir: string,
  repos: readonly Pick<Repo, 'root'>[],
  fingerprint: string,
  suites: CachedSuite[],
): Promise<void> {
  const path = suiteCachePath(xdir, repos);
  const temporary = `${path}.${randomUUID()}.tmp`;
  try {
    await makeDirs(dirname(path));
    const cache: SuiteCacheFile = { version: 1, fingerprint, suites };
    await writeFile(temporary, JSON.stringify(cache));
    await rename(temporary, path);
  } catch {
    await rm(temporary, { force: true });
  }
}

/** Forgets the cache (after a run whose suite file did not load as cached). */
export async function dropSuiteCache(
  xdir: string,
  repos: readonly Pick<Repo, 'root'>[],
): Promise<void> {
  await rm(suiteCachePath(xdir, repos), { force: true });
}

/** The files below a folder, without `node_modules` and dot folders; none when it is missing. */
async function filesUnder(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [dir];
  }
  const files: string[] = [dir];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && entry.name !== 'node_modules')
        files.push(...(await filesUnder(path)));
    } else files.push(path);
  }
  return files;
}
