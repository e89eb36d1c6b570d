import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describePlace } from '../../src/common/place.js';
import type { Transfer, TransferProgress } from '../../src/transfers/transfer.js';

/** One transfer under test, with what the contract needs on its host's side. */
export interface TransferContractTarget {
  transfer: Transfer;
  /**
   * Runs a POSIX shell command where the transfer's remote paths live, with rights to read and
   * remove everything there; resolves with its stdout, rejects on a non-zero exit.
   */
  sh(command: string): Promise<string>;
  /** An empty remote directory the contract may fill; the target removes it in `close`. */
  remoteDir: string;
  /** A remote directory the transfer cannot write into, and the reason a put of `small.txt` gives. */
  readOnly: { dir: string; reason: string };
  /** A remote directory with less than 1 MiB free, and the reason a put of `binary.bin` gives. */
  full?: { dir: string; reason: string };
  close(): Promise<void>;
}

/** The local files every contract run moves: names, modes and contents. */
const LOCAL_FILES: Array<{ path: string; mode: number; content: () => Buffer }> = [
  { path: 'small.txt', mode: 0o640, content: () => Buffer.from('hello\n') },
  { path: 'run.sh', mode: 0o755, content: () => Buffer.from('#!/bin/sh\necho ran\n') },
  { path: 'empty.bin', mode: 0o600, content: () => Buffer.alloc(0) },
  {
    path: 'binary.bin',
    mode: 0o644,
    content: () =>
      Buffer.concat([Buffer.from([...Array(256).keys()]), randomBytes((1 << 20) + 17)]),
  },
  { path: "tree/it's spaced.txt", mode: 0o644, content: () => Buffer.from('quoted name\n') },
  { path: 'tree/sub/deep.bin', mode: 0o604, content: () => randomBytes(300_000) },
];
const TREE_MODES: Record<string, number> = { tree: 0o750, 'tree/sub': 0o711 };
const BIG_BYTES = 64 << 20;
const IS_ROOT = process.getuid?.() === 0;

/**
 * The behaviour every transfer must show (the rules in src/transfers/transfer.ts), run against a
 * real transfer of each kind: local copies, SFTP, SCP, the docker archive. `createTarget` is
 * called once per kind; its `close` runs at the end. `hasFull` says whether the target offers a
 * full file system (known when the tests are declared, so that none is skipped at run time);
 * `makesMissingDirs` that the engine makes a missing put destination itself (Podman), so that a
 * stopped put leaves those folders behind, empty.
 */
export function describeTransferContract(
  kind: string,
  createTarget: () => Promise<TransferContractTarget>,
  options: { hasFull: boolean; makesMissingDirs?: boolean },
): void {
  describe(`${kind} transfer contract`, () => {
    let target: TransferContractTarget;
    let transfer: Transfer;
    let local: string;
    let place: string;
    const src = (path: string): string => join(local, 'src', path);
    const remote = (path: string): string => `${target.remoteDir}/${path}`;
    const remoteExists = async (path: string): Promise<boolean> =>
      (await target.sh(`[ -e '${path}' ] && echo yes || echo no`)) === 'yes\n';
    const newLocalDir = (name: string): Promise<string> => mkdtemp(join(local, `${name}-`));
    // An engine that makes a missing destination itself (Podman) leaves those folders, empty.
    const expectNothingLeft = async (path: string): Promise<void> => {
      if (options.makesMissingDirs)
        expect(await target.sh(`find '${path}' ! -type d 2>/dev/null; true`)).toBe('');
      else expect(await remoteExists(path)).toBe(false);
    };

    beforeAll(async () => {
      target = await createTarget();
      transfer = target.transfer;
      local = await mkdtemp(join(tmpdir(), 'otto-transfer-contract-'));
      for (const file of LOCAL_FILES) {
        await mkdir(join(src(file.path), '..'), { recursive: true });
        await writeFile(src(file.path), file.content());
        await chmod(src(file.path), file.mode);
      }
      for (const [dir, mode] of Object.entries(TREE_MODES)) await chmod(src(dir), mode);
      await writeFile(src('big.bin'), randomBytes(BIG_BYTES));
      await transfer.put([src('big.bin')], remote('big'));
      // After a first call: a transfer may learn how to name its host on it (a container's name).
      place = describePlace(transfer.place);
    }, 120_000);

    afterAll(async () => {
      if (local) await rm(local, { recursive: true, force: true });
      await target?.close();
    });

    it('puts files and a folder, byte for byte, with their modes and progress', async () => {
      const progress: TransferProgress[] = [];
      const sources = ['small.txt', 'run.sh', 'empty.bin', 'binary.bin', 'tree'].map(src);
      const result = await transfer.put(sources, remote('put'), {
        onProgress: (p) => progress.push(p),
      });
      expect(sortedFiles(result.files)).toEqual(
        LOCAL_FILES.map((file) => [
          src(file.path),
          remote(`put/${file.path}`),
          sizeOf(file),
        ]).sort(),
      );
      expect(await target.sh(`cd '${remote('put')}' && ${LISTING}`)).toBe(
        await localListing(src('')),
      );
      const lastOfBinary = progress.filter((p) => p.file === src('binary.bin')).at(-1);
      expect(lastOfBinary).toEqual({
        file: src('binary.bin'),
        doneBytes: (1 << 20) + 273,
        totalBytes: (1 << 20) + 273,
      });
      expect(await target.sh(`cd '${remote('put')}' && ls -A | sort`)).toBe(
        'binary.bin\nempty.bin\nrun.sh\nsmall.txt\ntree\n',
      );
    });

    it('gets files and a folder back, byte for byte, with their modes', async () => {
      const into = await newLocalDir('get');
      const sources = ['small.txt', 'run.sh', 'empty.bin', 'binary.bin', 'tree'].map((name) =>
        remote(`put/${name}`),
      );
      const result = await transfer.get(sources, into);
      expect(sortedFiles(result.files)).toEqual(
        LOCAL_FILES.map((file) => [
          remote(`put/${file.path}`),
          join(into, file.path),
          sizeOf(file),
        ]).sort(),
      );
      expect(await localListing(into)).toBe(await localListing(src('')));
      expect(
        (await readFile(join(into, 'binary.bin'))).equals(await readFile(src('binary.bin'))),
      ).toBe(true);
      expect((await readdir(into)).sort()).toEqual([
        'binary.bin',
        'empty.bin',
        'run.sh',
        'small.txt',
        'tree',
      ]);
    });

    it('creates a missing destination folder with its parents, both ways', async () => {
      await transfer.put([src('small.txt')], remote('new/a/b'));
      expect(await target.sh(`cat '${remote('new/a/b/small.txt')}'`)).toBe('hello\n');
      const into = join(await newLocalDir('new'), 'a', 'b');
      await transfer.get([remote('new/a/b/small.txt')], into);
      expect(await readFile(join(into, 'small.txt'), 'utf8')).toBe('hello\n');
    });

    it('names a missing source, both ways, and creates nothing', async () => {
      const missing = src('nope.txt');
      await expect(
        transfer.put([src('small.txt'), missing], remote('missing')),
      ).rejects.toMatchObject({
        name: 'TransferError',
        code: 'LOCAL_PATH_NOT_FOUND',
        message: `put ${missing} on ${place} failed: no such file or directory.`,
      });
      expect(await remoteExists(remote('missing'))).toBe(false);
      const into = join(local, 'missing-get');
      await expect(
        transfer.get([remote('put/small.txt'), remote('nope.txt')], into),
      ).rejects.toMatchObject({
        name: 'TransferError',
        code: 'REMOTE_PATH_NOT_FOUND',
        message: `get ${remote('nope.txt')} on ${place} failed: no such file or directory.`,
      });
      await expect(stat(into)).rejects.toThrow('ENOENT');
    });

    it('refuses a destination that is a file or lies below one, naming the file', async () => {
      await target.sh(`printf plain > '${remote('plain')}'`);
      const failures = await Promise.all(
        [remote('plain'), remote('plain/deeper')].map((into) =>
          transfer.put([src('small.txt')], into).then(
            () => 'no error',
            (error: Error) => `${error.name}: ${error.message}`,
          ),
        ),
      );
      const expected = `TransferError: put ${src('small.txt')} on ${place} failed: ${remote('plain')} exists and is not a directory.`;
      expect(failures).toEqual([expected, expected]);
      expect(await target.sh(`cat '${remote('plain')}'`)).toBe('plain');
    });

    it('refuses a read-only destination, naming the path, and leaves nothing', async () => {
      const before = await target.sh(`ls -A '${target.readOnly.dir}'`);
      await expect(transfer.put([src('small.txt')], target.readOnly.dir)).rejects.toMatchObject({
        name: 'TransferError',
        code: 'DESTINATION_NOT_WRITABLE',
        message: `put ${src('small.txt')} on ${place} failed: ${target.readOnly.reason}.`,
      });
      expect(await target.sh(`ls -A '${target.readOnly.dir}'`)).toBe(before);
      const into = await readOnlyLocalDir(local);
      try {
        const phrase = IS_ROOT ? 'operation not permitted' : 'permission denied';
        await expect(transfer.get([remote('put/small.txt')], into)).rejects.toMatchObject({
          name: 'TransferError',
          code: 'DESTINATION_NOT_WRITABLE',
          message: `get ${remote('put/small.txt')} on ${place} failed: cannot write ${join(into, 'small.txt')}: ${phrase}.`,
        });
        expect(await readdir(into)).toEqual([]);
      } finally {
        await makeWritable(into);
      }
    });

    it('fails at once on a local destination the kernel will not make (/proc)', async () => {
      const into = '/proc/otto-nope/deeper';
      await expect(transfer.get([remote('big/big.bin')], into)).rejects.toMatchObject({
        name: 'TransferError',
        code: 'TRANSFER_FAILED',
        message: `get ${remote('big/big.bin')} on ${place} failed: cannot create ${into}: no such file or directory.`,
      });
      await expect(stat(into)).rejects.toThrow('ENOENT');
    });

    if (options.hasFull) {
      it('fails on a full destination, naming the path, and leaves nothing', async () => {
        const full = target.full!;
        const before = await target.sh(`ls -A '${full.dir}'`);
        await expect(transfer.put([src('binary.bin')], full.dir)).rejects.toMatchObject({
          name: 'TransferError',
          code: 'DESTINATION_FULL',
          message: `put ${src('binary.bin')} on ${place} failed: ${full.reason}.`,
        });
        expect(await target.sh(`ls -A '${full.dir}'`)).toBe(before);
      });
    }

    it('stops at a tiny timeout on a big file, both ways, and leaves nothing', async () => {
      await expect(
        transfer.put([src('big.bin')], remote('slow/put'), { timeoutMs: 10 }),
      ).rejects.toMatchObject({
        name: 'TimeoutError',
        code: 'TRANSFER_TIMEOUT',
        message: `Timed out after 10ms putting ${src('big.bin')} into ${remote('slow/put')} on ${place}.`,
      });
      await expectNothingLeft(remote('slow'));
      const into = join(local, 'slow-get');
      await expect(
        transfer.get([remote('big/big.bin')], into, { timeoutMs: 10 }),
      ).rejects.toMatchObject({
        name: 'TimeoutError',
        code: 'TRANSFER_TIMEOUT',
        message: `Timed out after 10ms getting ${remote('big/big.bin')} into ${into} on ${place}.`,
      });
      await expect(stat(into)).rejects.toThrow('ENOENT');
    });

    it('stops on an abort mid-transfer, both ways, and leaves nothing', async () => {
      const reason = new Error('enough');
      const abortMidway = (controller: AbortController) => (p: TransferProgress) => {
        if (p.doneBytes > 0 && p.doneBytes < p.totalBytes) controller.abort(reason);
      };
      const putting = new AbortController();
      const put = transfer.put([src('big.bin')], remote('aborted'), {
        signal: putting.signal,
        onProgress: abortMidway(putting),
      });
      await expect(put).rejects.toMatchObject({
        name: 'AbortedError',
        code: 'ABORTED',
        message: `Aborted putting ${src('big.bin')} into ${remote('aborted')} on ${place}: enough.`,
        cause: reason,
      });
      await expectNothingLeft(remote('aborted'));
      const into = join(await newLocalDir('aborted'), 'into');
      const getting = new AbortController();
      const get = transfer.get([remote('big/big.bin')], into, {
        signal: getting.signal,
        onProgress: abortMidway(getting),
      });
      await expect(get).rejects.toMatchObject({
        name: 'AbortedError',
        message: `Aborted getting ${remote('big/big.bin')} into ${into} on ${place}: enough.`,
      });
      await expect(stat(into)).rejects.toThrow('ENOENT');
    });

    it('starts nothing on a signal aborted before the call', async () => {
      const signal = AbortSignal.abort(new Error('too late'));
      const progress: TransferProgress[] = [];
      const onProgress = (p: TransferProgress): void => void progress.push(p);
      await expect(
        transfer.put([src('small.txt')], remote('early'), { signal, onProgress }),
      ).rejects.toMatchObject({
        name: 'AbortedError',
        message: `Aborted putting ${src('small.txt')} into ${remote('early')} on ${place}: too late.`,
      });
      expect(await remoteExists(remote('early'))).toBe(false);
      const into = join(local, 'early');
      await expect(
        transfer.get([remote('put/small.txt')], into, { signal, onProgress }),
      ).rejects.toMatchObject({
        name: 'AbortedError',
        message: `Aborted getting ${remote('put/small.txt')} into ${into} on ${place}: too late.`,
      });
      await expect(stat(into)).rejects.toThrow('ENOENT');
      expect(progress).toEqual([]);
    });

    it('replaces existing files whole and keeps them when a later transfer fails', async () => {
      await transfer.put([src('small.txt')], remote('keep'));
      await target.sh(`echo old > '${remote('keep/small.txt')}'`);
      await expect(
        transfer.put([src('small.txt'), src('nope.txt')], remote('keep')),
      ).rejects.toThrow(`put ${src('nope.txt')} on ${place} failed: no such file or directory.`);
      expect(await target.sh(`cat '${remote('keep/small.txt')}'`)).toBe('old\n');
      await transfer.put([src('small.txt')], remote('keep'));
      expect(await target.sh(`cat '${remote('keep/small.txt')}'; ls -A '${remote('keep')}'`)).toBe(
        'hello\nsmall.txt\n',
      );
    });
  });
}

/** `<sha256> <mode> <path>` of every file and `<mode> <path>/` of every directory below `.`, sorted. */
const LISTING =
  'find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r p; do if [ -d "$p" ]; then echo "$(stat -c %a "$p") $p/"; else echo "$(sha256sum < "$p" | cut -c1-64) $(stat -c %a "$p") $p"; fi; done';

/** The same listing for a local directory, excluding `big.bin`, in the shell's format. */
async function localListing(dir: string): Promise<string> {
  const lines: string[] = [];
  const visit = async (path: string): Promise<void> => {
    for (const name of await readdir(path)) {
      const full = join(path, name);
      const shown = `./${relative(dir, full)}`;
      if (shown === './big.bin') continue;
      const info = await stat(full);
      const mode = (info.mode & 0o7777).toString(8);
      if (info.isDirectory()) {
        lines.push(`${mode} ${shown}/`);
        await visit(full);
      } else {
        const hash = createHash('sha256')
          .update(await readFile(full))
          .digest('hex');
        lines.push(`${hash} ${mode} ${shown}`);
      }
    }
  };
  await visit(dir);
  return lines
    .sort((a, b) => (pathOf(a) < pathOf(b) ? -1 : 1))
    .map((line) => `${line}\n`)
    .join('');
}

function pathOf(line: string): string {
  return line.slice(line.indexOf('./')).replace(/\/$/, '');
}

function sortedFiles(
  files: ReadonlyArray<{ source: string; destination: string; sizeBytes: number }>,
) {
  return files.map((file) => [file.source, file.destination, file.sizeBytes]).sort();
}

function sizeOf(file: (typeof LOCAL_FILES)[number]): number {
  return file.path === 'binary.bin' ? (1 << 20) + 273 : file.content().length;
}

/** A local directory nothing can be written into: mode 0o555, and immutable for root. */
async function readOnlyLocalDir(parent: string): Promise<string> {
  const dir = await mkdtemp(join(parent, 'read-only-'));
  await chmod(dir, 0o555);
  if (IS_ROOT) execFileSync('chattr', ['+i', dir]);
  return dir;
}

async function makeWritable(dir: string): Promise<void> {
  if (IS_ROOT) execFileSync('chattr', ['-i', dir]);
  await chmod(dir, 0o755);
}
