import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeHostContract } from '../../test/helpers/host-contract.js';
import { startTelnetTestbed, type TelnetTestbed } from '../../test/helpers/telnet-testbed.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';
import { waitUntil } from '../common/deadline.js';
import { ConnectionError } from '../errors.js';
import type { HostOptions } from './host-options.js';
import { TelnetHost, type TelnetHostOptions } from './telnet-host.js';

let bed: TelnetTestbed;
beforeAll(async () => {
  bed = await startTelnetTestbed(['direct', 'inetutils', 'behind']);
}, 300_000);
afterAll(() => bed?.stop());

function hostOn(
  name: 'direct' | 'inetutils' | 'behind',
  options: TelnetHostOptions = {},
  user = 'otto',
): TelnetHost {
  const box = bed.box(name);
  return new TelnetHost(
    {
      host: box.host,
      user,
      password: user,
      name: `telnet-${name}`,
      ...(name === 'behind' ? { hop: bed.hop } : {}),
    },
    options,
  );
}

describeHostContract(
  'telnet (busybox telnetd)',
  (options?: HostOptions) => Promise.resolve(hostOn('direct', options)),
  { hasPty: true, isSlowTerminal: true },
);

describe.each(['inetutils', 'behind'] as const)('TelnetHost on %s', (name) => {
  let host: TelnetHost;
  beforeAll(() => {
    host = hostOn(name);
  });
  afterAll(() => host.close());

  it('runs commands on its session, with exit codes and binary output', async () => {
    const list = await host.run(['cd /tmp', 'pwd', 'id -un', "printf '\\000\\377\\r\\n'", 'false']);
    expect(list.results.map((result) => result.output)).toEqual([
      '',
      '/tmp\n',
      'otto\n',
      '\x00\ufffd\r\n',
      '',
    ]);
    expect(list.results.at(-1)?.exitCode).toBe(1);
    expect([...list.results[3]!.outputBytes]).toEqual([0, 0xff, 0x0d, 0x0a]);
  });

  it('runs oneshots with stdout and stderr apart, many at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        host.oneshot(`echo ${index}; echo e${index} >&2; exit 2`),
      ),
    );
    results.forEach((result, index) =>
      expect([result.stdout, result.stderr, result.exitCode]).toEqual([
        `${index}\n`,
        `e${index}\n`,
        2,
      ]),
    );
  });

  it('stops a oneshot at its deadline and leaves nothing running', async () => {
    const result = await host.oneshot('echo $$; exec sleep 1000', { timeoutMs: 800 });
    expect(result).toMatchObject({ status: 'error', exitCode: -1 });
    const pid = result.stdout.trim();
    await waitUntil(
      async () =>
        (await host.oneshot(`kill -0 ${pid} 2>/dev/null`)).exitCode !== 0 ? true : undefined,
      { timeoutMs: 10_000, what: `process ${pid} to end` },
    );
  });
});

describe('TelnetHost', () => {
  it('refuses a wrong password within the login deadline, naming the user and not the password', async () => {
    const box = bed.box('direct');
    await using host = new TelnetHost(
      {
        host: box.host,
        user: 'otto',
        password: 'wrong-pass-42',
        name: 'bad-login',
        loginTimeoutMs: 15_000,
      },
      { log: false },
    );
    const startMs = performance.now();
    const result = (await host.run('echo never')).only();
    expect(performance.now() - startMs).toBeLessThan(15_000);
    expect(result.error).toBeInstanceOf(ConnectionError);
    expect(result.error?.message).toBe(
      `Authentication failed for host "bad-login" (otto@${box.host}:23) [telnet]: the server refused the password of user "otto".\nFix: check the user and password of the host (and its login and password prompt patterns).`,
    );
    expect(JSON.stringify(result)).not.toContain('wrong-pass-42');
    const oneshot = await host.oneshot('echo never');
    expect(oneshot.error?.message).toBe(result.error?.message);
  });

  it("keeps nothing it typed in the login shell's history", async () => {
    const box = bed.box('direct');
    await box.sh('rm -f /root/.bash_history');
    const host = hostOn('direct', {}, 'root');
    try {
      expect((await host.run('echo typed-by-otto')).only().output).toBe('typed-by-otto\n');
      expect((await host.oneshot('echo oneshot-by-otto')).stdout).toBe('oneshot-by-otto\n');
      // A command stopped at its deadline is killed through the control connection.
      expect((await host.run('sleep 30', { timeoutMs: 300 })).only().status).toBe('error');
    } finally {
      await host.close();
    }
    // bash writes its history when it exits: wait until root's shells are gone.
    await waitUntil(
      async () => ((await box.sh('pgrep -u root -x bash || true')) === '' ? true : undefined),
      { timeoutMs: 10_000, intervalMs: 100, what: "root's telnet shells to exit" },
    );
    expect(await box.sh('cat /root/.bash_history 2>/dev/null || true')).toBe('');
  });

  it('serves serial oneshots from one warm session', async () => {
    await using host = hostOn('direct');
    const first = (await host.oneshot('echo $$')).stdout;
    for (let i = 0; i < 5; i++) expect((await host.oneshot('echo $$')).stdout).toBe(first);
  });

  it('sends window-size updates from interact to the terminal', async () => {
    await using host = hostOn('direct');
    const input = new PassThrough();
    const output = Object.assign(new PassThrough(), { columns: 100, rows: 30 });
    let seen = '';
    output.on('data', (chunk: Buffer) => (seen += chunk.toString('latin1')));
    const bridge = host.interact({ input, output });
    const waitFor = (text: string) =>
      waitUntil(() => Promise.resolve(seen.includes(text) ? true : undefined), {
        timeoutMs: 15_000,
        what: `"${text}" from the terminal`,
      });
    input.write("stty size | sed 's/^/size=/'\r");
    await waitFor('size=30 100');
    output.columns = 132;
    output.rows = 40;
    output.emit('resize');
    // The shell reads the new size when asked; NAWS is sent at once on a resize.
    await waitUntil(
      async () => {
        input.write("stty size | sed 's/^/size=/'\r");
        await new Promise((resolve) => setTimeout(resolve, 200));
        return seen.includes('size=40 132') ? true : undefined;
      },
      { timeoutMs: 15_000, what: 'the new window size' },
    );
    input.write(Buffer.from([0x1d]));
    await bridge;
  });

  it('moves files by each of its transfers, picked per call, and by auto', async () => {
    await using host = hostOn('direct', { transfer: 'auto' });
    const local = await makeTempDir('otto-telnet-host-');
    await mkdir(join(local, 'back'));
    await writeFile(join(local, 'note.txt'), 'over telnet\n');
    for (const transfer of ['ftp', 'nc', 'shell', undefined] as const) {
      const dir = `/tmp/telnet-host-${transfer ?? 'auto'}`;
      const put = await host.put([join(local, 'note.txt')], dir, { transfer });
      expect(put.files.map((file) => file.destination)).toEqual([`${dir}/note.txt`]);
      const back = join(local, 'back', transfer ?? 'auto');
      await host.get([`${dir}/note.txt`], back, { transfer });
      expect(await readFile(join(back, 'note.txt'), 'utf8')).toBe('over telnet\n');
    }
    await expect(host.put([join(local, 'note.txt')], '/tmp', { transfer: 'sftp' })).rejects.toThrow(
      `Invalid transfer "sftp" for a call on host "telnet-direct" (otto@${bed.box('direct').host}:23) [telnet]: it offers ftp, nc, shell, auto.`,
    );
  });
});
