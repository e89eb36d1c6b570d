import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../src/common/deadline.js';
import { OTTO_BIN, runCli } from '../helpers/run-cli.js';
import { startTelnetTestbed, type TelnetTestbed } from '../helpers/telnet-testbed.js';
import { makeTempRepo, type TempRepo } from '../helpers/temp-repo.js';

const WRONG_PASSWORD = 'Wr0ng-telnet-pw-5521';

let bed: TelnetTestbed;
let repo: TempRepo;
beforeAll(async () => {
  bed = await startTelnetTestbed(['direct', 'behind']);
  const direct = bed.box('direct');
  const behind = bed.box('behind');
  const hop = bed.hop;
  repo = await makeTempRepo({
    settings: `[host_defaults.ssh_options]\nknown_hosts = "${hop.knownHostsPath}"\n[host_defaults.telnet_options]\nlogin_timeout = 20\n`,
    hosts: [
      {
        id: 'router',
        ip: direct.host,
        ne: 'router',
        term: 'telnet',
        creds: { otto: 'otto' },
        labs: ['main'],
      },
      {
        id: 'hop',
        ip: hop.host,
        port: hop.port,
        ne: 'hop',
        creds: { root: 'root' },
        labs: ['main'],
      },
      {
        id: 'inner',
        ip: behind.host,
        ne: 'inner',
        term: 'telnet',
        transfer: 'nc',
        hop: 'hop',
        creds: { root: 'root' },
        labs: ['main'],
      },
      {
        id: 'locked',
        ip: direct.host,
        ne: 'locked',
        term: 'telnet',
        creds: { otto: WRONG_PASSWORD },
        labs: ['main'],
      },
    ],
  });
}, 300_000);
afterAll(() => bed?.stop());

const otto = (args: string[]) => runCli(['-l', 'main', ...args], { env: repo.env });

describe('otto host on telnet hosts', () => {
  it('runs commands, directly and through an SSH hop, and exits 1 when one fails', async () => {
    const ok = await otto(['host', 'router', 'run', 'hostname', 'echo "$((6 * 7))"']);
    expect(ok).toMatchObject({ exitCode: 0, stdout: 'direct\n42\n' });
    expect(ok.stderr).toMatch(
      /^@router \| hostname\n@router \| echo "\$\(\(6 \* 7\)\)"\noutput: \S+_run\n$/,
    );
    expect(await otto(['host', 'inner', 'run', 'hostname; id -un'])).toMatchObject({
      exitCode: 0,
      stdout: 'behind\nroot\n',
    });
    const failed = await otto(['host', 'router', 'run', 'false']);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain(
      'otto: Command failed on host "router" (exit code 1): `false`\n',
    );
  });

  it('puts and gets files by auto, nc through the hop and --transfer shell', async () => {
    const local = join(repo.base, 'files');
    await mkdir(join(local, 'back'), { recursive: true });
    const payload = Buffer.alloc(1024 * 1024 + 7, 5);
    await writeFile(join(local, 'blob.bin'), payload);
    for (const [id, extra] of [
      ['router', []],
      ['inner', []],
      ['router', ['--transfer', 'shell']],
    ] as const) {
      const put = await otto(['host', id, ...extra, 'put', join(local, 'blob.bin'), '/tmp/e2e']);
      expect(put.exitCode, put.stderr).toBe(0);
      expect(put.stderr).toContain(`@${id} put: 1 file, 1048583 bytes in `);
      const back = join(local, 'back', `${id}${extra.length}`);
      const get = await otto(['host', id, ...extra, 'get', '/tmp/e2e/blob.bin', back]);
      expect(get.exitCode, get.stderr).toBe(0);
      expect((await readFile(join(back, 'blob.bin'))).equals(payload)).toBe(true);
    }
  });

  it('logs in with a terminal bridge and keeps the transcript in otto.log', async () => {
    const { exitCode, stdout, stderr } = await runCli(['-l', 'main', 'host', 'router', 'login'], {
      env: repo.env,
      input: 'echo "login-$((20 + 22))"; exit\n',
    });
    expect(exitCode, stderr).toBe(0);
    expect(stdout).toContain('login-42');
    const outputDir = /^output: (.+)$/m.exec(stderr)![1]!;
    expect(await readFile(join(outputDir, 'otto.log'), 'utf8')).toContain('login-42');
  });

  it('refuses a wrong password with exit code 1, naming the user and never the password', async () => {
    const result = await otto(['host', 'locked', 'run', 'true']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n').slice(0, 2)).toEqual([
      '@locked | true',
      `otto: Authentication failed for host "locked" (otto@${bed.box('direct').host}:23) [telnet]: the server refused the password of user "otto".`,
    ]);
    const outputDir = /^output: (.+)$/m.exec(result.stderr)![1]!;
    const log = await readFile(join(outputDir, 'otto.log'), 'utf8');
    for (const text of [result.stdout, result.stderr, log])
      expect(text).not.toContain(WRONG_PASSWORD);
  });

  it('refuses a typo in telnet_options with "did you mean", before anything connects', async () => {
    const typo = await makeTempRepo({
      hosts: [
        {
          id: 'typo',
          ip: bed.box('direct').host,
          ne: 'typo',
          term: 'telnet',
          creds: { otto: 'otto' },
          labs: ['main'],
          telnet_options: { login_promt: 'login:' },
        },
      ],
    });
    const result = await runCli(['-l', 'main', 'host', 'typo', 'run', 'true'], { env: typo.env });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      'host #1 (typo): telnet_options: unknown field "login_promt"; did you mean "login_prompt"?',
    );
    await expect(readdir(typo.xdir)).rejects.toThrow(/ENOENT/);
  });

  it('stops on Ctrl-C with exit code 130 and leaves nothing running', async () => {
    const pidFile = `/tmp/otto-e2e-telnet-${process.pid}`;
    const child = spawn(
      process.execPath,
      [
        OTTO_BIN,
        '-l',
        'main',
        'host',
        'router',
        'run',
        `sh -c 'echo $$ > ${pidFile}; exec sleep 1000'`,
      ],
      { env: { ...process.env, ...repo.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const pid = await waitUntil(
      async () =>
        (await bed.box('direct').sh(`cat ${pidFile} 2>/dev/null || true`)).trim() || undefined,
      { timeoutMs: 30_000, what: 'the command to start' },
    );
    child.kill('SIGINT');
    expect(await closed).toBe(130);
    expect(stderr).toMatch(
      /\notto: Aborted running `sh -c [^`]+` on host "router" \([^)]+\) \[telnet\]: interrupted \(Ctrl-C\)\.\n/,
    );
    await waitUntil(
      async () =>
        (await bed.box('direct').sh(`[ -d /proc/${pid} ] && echo alive || echo gone`)).trim() ===
        'gone'
          ? true
          : undefined,
      { timeoutMs: 10_000, what: `process ${pid} to end` },
    );
    await bed.box('direct').sh(`rm -f ${pidFile}`);
  });
});
