import { join } from 'node:path';
import { expect } from 'vitest';
import type { TempRepo } from '../../helpers/temp-repo.js';
import type { BadInputCase } from './case.js';
import { db, SECRETS, unreachableDb } from './cli-kit.js';

/** Bad `otto run` command lines and init modules: unknown instructions, bad options, modules that do not load. */

/** Instructions to run, with options of every kind. */
const INIT_TS = `
import { defineInstruction } from 'otto-ts';

export const deploy = defineInstruction({
  name: 'deploy',
  help: 'Install a build.',
  options: {
    build: { type: 'string', required: true },
    retries: { type: 'number', integer: true, min: 0, default: 1 },
    device: { type: 'enum', choices: ['router', 'switch'], default: 'router' },
  },
  run: () => true,
});

export const leak = defineInstruction({
  name: 'leak',
  run: ({ lab }) => {
    const password = Object.values(lab.hosts.get('db')!.entry.creds)[0];
    throw new Error('cannot log in as otto with ' + password);
  },
});

export const reach = defineInstruction({
  name: 'reach',
  run: ({ host }) => host('db').run('true'),
});

export const stray = defineInstruction({
  name: 'stray',
  run: ({ host }) => host('dbb').run('true'),
});
`;

export const WITH_INIT = {
  settings: 'init = ["otto/init.ts"]\n',
  files: { 'otto/init.ts': INIT_TS },
};

/** A repo whose only init module is `text` in `name`. */
function initModule(name: string, text: string) {
  return { settings: `init = ["otto/${name}"]\n`, files: { [`otto/${name}`]: text } };
}

const moduleOf = (repo: TempRepo, name: string) => join(repo.root, 'otto', name);

export const INSTRUCTION_CASES: BadInputCase[] = [
  {
    name: 'an unknown instruction, with the closest',
    ...WITH_INIT,
    args: ['run', 'deplyo'],
    exitCode: 2,
    firstLine:
      'otto: No instruction "deplyo"; did you mean "deploy"? Instructions: deploy, leak, reach, stray.',
  },
  {
    name: 'otto run without an instruction',
    ...WITH_INIT,
    args: ['run'],
    exitCode: 2,
    firstLine: 'otto: No instruction given. Instructions: deploy, leak, reach, stray.',
  },
  {
    name: 'a required instruction option left out',
    ...WITH_INIT,
    args: ['run', 'deploy'],
    exitCode: 2,
    firstLine: "otto: required option '--build <text>' not specified",
    check: ({ stderr }) =>
      expect(stderr.split('\n')[1]).toBe(
        'Fix: otto run deploy --help describes its arguments and options.',
      ),
  },
  {
    name: 'a word for a number option',
    ...WITH_INIT,
    args: ['run', 'deploy', '--build', '2.1', '--retries', 'many'],
    exitCode: 2,
    firstLine: "otto: option '--retries <number>' argument 'many' is invalid. expected a number.",
  },
  {
    name: 'a number below an option minimum',
    ...WITH_INIT,
    args: ['run', 'deploy', '--build', '2.1', '--retries=-2'],
    exitCode: 2,
    firstLine: "otto: option '--retries <number>' argument '-2' is invalid. expected at least 0.",
  },
  {
    name: 'an enum value not among the choices',
    ...WITH_INIT,
    args: ['run', 'deploy', '--build', '2.1', '--device', 'hub'],
    exitCode: 2,
    firstLine:
      "otto: option '--device <choice>' argument 'hub' is invalid. Allowed choices are router, switch.",
  },
  {
    name: 'a misspelt instruction option',
    ...WITH_INIT,
    args: ['run', 'deploy', '--build', '2.1', '--retires', '3'],
    exitCode: 2,
    firstLine: "otto: unknown option '--retires'",
    check: ({ stderr }) => expect(stderr.split('\n')[1]).toBe('(Did you mean --retries?)'),
  },
  {
    name: 'an init module that does not exist',
    settings: 'init = ["otto/instructions.ts"]\n',
    args: ['run', 'deploy'],
    exitCode: 2,
    firstLine: (repo) =>
      `otto: Cannot find the module "otto/instructions.ts" of repo ${repo.root}: ${repo.root}/otto/instructions.ts does not exist.`,
  },
  {
    name: 'an init module with a TypeScript syntax error',
    ...initModule('init.ts', "import { defineInstruction } from 'otto-ts';\nexport const x = ;\n"),
    args: ['run', '--list-instructions'],
    exitCode: 2,
    firstLine: (repo) =>
      `otto: Cannot load the module ${moduleOf(repo, 'init.ts')}: syntax error at ${moduleOf(repo, 'init.ts')}:2:18: Unexpected ";".`,
    check: ({ stderr }) =>
      expect(stderr.split('\n').slice(1)).toEqual([
        '  | export const x = ;',
        '  |                  ^',
        'Fix: correct the module, then run otto again.',
        '',
      ]),
  },
  {
    name: 'an init module with a JavaScript syntax error',
    ...initModule('init.mjs', 'export const a = 1;\nexport const b = {;\n'),
    args: ['run', 'deploy'],
    exitCode: 2,
    firstLine: (repo) =>
      `otto: Cannot load the module ${moduleOf(repo, 'init.mjs')}: syntax error at ${moduleOf(repo, 'init.mjs')}:2:19: Unexpected token ';'.`,
  },
  {
    name: 'an init module that throws at its top level',
    ...initModule(
      'init.ts',
      "const where = 'lab.conf';\nthrow new Error('cannot read ' + where);\n",
    ),
    args: ['run', 'deploy'],
    exitCode: 1,
    firstLine: (repo) =>
      `otto: Cannot load the module ${moduleOf(repo, 'init.ts')}: it threw while loading (at ${moduleOf(repo, 'init.ts')}:2:7): cannot read lab.conf`,
  },
  {
    name: 'an init module importing a package that is not installed',
    ...initModule('init.mjs', "import 'left-pad-otto';\n"),
    args: ['run', 'deploy'],
    exitCode: 2,
    firstLine: (repo) =>
      `otto: Cannot load the module ${moduleOf(repo, 'init.mjs')}: Cannot find package 'left-pad-otto' imported from ${moduleOf(repo, 'init.mjs')}`,
  },
  {
    name: 'an instruction with a name otto refuses',
    ...initModule(
      'init.ts',
      "import { defineInstruction } from 'otto-ts';\nexport const x = defineInstruction({ name: 'de ploy', run: () => true });\n",
    ),
    args: ['run', '--list-instructions'],
    exitCode: 2,
    firstLine: (repo) =>
      `otto: Cannot load the module ${moduleOf(repo, 'init.ts')} (at ${moduleOf(repo, 'init.ts')}:2:18): Invalid instruction name "de ploy": use letters, digits, - and _, starting with a letter.`,
  },
  {
    name: 'two init modules exporting one instruction name',
    settings: 'init = ["otto/a.mjs", "otto/b.mjs"]\n',
    files: {
      'otto/a.mjs':
        "import { defineInstruction } from 'otto-ts';\nexport const a = defineInstruction({ name: 'deploy', run: () => true });\n",
      'otto/b.mjs':
        "import { defineInstruction } from 'otto-ts';\nexport const b = defineInstruction({ name: 'deploy', run: () => true });\n",
    },
    args: ['run', 'deploy'],
    exitCode: 2,
    firstLine: 'otto: Two instructions have the same name:',
    check: ({ stderr }) =>
      expect(stderr.split('\n')[1]).toBe(
        '  "deploy" in demo (otto/a.mjs) and in demo (otto/b.mjs)',
      ),
  },
  {
    name: 'an instruction that throws with the password in its message',
    ...WITH_INIT,
    hosts: [db()],
    args: ['-l', 'main', 'run', 'leak'],
    exitCode: 1,
    firstLine: 'otto: Instruction "leak" failed: cannot log in as otto with ********',
    secrets: SECRETS,
    check: ({ log }) => {
      expect(log).toMatch(
        / ERROR otto: Instruction "leak" failed: cannot log in as otto with \*{8}\n/,
      );
      expect(log).toMatch(/ DEBUG exit code 1\n$/);
    },
  },
  {
    name: 'an instruction whose host is unreachable',
    ...WITH_INIT,
    hosts: unreachableDb,
    args: ['-l', 'main', '--log-level', 'warn', 'run', 'reach'],
    exitCode: 1,
    firstLine: (_repo, context) =>
      new RegExp(
        `error: reach: failed \\(exit code 1\\) in \\d+\\.\\d s: Could not connect to host "db" \\(otto@127\\.0\\.0\\.1:${context.closedPort}\\) \\[ssh\\]: connection refused \\(ECONNREFUSED\\)\\.`,
      ),
    secrets: SECRETS,
  },
  {
    name: 'an instruction asking for a host the lab does not have',
    ...WITH_INIT,
    hosts: [db()],
    args: ['-l', 'main', 'run', 'stray'],
    exitCode: 2,
    firstLine: 'otto: No host "dbb" in lab main; did you mean "db"?',
    secrets: SECRETS,
    // The log says the exit code the process really exits with.
    check: ({ log }) => expect(log).toMatch(/ DEBUG exit code 2\n$/),
  },
  {
    name: '--list-hosts without a lab',
    hosts: [db()],
    args: ['--list-hosts'],
    exitCode: 2,
    firstLine: 'otto: No lab given: pass --lab NAME[,NAME...] or set OTTO_LAB.',
  },
];
