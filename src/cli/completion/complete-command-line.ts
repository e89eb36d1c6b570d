import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadLab } from '../../lab/lab.js';
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
  });
  return candidates.map((candidate) => `${candidate}\n`).join('');
}

async function labHostIds(lab: string | undefined): Promise<string[]> {
  const names = (lab ?? process.env.OTTO_LAB ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  try {
    const loaded = await loadLab({ names, dirs: labDirsOf(await findRepos()) });
    return [...loaded.hosts.keys()];
  } catch {
    return [];
  }
}
