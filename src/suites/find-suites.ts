import { readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { importUserModule } from '../lab/user-modules.js';
import type { Repo } from '../lab/settings.js';
import { declaredSuites, restoredSuite, type Suite } from './define-suite.js';
import {
  readSuiteCache,
  suiteSourcesFingerprint,
  writeSuiteCache,
  type CachedSuite,
} from './suite-cache.js';

/** A suite found in a repo's `tests` folders. */
export interface FoundSuite {
  suite: Suite;
  repo: Repo;
  /** The file that declares it. */
  file: string;
}

/** What reading the repos' suite files gave. */
export interface FoundSuites {
  suites: FoundSuite[];
  /** Every suite file read. */
  files: string[];
  /** The declarations came from the cache: the worker checks them again. */
  fromCache: boolean;
}

/** Suite files: `*.test.ts`, `*.spec.ts`, `test_*.ts` (and `.mts`, `.js`, `.mjs`). */
export const SUITE_FILE = /(^test_[^/]*|\.(test|spec))\.(ts|mts|js|mjs)$/;

/**
 * Reads the declarations of every suite file in the repos' `tests` folders (recursively, without
 * `node_modules` and dot folders): each file is imported here, where `defineSuite` only records
 * the declaration. A file that does not compile is a {@link ConfigError} naming its file and line.
 * Two suites with one name are refused, naming both files.
 * @example const { suites } = await findSuites(await requireRepos());
 */
export async function findSuites(
  repos: readonly Repo[],
  cache?: SuiteCacheOptions,
): Promise<FoundSuites> {
  const fingerprint = cache && (await suiteSourcesFingerprint(repos, cache.version));
  const cached =
    cache && fingerprint ? await readSuiteCache(cache.xdir, repos, fingerprint) : undefined;
  if (cached) return fromCache(repos, cached);
  const found = await importSuites(repos);
  if (cache && fingerprint)
    await writeSuiteCache(cache.xdir, repos, fingerprint, found.suites.map(toCache));
  return found;
}

/** Where {@link findSuites} keeps the declarations between runs (see suite-cache.ts). */
export interface SuiteCacheOptions {
  xdir: string;
  /** otto-ts's version: another version reads the files again. */
  version: string;
}

async function importSuites(repos: readonly Repo[]): Promise<FoundSuites> {
  const suites: FoundSuite[] = [];
  const files: string[] = [];
  for (const repo of repos)
    for (const dir of repo.settings.tests)
      for (const file of await suiteFilesIn(resolve(repo.root, dir))) {
        files.push(file);
        const before = declaredSuites().length;
        await importUserModule(file);
        for (const suite of declaredSuites().slice(before)) suites.push({ suite, repo, file });
      }
  checkUnique(suites);
  return { suites, files, fromCache: false };
}

function fromCache(repos: readonly Repo[], cached: readonly CachedSuite[]): FoundSuites {
  const suites = cached.flatMap((item): FoundSuite[] => {
    const repo = repos.find((candidate) => candidate.root === item.root);
    return repo ? [{ suite: restoredSuite(item), repo, file: item.file }] : [];
  });
  return { suites, files: [...new Set(cached.map((item) => item.file))], fromCache: true };
}

function toCache({ suite, repo, file }: FoundSuite): CachedSuite {
  return {
    name: suite.name,
    help: suite.help,
    options: suite.options,
    tags: [...suite.tags],
    root: repo.root,
    file,
  };
}

async function suiteFilesIn(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return []; // A tests folder that does not exist holds no suites.
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && entry.name !== 'node_modules')
        files.push(...(await suiteFilesIn(path)));
    } else if (SUITE_FILE.test(entry.name)) files.push(path);
  }
  return files;
}

function checkUnique(found: readonly FoundSuite[]): void {
  const problems: string[] = [];
  found.forEach((item, index) => {
    const first = found.findIndex((other) => other.suite.name === item.suite.name);
    if (first !== index)
      problems.push(`  "${item.suite.name}" in ${where(found[first]!)} and in ${where(item)}`);
  });
  if (problems.length > 0)
    throw new ConfigError(
      'SUITE_DUPLICATE',
      `Two suites have the same name:\n${problems.join('\n')}`,
      {
        fix: 'rename one of them; otto test needs one suite per name.',
      },
    );
}

function where(item: FoundSuite): string {
  return `${item.repo.settings.name} (${relative(item.repo.root, item.file)})`;
}
