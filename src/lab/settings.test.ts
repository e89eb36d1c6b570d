import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
    await expect(readRepo(root)).rejects.toThrow(
      [
        `The repo settings ${join(root, '.otto', 'settings.toml')} have 3 problems:`,
        '  version: expected a version X.Y.Z',
        '  host_defaults: unknown key ssh_optons',
        '  (top): unknown key labz',
      ].join('\n'),
    );
  });
});
