import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshTestbed, type SshTestbed } from '../../../test/helpers/ssh-testbed.js';
import { waitUntil } from '../../common/deadline.js';
import { quotePosix } from '../../common/quote.js';
import { AbortedError, ClosedError } from '../../errors.js';
import { childSignalScript, markedKillScript, treeKillScript } from '../interrupt-script.js';
import type { ShellChannel } from '../transport.js';
import { SshTransport } from './ssh-transport.js';
import type { SshTarget } from './ssh-target.js';

/**
 * Nothing otto starts over SSH outlives a deadline, an abort or a close, and a closed transport
 * stays closed. Every check of what still runs goes through a fresh connection (`observer`).
 */

let testbed: SshTestbed;
let observer: SshTransport;
const transports: SshTransport[] = [];

beforeAll(async () => {
  testbed = await startSshTestbed(['direct']);
  observer = connect({ name: 'observer', username: 'root', password: 'root' });
});

afterAll(async () => {
  await Promise.all(transports.map((transport) => transport.close()));
  await testbed?.stop();
});

function connect(options: Partial<SshTarget> = {}, closeTimeoutMs = 300): SshTransport {
  const { host, port } = testbed.server('direct');
  const transport = new SshTransport(
    {
      host,
      port,
      username: 'otto',
      password: 'otto',
      knownHostsPath: testbed.newKnownHostsPath(),
      name: 'direct',
      ...options,
    },
    { closeTimeoutMs },
  );
  transports.push(transport);
  return transport;
}

function placeOf(): string {
  return `host "direct" (otto@127.0.0.1:${testbed.server('direct').port}) [ssh]`;
}

/** Runs a command through the observer and returns its stdout. */
async function observe(command: string): Promise<string> {
  const outcome = await observer.exec(command, { timeoutMs: 10_000 });
  expect(outcome.error).toBeUndefined();
  return outcome.stdout.toString();
}

/** `pid stat args` of every process of a session, one a line; empty when none is left. */
function sessionProcesses(sid: number): Promise<string> {
  return observe(`ps -eo sid=,pid=,stat=,args= | awk '$1 == ${sid} { $1 = ""; print }'`);
}

/** How many processes run exactly `args` (`sleep 1001`). */
async function countRunning(args: string): Promise<number> {
  return Number(await observe(`ps -eo args= | grep -c -x ${quotePosix(args)} || true`));
}

async function waitForCount(args: string, count: number): Promise<void> {
  await waitUntil(async () => ((await countRunning(args)) === count ? true : undefined), {
    timeoutMs: 10_000,
    intervalMs: 50,
    what: `${count} processes \`${args}\` on the test bed`,
  });
}

function readUntil(shell: ShellChannel, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve) => {
    let text = '';
    shell.onData((chunk) => {
      text += chunk.toString('utf8');
      const match = pattern.exec(text);
      if (match) resolve(match);
    });
  });
}

/** Opens a shell and learns its pid the way the session's handshake does. */
async function openShellWithPid(
  ssh: SshTransport,
  pty: boolean,
): Promise<{ shell: ShellChannel; pid: number }> {
  const shell = await ssh.openShell({ pty });
  const answer = readUntil(shell, /pid:(\d+)/);
  shell.write('echo pid:$$\n');
  const pid = Number((await answer)[1]);
  return { shell, pid };
}

describe('SshTransport shells leave nothing running', () => {
  it.each([false, true])(
    'ends a loop in the shell itself and its orphaned jobs on close (pty: %s)',
    async (pty) => {
      const ssh = connect();
      const { shell, pid } = await openShellWithPid(ssh, pty);
      // Without a PTY the shell tells its pid itself; with one, the session sets it.
      if (!pty) expect(shell.shellPid).toBe(pid);
      shell.shellPid = pid;
      const orphan = pty ? 'sleep 1011' : 'sleep 1012';
      shell.write(`(${orphan} &); trap '' INT; while :; do :; done\n`);
      await waitForCount(orphan, 1);
      await waitUntil(
        async () => ((await observe(`ps -o stat= -p ${pid}`)).startsWith('R') ? true : undefined),
        { timeoutMs: 10_000, intervalMs: 50, what: 'the loop to run' },
      );
      // What a session does at a deadline: Ctrl-C or SIGINT, then SIGKILL to what the shell started.
      await shell.interrupt(pid, 'INT');
      await shell.interrupt(pid, 'KILL');
      expect(await observe(`ps -o stat= -p ${pid}`)).toMatch(/^R/);
      const startMs = performance.now();
      await shell.close();
      expect(performance.now() - startMs).toBeLessThan(5000);
      expect(await sessionProcesses(pid)).toBe('');
      expect(await countRunning(orphan)).toBe(0);
      await ssh.close();
      expect(await sessionProcesses(pid)).toBe('');
    },
  );

  it.each([false, true])(
    'ends the background jobs of a shell that exited by itself (pty: %s)',
    async (pty) => {
      const ssh = connect();
      const { shell, pid } = await openShellWithPid(ssh, pty);
      shell.shellPid = pid;
      const job = pty ? 'sleep 1013' : 'sleep 1014';
      const closed = new Promise<Error | undefined>((resolve) => shell.onClose(resolve));
      shell.write(`(${job} >/dev/null 2>&1 &); exit\n`);
      expect(await closed).toBeUndefined();
      await waitForCount(job, 0);
      expect(await sessionProcesses(pid)).toBe('');
    },
  );

  it('closes a shell twice: the second call waits for the first', async () => {
    const ssh = connect();
    const { shell, pid } = await openShellWithPid(ssh, false);
    shell.write(`trap '' INT; while :; do :; done\n`);
    const first = shell.close();
    const second = shell.close();
    expect(second).toBe(first);
    await first;
    expect(await sessionProcesses(pid)).toBe('');
  });
});

describe('SshTransport direct commands leave nothing running', () => {
  it.each([
    ['a plain command', 'sleep 1021', 'sleep 1021'],
    ['a job that left the process group', 'setsid sleep 1022 & sleep 1023', 'sleep 1022'],
    ['an orphan', '(sleep 1024 &); sleep 1025', 'sleep 1024'],
    ['a loop in the login shell itself', "trap '' INT HUP TERM; while :; do sleep 0.01; done", ''],
  ])('kills %s at its deadline', async (_name, command, survivor) => {
    const ssh = connect();
    // Long enough for the command to be seen running on a loaded machine before it is stopped.
    const running = ssh.exec(command, { timeoutMs: 2000 });
    if (survivor) await waitForCount(survivor, 1);
    const outcome = await running;
    expect(outcome.exitCode).toBe(-1);
    expect(outcome.error?.message).toBe(
      `Timed out after 2000ms running \`${command}\` on ${placeOf()}.`,
    );
    if (survivor) expect(await countRunning(survivor)).toBe(0);
    expect(await observe(`ps -eo args= | grep -c '[w]hile :; do sleep' || true`)).toBe('0\n');
  });

  it('kills commands whose deadline ended while their channel was opening', async () => {
    const ssh = connect();
    await ssh.open();
    const outcomes = await Promise.all(
      Array.from({ length: 24 }, (_, index) =>
        ssh.exec('sleep 1026', { timeoutMs: 1 + (index % 12) }),
      ),
    );
    expect(outcomes.every((outcome) => outcome.error?.code === 'COMMAND_TIMEOUT')).toBe(true);
    expect(await countRunning('sleep 1026')).toBe(0);
  });

  it('kills a command stopped by its abort signal', async () => {
    const ssh = connect();
    const controller = new AbortController();
    const running = ssh.exec('setsid sleep 1027 & sleep 1028', {
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    await waitForCount('sleep 1027', 1);
    controller.abort();
    const outcome = await running;
    expect(outcome.error).toBeInstanceOf(AbortedError);
    expect(outcome.error?.message).toBe(
      `Aborted running \`setsid sleep 1027 & sleep 1028\` on ${placeOf()}.`,
    );
    expect(await countRunning('sleep 1027')).toBe(0);
    expect(await countRunning('sleep 1028')).toBe(0);
  });
});

describe('SshTransport close', () => {
  it('stops running commands, ends every shell, and leaves nothing running', async () => {
    const ssh = connect();
    const running = Array.from({ length: 5 }, () => ssh.exec('sleep 1031', { timeoutMs: 60_000 }));
    const { shell, pid } = await openShellWithPid(ssh, false);
    shell.write('sleep 1032 & sleep 1033\n');
    await waitForCount('sleep 1031', 5);
    await waitForCount('sleep 1033', 1);
    const startMs = performance.now();
    await ssh.close();
    expect(performance.now() - startMs).toBeLessThan(5000);
    for (const outcome of await Promise.all(running)) {
      expect(outcome.exitCode).toBe(-1);
      expect(outcome.error).toBeInstanceOf(AbortedError);
      expect(outcome.error?.message).toBe(
        `Aborted running \`sleep 1031\` on ${placeOf()}: the SSH connection was closed.`,
      );
    }
    expect(await countRunning('sleep 1031')).toBe(0);
    expect(await sessionProcesses(pid)).toBe('');
  });

  it('is final: every later call is refused with a ClosedError and nothing reconnects', async () => {
    const ssh = connect();
    await ssh.open();
    const first = ssh.close();
    expect(ssh.close()).toBe(first);
    await first;
    const refusals: Array<[string, () => Promise<unknown>]> = [
      ['connect', () => ssh.open()],
      ['open a shell', () => ssh.openShell({ pty: false })],
      ['run a command', () => ssh.exec('true', { timeoutMs: 5000 })],
      ['open a tunnel to 127.0.0.1:22', () => ssh.forwardOut('127.0.0.1', 22)],
      ['open a stream to /var/run/docker.sock', () => ssh.openUnixSocket('/var/run/docker.sock')],
      ['start SFTP', () => ssh.openSftp()],
      ['open an exec stream', () => ssh.openExecStream('cat')],
    ];
    for (const [call, attempt] of refusals) {
      const error = await attempt().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(error).toBeInstanceOf(ClosedError);
      expect((error as ClosedError).message).toBe(`Cannot ${call} on ${placeOf()}: it was closed.`);
      expect(error).toMatchObject({ code: 'CLOSED', details: { host: 'direct' } });
    }
    expect(ssh.channelStats.busy).toBe(0);
    await ssh[Symbol.asyncDispose]();
  });

  it('refuses a shell that was still opening when close was called', async () => {
    const ssh = connect();
    const opening = ssh.openShell({ pty: false });
    await ssh.close();
    await expect(opening).rejects.toThrow(`Cannot open a shell on ${placeOf()}: it was closed.`);
    expect(ssh.channelStats.busy).toBe(0);
  });
});

describe('side commands', () => {
  /** A folder on the test bed whose only program is busybox's `cat`. */
  const onlyCat = '/tmp/otto-only-cat';

  /** Runs a script with busybox sh, nothing on PATH but cat, and no environment. */
  async function runBare(script: string): Promise<void> {
    const outcome = await observer.exec(
      `mkdir -p ${onlyCat} && ln -sf /bin/busybox ${onlyCat}/cat && ` +
        `env -i PATH=${onlyCat} /bin/busybox sh -c ${quotePosix(script)}`,
      { timeoutMs: 10_000 },
    );
    expect(outcome.output.toString()).toBe('');
    expect(outcome.exitCode).toBe(0);
  }

  /** Starts a detached session on the test bed and returns its leader's pid. */
  async function startSession(body: string): Promise<number> {
    const pidFile = `/tmp/otto-leader-${Date.now()}`;
    await observe(
      `setsid sh -c ${quotePosix(`echo $$ > ${pidFile}; ${body}`)} >/dev/null 2>&1 < /dev/null & ` +
        `while [ ! -s ${pidFile} ]; do sleep 0.01; done`,
    );
    return Number(await observe(`cat ${pidFile}; rm -f ${pidFile}`));
  }

  it('need nothing but sh builtins and cat (busybox sh, no pkill, no ps)', async () => {
    const leader = await startSession(
      "(sleep 1041 &); sleep 1042 & trap '' INT; while :; do :; done",
    );
    await waitForCount('sleep 1041', 1);
    await runBare(childSignalScript(leader, 'KILL'));
    await waitForCount('sleep 1042', 0);
    expect(await countRunning('sleep 1041')).toBe(1);
    await runBare(treeKillScript(leader, { session: 'assumed' }));
    expect(await sessionProcesses(leader)).toBe('');
    await observe(
      `export OTTO_EXEC_ID=0123abcd.; (setsid sleep 1043 >/dev/null 2>&1 &); ` +
        `export OTTO_EXEC_ID=0123abcde.; (sleep 1044 >/dev/null 2>&1 &)`,
    );
    await waitForCount('sleep 1043', 1);
    await runBare(markedKillScript(['0123abcd']));
    expect(await countRunning('sleep 1043')).toBe(0);
    // A mark that merely starts with another one is not that one.
    expect(await countRunning('sleep 1044')).toBe(1);
    await runBare(markedKillScript(['0123abcde']));
    expect(await countRunning('sleep 1044')).toBe(0);
  });

  it("cannot be broken by the user's login shell setup", async () => {
    const bashrc = '/home/otto/.bashrc';
    await observe(`cp ${bashrc} ${bashrc}.orig`);
    try {
      // Debian's bash reads ~/.bashrc for commands sent over SSH, before its interactive check.
      await observe(
        `{ echo 'kill() { echo no kill; }; read() { return 1; }; cat() { :; }; exec() { echo no exec; }; echo from-bashrc'; cat ${bashrc}.orig; } > ${bashrc}`,
      );
      const ssh = connect();
      expect((await ssh.exec('true', { timeoutMs: 10_000 })).stdout.toString()).toBe(
        'from-bashrc\n',
      );
      const outcome = await ssh.exec('setsid sleep 1045 & sleep 1046', { timeoutMs: 300 });
      expect(outcome.error?.code).toBe('COMMAND_TIMEOUT');
      expect(await countRunning('sleep 1045')).toBe(0);
      const { shell, pid } = await openShellWithPid(ssh, false);
      expect(shell.shellPid).toBe(pid);
      shell.write("trap '' INT; while :; do :; done\n");
      await ssh.close();
      expect(await sessionProcesses(pid)).toBe('');
    } finally {
      await observe(`mv ${bashrc}.orig ${bashrc}`);
    }
  });
});
