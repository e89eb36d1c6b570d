import type { Command } from 'commander';
import { resolve } from 'node:path';
import { composePlaceholders } from '../../lab/compose-placeholders.js';
import { dockerParentIds, LOCAL_PARENT_ID } from '../../lab/docker-parents.js';
import { loadLab, type Lab } from '../../lab/lab.js';
import type { Repo } from '../../lab/settings.js';
import { findRepos, labDirsOf } from '../../lab/repos.js';
import { defaultXdir } from '../invocation/global-options.js';
import { completeWords, flagValueIn } from './complete-words.js';
import { readSuiteCache } from '../../suites/suite-cache.js';
import { flagsOf } from '../option-flags.js';
import { TEST_FLAGS } from '../test-flags.js';
import { readCompletionCache, type CachedInstruction } from './completion-cache.js';

/**
 * What `otto __complete` prints: the candidates for the word being completed, one a line.
 * Instructions come from the completion cache that `otto run` writes, host ids from the lab
 * files (JSON); no user module is imported. A broken repo or lab offers nothing, never an error.
 */
export async function completeCommandLine(
  program: Command,
  words: string[],
  index: number,
): Promise<string> {
  const xdirFlag = await flagValueIn(program, words, '--xdir');
  const xdir = xdirFlag ? resolve(xdirFlag) : defaultXdir();
  const candidates = await completeWords(program, words, index, {
    instructions: async () => (await readCompletionCache(xdir))?.instructions ?? [],
    suites: () => cachedSuites(xdir),
    hostIds: (lab) => labHostIds(lab),
    dockerParentIds: (lab) => labDockerParentIds(lab),
  });
  return candidates.map((candidate) => `${candidate}\n`).join('');
}

/** The suites `otto test` last read (any fingerprint: TAB may offer a stale name, never fail). */
async function cachedSuites(xdir: string): Promise<CachedInstruction[]> {
  const repos = await findRepos().catch(() => []);
  const suites = (await readSuiteCache(xdir, repos)) ?? [];
  return suites.map((suite) => ({
    name: suite.name,
    help: suite.help,
    flags: [...flagsOf(suite.options), ...flagsOf(TEST_FLAGS)],
  }));
}

async function labHostIds(lab: string | undefined): Promise<string[]> {
  const loaded = await loadNamedLab(lab);
  if (!loaded) return [];
  const services = await composePlaceholders(loaded.repos, loaded.lab);
  return [...loaded.lab.hosts.keys(), ...services.map((service) => service.id)];
}

/** `--on`: only the engines Docker work can run on. */
async function labDockerParentIds(lab: string | undefined): Promise<string[]> {
  const loaded = await loadNamedLab(lab);
  return loaded ? dockerParentIds(loaded.lab) : [LOCAL_PARENT_ID];
}

async function loadNamedLab(
  lab: string | undefined,
): Promise<{ repos: Repo[]; lab: Lab } | undefined> {
  const names = (lab ?? process.env.OTTO_LAB ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  try {
    const repos = await findRepos();
    return { repos, lab: await loadLab({ names, dirs: labDirsOf(repos) }) };
  } catch {
    return undefined;
  }
}
