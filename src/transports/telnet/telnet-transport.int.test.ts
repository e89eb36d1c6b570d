import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../common/deadline.js';
import { ShellSession } from '../../sessions/shell-session.js';
import {
  startTelnetTestbed,
  type TelnetBoxName,
  type TelnetTestbed,
} from '../../../test/helpers/telnet-testbed.js';
import type { ShellChannel } from '../transport.js';
import { TelnetTransport } from './telnet-transport.js';
import type { TelnetTarget } from './telnet-target.js';

let bed: TelnetTestbed;
const transports: TelnetTransport[] = [];

beforeAll(async () => {
  bed = await startTelnetTestbed(['direct', 'behind', 'inetutils']);
}, 180_000);

afterAll(async () => {
  await Promise.all(transports.map((transport) => transport.close()));
  await bed?.stop();
});

function telnetTo(name: TelnetBoxName, extra: Partial<TelnetTarget> = {}): TelnetTransport {
  const box = bed.box(name);
  const transport = new TelnetTransport(
    { host: box.host, user: 'otto', password: 'otto', name, tcp: bed.tcpTo(name), ...extra },
    { closeTimeoutMs: 2000 },
  );
  transports.push(transport);
  return transport;
}

function sessionOn(transport: TelnetTransport): ShellSession {
  return new ShellSession({
    name: 'default',
    place: transport.place,
    openChannel: () => transport.openShell({ pty: true }),
    defaultTimeoutMs: 30_000,
    openTimeoutMs: 30_000,
    recoverTimeoutMs: 3000,
    killTimeoutMs: 10_000,
  });
}

/** Whether a process whose command line holds `text` runs in the box (zombies aside). */
async function isRunning(name: TelnetBoxName, text: string): Promise<boolean> {
  const found = await bed
    .box(name)
    .sh(
      `ps -eo stat=,args= | grep -v grep | grep -v '^Z' | grep -c -- ${JSON.stringify(text)} || true`,
    );
  return Number(found.trim()) > 0;
}

describe.each(['direct', 'inetutils', 'behind'] as const)('TelnetTransport to %s', (name) => {
  it('logs in and serves a session: commands, exit codes, 8-bit output, Ctrl-C', async () => {
    const telnet = telnetTo(name);
    await using session = sessionOn(telnet);
    const hello = await session.run('echo "hello $(id -un)"; exit_code() { return 3; }; exit_code');
    expect(hello.output.toString()).toBe('hello otto\n');
    expect(hello.exitCode).toBe(3);
    const bytes = await session.run(
      `i=0; while [ $i -lt 256 ]; do printf "\\\\$(printf %o $i)"; i=$((i+1)); done`,
    );
    expect([...bytes.output]).toEqual([...Array(256).keys()]);
    const nvtLike = await session.run(`printf 'x\\r\\0y\\r\\n\\377\\377z'`);
    expect([...nvtLike.output]).toEqual([120, 13, 0, 121, 13, 10, 255, 255, 122]);
    const stopped = await session.run('sleep 30', { timeoutMs: 1500 });
    expect(stopped.error?.code).toBe('COMMAND_TIMEOUT');
    expect((await session.run('echo after')).output.toString()).toBe('after\n');
    const deaf = await session.run(`sh -c "trap '' INT; while :; do sleep 1; done"`, {
      timeoutMs: 1500,
    });
    expect(deaf.error?.code).toBe('COMMAND_TIMEOUT');
    expect((await session.run('echo alive')).output.toString()).toBe('alive\n');
  }, 120_000);

  it('announces the window size at once and on resize (NAWS)', async () => {
    const telnet = telnetTo(name, { cols: 132, rows: 40 });
    let channel: ShellChannel | undefined;
    await using session = new ShellSession({
      ...sessionOn(telnet).options,
      openChannel: async () => (channel = await telnet.openShell({ pty: true })),
    });
    expect((await session.run('stty size </dev/tty')).output.toString()).toBe('40 132\n');
    channel!.resize!(90, 25);
    await waitUntil(
      async () =>
        (await session.run('stty size </dev/tty')).output.toString() === '25 90\n'
          ? true
          : undefined,
      { timeoutMs: 10_000, intervalMs: 50, what: 'the new window size' },
    );
  }, 60_000);

  it('closes a shell with its background jobs', async () => {
    const telnet = telnetTo(name);
    // Unique sleep lengths tell this test's jobs apart.
    const marker = `sleep ${4_000_000 + Math.floor(Math.random() * 999_000)}`;
    const session = sessionOn(telnet);
    await session.run(`${marker}1 >/dev/null 2>&1 & nohup ${marker}2 >/dev/null 2>&1 &`);
    await waitUntil(async () => ((await isRunning(name, `${marker}2`)) ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 100,
      what: 'the background jobs to start',
    });
    expect(await isRunning(name, marker)).toBe(true);
    await session.close();
    expect(await isRunning(name, marker)).toBe(false);
  }, 120_000);
});

/** A box command that waits until something listens on `port`. */
const LISTENING = (port: number): string =>
  `for i in $(seq 100); do nc -z 127.0.0.1 ${port} && break; sleep 0.1; done`;

describe('TelnetTransport to servers without login', () => {
  it('opens a shell without user or password when the server gives one at once', async () => {
    const box = bed.box('direct');
    await box.sh(`busybox telnetd -p 2324 -l /bin/sh && ${LISTENING(2324)}`);
    const telnet = telnetTo('direct', { port: 2324, user: undefined, password: undefined });
    await using session = sessionOn(telnet);
    expect((await session.run('id -un')).output.toString()).toBe('root\n');
  }, 60_000);

  it('does not take a device that echoes its input for a shell', async () => {
    const box = bed.box('direct');
    await box.sh(`busybox telnetd -p 2325 -l /bin/cat && ${LISTENING(2325)}`);
    const telnet = telnetTo('direct', {
      port: 2325,
      user: undefined,
      password: undefined,
      loginTimeoutMs: 3000,
    });
    const error = await telnet.openShell({ pty: true }).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'TimeoutError', code: 'LOGIN_TIMEOUT' });
    expect((error as Error).message.split('\n')[0]).toBe(
      `Login timed out on host "direct" (${box.host}:2325) [telnet]: no shell answer to the login handshake within 3000ms.`,
    );
    expect((error as Error).message).toContain(`printf '%s%s:%s\\n' 'OTTO_L'`);
  }, 60_000);
});

describe('TelnetTransport.close', () => {
  it('ends every shell and the control connection, and is final', async () => {
    const box = bed.box('direct');
    const ottoPids = async (): Promise<string[]> =>
      (await box.sh('ps -u otto -o pid= || true')).split(/\s+/).filter(Boolean);
    const before = await ottoPids();
    const telnet = telnetTo('direct');
    await telnet.open();
    const shells = await Promise.all([
      telnet.openShell({ pty: true }),
      telnet.openShell({ pty: true }),
    ]);
    shells[0].write('sleep 1000 &\n');
    expect(await telnet.runScript('echo "$((6 * 7))"')).toBe('42\n');
    await telnet.close();
    await waitUntil(
      async () => ((await ottoPids()).every((pid) => before.includes(pid)) ? true : undefined),
      { timeoutMs: 10_000, intervalMs: 100, what: 'the processes of the closed transport to end' },
    );
    await expect(telnet.openShell({ pty: true })).rejects.toMatchObject({
      code: 'CLOSED',
      message: `Cannot open a shell on host "direct" (otto@${box.host}:23) [telnet]: the transport is closed.`,
    });
  }, 60_000);
});

describe('TelnetTransport failures', () => {
  it('refuses a wrong password with AUTH_FAILED naming the user, the password on no stream', async () => {
    for (const name of ['direct', 'inetutils'] as const) {
      const box = bed.box(name);
      const telnet = telnetTo(name, { password: 'not-the-password-1234' });
      const started = Date.now();
      const error = await telnet.openShell({ pty: true }).catch((e: Error) => e);
      expect(error).toMatchObject({ name: 'ConnectionError', code: 'AUTH_FAILED' });
      expect((error as Error).message).toBe(
        `Authentication failed for host "${name}" (otto@${box.host}:23) [telnet]: the server refused the password of user "otto".\nFix: check the user and password of the host (and its login and password prompt patterns).`,
      );
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(JSON.stringify(error)).not.toContain('not-the-password');
    }
  }, 120_000);

  it('reports a refused port as CONNECT_FAILED', async () => {
    const box = bed.box('direct');
    const telnet = telnetTo('direct', { port: 2323 });
    await expect(telnet.openShell({ pty: true })).rejects.toMatchObject({
      code: 'CONNECT_FAILED',
      message: `Cannot connect to host "direct" (otto@${box.host}:2323) [telnet]: connection refused (is the server running on that port?).`,
    });
  });

  it('closes the channel with a reason when the server goes away mid-session', async () => {
    const telnet = telnetTo('direct');
    const channel: ShellChannel = await telnet.openShell({ pty: true });
    const closed = new Promise<Error | undefined>((resolve) => channel.onClose(resolve));
    const box = bed.box('direct');
    // Killing the connection's login (the session leader) is the server hanging up.
    await box.sh(`pkill -KILL -s $(ps -o sid= -p ${channel.shellPid!} | tr -d ' ')`);
    const reason = await closed;
    expect(reason?.message).toBe(
      `The telnet connection of host "direct" (otto@${box.host}:23) [telnet] ended: the server hung up (the shell exited, or the server or the network went away).`,
    );
    await channel.close();
  }, 60_000);
});
