import { cp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * The declaration cache of `otto test` (`<xdir>/.cache/suites-<key>.json`), end to end: a second run
 * reads the suites from it without importing their files, and an edited suite file is read again.
 */

const BASICS = fileURLToPath(new URL('../fixtures/suites/basics', import.meta.url));

function shown(result: CliResult): string {
  return `exit ${result.exitCode}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

async function optionsOf(result: CliResult): Promise<unknown> {
  const dir = /^output: (.+)$/m.exec(result.stderr)![1]!;
  return (JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as { options: unknown })
    .options;
}

describe('otto test: the declaration cache', () => {
  it('reads the suites from its cache on the next run, and reads the files again after an edit', async () => {
    // A repo of its own: this test edits a suite file.
    const own = await makeTempDir('otto-cli-test-cache-');
    const repo = join(own, 'basics');
    await cp(BASICS, repo, { recursive: true });
    const xdir = join(own, 'xdir');
    const run = (args: string[]) =>
      runCli(['test', ...args], { cwd: repo, env: { OTTO_SUT_DIRS: repo, OTTO_XDIR: xdir } });

    const first = await run(['Flaky']);
    expect(first.exitCode, shown(first)).toBe(0);
    // One cache file for this set of repos: <xdir>/.cache/suites-<key>.json.
    const files = (await readdir(join(xdir, '.cache'))).filter((name) => name.startsWith('suites'));
    expect(files).toEqual([expect.stringMatching(/^suites-[0-9a-f]{12}\.json$/)]);
    const cachePath = join(xdir, '.cache', files[0]!);
    const written = await stat(cachePath);
    const cached = JSON.parse(await readFile(cachePath, 'utf8')) as {
      suites: Array<{ name: string; file: string }>;
    };
    expect(cached.suites.map((suite) => suite.name)).toEqual([
      'Checks',
      'Retries',
      'Flaky',
      'Timeouts',
      'HangingSetup',
    ]);

    // The cache holds: it is not written again (a rewrite is a rename, a new inode).
    const second = await run(['Flaky']);
    expect(second.exitCode, shown(second)).toBe(0);
    expect((await stat(cachePath)).ino).toBe(written.ino);

    // An edit (a new option) changes the fingerprint: the files are read again.
    const file = join(repo, 'tests', 'stability.test.ts');
    const source = await readFile(file, 'utf8');
    await writeFile(
      file,
      source.replace(
        "{ name: 'Flaky', help:",
        "{ name: 'Flaky', options: { pace: { type: 'number', default: 10 } }, help:",
      ),
    );
    const third = await run(['Flaky', '--pace', '5']);
    expect(third.exitCode, shown(third)).toBe(0);
    expect(await optionsOf(third)).toEqual({ pace: 5 });
    expect((await stat(cachePath)).ino).not.toBe(written.ino);
    expect(await readFile(cachePath, 'utf8')).toContain('"pace"');
  });
});
