import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeContainer } from '../../src/docker/containers/started-container.js';
import { engine } from '../helpers/engine.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { makeTempRepo, type TempRepo } from '../helpers/temp-repo.js';

/**
 * `otto test` on a suite whose tests use Docker fixtures of otto-ts/vitest: through the built CLI,
 * once plainly (the container goes with the test) and twice with --reuse-containers (the second
 * run finds the first one's container).
 */

const NAME = `otto-e2e-cache-${process.pid}`;

const SUITE = `import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineSuite } from 'otto-ts';
import { container, defineFixtures, dockerTest, image } from 'otto-ts/vitest';

const fixtures = defineFixtures({ busybox: image('otto/busybox:latest') }).extend({
  cache: container({ name: '${NAME}', image: '{busybox.id}', command: ['sleep', '600'] }),
});

// At the top of the file: Vitest takes fixtures longer-lived than a test only there.
const test = dockerTest(fixtures);

export default defineSuite({ name: 'Docker', help: 'A container fixture in a suite.' }, () => {
  test('sees its container', async ({ cache }) => {
    const id = (await cache.run('hostname')).only().output.trim();
    await writeFile(join(process.env.RECORD_DIR!, 'ids.txt'), cache.containerId + ' ' + id + '\\n', { flag: 'a' });
  });
});
`;

let repo: TempRepo;

afterAll(async () => {
  await removeContainer(engine, NAME);
});

function ottoTest(args: string[]): Promise<CliResult> {
  return runCli(['test', 'Docker', ...args], {
    cwd: repo.root,
    env: { ...repo.env, RECORD_DIR: repo.base },
  });
}

async function exists(name: string): Promise<boolean> {
  return engine
    .json({ method: 'GET', path: `/containers/${name}/json` })
    .then(() => true)
    .catch(() => false);
}

describe('otto test with Docker fixtures', () => {
  it('runs a suite whose tests use container fixtures, and reuses them when asked', async () => {
    repo = await makeTempRepo({
      settings: 'tests = ["${sutDir}/tests"]\n',
      files: { 'tests/docker.test.ts': SUITE },
    });
    const plain = await ottoTest([]);
    expect(plain.exitCode, plain.stdout + plain.stderr).toBe(0);
    expect(await exists(NAME)).toBe(false);

    const first = await ottoTest(['--reuse-containers']);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect(await exists(NAME)).toBe(true);
    const second = await ottoTest(['--reuse-containers']);
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);

    const ids = (await readFile(join(repo.base, 'ids.txt'), 'utf8')).trim().split('\n');
    expect(ids).toHaveLength(3);
    expect(ids[1]).toBe(ids[2]);
    expect(ids[0]).not.toBe(ids[1]);
  });
});
