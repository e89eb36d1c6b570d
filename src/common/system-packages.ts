import { readFile } from 'node:fs/promises';
import { CommandError } from '../errors.js';
import { findProgram, runChild } from './child-process.js';
import type { ProgressListener } from './progress.js';

/** What a missing program is for and which Debian package brings it. */
export interface ProgramNeed {
  /** Program to look for on PATH, e.g. `debootstrap`. */
  program: string;
  /** Debian package that installs it, e.g. `debootstrap`. */
  debianPackage: string;
  /** Why it is needed, for messages: `to build the otto/debian base image`. */
  purpose: string;
}

/** True on Debian and its derivatives (apt-get present, /etc/debian_version readable). */
export async function isDebianLike(): Promise<boolean> {
  try {
    await readFile('/etc/debian_version', 'utf8');
    return (await findProgram('apt-get')) !== undefined;
  } catch {
    return false;
  }
}

let aptListsFresh = false;

/**
 * Makes sure each needed program is on this machine: on Debian as root, installs the missing ones
 * with apt-get; anywhere else, throws a {@link CommandError} naming what to install.
 * Returns the resolved path of each program, by program name.
 */
export async function ensurePrograms(
  needs: readonly ProgramNeed[],
  onProgress?: ProgressListener,
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const missing: ProgramNeed[] = [];
  for (const need of needs) {
    const path = await findProgram(need.program);
    if (path) found.set(need.program, path);
    else missing.push(need);
  }
  if (missing.length === 0) return found;
  await installDebianPackages(missing, onProgress);
  for (const need of missing) {
    const path = await findProgram(need.program);
    if (!path)
      throw notInstalled(
        [need],
        `installing ${need.debianPackage} did not provide ${need.program}`,
      );
    found.set(need.program, path);
  }
  return found;
}

async function installDebianPackages(
  missing: readonly ProgramNeed[],
  onProgress?: ProgressListener,
): Promise<void> {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !(await isDebianLike())) {
    throw notInstalled(
      missing,
      isRoot
        ? 'this is not a Debian system'
        : 'otto-ts installs packages only when run as root on Debian',
    );
  }
  const packages = [...new Set(missing.map((need) => need.debianPackage))];
  const report = (message: string): void =>
    onProgress?.({ subject: packages.join(' '), phase: 'apt-get', message });
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptListsFresh) {
    report('apt-get update');
    await runChild('apt-get', ['update', '-q'], { env });
    aptListsFresh = true;
  }
  report(`apt-get install ${packages.join(' ')}`);
  await runChild('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], {
    env,
    // apt's own chatter (dependency lists, downloads, triggers) stays out; one line per package.
    onLine: (line) => {
      const setUp = /^Setting up (\S+)/.exec(line);
      if (setUp) report(`set up ${setUp[1]}`);
    },
  });
}

function notInstalled(missing: readonly ProgramNeed[], why: string): CommandError {
  const list = missing.map((need) => `${need.program} (${purposeOf(need)})`).join(', ');
  const packages = missing.map((need) => need.debianPackage).join(' ');
  return new CommandError('PROGRAM_MISSING', `Missing on this machine: ${list}; ${why}.`, {
    host: 'local',
    fix: `install them (on Debian: apt-get install ${packages}) and try again.`,
  });
}

function purposeOf(need: ProgramNeed): string {
  return `needed ${need.purpose}`;
}
