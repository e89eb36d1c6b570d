import { openSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { makeDirs } from './make-dirs.js';

/**
 * The output directory of one invocation: `<xdir>/<command>/<YYYYMMDD_HHMMSS_mmm>[_<name>]/`,
 * holding `otto.log` (created exclusively, so never overwritten) and the artifacts of the run.
 */

/** Names of output directories: only these are ever pruned. */
const STAMPED = /^\d{8}_\d{6}_\d{3}(_.*)?$/;

/** `20261122_101500_123` in local time. */
export function timestampOf(date: Date): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return (
    `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}_` +
    `${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}_${pad(date.getMilliseconds(), 3)}`
  );
}

/** A made output directory and its log file, created exclusively. */
export interface OutputDir {
  path: string;
  logPath: string;
  /** File descriptor of `otto.log` (written synchronously, so nothing is lost at exit). */
  logFd: number;
}

/**
 * Makes a fresh output directory. Two invocations in the same millisecond get `_2`, `_3`...
 * An xdir that is a file, or where the user may not write, is a {@link ConfigError}.
 * @example await makeOutputDir('/var/otto', 'run', 'deploy', new Date());
 */
export async function makeOutputDir(
  xdir: string,
  command: string,
  name: string | undefined,
  now: Date,
): Promise<OutputDir> {
  try {
    return await makeFreshDir(xdir, command, name, now);
  } catch (error) {
    throw await xdirProblem(xdir, error as NodeJS.ErrnoException);
  }
}

async function makeFreshDir(
  xdir: string,
  command: string,
  name: string | undefined,
  now: Date,
): Promise<OutputDir> {
  const base = join(xdir, command, `${timestampOf(now)}${name ? `_${safeName(name)}` : ''}`);
  for (let attempt = 1; ; attempt++) {
    const path = attempt === 1 ? base : `${base}_${attempt}`;
    await makeDirs(join(xdir, command));
    try {
      await mkdir(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 100) continue;
      throw error;
    }
    const logPath = join(path, 'otto.log');
    return { path, logPath, logFd: openSync(logPath, 'ax') };
  }
}

const USER_PROBLEMS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
};

/** Why the output directory cannot be made, in the user's terms when it is their setting. */
async function xdirProblem(xdir: string, error: NodeJS.ErrnoException): Promise<Error> {
  const file = await fileInPath(error.path ?? xdir);
  const reason = file
    ? `${file} is a file, not a folder`
    : USER_PROBLEMS[error.code ?? '']
      ? `${USER_PROBLEMS[error.code!]} (${error.code}) at ${error.path ?? xdir}`
      : undefined;
  if (!reason) return error;
  return new ConfigError(
    'XDIR_INVALID',
    `Cannot make the output directory under ${xdir}: ${reason}.`,
    {
      fix: 'point --xdir (or OTTO_XDIR) at a folder you may write to; otto makes it if it is missing.',
      cause: error,
    },
  );
}

/** The first path from `path` up that exists and is not a folder. */
async function fileInPath(path: string): Promise<string | undefined> {
  for (let at = path; ; at = dirname(at)) {
    const found = await stat(at).catch(() => undefined);
    if (found) return found.isDirectory() ? undefined : at;
    if (dirname(at) === at) return undefined;
  }
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80);
}

/**
 * Removes output directories older than `days` under every `<xdir>/<command>/`. Only names of the
 * output-directory pattern are touched, so a mistaken `--xdir` loses nothing else.
 * @returns the directories removed
 */
export async function pruneOutputDirs(xdir: string, days: number, now: Date): Promise<string[]> {
  if (!(days > 0)) return [];
  const cutoffMs = now.getTime() - days * 86_400_000;
  const removed: string[] = [];
  for (const command of await listDirs(xdir)) {
    if (command.startsWith('.')) continue;
    for (const name of await listDirs(join(xdir, command))) {
      if (!STAMPED.test(name)) continue;
      const path = join(xdir, command, name);
      // Gone already (another otto pruning at the same time): nothing to do.
      const found = await stat(path).catch(() => undefined);
      if (!found || found.mtimeMs >= cutoffMs) continue;
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    }
  }
  return removed;
}

async function listDirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
}

/**
 * The default output root: `$OTTO_XDIR`, else `$XDG_STATE_HOME/otto-ts`, else
 * `~/.local/state/otto-ts` (logs are state: worth keeping, not worth backing up).
 */
export function defaultXdir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OTTO_XDIR) return resolve(env.OTTO_XDIR);
  const state = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(state, 'otto-ts');
}
