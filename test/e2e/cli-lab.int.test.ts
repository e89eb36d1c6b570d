import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const COMPAT = fileURLToPath(new URL('../fixtures/otto-compat', import.meta.url));
const REPO1 = join(COMPAT, 'repo1');

describe('otto --list-hosts on otto 0.3.6 repos and labs', () => {
  it('lists the hosts of a lab', async () => {
    const result = await runCli(['-l', 'veggies', '--list-hosts'], {
      env: { OTTO_SUT_DIRS: REPO1, OTTO_COMPOSE_SUFFIX: 'tester' },
    });
    // The last row is the service of repo1's compose stack on its docker-capable default_host.
    expect(result).toMatchObject({
      exitCode: 0,
      stderr: '',
      stdout: [
        'ID                     ADDRESS                    TERM    TRANSFER  HOP          RESOURCES',
        'carrot_seed            10.10.200.11               ssh     scp       -            carrot',
        'tomato_seed            10.10.200.12               telnet  nc        -            tomato',
        'pepper_seed            10.10.200.13               ssh     scp       carrot_seed  pepper',
        'pepper_seed.repo1.api  compose otto-repo1-tester  docker  docker    pepper_seed  pepper',
        '',
      ].join('\n'),
    });
  });

  it('takes the lab from OTTO_LAB and lists the labs of several repos', async () => {
    const both = `${REPO1}:${join(COMPAT, 'repo2')}`;
    expect((await runCli(['--list-labs'], { env: { OTTO_SUT_DIRS: both } })).stdout).toBe(
      'fruits\t3 hosts\nveggies\t3 hosts\n',
    );
    const fromEnv = await runCli(['--list-hosts'], {
      env: { OTTO_SUT_DIRS: REPO1, OTTO_LAB: 'veggies' },
    });
    expect(fromEnv.stdout.split('\n')[1]).toMatch(/^carrot_seed /);
  });

  it('shows the lab with users but never passwords', async () => {
    const result = await runCli(['-l', 'veggies', '--show-lab'], { env: { OTTO_SUT_DIRS: REPO1 } });
    const shown = JSON.parse(result.stdout) as {
      resources: string[];
      hosts: Array<{ id: string; users: string[] }>;
    };
    expect(shown.resources).toEqual(['carrot', 'pepper', 'tomato']);
    expect(shown.hosts[0]).toMatchObject({ id: 'carrot_seed', users: ['vagrant', 'test'] });
    expect(result.stdout).not.toContain('Password1');
  });

  it('refuses an unknown lab with exit code 2, a suggestion and no stack', async () => {
    const result = await runCli(['-l', 'veggys', '--list-hosts'], {
      env: { OTTO_SUT_DIRS: REPO1 },
    });
    expect(result).toMatchObject({
      exitCode: 2,
      stdout: '',
      stderr: `otto: No lab named "veggys" in ${join(COMPAT, 'lab_data/tech1')}; did you mean "veggies"? Labs found: veggies.\nFix: otto --list-labs lists the labs your repos know.\n`,
    });
  });

  it('says when no repo is found', async () => {
    const result = await runCli(['--list-labs'], {
      cwd: await makeTempDir('otto-norepo-'),
      env: { OTTO_SUT_DIRS: '' },
    });
    expect(result).toMatchObject({
      exitCode: 2,
      stderr:
        'otto: No repo found: this folder is in no repo with .otto/settings.toml, and OTTO_SUT_DIRS is not set.\nFix: run otto inside a repo, or set OTTO_SUT_DIRS=/path/to/repo[:/path/to/other].\n',
    });
  });
});
