import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { TempRepo } from '../../helpers/temp-repo.js';
import type { BadInputCase, PerCase } from './case.js';

/**
 * What the cases of lab-cases.ts share: a sound host to spoil, its secrets, the command that
 * loads the lab, and the expected first lines of one problem or several.
 */

export const PASSWORD = 'Lab-pw-7f3a9c';
export const PASSPHRASE = 'Key-phrase-2b8e41';
export const SECRETS = [PASSWORD, PASSPHRASE];
export const LIST = ['-l', 'main', '--list-hosts'];

/** A sound host of the lab `main`, with `fields` over it. */
export function host(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { ip: '10.0.0.5', ne: 'db', creds: { otto: PASSWORD }, labs: ['main'], ...fields };
}

export function hostsFile(repo: TempRepo): string {
  return join(repo.labDir, 'hosts.json');
}

export function settingsFile(repo: TempRepo): string {
  return join(repo.root, '.otto', 'settings.toml');
}

/** The first line for a lab with one problem: `<where>: <message>` after the file. */
export function oneProblem(where: string): (repo: TempRepo) => string {
  return (repo) => `otto: The lab has 1 problem: ${hostsFile(repo)}: ${where}`;
}

/** The first line for settings with one problem. */
export function settingsProblem(problem: string): (repo: TempRepo) => string {
  return (repo) => `otto: The repo settings ${settingsFile(repo)} have 1 problem: ${problem}`;
}

/** A case whose lab file has several problems: the count first, then every one, in order. */
export function severalProblems(
  name: string,
  hosts: unknown,
  problems: string[],
): Pick<BadInputCase, 'name' | 'hosts' | 'args' | 'exitCode' | 'firstLine' | 'secrets' | 'check'> {
  return {
    name,
    hosts,
    args: LIST,
    exitCode: 2,
    firstLine: `otto: The lab has ${problems.length} problems:`,
    secrets: SECRETS,
    check: ({ stderr }, repo) => {
      expect(stderr).toBe(
        [
          `otto: The lab has ${problems.length} problems:`,
          ...problems.map((problem) => `  ${hostsFile(repo)}: ${problem}`),
          '',
        ].join('\n'),
      );
    },
  };
}

/** A lab case with one problem. */
export function labCase(name: string, hosts: unknown, where: string): BadInputCase {
  return { name, hosts, args: LIST, exitCode: 2, firstLine: oneProblem(where), secrets: SECRETS };
}

/** A settings case with one problem: `settings` appended to a sound settings.toml. */
export function settingsCase(name: string, settings: string, problem: string): BadInputCase {
  return {
    name,
    settings,
    hosts: [host()],
    args: LIST,
    exitCode: 2,
    firstLine: settingsProblem(problem),
    secrets: SECRETS,
  };
}

export const WHOLE_PORT = 'expected a whole number from 1 to 65535';
export const SECONDS = 'expected a number of seconds, more than 0 and at most 86400';

/** A case whose settings.toml is `text`, whole; the lab has one sound host. */
export function wholeSettingsCase(
  name: string,
  text: string | Buffer,
  firstLine: PerCase<string>,
): BadInputCase {
  const files = { '.otto/settings.toml': text };
  return { name, files, hosts: [host()], args: LIST, exitCode: 2, firstLine, secrets: SECRETS };
}

/** A case whose hosts.json is a FIFO (which must not hang otto) or a folder. */
export function hostsFileReplacedBy(kind: 'FIFO' | 'folder'): BadInputCase {
  return {
    name: `hosts.json is a ${kind}`,
    hosts: [],
    prepare: async (repo) => {
      await rm(hostsFile(repo));
      if (kind === 'FIFO') await promisify(execFile)('mkfifo', [hostsFile(repo)]);
      else await mkdir(hostsFile(repo));
    },
    args: LIST,
    exitCode: 2,
    firstLine: oneProblem(`cannot read it: not a regular file (a ${kind})`),
  };
}
