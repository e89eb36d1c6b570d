import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/temp-dir.js';
import { makeDirs } from './make-dirs.js';

describe('makeDirs', () => {
  it('makes missing parents and returns the first folder it made', async () => {
    const base = await makeTempDir('otto-make-dirs-');
    expect(await makeDirs(join(base, 'a', 'b', 'c'), 0o700)).toBe(join(base, 'a'));
    expect((await stat(join(base, 'a', 'b', 'c'))).isDirectory()).toBe(true);
    expect(await makeDirs(join(base, 'a', 'b'))).toBeUndefined();
  });

  it('refuses a path through a file', async () => {
    const base = await makeTempDir('otto-make-dirs-');
    await writeFile(join(base, 'file'), 'x');
    await expect(makeDirs(join(base, 'file'))).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(makeDirs(join(base, 'file', 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('answers at once where the kernel says ENOENT for an existing parent (/proc)', async () => {
    await expect(makeDirs('/proc/otto-nope/deeper')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
