import { closeSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { makeOutputDir, pruneOutputDirs, timestampOf, type OutputDir } from './output-dir.js';

const DAY_MS = 86_400_000;
/** 22 November 2026, 10:15:00.123 local time. */
const NOW = new Date(2026, 10, 22, 10, 15, 0, 123);

let xdir: string;
const opened: OutputDir[] = [];

beforeEach(async () => {
  xdir = await mkdtemp(join(tmpdir(), 'otto-output-dir-'));
});

afterEach(async () => {
  for (const dir of opened.splice(0)) closeSync(dir.logFd);
  await rm(xdir, { recursive: true, force: true });
});

async function make(command: string, name: string | undefined, now = NOW): Promise<OutputDir> {
  const dir = await makeOutputDir(xdir, command, name, now);
  opened.push(dir);
  return dir;
}

/** Makes a folder whose last change was `daysAgo` days before NOW. */
async function folder(relative: string, daysAgo: number): Promise<string> {
  const path = join(xdir, relative);
  await mkdir(path, { recursive: true });
  await writeFile(join(path, 'otto.log'), 'log\n');
  const time = new Date(NOW.getTime() - daysAgo * DAY_MS);
  await utimes(path, time, time);
  return path;
}

describe('timestampOf', () => {
  it('gives the local date and time to the millisecond', () => {
    expect(timestampOf(NOW)).toBe('20261122_101500_123');
  });

  it('pads every part', () => {
    expect(timestampOf(new Date(2026, 0, 2, 3, 4, 5, 6))).toBe('20260102_030405_006');
  });
});

describe('makeOutputDir', () => {
  it('refuses an xdir that is a file, or lies inside one, naming the file', async () => {
    const file = join(xdir, 'notes.txt');
    await writeFile(file, 'notes\n');
    for (const root of [file, join(file, 'deeper')]) {
      const made = makeOutputDir(root, 'run', 'deploy', NOW);
      await expect(made).rejects.toThrow(ConfigError);
      await expect(made).rejects.toThrow(
        `Cannot make the output directory under ${root}: ${file} is a file, not a folder.\n` +
          'Fix: point --xdir (or OTTO_XDIR) at a folder you may write to; otto makes it if it is missing.',
      );
    }
  });

  it('makes <xdir>/<command>/<stamp>_<name>/ with an empty otto.log', async () => {
    const dir = await make('run', 'deploy');
    const path = join(xdir, 'run', '20261122_101500_123_deploy');
    expect(dir).toEqual({ path, logPath: join(path, 'otto.log'), logFd: dir.logFd });
    expect(statSync(path).isDirectory()).toBe(true);
    expect(readFileSync(dir.logPath, 'utf8')).toBe('');
  });

  it('gives a descriptor that writes to otto.log', async () => {
    const dir = await make('run', 'deploy');
    writeSync(dir.logFd, 'hello\n');
    expect(readFileSync(dir.logPath, 'utf8')).toBe('hello\n');
  });

  it('leaves the name out when there is none', async () => {
    expect((await make('host', undefined)).path).toBe(join(xdir, 'host', '20261122_101500_123'));
    expect((await make('test', '')).path).toBe(join(xdir, 'test', '20261122_101500_123'));
  });

  it('gives a second invocation of the same millisecond _2, then _3', async () => {
    const first = await make('run', 'deploy');
    const second = await make('run', 'deploy');
    const third = await make('run', 'deploy');
    expect([first.path, second.path, third.path]).toEqual([
      join(xdir, 'run', '20261122_101500_123_deploy'),
      join(xdir, 'run', '20261122_101500_123_deploy_2'),
      join(xdir, 'run', '20261122_101500_123_deploy_3'),
    ]);
    expect(readdirSync(join(xdir, 'run')).sort()).toEqual([
      '20261122_101500_123_deploy',
      '20261122_101500_123_deploy_2',
      '20261122_101500_123_deploy_3',
    ]);
  });

  it('makes names with spaces and slashes safe', async () => {
    expect((await make('run', 'my deploy/../x  y')).path).toBe(
      join(xdir, 'run', '20261122_101500_123_my-deploy-..-x-y'),
    );
    expect(readdirSync(xdir)).toEqual(['run']);
  });

  it('cuts a long name to 80 characters', async () => {
    expect((await make('run', 'a'.repeat(100))).path).toBe(
      join(xdir, 'run', `20261122_101500_123_${'a'.repeat(80)}`),
    );
  });
});

describe('pruneOutputDirs', () => {
  it('removes stamped folders older than the days given and returns them', async () => {
    const old = await folder('run/20261001_101500_123_deploy', 52);
    const oldHost = await folder('host/20261001_101500_123', 31);
    const recent = await folder('run/20261120_101500_123_deploy', 2);
    const justInside = await folder('run/20261023_101500_123', 29);
    const removed = await pruneOutputDirs(xdir, 30, NOW);
    expect(removed.sort()).toEqual([oldHost, old].sort());
    expect(readdirSync(join(xdir, 'run')).sort()).toEqual([
      '20261023_101500_123',
      '20261120_101500_123_deploy',
    ]);
    expect(readdirSync(join(xdir, 'host'))).toEqual([]);
    expect(statSync(recent).isDirectory()).toBe(true);
    expect(statSync(justInside).isDirectory()).toBe(true);
  });

  it('never touches folders of another name, files, or dot folders', async () => {
    await folder('run/my-notes', 100);
    await folder('run/2026_101500_123', 100);
    await folder('run/20261001_101500_12', 100);
    await folder('run/.20261001_101500_123', 100);
    await folder('.cache/20261001_101500_123', 100);
    await writeFile(join(xdir, 'run', '20261001_101500_123_file'), 'not a folder');
    await folder('20261001_101500_123', 100);
    expect(await pruneOutputDirs(xdir, 30, NOW)).toEqual([]);
    expect(readdirSync(join(xdir, 'run')).sort()).toEqual([
      '.20261001_101500_123',
      '20261001_101500_12',
      '20261001_101500_123_file',
      '2026_101500_123',
      'my-notes',
    ]);
    expect(readdirSync(join(xdir, '.cache'))).toEqual(['20261001_101500_123']);
  });

  it('removes nothing for 0 days', async () => {
    await folder('run/20200101_000000_000', 1000);
    expect(await pruneOutputDirs(xdir, 0, NOW)).toEqual([]);
    expect(readdirSync(join(xdir, 'run'))).toEqual(['20200101_000000_000']);
  });

  it('removes nothing when the root does not exist', async () => {
    expect(await pruneOutputDirs(join(xdir, 'missing'), 30, NOW)).toEqual([]);
  });

  it('removes what makeOutputDir made, once old enough', async () => {
    const dir = await make('run', 'deploy');
    const old = new Date(NOW.getTime() - 3 * DAY_MS);
    await utimes(dir.path, old, old);
    expect(await pruneOutputDirs(xdir, 5, NOW)).toEqual([]);
    expect(await pruneOutputDirs(xdir, 2, NOW)).toEqual([dir.path]);
  });
});
