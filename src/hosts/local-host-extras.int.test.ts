import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mkdir, readFile, readdir, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TransferError } from '../errors.js';
import { runOnHosts } from './fan-out.js';
import { LocalHost } from './local-host.js';
import { waitUntil } from '../common/deadline.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';

describe('LocalHost on a terminal (pty: true)', () => {
  it('runs framed commands with exact output and answers a terminal prompt', async () => {
    await using host = new LocalHost({ id: 'local-pty', pty: true });
    expect((await host.run('test -t 1 && echo on-a-tty; printf "a\\nb"')).only().output).toBe(
      'on-a-tty\na\nb',
    );
    // `read -s` turns echo off on the terminal, as password prompts do.
    const prompt = await host.run({
      cmd: 'printf \'Secret: \'; read -r s; echo "[$s]"',
      expects: [['Secret: ', 'hush\n']],
    });
    expect(prompt.only().output.replace(/\r/g, '')).toBe('Secret: [hush]\n');
  });

  it('interrupts with Ctrl-C on its terminal and stays usable', async () => {
    await using host = new LocalHost({ id: 'local-pty', pty: true });
    const result = (await host.run('echo started; sleep 30', { timeoutMs: 800 })).only();
    expect(result.status).toBe('error');
    // An interactive shell answers Ctrl-C with a newline of its own.
    expect(result.output).toMatch(/^started\n\n?$/);
    expect((await host.run('echo back')).only().output).toBe('back\n');
  });
});

describe('LocalHost.interact', () => {
  it('bridges input to a shell on a terminal and leaves on Ctrl-]', async () => {
    await using host = new LocalHost({ id: 'local-interact' });
    const input = new PassThrough();
    const output = new PassThrough();
    let seen = '';
    output.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    const bridge = host.interact({ input, output });
    input.write('echo "inter""active"\n');
    await waitUntil(() => Promise.resolve(seen.includes('interactive') || undefined), {
      timeoutMs: 5000,
      intervalMs: 20,
      what: 'the echoed output',
    });
    input.write(Buffer.from([0x1d]));
    await bridge;
    expect(seen).toContain('interactive');
  });
});

describe('LocalHost transfers', () => {
  it('copies files and directories, keeping basenames, reporting progress', async () => {
    const source = await makeTempDir('otto-src-');
    const dest = await makeTempDir('otto-dst-');
    await writeFile(join(source, 'a.txt'), 'alpha');
    await mkdir(join(source, 'tree/sub'), { recursive: true });
    await writeFile(join(source, 'tree/sub/b.bin'), Buffer.alloc(1000, 7));
    await using host = new LocalHost();
    const progress: string[] = [];
    const result = await host.put([join(source, 'a.txt'), join(source, 'tree')], dest, {
      onProgress: (p) => progress.push(`${p.file}:${p.doneBytes}`),
    });
    expect(result.files.map((file) => [file.destination, file.sizeBytes])).toEqual([
      [join(dest, 'a.txt'), 5],
      [join(dest, 'tree/sub/b.bin'), 1000],
    ]);
    expect(progress).toEqual([
      `${join(source, 'a.txt')}:0`,
      `${join(source, 'a.txt')}:5`,
      `${join(source, 'tree/sub/b.bin')}:0`,
      `${join(source, 'tree/sub/b.bin')}:1000`,
    ]);
    expect(await readFile(join(dest, 'tree/sub/b.bin'))).toEqual(Buffer.alloc(1000, 7));
  });

  it('fails with the reason and leaves no partial file', async () => {
    const source = await makeTempDir('otto-src-');
    const dest = await makeTempDir('otto-dst-');
    await writeFile(join(source, 'a.txt'), 'alpha');
    await using host = new LocalHost();
    const missing = join(source, 'missing.txt');
    const failure = await host.put([missing], dest).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransferError);
    expect((failure as TransferError).code).toBe('LOCAL_PATH_NOT_FOUND');
    expect((failure as TransferError).message).toBe(
      `put ${missing} on host "local" [local] failed: no such file or directory.`,
    );
    await chmod(dest, 0o500);
    try {
      // As root, permissions do not stop a copy; a destination that is a file does.
      await writeFile(join(dest, 'blocker'), 'x').catch(() => undefined);
    } finally {
      await chmod(dest, 0o700);
    }
    await expect(host.put([join(source, 'a.txt')], join(dest, 'blocker'))).rejects.toThrow(
      TransferError,
    );
    expect((await readdir(dest)).sort()).toEqual(['blocker']);
  });
});

describe('repeats', () => {
  it('runs on a session of their own at the interval, within their limits, keeping history', async () => {
    await using host = new LocalHost();
    await host.run('cd /tmp');
    host.startRepeat('tick', 'cd /; echo tick', { intervalMs: 50, times: 3 });
    await waitUntil(() => Promise.resolve(host.repeatResults('tick').length >= 3 || undefined), {
      timeoutMs: 5000,
      intervalMs: 20,
      what: 'three ticks',
    });
    await host.stopRepeat('tick');
    expect(
      host.repeatResults('tick').map((record) => [record.iteration, record.result.only().output]),
    ).toEqual([
      [1, 'tick\n'],
      [2, 'tick\n'],
      [3, 'tick\n'],
    ]);
    expect((await host.run('pwd')).only().output).toBe('/tmp\n');
  });

  it('stops on demand', async () => {
    await using host = new LocalHost();
    host.startRepeat('forever', 'true', { intervalMs: 10 });
    await waitUntil(() => Promise.resolve(host.repeatResults('forever').length > 1 || undefined), {
      timeoutMs: 5000,
      intervalMs: 10,
      what: 'two runs',
    });
    await host.stopRepeat('forever');
    const count = host.repeatResults('forever').length;
    // Proving that nothing more runs takes time: ten intervals.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(host.repeatResults('forever').length).toBe(count);
    expect(count).toBeGreaterThan(1);
  });
});

describe('LocalHost when node exits without closing it', () => {
  it('leaves no background job of its shells or oneshots behind', async () => {
    const moduleUrl = new URL('./local-host.ts', import.meta.url).href;
    const script = [
      `const { LocalHost } = await import(${JSON.stringify(moduleUrl)});`,
      `const host = new LocalHost({ log: false });`,
      `const shellJob = (await host.run('sleep 1000 >/dev/null 2>&1 & echo $!')).only().output.trim();`,
      `const oneshot = host.oneshot('echo $$; exec sleep 1000');`,
      `await new Promise((resolve) => setTimeout(resolve, 300));`,
      `process.stdout.write(shellJob);`,
      `process.exit(0);`,
    ].join('\n');
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect({ status: child.status, stderr: child.stderr }).toEqual({ status: 0, stderr: '' });
    const pid = Number(child.stdout);
    expect(pid).toBeGreaterThan(1);
    const isAlive = (): boolean => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
      } catch {
        return false;
      }
    };
    await waitUntil(() => Promise.resolve(isAlive() ? undefined : true), {
      timeoutMs: 5000,
      what: `process ${pid} to end`,
    });
  });
});

describe('runOnHosts', () => {
  it('returns a result or an error per host, in order, at the given concurrency (a closed host stays closed)', async () => {
    const hosts = [
      new LocalHost({ id: 'a' }),
      new LocalHost({ id: 'b' }),
      new LocalHost({ id: 'c' }),
    ];
    await hosts[1]!.close();
    const outcomes = await runOnHosts(hosts, 'echo $((1+1))', { concurrency: 2, check: true });
    expect(
      outcomes.map((outcome) => [
        outcome.host.id,
        outcome.result?.only().output ?? outcome.error?.code,
      ]),
    ).toEqual([
      ['a', '2\n'],
      ['b', 'CLOSED'],
      ['c', '2\n'],
    ]);
    const failing = await runOnHosts(hosts, 'exit 1', { check: true });
    expect(failing.map((outcome) => outcome.error?.code)).toEqual([
      'COMMAND_FAILED',
      'CLOSED',
      'COMMAND_FAILED',
    ]);
    await Promise.all(hosts.map((host) => host.close()));
  });
});

describe('host logging', () => {
  it('logs commands and output lines, and the per-host switch silences them', async () => {
    const lines: string[] = [];
    const logger = {
      debug: (m: string) => lines.push(`debug ${m}`),
      info: (m: string) => lines.push(`info ${m}`),
      warn: () => {},
      error: () => {},
    };
    await using host = new LocalHost({ id: 'logged', logger });
    await host.run('echo one; echo two');
    await host.oneshot('echo three');
    host.log = false;
    await host.run('echo hidden');
    expect(lines).toEqual([
      'info @logged | echo one; echo two',
      'debug @logged > | one',
      'debug @logged > | two',
      'info @logged/oneshot | echo three',
      'debug @logged > | three',
    ]);
  });
});

describe('large output', () => {
  it('streams 100 MB through a session in linear time', async () => {
    await using host = new LocalHost({ id: 'local-100mb' });
    const startMs = performance.now();
    const result = (
      await host.run('head -c 100000000 /dev/zero', {
        timeoutMs: 60_000,
        maxOutputBytes: 100_000_000,
      })
    ).only();
    expect(result.status).toBe('success');
    expect(result.outputBytes.length).toBe(100_000_000);
    // Reading is linear (about 0.3 s here); a reader that rescans its buffer would take minutes.
    expect(performance.now() - startMs).toBeLessThan(30_000);
  });
});
