/**
 * The completion cache: what `otto run` learns when it loads user code (instruction names and
 * their option flags), saved under the xdir so that TAB can offer it without importing anything.
 * A fingerprint over the files that define it (settings, init modules, lab files) tells whether
 * it is still current.
 */
import { randomUUID } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../errors.js';
import { makeDirs } from '../../common/make-dirs.js';

/** One option flag of an instruction, as completion needs it. */
export interface CachedFlag {
  /** The flag as typed, e.g. `--count` or `--no-debug`. */
  flag: string;
  /** Whether the next word is the flag's value. */
  takesValue: boolean;
  /** The values the flag accepts, when it accepts only a few. */
  choices?: string[];
}

/** An instruction as completion needs it: its name, one-line help and option flags. */
export interface CachedInstruction {
  name: string;
  help: string;
  flags: CachedFlag[];
}

/** Content of the completion cache file. */
export interface CompletionCache {
  version: 1;
  /** {@link fingerprintFiles} of the files the instructions came from. */
  fingerprint: string;
  instructions: CachedInstruction[];
}

/** Where the completion cache of an xdir lives: `<xdir>/.otto/completion-cache.json`. */
export function completionCachePath(xdir: string): string {
  return join(xdir, '.otto', 'completion-cache.json');
}

/**
 * Reads the completion cache of an xdir; `undefined` when it is missing, unreadable, of another
 * version, or (when `fingerprint` is given) made from other files.
 */
export async function readCompletionCache(
  xdir: string,
  fingerprint?: string,
): Promise<CompletionCache | undefined> {
  let content: unknown;
  try {
    content = JSON.parse(await readFile(completionCachePath(xdir), 'utf8'));
  } catch {
    return undefined; // No cache yet, or a broken one: completion just offers less.
  }
  if (!isCompletionCache(content)) return undefined;
  if (fingerprint !== undefined && content.fingerprint !== fingerprint) return undefined;
  return content;
}

/**
 * Writes the completion cache of an xdir, creating its folder; readers never see a partial
 * file (it is written beside and renamed into place).
 */
export async function writeCompletionCache(xdir: string, cache: CompletionCache): Promise<void> {
  const path = completionCachePath(xdir);
  const temporary = `${path}.${randomUUID()}.tmp`;
  try {
    await makeDirs(dirname(path));
    await writeFile(temporary, `${JSON.stringify(cache, null, 2)}\n`);
    await rename(temporary, path);
  } catch (error) {
    // The temporary file may not exist, nor its folder: the original failure is what matters.
    await rm(temporary, { force: true }).catch(() => undefined);
    throw new ConfigError(
      'COMPLETION_CACHE_WRITE',
      `Cannot write the completion cache ${path}: ${(error as Error).message}`,
      {
        operation: 'write completion cache',
        fix: 'make -x/--xdir a writable folder.',
        cause: error,
      },
    );
  }
}

/** Checks the shape of a parsed cache file, so that a stale or foreign file is ignored. */
function isCompletionCache(value: unknown): value is CompletionCache {
  if (!isRecord(value) || value.version !== 1 || typeof value.fingerprint !== 'string')
    return false;
  return Array.isArray(value.instructions) && value.instructions.every(isCachedInstruction);
}

function isCachedInstruction(value: unknown): value is CachedInstruction {
  if (!isRecord(value) || typeof value.name !== 'string' || typeof value.help !== 'string')
    return false;
  return Array.isArray(value.flags) && value.flags.every(isCachedFlag);
}

function isCachedFlag(value: unknown): value is CachedFlag {
  if (!isRecord(value) || typeof value.flag !== 'string' || typeof value.takesValue !== 'boolean')
    return false;
  return value.choices === undefined || isStringArray(value.choices);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
