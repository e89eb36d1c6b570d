import { join } from 'node:path';
import { expect } from 'vitest';
import type { BadInputCase } from './case.js';
import { INSTRUCTION_CASES, WITH_INIT } from './cli-instruction-cases.js';
import {
  db,
  SECRET,
  SECRETS,
  sshDb,
  sshDbWithSecret,
  unreachableDb,
  WRONG_PASSWORD,
  where,
} from './cli-kit.js';

/**
 * Bad command lines, flags, environment variables, init modules and host actions, each a mistake
 * users make. Usage and input mistakes exit 2, failed work 1; the lab's password never shows.
 */

const CHOICES =
  'Commands: run, test, host, monitor, reservation, completion, engine, image, docker, lab, demo.';
const LOG_DAYS = 'expected a whole number of days (0 keeps all)';

const FLAG_CASES: BadInputCase[] = [
  {
    name: 'a --log-level that is no level',
    args: ['--log-level', 'loud', 'lab', 'schema'],
    exitCode: 2,
    firstLine:
      "otto: option '--log-level <level>' argument 'loud' is invalid. Allowed choices are debug, info, warn, error.",
    check: ({ stderr }) =>
      expect(stderr.split('\n')[1]).toBe('Fix: otto --help describes its arguments and options.'),
  },
  {
    name: '--log-days abc, for a command that prunes nothing',
    args: ['--log-days', 'abc', 'lab', 'schema'],
    exitCode: 2,
    firstLine: `otto: Invalid global options: --log-days: ${LOG_DAYS}, got "abc".`,
    check: ({ stdout }) => expect(stdout).toBe(''),
  },
  {
    name: '--log-days -1',
    args: ['--log-days', '-1', 'completion', 'bash'],
    exitCode: 2,
    firstLine: `otto: Invalid global options: --log-days: ${LOG_DAYS}, got "-1".`,
  },
  {
    name: '--log-days with a fraction',
    args: ['--log-days', '1.5', 'run', '--list-instructions'],
    exitCode: 2,
    firstLine: `otto: Invalid global options: --log-days: ${LOG_DAYS}, got "1.5".`,
  },
  {
    name: 'an unknown global option',
    args: ['--verbose', 'lab', 'schema'],
    exitCode: 2,
    firstLine: "otto: unknown option '--verbose'",
  },
  {
    name: 'a global option after the command',
    hosts: [db()],
    args: ['host', 'db', '--lab', 'main', 'run', 'true'],
    exitCode: 2,
    firstLine:
      "otto: unknown option '--lab' for otto host: it is a global option, which comes before the command (otto --lab ... host ...).",
  },
  {
    name: 'a global option without its value',
    args: ['--lab'],
    exitCode: 2,
    firstLine: "otto: option '-l, --lab <names>' argument missing",
  },
  {
    name: 'an unknown command',
    args: ['bogus'],
    exitCode: 2,
    firstLine: `otto: unknown command "bogus". ${CHOICES}`,
    check: ({ stderr }) =>
      expect(stderr).toBe(
        `otto: unknown command "bogus". ${CHOICES}\nFix: otto --help describes them; global options come before the command.\n`,
      ),
  },
  {
    name: 'a misspelt command',
    args: ['hots', 'db', 'run', 'true'],
    exitCode: 2,
    firstLine: `otto: unknown command "hots"; did you mean "host"? ${CHOICES}`,
  },
  {
    name: 'a misspelt subcommand',
    args: ['reservation', 'chek'],
    exitCode: 2,
    firstLine: "otto: unknown command 'chek'",
    check: ({ stderr }) => expect(stderr.split('\n')[1]).toBe('(Did you mean check?)'),
  },
  {
    name: 'a base image otto cannot build',
    args: ['image', 'base', 'alpine'],
    exitCode: 2,
    firstLine:
      "otto: command-argument value 'alpine' is invalid for argument 'kind'. Allowed choices are busybox, debian.",
  },
  {
    name: 'completion for a shell otto has no script for',
    args: ['completion', 'fish'],
    exitCode: 2,
    firstLine:
      "otto: command-argument value 'fish' is invalid for argument 'shell'. Allowed choices are bash, zsh.",
  },
];

const ENVIRONMENT_CASES: BadInputCase[] = [
  {
    name: 'OTTO_LOG_DAYS that is not a number',
    args: ['lab', 'schema'],
    env: { OTTO_LOG_DAYS: 'a week' },
    exitCode: 2,
    firstLine: `otto: Invalid global options: OTTO_LOG_DAYS: ${LOG_DAYS}, got "a week".`,
  },
  {
    name: 'OTTO_LOG_LEVEL that is no level, with a bad --log-days too',
    args: ['--log-days', 'x', 'run', '--list-instructions'],
    env: { OTTO_LOG_LEVEL: 'trace' },
    exitCode: 2,
    firstLine:
      'otto: Invalid global options: OTTO_LOG_LEVEL: expected one of debug, info, warn, error, got "trace"; ' +
      `--log-days: ${LOG_DAYS}, got "x".`,
  },
  {
    name: 'OTTO_LAB naming no lab',
    hosts: [db()],
    args: ['host', 'db', 'run', 'true'],
    env: { OTTO_LAB: 'mian' },
    exitCode: 2,
    firstLine: (repo) =>
      `otto: No lab named "mian" in ${repo.labDir}; did you mean "main"? Labs found: main.`,
    secrets: SECRETS,
  },
  {
    name: 'no lab for a host command',
    hosts: [db()],
    args: ['host', 'db', 'run', 'true'],
    exitCode: 2,
    firstLine: 'otto: No lab given: pass --lab NAME[,NAME...] or set OTTO_LAB.',
  },
  {
    name: 'OTTO_SUT_DIRS pointing at a file',
    args: ['run', '--list-instructions'],
    env: (repo) => ({ OTTO_SUT_DIRS: join(repo.root, '.otto', 'settings.toml') }),
    exitCode: 2,
    firstLine: (repo) =>
      `otto: Cannot read the repo settings ${repo.root}/.otto/settings.toml/.otto/settings.toml: a part of its path is not a folder`,
  },
  {
    name: 'OTTO_SUT_DIRS naming a missing folder',
    args: ['run', '--list-instructions'],
    env: (repo) => ({ OTTO_SUT_DIRS: `${repo.root}:${repo.base}/gone` }),
    exitCode: 2,
    firstLine: (repo) =>
      `otto: Cannot read the repo settings ${repo.base}/gone/.otto/settings.toml: no such file`,
  },
  {
    name: 'OTTO_SUT_DIRS naming the folder above the repo',
    args: ['run', '--list-instructions'],
    env: (repo) => ({ OTTO_SUT_DIRS: repo.base }),
    exitCode: 2,
    firstLine: (repo) =>
      `otto: Cannot read the repo settings ${repo.base}/.otto/settings.toml: no such file`,
  },
  {
    name: 'OTTO_XDIR on a file',
    ...WITH_INIT,
    args: ['run', 'deploy', '--build', '2.1'],
    env: (repo) => ({ OTTO_XDIR: join(repo.root, 'otto', 'init.ts') }),
    exitCode: 2,
    firstLine: (repo) =>
      `otto: Cannot make the output directory under ${repo.root}/otto/init.ts: ${repo.root}/otto/init.ts is a file, not a folder.`,
  },
  {
    name: '--xdir inside a file',
    hosts: [db()],
    args: (repo) => [
      '-l',
      'main',
      '-x',
      join(repo.root, '.otto/settings.toml/out'),
      'host',
      'db',
      'run',
      'true',
    ],
    exitCode: 2,
    firstLine: (repo) =>
      `otto: Cannot make the output directory under ${repo.root}/.otto/settings.toml/out: ${repo.root}/.otto/settings.toml is a file, not a folder.`,
    secrets: SECRETS,
  },
];

const HOST_CASES: BadInputCase[] = [
  {
    name: 'an unknown host, with the closest',
    hosts: [db()],
    args: ['-l', 'main', 'host', 'dv', 'run', 'true'],
    exitCode: 2,
    firstLine: 'otto: No host "dv" in lab main; did you mean "db"?',
    secrets: SECRETS,
  },
  {
    name: 'an unknown --hop',
    hosts: [db(), db({ id: 'gateway', ne: 'gateway' })],
    args: ['-l', 'main', 'host', 'db', '--hop', 'gatway', 'run', 'true'],
    exitCode: 2,
    firstLine: 'otto: No host "gatway" in lab main; did you mean "gateway"?',
    secrets: SECRETS,
  },
  {
    name: 'a host as its own --hop',
    hosts: [db()],
    args: ['-l', 'main', 'host', 'db', '--hop', 'db', 'run', 'true'],
    exitCode: 2,
    firstLine: 'otto: Host "db" cannot be its own hop (--hop db).',
  },
  {
    name: 'host run without a command',
    hosts: [db()],
    args: ['-l', 'main', 'host', 'db', 'run'],
    exitCode: 2,
    firstLine: 'otto: otto host <id> run takes at least one command.',
  },
  {
    name: 'host put with a source and no destination',
    hosts: [db()],
    args: ['-l', 'main', 'host', 'db', 'put', 'build.tar'],
    exitCode: 2,
    firstLine: 'otto: otto host <id> put takes one or more sources and a destination folder.',
  },
  {
    name: 'host login with arguments',
    hosts: [db()],
    args: ['-l', 'main', 'host', 'db', 'login', 'root'],
    exitCode: 2,
    firstLine: 'otto: otto host <id> login takes no arguments.',
  },
  {
    name: 'host without an action',
    hosts: [db()],
    args: ['-l', 'main', 'host', 'db'],
    exitCode: 2,
    firstLine: "otto: missing required argument 'action'",
  },
  {
    name: 'an action host does not have',
    hosts: [db()],
    args: ['-l', 'main', 'host', 'db', 'exec', 'true'],
    exitCode: 2,
    firstLine:
      "otto: command-argument value 'exec' is invalid for argument 'action'. Allowed choices are run, put, get, login.",
  },
  {
    name: 'a --transfer otto does not know',
    hosts: [db()],
    args: ['-l', 'main', 'host', 'db', '--transfer', 'rsync', 'put', 'a', '/tmp'],
    exitCode: 2,
    firstLine:
      "otto: option '--transfer <kind>' argument 'rsync' is invalid. Allowed choices are scp, sftp, ftp, nc, shell, auto.",
  },
  {
    name: 'a --term telnet with a transfer that needs SSH',
    hosts: [db()],
    args: ['-l', 'main', 'host', 'db', '--term', 'telnet', '--transfer', 'scp', 'run', 'true'],
    exitCode: 2,
    firstLine:
      'otto: Host "db" uses term "telnet" with transfer "scp", which needs SSH; a telnet host moves files by ftp, nc, shell, auto.',
  },
  {
    name: 'put of a local file that does not exist',
    hosts: [db()],
    args: ['-l', 'main', 'host', 'db', 'put', '/nonexistent/build.tar', '/tmp'],
    exitCode: 2,
    firstLine: 'otto: No such local file or folder to put on host "db": /nonexistent/build.tar.',
    check: ({ log }) => expect(log).toBe(''), // refused before anything starts
  },
  {
    name: 'a wrong password',
    needsSsh: true,
    hosts: sshDb({ otto: WRONG_PASSWORD }),
    args: ['-l', 'main', '--log-level', 'warn', 'host', 'db', 'run', 'true'],
    exitCode: 1,
    firstLine: (_repo, context) =>
      `otto: Authentication failed for ${where(context)}: the server refused password.`,
    secrets: SECRETS,
    check: ({ log }) => {
      expect(log).toMatch(/ ERROR otto: Authentication failed for host "db" .*\n/);
      expect(log).toMatch(/ DEBUG exit code 1\n$/);
    },
  },
  {
    name: 'a host where nothing listens',
    hosts: unreachableDb,
    args: ['-l', 'main', '--log-level', 'warn', 'host', 'db', 'get', '/etc/hostname', '.'],
    exitCode: 1,
    firstLine: (_repo, context) =>
      `otto: get /etc/hostname on host "db" (otto@127.0.0.1:${context.closedPort}) [scp] failed: ` +
      `Could not connect to ${where(context, context.closedPort)}: connection refused (ECONNREFUSED).`,
    secrets: SECRETS,
  },
  {
    name: 'a key file that does not exist',
    needsSsh: true,
    hosts: sshDb({ otto: '' }, { key: '/nonexistent/id_ed25519' }),
    args: ['-l', 'main', '--log-level', 'warn', 'host', 'db', 'run', 'true'],
    exitCode: 1,
    firstLine: (_repo, context) =>
      `otto: Cannot use the private key (/nonexistent/id_ed25519) for ${where(context)}: ENOENT: no such file or directory, open '/nonexistent/id_ed25519'.`,
  },
  {
    name: 'a get of a remote path that holds the password',
    needsSsh: true,
    hosts: sshDbWithSecret,
    args: (repo) => [
      '-l',
      'main',
      '--log-level',
      'warn',
      'host',
      'db',
      'get',
      `/tmp/${SECRET}/app.log`,
      repo.base,
    ],
    exitCode: 1,
    firstLine: (_repo, context) =>
      `otto: get /tmp/********/app.log on host "db" (otto@${context.ssh.host}:${context.ssh.port}) [scp] failed: no such file or directory.`,
    secrets: SECRETS,
  },
  {
    name: 'a command that prints the password',
    needsSsh: true,
    hosts: sshDbWithSecret,
    // Printed in two pieces, so that the password arrives split across chunks.
    args: [
      '-l',
      'main',
      'host',
      'db',
      'run',
      `printf 'pw: ${SECRET.slice(0, 5)}'; sleep 0.2; echo '${SECRET.slice(5)}'`,
    ],
    exitCode: 0,
    firstLine: `@db | printf 'pw: ${SECRET.slice(0, 5)}'; sleep 0.2; echo '${SECRET.slice(5)}'`,
    secrets: SECRETS,
    check: ({ stdout }) => expect(stdout).toBe('pw: ********\n'),
  },
];

/** Every case of this table. */
export const CLI_CASES: BadInputCase[] = [
  ...FLAG_CASES,
  ...ENVIRONMENT_CASES,
  ...HOST_CASES,
  ...INSTRUCTION_CASES,
];
