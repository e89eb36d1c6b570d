import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/temp-dir.js';
import type { Repo } from '../lab/settings.js';
import {
  dropSuiteCache,
  readSuiteCache,
  suiteCachePath,
  suiteSourcesFingerprint,
  writeSuiteCache,
  type CachedSuite,
} from './suite-cache.js';

let base: string | undefined;
afterEach(async () => {
  if (base) await rm(base, { recursive: true, force: true });
  base = undefined;
});

async function makeRepo(): Promise<{ repo: Repo; xdir: string }> {
  base = await makeTempDir('otto-suite-cache-');
  const root = join(base, 'repo');
  await mkdir(join(root, 'tests', 'node_modules'), { recursive: true });
  await mkdir(join(root, 'lib'), { recursive: true });
  await writeFile(join(root, 'tests', 'a.test.ts'), 'one');
  await writeFile(join(root, 'lib', 'options.ts'), 'x');
  const settings = { tests: ['tests'], libs: ['lib'] } as unknown as Repo['settings'];
  return {
    repo: { root, settingsPath: join(root, 'settings.toml'), settings },
    xdir: join(base, 'x'),
  };
}

const SUITE: CachedSuite = {
  name: 'S',
  help: '',
  options: {},
  tags: ['slow'],
  root: '/r',
  file: '/r/tests/a.test.ts',
};

describe('the suite declaration cache', () => {
  it('holds while nothing under tests and libs changes', async () => {
    const { repo, xdir } = await makeRepo();
    const fingerprint = await suiteSourcesFingerprint([repo], '1.0.0');
    expect(await readSuiteCache(xdir, [repo], fingerprint)).toBeUndefined();
    await writeSuiteCache(xdir, [repo], fingerprint, [SUITE]);
    expect(await readSuiteCache(xdir, [repo], fingerprint)).toEqual([SUITE]);
    expect(await suiteSourcesFingerprint([repo], '1.0.0')).toBe(fingerprint);
    // node_modules below a tests folder is not looked at.
    await writeFile(join(repo.root, 'tests', 'node_modules', 'dep.js'), 'x');
    expect(await suiteSourcesFingerprint([repo], '1.0.0')).toBe(fingerprint);
    expect(await suiteSourcesFingerprint([repo], '1.0.1')).not.toBe(fingerprint);
  });

  it('changes when a suite file, a lib file or the list of files changes', async () => {
    const { repo } = await makeRepo();
    const before = await suiteSourcesFingerprint([repo], 'v');
    await writeFile(join(repo.root, 'lib', 'options.ts'), 'xy');
    const edited = await suiteSourcesFingerprint([repo], 'v');
    expect(edited).not.toBe(before);
    await writeFile(join(repo.root, 'tests', 'b.test.ts'), 'two');
    expect(await suiteSourcesFingerprint([repo], 'v')).not.toBe(edited);
  });

  it('keeps one cache per set of repos, is forgotten on request, and a broken file reads as none', async () => {
    const { repo, xdir } = await makeRepo();
    const other = { root: '/elsewhere' };
    await writeSuiteCache(xdir, [repo], 'f', [SUITE]);
    await writeSuiteCache(xdir, [other], 'g', [{ ...SUITE, name: 'Other' }]);
    expect(await readSuiteCache(xdir, [repo])).toEqual([SUITE]);
    await dropSuiteCache(xdir, [repo]);
    expect(await readSuiteCache(xdir, [repo], 'f')).toBeUndefined();
    expect((await readSuiteCache(xdir, [other], 'g'))?.map((suite) => suite.name)).toEqual([
      'Other',
    ]);
    await writeFile(suiteCachePath(xdir, [repo]), '{ not json');
    expect(await readSuiteCache(xdir, [repo], 'f')).toBeUndefined();
  });
});
