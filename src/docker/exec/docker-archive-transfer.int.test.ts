import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { engine } from '../../../test/helpers/engine.js';
import type { TransferProgress } from '../../transfers/transfer.js';
import { StartedContainer } from '../containers/started-container.js';
import { describePlace } from '../../common/place.js';
import { DockerArchiveTransfer } from './docker-archive-transfer.js';
import { DockerExecTransport } from './docker-exec-transport.js';

/** A local tree: two files at the top, a nested directory with an executable and a 3 MiB file. */
async function makeLocalTree(root: string): Promise<Record<string, Buffer>> {
  const contents: Record<string, Buffer> = {
    'notes.txt': Buffer.from('hello\n'),
    'empty.bin': Buffer.alloc(0),
    'tree/run.sh': Buffer.from('#!/bin/sh\necho ran\n'),
    'tree/deeper/big.bin': randomBytes(3 << 20),
  };
  await mkdir(join(root, 'tree/deeper'), { recursive: true });
  for (const [path, content] of Object.entries(contents))
    await writeFile(join(root, path), content);
  await chmod(join(root, 'notes.txt'), 0o640);
  await chmod(join(root, 'tree/run.sh'), 0o755);
  await chmod(join(root, 'tree/deeper'), 0o750);
  return contents;
}

describe.each(['busybox', 'debian'] as const)('DockerArchiveTransfer on %s', (imageName) => {
  let container: StartedContainer;
  let shell: DockerExecTransport;
  let transfer: DockerArchiveTransfer;
  let local: string;
  let contents: Record<string, Buffer>;
  const run = async (command: string): Promise<string> => {
    const outcome = await shell.exec(command, { timeoutMs: 20_000 });
    expect(outcome.stderr.toString()).toBe('');
    return outcome.stdout.toString();
  };

  beforeAll(async () => {
    container = await StartedContainer.start(engine, {
      image: inject('images')[imageName],
      cmd: ['sleep', '3600'],
      purpose: 'docker-archive-transfer-test',
    });
    shell = new DockerExecTransport(engine, container.id);
    transfer = new DockerArchiveTransfer(engine, container.id);
    local = await mkdtemp(join(tmpdir(), 'otto-archive-'));
    await mkdir(join(local, 'src'));
    contents = await makeLocalTree(join(local, 'src'));
  });

  afterAll(async () => {
    await container?.stop();
    if (local) await rm(local, { recursive: true, force: true });
  });

  it('puts files and a nested directory in one request, with contents, modes and progress', async () => {
    await run('mkdir -p /data');
    const progress: TransferProgress[] = [];
    const sources = ['notes.txt', 'empty.bin', 'tree'].map((name) => join(local, 'src', name));
    const result = await transfer.put(sources, '/data/', { onProgress: (p) => progress.push(p) });
    expect(result.files).toEqual([
      { source: sources[0], destination: '/data/notes.txt', sizeBytes: 6 },
      { source: sources[1], destination: '/data/empty.bin', sizeBytes: 0 },
      {
        source: join(sources[2]!, 'deeper/big.bin'),
        destination: '/data/tree/deeper/big.bin',
        sizeBytes: 3 << 20,
      },
      { source: join(sources[2]!, 'run.sh'), destination: '/data/tree/run.sh', sizeBytes: 19 },
    ]);
    const big = progress.filter((p) => p.file.endsWith('big.bin')).map((p) => p.doneBytes);
    expect(big).toEqual([0, 1 << 20, 2 << 20, 3 << 20]);
    expect(progress.at(-1)).toEqual({
      file: join(sources[2]!, 'run.sh'),
      doneBytes: 19,
      totalBytes: 19,
    });
    const files = 'notes.txt empty.bin tree/run.sh tree/deeper/big.bin';
    expect(
      await run(`cd /data && stat -c "%a %s %n" ${files} && stat -c "%a %n" tree tree/deeper`),
    ).toBe(
      '640 6 notes.txt\n644 0 empty.bin\n755 19 tree/run.sh\n644 3145728 tree/deeper/big.bin\n755 tree\n750 tree/deeper\n',
    );
    expect(await run('/data/tree/run.sh; cat /data/notes.txt')).toBe('ran\nhello\n');
    const sum = (await run('md5sum /data/tree/deeper/big.bin')).split(' ')[0];
    expect(sum).toBe(
      execFileSync('md5sum', [join(sources[2]!, 'deeper/big.bin')])
        .toString()
        .split(' ')[0],
    );
  });

  it('gets files and a nested directory back, with contents and modes', async () => {
    const into = await mkdtemp(join(local, 'get-'));
    const progress: TransferProgress[] = [];
    const result = await transfer.get(['/data/notes.txt', '/data/tree/'], into, {
      onProgress: (p) => progress.push(p),
    });
    expect(result.files.map((file) => [file.source, file.destination, file.sizeBytes])).toEqual([
      ['/data/notes.txt', join(into, 'notes.txt'), 6],
      ['/data/tree/deeper/big.bin', join(into, 'tree/deeper/big.bin'), 3 << 20],
      ['/data/tree/run.sh', join(into, 'tree/run.sh'), 19],
    ]);
    for (const path of ['notes.txt', 'tree/run.sh', 'tree/deeper/big.bin']) {
      expect((await readFile(join(into, path))).equals(contents[path]!)).toBe(true);
    }
    const modeOf = async (path: string) =>
      ((await stat(join(into, path))).mode & 0o7777).toString(8);
    expect(await Promise.all(['notes.txt', 'tree/run.sh', 'tree/deeper'].map(modeOf))).toEqual([
      '640',
      '755',
      '750',
    ]);
    expect(progress.filter((p) => p.file === '/data/tree/deeper/big.bin').at(-1)).toEqual({
      file: '/data/tree/deeper/big.bin',
      doneBytes: 3 << 20,
      totalBytes: 3 << 20,
    });
    expect((await readdir(join(into, 'tree'))).sort()).toEqual(['deeper', 'run.sh']);
  });

  it('names a container that does not exist, both ways', async () => {
    const missing = new DockerArchiveTransfer(engine, 'otto-no-such-container');
    const place =
      'host "otto-no-such-container" (container otto-no-such-container at unix:///var/run/docker.sock) [docker-archive]';
    await expect(missing.put([join(local, 'src/notes.txt')], '/data')).rejects.toMatchObject({
      code: 'TRANSFER_FAILED',
      message: `put ${join(local, 'src/notes.txt')} on ${place} failed: container otto-no-such-container does not exist.`,
    });
    const into = await mkdtemp(join(local, 'none-'));
    await expect(missing.get(['/data/notes.txt'], into)).rejects.toMatchObject({
      code: 'TRANSFER_FAILED',
      message: `get /data/notes.txt on ${place} failed: container otto-no-such-container does not exist.`,
    });
    expect(await readdir(into)).toEqual([]);
  });

  it('names a destination that is a file, both ways', async () => {
    await run('mkdir -p /data && echo x > /data/plain');
    const place = describePlace(transfer.place);
    await expect(transfer.put([join(local, 'src/notes.txt')], '/data/plain')).rejects.toThrow(
      `put ${join(local, 'src/notes.txt')} on ${place} failed: /data/plain exists and is not a directory.`,
    );
    await expect(transfer.put([join(local, 'src/notes.txt')], '/data/plain/below')).rejects.toThrow(
      `put ${join(local, 'src/notes.txt')} on ${place} failed: /data/plain exists and is not a directory.`,
    );
    const file = join(local, 'src/notes.txt');
    await expect(transfer.get(['/data/notes.txt'], file)).rejects.toThrow(
      `get /data/notes.txt on ${place} failed: ${file} exists and is not a directory.`,
    );
  });

  it('removes what a put reached when it fails halfway through, and keeps what was there', async () => {
    await run('mkdir -p /partial && touch /partial/kept');
    const controller = new AbortController();
    const failure = transfer.put(
      [join(local, 'src/notes.txt'), join(local, 'src/tree')],
      '/partial',
      {
        timeoutMs: 60_000,
        signal: controller.signal,
        onProgress: (p) => p.doneBytes > 0 && p.file.endsWith('big.bin') && controller.abort(),
      },
    );
    await expect(failure).rejects.toMatchObject({
      name: 'AbortedError',
      message: `Aborted putting 2 paths (${join(local, 'src/notes.txt')}, ${join(local, 'src/tree')}) into /partial on ${describePlace(transfer.place)}.`,
    });
    expect(await run('ls -A /partial')).toBe('kept\n');
  });
});
