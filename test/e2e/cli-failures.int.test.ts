import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../src/common/deadline.js';
import { OTTO_BIN, runCli, type CliResult } from '../helpers/run-cli.js';
import { startSshTestbed, type SshTestbed } from '../helpers/ssh-testbed.js';
import { makeTempRepo, type TempRepo } from '../helpers/temp-repo.js';

/**
 * How the built `otto` fails on real SSH hosts: every failure of `host run|put|get|login` says why
 * on the console and in otto.log; lab passwords never reach stdout, stderr or the log, however the
 * output comes; Ctrl-C ends `otto host run` and `otto run` with 130 and leaves nothing running.
 */

const SECRET = 'Tr0ub4dor-pw-31';
const WRONG_PASSWORD = 'Wr0ng-pw-8841';
const RIGHT_PHRASE = 'Right-phrase-77';
const WRONG_PHRASE = 'Wr0ng-phrase-42';
const SECRETS = [SECRET, WRONG_PASSWORD, WRONG_PHRASE];

const INIT_TS = `
import { defineInstruction } from 'otto-ts';

/** Runs a long command; says "first" on the console once it has started. */
export const wait = defineInstruction({
  name: 'wait',
  options: { pidFile: { type: 'string', required: true } },
  run: ({ host, logger, options }) => {
    let said = false;
    return host('ok').run(\`sh -c 'echo $$ > \${options.pidFile}; echo started; exec sleep 30'\`, {
      output: () => {
        if (!said) logger.info('first');
        said = true;
      },
    });
  },
});
`;

let testbed: SshTestbed;
let repo: TempRepo;
let port: number;
let closedPort: number;

beforeAll(async () => {
  testbed = await startSshTestbed(['direct']);
  port = testbed.server('direct').port;
  closedPort = await findClosedPort();
  const keyPath = join(testbed.tempDir, 'id_encrypted');
  await promisify(execFile)('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    RIGHT_PHRASE,
    '-f',
    keyPath,
  ]);
  const host = (id: string, fields: Record<string, unknown>) => ({
    id,
    ip: '127.0.0.1',
    port,
    ne: id,
    labs: ['main'],
    ...fields,
  });
  repo = await makeTempRepo({
    settings: `init = ["otto/init.ts"]\n[host_defaults.ssh_options]\nknown_hosts = "${testbed.newKnownHostsPath()}"\n`,
    files: { 'otto/init.ts': INIT_TS },
    hosts: [
      host('ok', { creds: { otto: 'otto', deploy: SECRET }, user: 'otto' }),
      host('badpw', { creds: { otto: WRONG_PASSWORD } }),
      host('nokey', { creds: { otto: '' }, key: '/nonexistent/id_ed25519' }),
      host('badphrase', { creds: { otto: '' }, key: keyPath, passphrase: WRONG_PHRASE }),
      host('closed', { creds: { otto: SECRET }, port: closedPort }),
      host('weak', { creds: { otto: 'otto', admin: 'admin' }, user: 'otto' }),
    ],
  });
}, 180_000);
afterAll(() => testbed?.stop());

async function findClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return free;
}

const otto = (args: string[]) => runCli(['-l', 'main', ...args], { env: repo.env });

/** The output directory a run printed last, and its otto.log. */
async function logOf(result: Pick<CliResult, 'stderr'>): Promise<{ dir: string; log: string }> {
  const dir = /^output: (.+)$/m.exec(result.stderr)?.[1] ?? '(no output line)';
  return { dir, log: await readFile(join(dir, 'otto.log'), 'utf8') };
}

function expectNoSecret(...texts: string[]): void {
  for (const text of texts) for (const secret of SECRETS) expect(text).not.toContain(secret);
}

const place = (id: string, at = port) => `host "${id}" (otto@127.0.0.1:${at}) [ssh]`;

/** Why each host cannot be used, as the library says it. */
function reasonOf(id: string): string {
  const key = join(testbed.tempDir, 'id_encrypted');
  return {
    badpw: `Authentication failed for ${place('badpw')}: the server refused password.`,
    nokey: `Cannot use the private key (/nonexistent/id_ed25519) for ${place('nokey')}: ENOENT: no such file or directory, open '/nonexistent/id_ed25519'.`,
    badphrase: `Cannot use the private key (${key}) for ${place('badphrase')}: OpenSSH key integrity check failed -- bad passphrase?`,
    closed: `Could not connect to ${place('closed', closedPort)}: connection refused (ECONNREFUSED).`,
  }[id]!;
}

describe('otto host on a host it cannot use', () => {
  for (const id of ['badpw', 'nokey', 'badphrase', 'closed']) {
    it(`says why for run, put, get and login (${id}), on the console and in otto.log`, async () => {
      const reason = reasonOf(id);
      const transfer = (action: string, source: string) =>
        `${action} ${source} on host "${id}" (otto@127.0.0.1:${id === 'closed' ? closedPort : port}) [scp] failed: ${reason}`;
      const source = join(repo.root, 'otto', 'init.ts');
      const cases = [
        { args: ['run', 'true'], lines: [`@${id} | true`, `otto: ${reason}`] },
        {
          args: ['put', source, '/tmp'],
          lines: [`@${id} put ${source} -> /tmp [scp]`, `otto: ${transfer('put', source)}`],
        },
        {
          args: ['get', '/etc/hostname', repo.base],
          lines: [
            `@${id} get /etc/hostname -> ${repo.base} [scp]`,
            `otto: ${transfer('get', '/etc/hostname')}`,
          ],
        },
        { args: ['login'], lines: [`otto: ${reason}`] },
      ];
      for (const { args, lines } of cases) {
        const result = await otto(['host', id, ...args]);
        const { dir, log } = await logOf(result);
        expect({ args, ...result, durationMs: 0 }).toEqual({
          args,
          exitCode: 1,
          stdout: '',
          stderr: [...lines, `output: ${dir}`, ''].join('\n'),
          durationMs: 0,
        });
        expect(log).toContain(` ERROR ${lines.at(-1)}\n`);
        expect(log).toMatch(/ DEBUG exit code 1\n$/);
        expectNoSecret(result.stdout, result.stderr, log);
      }
    });
  }
});

describe('secrets on the console', () => {
  it('masks a password in streamed output, split across chunks inside a 1 MiB line', async () => {
    const half = 512 * 1024;
    const command = [
      `head -c ${half} /dev/zero | tr '\\0' a`,
      `printf '%s' '${SECRET.slice(0, 6)}'`,
      'sleep 0.3',
      `printf '%s' '${SECRET.slice(6)}'`,
      `head -c ${half} /dev/zero | tr '\\0' b`,
      'echo',
    ].join('; ');
    const result = await otto(['host', 'ok', 'run', command]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout === `${'a'.repeat(half)}********${'b'.repeat(half)}\n`).toBe(true);
    const { log } = await logOf(result);
    expectNoSecret(result.stdout, result.stderr, log);
  });

  it('masks the password typed and echoed in a login, on the console and in its transcript', async () => {
    const { exitCode, stdout, stderr } = await runCli(['-l', 'main', 'host', 'ok', 'login'], {
      env: repo.env,
      input: `echo "pw=${SECRET}"; exit\n`,
    });
    expect(exitCode).toBe(0);
    expect(stdout).toContain('pw=********');
    const { log } = await logOf({ stderr });
    expect(log).toContain('pw=********');
    expectNoSecret(stdout, stderr, log);
  });

  it('leaves short passwords and one equal to its user name alone', async () => {
    const result = await otto(['host', 'weak', 'run', 'echo /tmp/otto-e2e admin']);
    expect(result).toMatchObject({ exitCode: 0, stdout: '/tmp/otto-e2e admin\n' });
    const { log } = await logOf(result);
    expect(log).toContain('@weak > | /tmp/otto-e2e admin\n');
  });
});

/** Spawns otto, sends SIGINT once `ready` matches what it printed, and collects the rest. */
async function interruptWhen(
  args: string[],
  ready: (out: { stdout: string; stderr: string }) => boolean,
) {
  const child = spawn(process.execPath, [OTTO_BIN, '-l', 'main', ...args], {
    env: { ...process.env, ...repo.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  let sent = false;
  const check = () => {
    if (!sent && ready(out)) {
      sent = true;
      child.kill('SIGINT');
    }
  };
  child.stdout.on('data', (chunk: Buffer) => ((out.stdout += chunk.toString()), check()));
  child.stderr.on('data', (chunk: Buffer) => ((out.stderr += chunk.toString()), check()));
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  // The process is gone: signalling it fails.
  expect(() => process.kill(child.pid!, 0)).toThrow(/ESRCH/);
  return { exitCode, ...out, durationMs: 0 };
}

/**
 * True once the process whose pid the file holds is gone from the host (within 10 s: a closed
 * connection ends it a moment after otto exits); removes the file.
 */
async function isGoneOnHost(pidFile: string): Promise<boolean> {
  const check = `p=$(cat ${pidFile}); [ -d /proc/$p ] && echo alive || echo gone`;
  try {
    return await waitUntil(
      async () =>
        (await otto(['host', 'ok', 'run', check])).stdout === 'gone\n' ? true : undefined,
      { timeoutMs: 10_000, intervalMs: 100, what: `the process of ${pidFile} to end` },
    );
  } catch {
    return false;
  } finally {
    await otto(['host', 'ok', 'run', `rm -f ${pidFile}`]);
  }
}

describe('Ctrl-C', () => {
  it('stops otto host run with 130, keeping the output printed so far, also in otto.log', async () => {
    const pidFile = `/tmp/otto-e2e-ctrl-c-host-${process.pid}`;
    const command = `sh -c 'echo $$ > ${pidFile}; echo first; exec sleep 30'`;
    const result = await interruptWhen(['host', 'ok', 'run', command], ({ stdout }) =>
      stdout.includes('first\n'),
    );
    const { dir, log } = await logOf(result);
    expect(result).toEqual({
      exitCode: 130,
      stdout: 'first\n',
      stderr: [
        `@ok | ${command}`,
        '',
        'otto: interrupted; stopping (Ctrl-C again to quit at once)',
        `otto: Aborted running \`${command}\` on ${place('ok')}: interrupted (Ctrl-C).`,
        `output: ${dir}`,
        '',
      ].join('\n'),
      durationMs: 0,
    });
    expect(log).toContain(' DEBUG @ok > | first\n');
    expect(log).toMatch(/ DEBUG exit code 130\n$/);
    expect(await isGoneOnHost(pidFile)).toBe(true);
  });

  it('stops otto run with 130 and the instruction with it', async () => {
    const pidFile = `/tmp/otto-e2e-ctrl-c-run-${process.pid}`;
    const result = await interruptWhen(['run', 'wait', '--pid-file', pidFile], ({ stderr }) =>
      stderr.includes('\nfirst\n'),
    );
    const { dir, log } = await logOf(result);
    expect(result.exitCode).toBe(130);
    expect(result.stderr.replace(/after \d+\.\d s/, 'after N s')).toBe(
      [
        `@ok | sh -c 'echo $$ > ${pidFile}; echo started; exec sleep 30'`,
        'first',
        '',
        'otto: interrupted; stopping (Ctrl-C again to quit at once)',
        'warning: wait: interrupted (Ctrl-C) after N s',
        `output: ${dir}`,
        '',
      ].join('\n'),
    );
    expect(log).toContain(' WARN  interrupted (Ctrl-C): stopping\n');
    expect(log).toMatch(/ DEBUG exit code 130\n$/);
    expect(await isGoneOnHost(pidFile)).toBe(true);
  });

  it('streams endless output to a slow reader, the password masked, in flat memory, until Ctrl-C', async () => {
    const pidFile = `/tmp/otto-e2e-ctrl-c-yes-${process.pid}`;
    const child = spawn(
      process.execPath,
      [
        OTTO_BIN,
        '-l',
        'main',
        'host',
        'ok',
        'run',
        `sh -c 'echo $$ > ${pidFile}; exec yes "pw ${SECRET}"'`,
      ],
      { env: { ...process.env, ...repo.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let streamedBytes = 0;
    let tail = '';
    let leaked = false;
    let masked = false;
    let highestRssKib = 0;
    let pausedAt = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      streamedBytes += chunk.length;
      // The last bytes of the previous chunk too: a secret split across chunks would show here.
      const text = tail + chunk.toString();
      if (text.includes(SECRET)) leaked = true;
      if (text.includes('pw ********\n')) masked = true;
      tail = text.slice(-SECRET.length);
      if (streamedBytes > 64 * 1024 * 1024 && child.exitCode === null && !child.killed)
        child.kill('SIGINT');
      // A slow reader: a pause after each MiB. otto must wait for it, not queue what it cannot take.
      if (streamedBytes - pausedAt > 1024 * 1024) {
        pausedAt = streamedBytes;
        child.stdout.pause();
        setTimeout(() => child.stdout.resume(), 20);
      }
    });
    const sampler = setInterval(() => {
      readFile(`/proc/${child.pid}/status`, 'utf8')
        .then((status) => {
          const rss = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
          highestRssKib = Math.max(highestRssKib, rss);
        })
        .catch(() => undefined);
    }, 100);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(sampler);
    expect({ exitCode, leaked, masked }).toEqual({ exitCode: 130, leaked: false, masked: true });
    // 64 MiB went through a slow reader; otto holds far less (node with ssh2 is ~110 MiB).
    expect(highestRssKib).toBeGreaterThan(0);
    expect(highestRssKib).toBeLessThan(256 * 1024);
    expectNoSecret(stderr);
    expect(await isGoneOnHost(pidFile)).toBe(true);
  });
});

describe('a reader of stdout that goes away', () => {
  it('ends otto with 141, as a shell pipe does, leaving nothing running', async () => {
    const pidFile = `/tmp/otto-e2e-head-${process.pid}`;
    const child = spawn(
      process.execPath,
      [OTTO_BIN, '-l', 'main', 'host', 'ok', 'run', `sh -c 'echo $$ > ${pidFile}; exec yes'`],
      { env: { ...process.env, ...repo.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // As `otto ... | head -1`: the first output, then the pipe is closed.
    child.stdout.once('data', () => child.stdout.destroy());
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(exitCode).toBe(141);
    expect(await isGoneOnHost(pidFile)).toBe(true);
  });
});

describe('--list-hosts on a lab of 130 000 hosts', () => {
  it('lists them all', async () => {
    const big = await makeTempRepo({
      hosts: Array.from({ length: 130_000 }, (_, index) => ({
        id: `h${index}`,
        ip: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`,
        ne: 'n',
        creds: { otto: `pw-${index}-secret` },
        labs: ['main'],
      })),
    });
    const result = await runCli(['-l', 'main', '--list-hosts'], { env: big.env });
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    const lines = result.stdout.split('\n');
    expect(lines.length).toBe(130_002); // header, hosts, and the empty string after the last newline
    expect(lines[0]).toBe('ID       ADDRESS       TERM  TRANSFER  HOP  RESOURCES');
    expect(lines.at(-2)).toBe('h129999  10.1.251.207  ssh   scp       -    -');
  });
});
