import type { Command } from 'commander';
import { resolve } from 'node:path';
import { composePlaceholders } from '../../lab/compose-placeholders.js';
import { dockerParentIds, LOCAL_PARENT_ID } from '../../lab/docker-parents.js';
import { loadLab, type Lab } from '../../lab/lab.js';
import type { Repo } from '../../lab/settings.js';
import { findRepos, labDirsOf } from '../../lab/repos.js';
import { defaultXdir } from '../invocation/global-options.js';
import { completeWords, flagValueIn } from './complete-words.js';
import { readCompletionCache } from './completion-cache.js';

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
    hostIds: (lab) => labHostIds(lab),
    dockerParentIds: (lab) => labDockerParentIds(lab),
  });
  return candidates.map((candidate) => `${candidate}\n`).join('');
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
