import { readFile, writeFile } from 'node:fs/promises';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshTestbed, type SshTestbed } from '../../../test/helpers/ssh-testbed.js';
import { AbortedError } from '../../errors.js';
import type { ShellChannel } from '../transport.js';
import { fingerprintSha256, hashKnownHostsName } from './known-hosts.js';
import { SshTransport } from './ssh-transport.js';
import type { SshTarget } from './ssh-target.js';

const { utils } = ssh2;

let testbed: SshTestbed;
const transports: SshTransport[] = [];

beforeAll(async () => {
  testbed = await startSshTestbed(['direct', 'keyonly']);
});

afterAll(async () => {
  await Promise.all(transports.map((transport) => transport.close()));
  await testbed?.stop();
});

/** `host "direct" (otto@127.0.0.1:<port>) [ssh]`, as messages name a test bed server. */
function placeOf(server: 'direct' | 'keyonly' = 'direct', username = 'otto'): string {
  return `host "${server}" (${username}@127.0.0.1:${testbed.server(server).port}) [ssh]`;
}

/** A transport to the `direct` server (or another), named after it, closed after the file. */
function connectTo(
  options: Partial<SshTarget> = {},
  server: 'direct' | 'keyonly' = 'direct',
): SshTransport {
  const { host, port } = testbed.server(server);
  const transport = new SshTransport({
    host,
    port,
    username: 'otto',
    password: 'otto',
    knownHostsPath: testbed.newKnownHostsPath(),
    name: server,
    ...options,
  });
  transports.push(transport);
  return transport;
}

function readUntil(shell: ShellChannel, pattern: RegExp): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    shell.onData((chunk) => {
      text += chunk.toString('utf8');
      if (pattern.test(text)) resolve(text);
    });
  });
}

describe('SshTransport login', () => {
  it('logs in with a password', async () => {
    const ssh = connectTo();
    const outcome = await ssh.exec('id -un', { timeoutMs: 10_000 });
    expect(outcome.stdout.toString()).toBe('otto\n');
    expect(ssh.address).toBe(`otto@127.0.0.1:${testbed.server('direct').port}`);
  });

  it.each([
    ['key content', () => ({ privateKey: testbed.keys.privateKey })],
    ['key file', () => ({ privateKeyPath: testbed.keys.privateKeyPath })],
    [
      'encrypted key content',
      () => ({ privateKey: testbed.keys.encryptedKey, passphrase: testbed.keys.passphrase }),
    ],
    [
      'encrypted key file',
      () => ({
        privateKeyPath: testbed.keys.encryptedKeyPath,
        passphrase: testbed.keys.passphrase,
      }),
    ],
  ])('logs in with a %s on a key-only host', async (_name, credentials) => {
    const ssh = connectTo({ password: undefined, ...credentials() }, 'keyonly');
    expect((await ssh.exec(['id', '-un'], { timeoutMs: 10_000 })).stdout.toString()).toBe('otto\n');
  });

  it('says why a key-only host refuses a password', async () => {
    const ssh = connectTo({}, 'keyonly');
    await expect(ssh.open()).rejects.toThrow(
      `Authentication failed for ${placeOf('keyonly')}: the server refused password (it accepts only publickey).`,
    );
    await expect(ssh.open()).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });

  it('says which methods a wrong key and password tried', async () => {
    const ssh = connectTo({
      password: 'wrong',
      privateKey: testbed.keys.encryptedKey,
      passphrase: testbed.keys.passphrase,
      username: 'nobody',
    });
    await expect(ssh.open()).rejects.toThrow(
      `Authentication failed for ${placeOf('direct', 'nobody')}: the server refused publickey, password.`,
    );
  });

  it('refuses an encrypted key given without the right passphrase', async () => {
    const ssh = connectTo({ privateKeyPath: testbed.keys.encryptedKeyPath, passphrase: 'wrong' });
    await expect(ssh.open()).rejects.toThrow(
      `Cannot use the private key (${testbed.keys.encryptedKeyPath}) for ${placeOf()}: OpenSSH key integrity check failed -- bad passphrase?`,
    );
  });

  it('names the address and the reason when nothing listens', async () => {
    const ssh = new SshTransport({
      host: '127.0.0.1',
      port: 1,
      username: 'otto',
      password: 'otto',
      knownHostsPath: testbed.newKnownHostsPath(),
    });
    await expect(ssh.exec('true', { timeoutMs: 5000 })).rejects.toThrow(
      'Could not connect to host "otto@127.0.0.1:1" [ssh]: connection refused (ECONNREFUSED).',
    );
    await ssh.close();
  });

  it('opens exactly one connection for many callers at once', async () => {
    // The only test that logs in as root, so root's sessions are all this transport's.
    const ssh = connectTo({ username: 'root', password: 'root' });
    await Promise.all(Array.from({ length: 10 }, () => ssh.open()));
    const sessions = await ssh.exec('ps -e -o args= | grep -c "^sshd: root@notty"', {
      timeoutMs: 10_000,
    });
    expect(sessions.stdout.toString()).toBe('1\n');
  });
});

describe('SshTransport exec', () => {
  it('keeps stdout and stderr apart, in order in output, with the exit code', async () => {
    const ssh = connectTo();
    const outcome = await ssh.exec(
      'echo out; sleep 0.2; echo err >&2; sleep 0.2; echo out2; exit 3',
      { timeoutMs: 10_000 },
    );
    expect(outcome).toMatchObject({ exitCode: 3 });
    expect(outcome.stdout.toString()).toBe('out\nout2\n');
    expect(outcome.stderr.toString()).toBe('err\n');
    expect(outcome.output.toString()).toBe('out\nerr\nout2\n');
    expect(outcome.error).toBeUndefined();
  });

  it('quotes argv, passes env, closes stdin and reports a signal', async () => {
    const ssh = connectTo();
    const argv = await ssh.exec(['printf', '%s|', 'a b', "it's", '$HOME'], { timeoutMs: 10_000 });
    expect(argv.stdout.toString()).toBe("a b|it's|$HOME|");
    const env = await ssh.exec('echo "$GREETING"; cat; echo done', {
      timeoutMs: 10_000,
      env: { GREETING: 'hello world' },
    });
    expect(env.stdout.toString()).toBe('hello world\ndone\n');
    const killed = await ssh.exec('kill -9 $$', { timeoutMs: 10_000 });
    expect(killed).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });
  });

  it('runs 100 commands at once on one connection without mixing their output', async () => {
    const ssh = connectTo();
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        ssh.exec(`echo start-${index}; sleep 0.0$((${index} % 5)); echo end-${index}`, {
          timeoutMs: 60_000,
        }),
      ),
    );
    outcomes.forEach((outcome, index) => {
      expect(outcome.error).toBeUndefined();
      expect(outcome.exitCode).toBe(0);
      expect(outcome.stdout.toString()).toBe(`start-${index}\nend-${index}\n`);
    });
  });

  it('keeps the exit status of commands that end before their channel is handed over', async () => {
    const ssh = connectTo();
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        ssh.exec(`exit ${index % 3}`, { timeoutMs: 60_000 }),
      ),
    );
    expect(outcomes.map((outcome) => outcome.exitCode)).toEqual(
      Array.from({ length: 100 }, (_, index) => index % 3),
    );
  });

  it('returns the partial output and exit code -1 on timeout', async () => {
    const ssh = connectTo();
    const startMs = performance.now();
    const outcome = await ssh.exec('echo before; sleep 10; echo after', { timeoutMs: 1500 });
    expect(performance.now() - startMs).toBeLessThan(5000);
    expect(outcome.exitCode).toBe(-1);
    expect(outcome.stdout.toString()).toBe('before\n');
    expect(outcome.error?.message).toBe(
      `Timed out after 1500ms running \`echo before; sleep 10; echo after\` on ${placeOf()}.\n  | before`,
    );
    expect(outcome.error).toMatchObject({
      code: 'COMMAND_TIMEOUT',
      details: { host: 'direct', transport: ssh.address },
    });
    const sleepers = await ssh.exec('pgrep -u otto -c -x sleep || true', { timeoutMs: 5000 });
    expect(sleepers.stdout.toString()).toBe('0\n');
  });

  it('stops on abort', async () => {
    const ssh = connectTo();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const outcome = await ssh.exec('sleep 10', { timeoutMs: 10_000, signal: controller.signal });
    expect(outcome.exitCode).toBe(-1);
    expect(outcome.error).toBeInstanceOf(AbortedError);
    expect(outcome.error?.message).toBe(`Aborted running \`sleep 10\` on ${placeOf()}.`);
  });

  it('starts nothing on an already aborted signal, not even a connection', async () => {
    const controller = new AbortController();
    controller.abort(new Error('Ctrl-C'));
    const file = `/tmp/ran-${process.pid}-${Date.now()}`;
    const ssh = connectTo();
    const outcome = await ssh.exec(`touch ${file}`, {
      timeoutMs: 10_000,
      signal: controller.signal,
    });
    expect(outcome).toMatchObject({ exitCode: -1, droppedBytes: 0 });
    expect(outcome.error).toBeInstanceOf(AbortedError);
    expect(outcome.error?.message).toBe(
      `Aborted running \`touch ${file}\` on ${placeOf()}: Ctrl-C.`,
    );
    expect(outcome.error?.cause).toBe(controller.signal.reason);
    const check = await ssh.exec(`test -e ${file}; echo $?`, { timeoutMs: 10_000 });
    expect(check.stdout.toString()).toBe('1\n');
    // Nothing listens on port 1: trying to connect would have failed instead.
    const nowhere = connectTo({ port: 1 });
    const unreached = await nowhere.exec('true', { timeoutMs: 10_000, signal: controller.signal });
    expect(unreached.error?.message).toBe(
      `Aborted running \`true\` on host "direct" (otto@127.0.0.1:1) [ssh]: Ctrl-C.`,
    );
  });

  it('keeps the head and the tail of an endless output, and counts what it dropped', async () => {
    const ssh = connectTo();
    const chunks: number[] = [];
    const outcome = await ssh.exec('head -c 3000000 /dev/zero | tr "\\0" x; echo; echo end', {
      timeoutMs: 30_000,
      maxOutputBytes: 1000,
      onOutput: (chunk) => chunks.push(chunk.length),
    });
    expect(outcome.exitCode).toBe(0);
    expect(chunks.reduce((sum, length) => sum + length, 0)).toBe(3_000_005);
    expect(outcome.droppedBytes).toBe(3_000_005 - 1000);
    const text = outcome.stdout.toString();
    expect(text.startsWith('x'.repeat(500) + '\n[otto-ts: 2.9 MiB of output dropped here')).toBe(
      true,
    );
    expect(text.endsWith('x'.repeat(495) + '\nend\n')).toBe(true);
  });

  it('reconnects on the next call after the connection dropped', async () => {
    const ssh = connectTo();
    const shell = await ssh.openShell({ pty: false });
    const shellClosed = new Promise<Error | undefined>((resolve) => shell.onClose(resolve));
    const lost = await ssh.exec('kill -9 $PPID; sleep 5', { timeoutMs: 10_000 });
    expect(await shellClosed).toMatchObject({
      code: expect.stringMatching(/^(CONNECTION_LOST|CHANNEL_LOST)$/) as unknown,
    });
    expect(lost.exitCode).toBe(-1);
    expect(lost.error).toMatchObject({ code: 'CONNECTION_LOST' });
    expect(lost.error?.message).toBe(
      `Lost the connection to ${placeOf()} while running \`kill -9 $PPID; sleep 5\`: the server closed it.`,
    );
    expect((await ssh.exec('echo back', { timeoutMs: 10_000 })).stdout.toString()).toBe('back\n');
  });
});

describe('SshTransport shells', () => {
  it('opens a shell with a PTY', async () => {
    const ssh = connectTo();
    const shell = await ssh.openShell({ pty: true });
    expect(shell.hasPty).toBe(true);
    const seen = readUntil(shell, /hi-\d+\r?\n/);
    shell.write('export PS1=; stty -echo; echo hi-$((40 + 2))\n');
    expect(await seen).toMatch(/hi-42\r\n/);
    const closed = new Promise<Error | undefined>((resolve) => shell.onClose(resolve));
    await shell.close();
    expect(await closed).toBeUndefined();
  });

  it('opens a shell without a PTY: exact bytes, stdout only', async () => {
    const ssh = connectTo();
    const shell = await ssh.openShell({ pty: false });
    expect(shell.hasPty).toBe(false);
    const seen = readUntil(shell, /hi\n$/);
    shell.write('echo oops >&2; echo hi\n');
    expect(await seen).toBe('hi\n');
    await shell.close();
  });

  it('interrupts the foreground command of a shell without a PTY', async () => {
    const ssh = connectTo();
    const shell = await ssh.openShell({ pty: false });
    const pid = readUntil(shell, /^\d+\n$/);
    shell.write('echo $$\n');
    const shellPid = Number((await pid).trim());
    const after = readUntil(shell, /interrupted:130\n$/);
    shell.write('sleep 30; echo interrupted:$?\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await shell.interrupt(shellPid);
    expect(await after).toMatch(/interrupted:130\n$/);
    await shell.close();
  });
});

describe('SshTransport host keys', () => {
  /** The direct server's ed25519 host key line, as accept-new records it. */
  async function recordedLine(): Promise<string> {
    const knownHostsPath = testbed.newKnownHostsPath();
    await connectTo({ knownHostsPath }).open();
    return (await readFile(knownHostsPath, 'utf8')).trim();
  }

  it('records an unknown host under accept-new, then verifies it', async () => {
    const knownHostsPath = testbed.newKnownHostsPath();
    const port = testbed.server('direct').port;
    await connectTo({ knownHostsPath }).open();
    const text = await readFile(knownHostsPath, 'utf8');
    expect(text).toMatch(
      new RegExp(`^\\[127\\.0\\.0\\.1\\]:${port} ssh-ed25519 AAAA[A-Za-z0-9+/=]+\\n$`),
    );
    await connectTo({ knownHostsPath, hostKeyPolicy: 'strict' }).open();
    expect(await readFile(knownHostsPath, 'utf8')).toBe(text);
  });

  it('refuses a changed host key, naming both fingerprints and the line to remove', async () => {
    const [name, keyType, realKey] = (await recordedLine()).split(' ') as [string, string, string];
    const otherKey = utils.generateKeyPairSync('ed25519').public.split(' ')[1]!;
    const knownHostsPath = testbed.newKnownHostsPath();
    await writeFile(
      knownHostsPath,
      `# comment\n@cert-authority * ${keyType} ${otherKey}\n${name} ${keyType} ${otherKey}\n`,
    );
    const port = testbed.server('direct').port;
    const error = await connectTo({ knownHostsPath })
      .open()
      .catch((error: unknown) => error);
    expect(error).toMatchObject({ code: 'HOST_KEY_MISMATCH' });
    expect((error as Error).message).toBe(
      `Refused the host key of ${placeOf()}: it offered ssh-ed25519 ${fingerprintSha256(Buffer.from(realKey, 'base64'))}, ` +
        `but ${knownHostsPath}:3 records ssh-ed25519 ${fingerprintSha256(Buffer.from(otherKey, 'base64'))}; the host was re-keyed or someone is in the middle.\n` +
        `Fix: if the new key is expected, remove line 3 of ${knownHostsPath} (ssh-keygen -R "[127.0.0.1]:${port}" -f ${knownHostsPath}) and connect again.`,
    );
  });

  it('refuses an unknown host under strict', async () => {
    const knownHostsPath = testbed.newKnownHostsPath();
    const port = testbed.server('direct').port;
    const [, , realKey] = (await recordedLine()).split(' ') as [string, string, string];
    const error = await connectTo({ knownHostsPath, hostKeyPolicy: 'strict' })
      .open()
      .catch((error: unknown) => error);
    expect(error).toMatchObject({ code: 'HOST_KEY_UNKNOWN' });
    expect((error as Error).message).toBe(
      `Refused the host key of ${placeOf()}: the host is not in ${knownHostsPath} (it offered ssh-ed25519 ${fingerprintSha256(Buffer.from(realKey, 'base64'))}) and the policy is 'strict'.\n` +
        `Fix: check the fingerprint, then add the key (ssh-keyscan -p ${port} 127.0.0.1 >> ${knownHostsPath}) or connect once with hostKeyPolicy 'accept-new'.`,
    );
  });

  it('matches hashed entries and asks first for the key type already known', async () => {
    const port = testbed.server('direct').port;
    const ecdsa = await connectTo().exec('cat /etc/ssh/ssh_host_ecdsa_key.pub', {
      timeoutMs: 10_000,
    });
    const [keyType, key] = ecdsa.stdout.toString().split(' ') as [string, string];
    const knownHostsPath = testbed.newKnownHostsPath();
    await writeFile(
      knownHostsPath,
      `${hashKnownHostsName(`[127.0.0.1]:${port}`)} ${keyType} ${key}\n`,
    );
    await connectTo({ knownHostsPath, hostKeyPolicy: 'strict' }).open();
    expect(keyType).toBe('ecdsa-sha2-nistp256');
  });

  it('accepts anything with the policy off and writes nothing', async () => {
    const knownHostsPath = testbed.newKnownHostsPath();
    await connectTo({ knownHostsPath, hostKeyPolicy: 'off' }).open();
    await expect(readFile(knownHostsPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
