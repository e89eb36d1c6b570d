import { makeTempDir } from '../../../test/helpers/temp-dir.js';
import { mkdir, readdir, rm, utimes, writeFile } from 'node:fs/promises';

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprintFiles } from '../../common/hash.js';
import { ConfigError } from '../../errors.js';
import {
  completionCachePath,
  readCompletionCache,
  writeCompletionCache,
  type CompletionCache,
} from './completion-cache.js';

const CACHE: CompletionCache = {
  version: 1,
  fingerprint: 'f1',
  instructions: [
    {
      name: 'deploy',
      help: 'Deploy the build.',
      flags: [
        { flag: '--mode', takesValue: true, choices: ['safe', 'fast'] },
        { flag: '--no-debug', takesValue: false },
      ],
    },
  ],
};

function temporaryDir(): Promise<string> {
  return makeTempDir('otto-completion-');
}

async function writeCacheText(xdir: string, text: string): Promise<void> {
  await mkdir(join(xdir, '.otto'), { recursive: true });
  await writeFile(completionCachePath(xdir), text);
}

describe('completion cache file', () => {
  it('lives in the .otto folder of the xdir', () => {
    expect(completionCachePath('/x')).toBe('/x/.otto/completion-cache.json');
  });

  it('is written with its folder, leaves no temporary file, and reads back', async () => {
    const xdir = join(await temporaryDir(), 'not', 'yet');
    await writeCompletionCache(xdir, CACHE);
    expect(await readdir(join(xdir, '.otto'))).toEqual(['completion-cache.json']);
    expect(await readCompletionCache(xdir)).toEqual(CACHE);
    expect(await readCompletionCache(xdir, 'f1')).toEqual(CACHE);
  });

  it('is replaced whole by the next write', async () => {
    const xdir = await temporaryDir();
    await writeCompletionCache(xdir, CACHE);
    await writeCompletionCache(xdir, { version: 1, fingerprint: 'f2', instructions: [] });
    expect(await readCompletionCache(xdir)).toEqual({
      version: 1,
      fingerprint: 'f2',
      instructions: [],
    });
  });

  it('reads as undefined when made from other files', async () => {
    const xdir = await temporaryDir();
    await writeCompletionCache(xdir, CACHE);
    expect(await readCompletionCache(xdir, 'f2')).toBeUndefined();
  });

  it('reads as undefined when missing, broken, of another version or of another shape', async () => {
    const xdir = await temporaryDir();
    expect(await readCompletionCache(xdir)).toBeUndefined();
    for (const text of [
      '{"version": 1, "fingerprint": "f1", "instruc',
      JSON.stringify({ ...CACHE, version: 2 }),
      JSON.stringify({ ...CACHE, instructions: [{ name: 'x', help: '', flags: [{}] }] }),
      JSON.stringify({ ...CACHE, instructions: [{ name: 'x', help: '', flags: 'none' }] }),
      JSON.stringify([CACHE]),
      'null',
    ]) {
      await writeCacheText(xdir, text);
      expect({ text, cache: await readCompletionCache(xdir) }).toEqual({ text, cache: undefined });
    }
  });

  it('refuses to be written where the xdir is a file, saying where and what to do', async () => {
    const xdir = join(await temporaryDir(), 'file');
    await writeFile(xdir, '');
    const error = await writeCompletionCache(xdir, CACHE).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('COMPLETION_CACHE_WRITE');
    expect((error as ConfigError).message).toBe(
      `Cannot write the completion cache ${xdir}/.otto/completion-cache.json: ENOTDIR: not a directory, mkdir '${xdir}/.otto'\n` +
        'Fix: make -x/--xdir a writable folder.',
    );
  });
});

describe('fingerprintFiles', () => {
  it('does not depend on the order or repetition of the paths', async () => {
    const dir = await temporaryDir();
    const [a, b] = [join(dir, 'a.ts'), join(dir, 'b.json')];
    await writeFile(a, 'export {}');
    await writeFile(b, '{}');
    const fingerprint = await fingerprintFiles([a, b]);
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(await fingerprintFiles([b, a, b])).toBe(fingerprint);
  });

  it('changes when a file changes size or time, appears or goes', async () => {
    const dir = await temporaryDir();
    const file = join(dir, 'settings.toml');
    const missing = await fingerprintFiles([file]);
    expect(missing).not.toBe(await fingerprintFiles([]));
    await writeFile(file, 'name = "a"\n');
    await utimes(file, 1_000, 1_000);
    const written = await fingerprintFiles([file]);
    expect(written).not.toBe(missing);
    await writeFile(file, 'name = "ab"\n');
    await utimes(file, 1_000, 1_000);
    const grown = await fingerprintFiles([file]);
    expect(grown).not.toBe(written);
    await utimes(file, 2_000, 2_000);
    expect(await fingerprintFiles([file])).not.toBe(grown);
    await rm(file);
    expect(await fingerprintFiles([file])).toBe(missing);
  });
});
