import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTTO_BIN, runCli } from '../helpers/run-cli.js';
import { startSshTestbed, type SshTestbed } from '../helpers/ssh-testbed.js';
import { makeTempRepo, type TempRepo } from '../helpers/temp-repo.js';

/** An instruction that works on every host of the lab and leaves an artifact per host. */
const INIT_TS = `
import { defineInstruction } from 'otto-ts';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const inventory = defineInstruction({
  name: 'inventory',
  help: 'Record hostname and user of every host.',
  options: { pattern: { type: 'string', default: '.', help: 'Hosts whose id matches.' } },
  async run({ hosts, options, outputDir }) {
    const results = [];
    for (const host of hosts(options.pattern)) {
      const result = await host.run(['hostname', 'id -un']);
      await writeFile(join(outputDir, host.id + '.txt'), result.results.map((r) => r.output).join(''));
      results.push(result);
    }
    return results.every((result) => result.ok);
  },
});

export const broken = defineInstruction({
  name: 'broken',
  run: ({ host }) => host('inner').run('exit 7'),
});
`;

let testbed: SshTestbed;
let repo: TempRepo;
beforeAll(async () => {
  testbed = await startSshTestbed(['direct', 'behind']);
  const direct = testbed.server('direct');
  const behind = testbed.server('behind');
  const knownHosts = testbed.newKnownHostsPath();
  repo = await makeTempRepo({
    settings: `init = ["otto/init.ts"]\n[host_defaults.ssh_options]\nknown_hosts = "${knownHosts}"\n`,
    files: { 'otto/init.ts': INIT_TS },
    hosts: [
      {
        id: 'gateway',
        ip: direct.host,
        port: direct.port,
        ne: 'gateway',
        creds: { otto: '' },
        key: testbed.keys.privateKeyPath,
        labs: ['main'],
      },
      {
        id: 'inner',
        ip: behind.host,
        ne: 'inner',
        creds: { root: 'root' },
        hop: 'gateway',
        transfer: 'sftp',
        labs: ['main'],
      },
      {
        id: 'inner_scp',
        ip: behind.host,
        ne: 'inner_scp',
        creds: { otto: 'otto' },
        hop: 'inner',
        labs: ['main'],
      },
    ],
  });
}, 180_000);
afterAll(() => testbed?.stop());

const otto = (args: string[]) => runCli(['-l', 'main', ...args], { env: repo.env });

describe('otto run against SSH hosts', () => {
  it('runs an instruction on every host, through a hop, with artifacts and a log', async () => {
    const result = await otto(['run', 'inventory', '--pattern', '^(gateway|inner)$']);
    expect(result.exitCode).toBe(0);
    const outputDir = /^output: (.+)$/m.exec(result.stderr)![1]!;
    expect(await readFile(join(outputDir, 'gateway.txt'), 'utf8')).toBe('direct\notto\n');
    expect(await readFile(join(outputDir, 'inner.txt'), 'utf8')).toBe('behind\nroot\n');
    const log = await readFile(join(outputDir, 'otto.log'), 'utf8');
    expect(log).toContain('INFO  @inner | hostname\n');
    expect(log).toContain('DEBUG @inner > | behind\n');
    expect(result.stderr).toContain('@gateway | id -un\n');
  });

  it('exits 1 when the instruction returns a failed result', async () => {
    const result = await otto(['run', 'broken']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.replace(/in \d+\.\d s/, 'in N s')).toMatch(
      // `exit 7` ends the persistent shell itself: the reason says so.
      /^@inner \| exit 7\nerror: broken: failed \(exit code 1\) in N s: The shell of host "inner" \(root@[\d.]+:22 via otto@127\.0\.0\.1:\d+\) \[ssh\] ended while running `exit 7`; it is reopened on the next call\.\noutput: \S+\n$/,
    );
  });
});

describe('otto host', () => {
  it('runs commands and exits 1 when one fails', async () => {
    const ok = await otto(['host', 'inner', 'run', 'hostname', 'echo "$((6 * 7))"']);
    expect(ok).toMatchObject({ exitCode: 0, stdout: 'behind\n42\n' });
    expect(ok.stderr).toMatch(
      /^@inner \| hostname\n@inner \| echo "\$\(\(6 \* 7\)\)"\noutput: .*\/host\/\d{8}_\d{6}_\d{3}_run\n$/,
    );
    const failed = await otto(['host', 'gateway', 'run', 'false', 'echo after']);
    expect(failed).toMatchObject({ exitCode: 1, stdout: 'after\n' });
    expect(failed.stderr).toMatch(
      /^@gateway \| false\n@gateway \| echo after\notto: Command failed on host "gateway" \(exit code 1\): `false`\noutput: \S+\n$/,
    );
  });

  it('puts and gets files with progress, over sftp and scp', async () => {
    const local = join(repo.base, 'files');
    await mkdir(local, { recursive: true });
    const payload = Buffer.alloc(3 * 1024 * 1024, 7);
    await writeFile(join(local, 'blob.bin'), payload);
    const put = await otto(['host', 'inner', 'put', join(local, 'blob.bin'), '/tmp']);
    expect(put.exitCode).toBe(0);
    expect(put.stderr).toMatch(/blob\.bin \[#{24}\] 100% {2}3\.0\/3\.0 MiB/);
    expect(put.stderr).toContain('@inner put: 1 file, 3145728 bytes in ');
    const back = join(repo.base, 'back');
    await mkdir(back);
    const get = await otto(['host', 'inner_scp', 'get', '/tmp/blob.bin', back]);
    expect(get.exitCode).toBe(0);
    expect((await readFile(join(back, 'blob.bin'))).equals(payload)).toBe(true);
  });

  it('takes --hop and --transfer for one invocation, and refuses an unknown hop', async () => {
    const viaGateway = await otto([
      'host',
      'inner_scp',
      '--hop',
      'gateway',
      '--transfer',
      'sftp',
      'run',
      'hostname',
    ]);
    expect(viaGateway).toMatchObject({ exitCode: 0, stdout: 'behind\n' });
    const unknown = await otto(['host', 'inner', '--hop', 'gatewya', 'run', 'true']);
    expect(unknown).toMatchObject({
      exitCode: 2,
      stderr:
        'otto: No host "gatewya" in lab main; did you mean "gateway"?\nFix: otto --list-hosts lists the hosts of the lab.\n',
    });
  });

  it('logs in with a terminal bridge and keeps the transcript in otto.log', async () => {
    const { exitCode, stdout, stderr } = await runCli(['-l', 'main', 'host', 'gateway', 'login'], {
      env: repo.env,
      input: 'echo "login-$((20 + 22))"; exit\n',
    });
    expect(exitCode).toBe(0);
    expect(stdout).toContain('login-42');
    const outputDir = /^output: (.+)$/m.exec(stderr)![1]!;
    expect(await readFile(join(outputDir, 'otto.log'), 'utf8')).toContain('login-42');
  });

  it('streams endless output, stops on Ctrl-C with exit code 130 and leaves nothing running', async () => {
    const pidFile = `/tmp/otto-e2e-endless-${process.pid}`;
    const child = spawn(
      process.execPath,
      [OTTO_BIN, '-l', 'main', 'host', 'gateway', 'run', `echo $$ > ${pidFile}; yes`],
      { env: { ...process.env, ...repo.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let streamedBytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      streamedBytes += chunk.length;
      // Well past what a result keeps in memory: the output is streamed, not collected.
      if (streamedBytes > 32 * 1024 * 1024 && child.exitCode === null && !child.killed)
        child.kill('SIGINT');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ exitCode, stderr }).toMatchObject({ exitCode: 130 });
    expect(stderr).toMatch(
      /\notto: Aborted running `echo \$\$ > [^`]+; yes` on host "gateway" \([^)]+\) \[ssh\]: interrupted \(Ctrl-C\)\.\n/,
    );
    const check = `p=$(cat ${pidFile}); rm -f ${pidFile}; [ -d /proc/$p ] && echo alive || echo gone`;
    expect(await otto(['host', 'gateway', 'run', check])).toMatchObject({
      exitCode: 0,
      stdout: 'gone\n',
    });
  });

  it('refuses an unknown host id with the closest ids, exit code 2', async () => {
    expect(await otto(['host', 'iner', 'run', 'true'])).toMatchObject({
      exitCode: 2,
      stdout: '',
      stderr:
        'otto: No host "iner" in lab main; did you mean "inner"?\nFix: otto --list-hosts lists the hosts of the lab.\n',
    });
  });
});
