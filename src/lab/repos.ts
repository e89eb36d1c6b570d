import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { readRepo, SETTINGS_PATH, type Repo } from './settings.js';
import { pathExists } from '../common/path-exists.js';

/**
 * Finds the repos to work with: the folders `OTTO_SUT_DIRS` lists (separated by `:` or `,`), and
 * otherwise the repo that holds the current folder (the nearest `.otto/settings.toml` above it).
 * @example const repos = await findRepos(process.env, process.cwd());
 */
export async function findRepos(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): Promise<Repo[]> {
  const listed = (env.OTTO_SUT_DIRS ?? '')
    .split(/[:,]/)
    .map((dir) => dir.trim())
    .filter(Boolean);
  if (listed.length > 0) return Promise.all(listed.map((dir) => readRepo(resolve(cwd, dir))));
  const root = await findRepoRoot(cwd);
  return root ? [await readRepo(root)] : [];
}

async function findRepoRoot(start: string): Promise<string | undefined> {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (await pathExists(join(dir, SETTINGS_PATH))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The lab folders of all repos, in repo order, each once. */
export function labDirsOf(repos: readonly Repo[]): string[] {
  return [
    ...new Set(repos.flatMap((repo) => repo.settings.labs.map((dir) => resolve(repo.root, dir)))),
  ];
}

/** {@link findRepos}, refusing to go on without a repo. */
export async function requireRepos(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): Promise<Repo[]> {
  const repos = await findRepos(env, cwd);
  if (repos.length > 0) return repos;
  throw new ConfigError(
    'NO_REPO',
    'No repo found: this folder is in no repo with .otto/settings.toml, and OTTO_SUT_DIRS is not set.',
    { fix: 'run otto inside a repo, or set OTTO_SUT_DIRS=/path/to/repo[:/path/to/other].' },
  );
}
