import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshTestbed, type SshTestbed } from '../../test/helpers/ssh-testbed.js';
import { describePlace } from '../common/place.js';
import { SshTransport } from '../transports/ssh/ssh-transport.js';
import { ScpTransfer } from './scp-transfer.js';
import { SftpTransfer } from './sftp-transfer.js';
import type { Transfer, TransferProgress } from './transfer.js';

let testbed: SshTestbed;
let otto: SshTransport;
let root: SshTransport;
let localDir: string;

beforeAll(async () => {
  testbed = await startSshTestbed(['direct']);
  const { host, port } = testbed.server('direct');
  const knownHostsPath = testbed.newKnownHostsPath();
  otto = new SshTransport({ host, port, username: 'otto', password: 'otto', knownHostsPath });
  root = new SshTransport({ host, port, username: 'root', password: 'root', knownHostsPath });
  localDir = await mkdtemp(join(tmpdir(), 'otto-transfer-test-'));
  await writeFile(join(localDir, 'a.txt'), 'hello\n');
  await writeFile(join(localDir, 'empty.bin'), '');
  await mkdir(join(localDir, 'tree', 'sub'), { recursive: true });
  await writeFile(join(localDir, 'tree', 'random.bin'), randomBytes(1024 * 1024 + 17));
  await writeFile(join(localDir, 'tree', 'sub', "it's spaced.txt"), 'quoted name\n');
  await writeFile(
    join(localDir, 'big.bin'),
    Buffer.concat(Array.from({ length: 64 }, () => randomBytes(1024 * 1024))),
  );
});

afterAll(async () => {
  await otto?.close();
  await root?.close();
  await testbed?.stop();
  if (localDir) await rm(localDir, { recursive: true, force: true });
});

async function sha256Local(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** `sha256  relative/path` lines of every file under a remote directory, sorted. */
async function remoteListing(dir: string): Promise<string> {
  const outcome = await root.exec(
    `cd '${dir}' && find . -type f -print0 | sort -z | xargs -0 sha256sum`,
    { timeoutMs: 30_000 },
  );
  return outcome.stdout.toString();
}

async function localListing(files: Record<string, string>): Promise<string> {
  const lines = await Promise.all(
    Object.entries(files).map(async ([name, path]) => `${await sha256Local(path)}  ./${name}\n`),
  );
  return lines.sort((a, b) => (a.slice(66) < b.slice(66) ? -1 : 1)).join('');
}

const KINDS: Array<[string, () => Transfer]> = [
  ['sftp', () => new SftpTransfer(otto)],
  ['scp', () => new ScpTransfer(otto)],
];

describe.each(KINDS)('%s transfer', (kind, makeTransfer) => {
  it('puts files and a directory, keeping names, sizes and contents, with progress', async () => {
    const transfer = makeTransfer();
    const remoteDir = `/home/otto/put-${kind}/new`;
    const progress: TransferProgress[] = [];
    const sources = ['a.txt', 'empty.bin', 'tree'].map((name) => join(localDir, name));
    const result = await transfer.put(sources, remoteDir, { onProgress: (p) => progress.push(p) });
    expect(result.files).toEqual([
      { source: join(localDir, 'a.txt'), destination: `${remoteDir}/a.txt`, sizeBytes: 6 },
      { source: join(localDir, 'empty.bin'), destination: `${remoteDir}/empty.bin`, sizeBytes: 0 },
      {
        source: join(localDir, 'tree', 'random.bin'),
        destination: `${remoteDir}/tree/random.bin`,
        sizeBytes: 1024 * 1024 + 17,
      },
      {
        source: join(localDir, 'tree', 'sub', "it's spaced.txt"),
        destination: `${remoteDir}/tree/sub/it's spaced.txt`,
        sizeBytes: 12,
      },
    ]);
    expect(await remoteListing(remoteDir)).toBe(
      await localListing({
        'a.txt': join(localDir, 'a.txt'),
        'empty.bin': join(localDir, 'empty.bin'),
        'tree/random.bin': join(localDir, 'tree', 'random.bin'),
        "tree/sub/it's spaced.txt": join(localDir, 'tree', 'sub', "it's spaced.txt"),
      }),
    );
    const last = progress.filter((p) => p.file.endsWith('random.bin')).at(-1);
    expect(last).toEqual({
      file: join(localDir, 'tree', 'random.bin'),
      doneBytes: 1024 * 1024 + 17,
      totalBytes: 1024 * 1024 + 17,
    });
    const owner = await root.exec(`stat -c %U ${remoteDir}/a.txt`, { timeoutMs: 5000 });
    expect(owner.stdout.toString()).toBe('otto\n');
  });

  it('gets files and a directory back', async () => {
    const transfer = makeTransfer();
    const remoteDir = `/home/otto/get-${kind}`;
    await transfer.put([join(localDir, 'a.txt'), join(localDir, 'tree')], remoteDir);
    const into = await mkdtemp(join(localDir, `get-${kind}-`));
    const progress: TransferProgress[] = [];
    const result = await transfer.get([`${remoteDir}/a.txt`, `${remoteDir}/tree`], into, {
      onProgress: (p) => progress.push(p),
    });
    // scp sends a directory's entries in the remote's readdir order.
    const moved = result.files.map((file) => [file.source, file.destination, file.sizeBytes]);
    expect(moved.sort()).toEqual([
      [`${remoteDir}/a.txt`, join(into, 'a.txt'), 6],
      [`${remoteDir}/tree/random.bin`, join(into, 'tree', 'random.bin'), 1024 * 1024 + 17],
      [`${remoteDir}/tree/sub/it's spaced.txt`, join(into, 'tree', 'sub', "it's spaced.txt"), 12],
    ]);
    expect(await readFile(join(into, 'a.txt'), 'utf8')).toBe('hello\n');
    expect(await sha256Local(join(into, 'tree', 'random.bin'))).toBe(
      await sha256Local(join(localDir, 'tree', 'random.bin')),
    );
    expect(await readdir(join(into, 'tree', 'sub'))).toEqual(["it's spaced.txt"]);
    const lastByFile = new Map(progress.map((p) => [p.file, p]));
    expect([...lastByFile.values()].every((p) => p.doneBytes === p.totalBytes)).toBe(true);
    expect(lastByFile.size).toBe(3);
    await rm(into, { recursive: true });
  });

  it('names a destination folder it cannot create, and leaves nothing', async () => {
    const transfer = makeTransfer();
    const place = describePlace(transfer.place);
    const source = join(localDir, 'a.txt');
    await expect(transfer.put([source], '/root/new/dir')).rejects.toMatchObject({
      code: 'DESTINATION_NOT_WRITABLE',
      message: `put ${source} on ${place} failed: cannot create /root/new/dir: permission denied.`,
    });
    const left = await root.exec('ls -A /root', { timeoutMs: 5000 });
    expect(left.stdout.toString()).not.toMatch(/otto-part|new/);
  });

  it('names a destination that is a file', async () => {
    const transfer = makeTransfer();
    const place = describePlace(transfer.place);
    await otto.exec(`echo x > /home/otto/plain-${kind}`, { timeoutMs: 5000 });
    await expect(
      transfer.put([join(localDir, 'a.txt')], `/home/otto/plain-${kind}`),
    ).rejects.toThrow(
      `put ${join(localDir, 'a.txt')} on ${place} failed: /home/otto/plain-${kind} exists and is not a directory.`,
    );
  });

  it('names a source it cannot read, and leaves nothing', async () => {
    const transfer = makeTransfer();
    const into = await mkdtemp(join(localDir, `get-${kind}-`));
    await expect(transfer.get(['/etc/shadow'], into)).rejects.toMatchObject({
      code: 'TRANSFER_FAILED',
      message: `get /etc/shadow on ${describePlace(transfer.place)} failed: cannot read /etc/shadow: permission denied.`,
    });
    expect(await readdir(into)).toEqual([]);
    await rm(into, { recursive: true });
  });

  it('moves 64 MiB both ways, streamed and verified', async () => {
    const transfer = makeTransfer();
    const remoteDir = `/home/otto/big-${kind}`;
    const putResult = await transfer.put([join(localDir, 'big.bin')], remoteDir);
    const localHash = await sha256Local(join(localDir, 'big.bin'));
    const remoteHash = await otto.exec(`sha256sum ${remoteDir}/big.bin`, { timeoutMs: 30_000 });
    expect(remoteHash.stdout.toString()).toBe(`${localHash}  ${remoteDir}/big.bin\n`);
    const into = await mkdtemp(join(localDir, `big-${kind}-`));
    const getResult = await transfer.get([`${remoteDir}/big.bin`], into);
    expect(await sha256Local(join(into, 'big.bin'))).toBe(localHash);
    expect(putResult.files[0]?.sizeBytes).toBe(64 * 1024 * 1024);
    expect(getResult.files[0]?.sizeBytes).toBe(64 * 1024 * 1024);
    await rm(into, { recursive: true });
  });
});
