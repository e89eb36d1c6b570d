import { cp, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runChild } from '../../src/common/child-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * The suite files of `otto test` also run under plain Vitest, with their options' defaults and an
 * output directory of their own: the example repo basics, with otto-ts installed as a package
 * (a link to this checkout), run by `vitest run` without otto.
 */

const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BASICS = fileURLToPath(new URL('../fixtures/suites/basics', import.meta.url));
const VITEST = join(PACKAGE_ROOT, 'node_modules', 'vitest', 'vitest.mjs');

let base: string;
let root: string;
beforeAll(async () => {
  base = await makeTempDir('otto-cli-test-vitest-');
  root = join(base, 'basics');
  await cp(BASICS, root, { recursive: true });
  await mkdir(join(root, 'node_modules'));
  await symlink(PACKAGE_ROOT, join(root, 'node_modules', 'otto-ts'));
});

/** `vitest run` on the repo's Checks suite; the states of its tests from Vitest's JSON report. */
async function plainVitest(args: string[], xdir: string) {
  const reportPath = join(base, `${xdir}.json`);
  // The environment of this test run's own Vitest worker stays out of the child's.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')),
  );
  const result = await runChild(
    process.execPath,
    [
      VITEST,
      'run',
      'tests/checks.test.ts',
      '--reporter=json',
      `--outputFile=${reportPath}`,
      ...args,
    ],
    { cwd: root, env: { ...env, OTTO_XDIR: join(base, xdir), NO_COLOR: '1' }, check: false },
  );
  const report = JSON.parse(await readFile(reportPath, 'utf8')) as {
    testResults: Array<{ assertionResults: Array<{ title: string; status: string }> }>;
  };
  const states = report.testResults.flatMap((file) =>
    file.assertionResults.map((test) => [test.title, test.status]),
  );
  return { ...result, states };
}

describe('suite files under plain Vitest', () => {
  it('run with the options defaults, an output directory of their own, and tags once declared', async () => {
    const plain = await plainVitest([], 'xdir-plain');
    expect(plain.exitCode, plain.stdout + plain.stderr).toBe(1);
    expect(plain.states).toEqual([
      ['records its options', 'passed'],
      ['adds up', 'passed'],
      ['soft expectations', 'failed'],
      ['fails hard', 'failed'],
      ['case alpha', 'passed'],
      ['case beta', 'passed'],
      ['case beta', 'passed'],
    ]);
    const runs = await readdir(join(base, 'xdir-plain', 'test'));
    expect(runs).toEqual([expect.stringMatching(/^\d{8}_\d{6}_\d{3}_Checks$/)]);
    const dir = join(base, 'xdir-plain', 'test', runs[0]!);
    expect(
      JSON.parse(await readFile(join(dir, 'tests/records_its_options/options.json'), 'utf8')),
    ).toEqual({ build: 'dev', count: 2, mode: 'fast', verbose: false });
    expect(await readFile(join(dir, 'otto.log'), 'utf8')).toMatch(
      /ERROR EXPECT FAILED .*the list holds 4/,
    );

    // With the markers declared in its config, Vitest's own tag filter selects by them.
    await writeFile(
      join(root, 'vitest.config.mjs'),
      "export default { test: { tags: [{ name: 'smoke' }, { name: 'slow' }, { name: 'net' }] } };\n",
    );
    const filtered = await plainVitest(['--tags-filter', 'smoke and not slow'], 'xdir-tags');
    expect(filtered.exitCode, filtered.stdout + filtered.stderr).toBe(0);
    expect(filtered.states.filter(([, state]) => state !== 'skipped')).toEqual([
      ['records its options', 'passed'],
    ]);
  });
});
