import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { findRepos, labDirsOf } from './repos.js';
import { readRepo } from './settings.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';

const COMPAT = fileURLToPath(new URL('../../test/fixtures/otto-compat', import.meta.url));

async function repoWith(toml: string): Promise<string> {
  const root = await makeTempDir('otto-repo-');
  await mkdir(join(root, '.otto'));
  await writeFile(join(root, '.otto', 'settings.toml'), toml);
  return root;
}

describe('readRepo on otto 0.3.6 settings, unchanged', () => {
  it('reads every key, with ${sutDir} expanded everywhere', async () => {
    const root = join(COMPAT, 'repo1');
    const repo = await readRepo(root);
    expect(repo.settings).toMatchObject({
      name: 'repo1',
      version: '1.0.0',
      labs: [`${root}/../lab_data/tech1`],
      init: ['repo1_instructions'],
      docker: {
        registry_url: 'docker.io',
        images: [
          { name: 'api', dockerfile: `${root}/docker/Dockerfile`, context: `${root}/docker` },
        ],
        composes: [{ default_host: 'pepper_seed', services: ['api'] }],
      },
    });
  });

  it('finds the repos OTTO_SUT_DIRS lists and their lab folders', async () => {
    const repos = await findRepos({
      OTTO_SUT_DIRS: `${join(COMPAT, 'repo1')}:${join(COMPAT, 'repo2')}`,
    });
    expect(repos.map((repo) => repo.settings.name)).toEqual(['repo1', 'repo2']);
    expect(labDirsOf(repos)).toEqual([
      resolve(COMPAT, 'lab_data/tech1'),
      resolve(COMPAT, 'lab_data/tech2'),
    ]);
  });

  it('finds the repo around the current folder when OTTO_SUT_DIRS is not set', async () => {
    const root = await repoWith('name = "here"\nversion = "0.1.0"\n');
    await mkdir(join(root, 'deep', 'er'), { recursive: true });
    expect((await findRepos({}, join(root, 'deep', 'er'))).map((repo) => repo.root)).toEqual([
      root,
    ]);
  });
});

describe('settings problems', () => {
  it('gives the line and column of a TOML syntax error', async () => {
    const root = await repoWith('name = "x"\nversion = \n');
    await expect(readRepo(root)).rejects.toThrow(
      `Invalid TOML in ${join(root, '.otto', 'settings.toml')} at line 2, column 11: Invalid TOML document: invalid value`,
    );
  });

  it('reports every schema problem at once, with its key path', async () => {
    const root = await repoWith(
      'name = "x"\nversion = "1.0"\nlabz = []\n[host_defaults.ssh_optons]\nport = 22\n',
    );
    await expect(readRepo(root)).rejects.toMatchObject({
      code: 'SETTINGS_INVALID',
      message: [
        `The repo settings ${join(root, '.otto', 'settings.toml')} have 3 problems:`,
        '  version: expected a version X.Y.Z, got "1.0"',
        '  host_defaults: unknown key "ssh_optons"; did you mean "ssh_options"?',
        '  (top): unknown key "labz"; did you mean "labs"?',
      ].join('\n'),
    });
  });

  it('checks [host_defaults] option tables like a lab file, one problem on the first line', async () => {
    const settings = join('.otto', 'settings.toml');
    const cases: Array<[string, string]> = [
      [
        '[host_defaults.ssh_options]\nport = "22"\n',
        'host_defaults.ssh_options.port: expected a whole number from 1 to 65535, got "22"',
      ],
      [
        '[host_defaults.ssh_options]\nconnect_timeout = 0\n',
        'host_defaults.ssh_options.connect_timeout: expected a number of seconds, more than 0 and at most 86400, got 0',
      ],
      [
        '[host_defaults.ssh_options]\nprot = 22\n',
        'host_defaults.ssh_options: unknown key "prot"; did you mean "port"?',
      ],
      [
        '[host_defaults.ftp_options]\nprot = 21\n',
        'host_defaults.ftp_options: unknown key "prot"; did you mean "port"?',
      ],
      [
        '[host_defaults.telnet_options]\nlogin_prompt = "(login"\n',
        'host_defaults.telnet_options.login_prompt: not a valid regular expression (/(login/i: Unterminated group)',
      ],
      [
        '[host_defaults.sftp_options]\nenv = "x"\n',
        'host_defaults.sftp_options: unknown key "env": otto-ts reads no host_defaults.sftp_options yet',
      ],
      [
        'labs = ["a\\u0000b"]\n',
        'labs[0]: holds a NUL character (\\u0000), which no string may hold',
      ],
    ];
    for (const [toml, problem] of cases) {
      const root = await repoWith(`name = "x"\nversion = "1.0.0"\n${toml}`);
      await expect(readRepo(root), toml).rejects.toMatchObject({
        code: 'SETTINGS_INVALID',
        message: `The repo settings ${join(root, settings)} have 1 problem: ${problem}`,
      });
    }
  });

  it('takes the ssh_options keys otto-ts reads', async () => {
    const root = await repoWith(
      'name = "x"\nversion = "1.0.0"\n[host_defaults.ssh_options]\nport = 2222\nconnect_timeout = 2.5\nknown_hosts = "${sutDir}/kh"\n',
    );
    expect((await readRepo(root)).settings.host_defaults).toEqual({
      ssh_options: { port: 2222, connect_timeout: 2.5, known_hosts: `${root}/kh` },
    });
  });

  it('names the byte offset of bytes that are not UTF-8, and refuses a FIFO without waiting', async () => {
    const root = await repoWith('');
    const file = join(root, '.otto', 'settings.toml');
    await writeFile(
      file,
      Buffer.from([...Buffer.from('name = "caf'), 0xe9, ...Buffer.from('"\n')]),
    );
    await expect(readRepo(root)).rejects.toMatchObject({
      code: 'SETTINGS_INVALID',
      message: `Invalid repo settings ${file}: it is not UTF-8 text: byte 0xE9 at byte offset 11 (line 1) is not valid UTF-8; save the file as UTF-8`,
    });
    await rm(file);
    await promisify(execFile)('mkfifo', [file]);
    await expect(readRepo(root)).rejects.toMatchObject({
      code: 'SETTINGS_INVALID',
      message: `Cannot read the repo settings ${file}: not a regular file (a FIFO)\nFix: point OTTO_SUT_DIRS at folders that hold .otto/settings.toml.`,
    });
  });
});
