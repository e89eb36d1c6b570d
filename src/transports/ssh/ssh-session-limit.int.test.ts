import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshTestbed, type SshTestbed } from '../../../test/helpers/ssh-testbed.js';
import { waitUntil } from '../../common/deadline.js';
import type { ExecOutcome, ShellChannel } from '../transport.js';
import { SshTransport } from './ssh-transport.js';
import type { SshTarget } from './ssh-target.js';

/**
 * OpenSSH's default MaxSessions (10) against many commands at once: sshd refuses channels past
 * it ("no more sessions"), and counts a channel as in use for a moment after it closed. The test
 * bed allows 100; this file puts its server back to the default first.
 */

let testbed: SshTestbed;
const transports: SshTransport[] = [];

function connect(options: Partial<SshTarget> = {}): SshTransport {
  const { host, port } = testbed.server('direct');
  const transport = new SshTransport({
    host,
    port,
    username: 'otto',
    password: 'otto',
    knownHostsPath: testbed.newKnownHostsPath(),
    name: 'limited',
    ...options,
  });
  transports.push(transport);
  return transport;
}

function placeOf(): string {
  return `host "limited" (otto@127.0.0.1:${testbed.server('direct').port}) [ssh]`;
}

beforeAll(async () => {
  testbed = await startSshTestbed(['direct']);
  const root = connect({ username: 'root', password: 'root' });
  // The first value of a setting wins: 00-… is read before the test bed's own file.
  const reconfigured = await root.exec(
    "echo 'MaxSessions 10' > /etc/ssh/sshd_config.d/00-default-sessions.conf && " +
      "sshd -T | grep '^maxsessions' && kill -HUP 1",
    { timeoutMs: 10_000 },
  );
  expect(reconfigured.stdout.toString()).toBe('maxsessions 10\n');
  await root.close();
  // sshd re-executes itself on SIGHUP; new connections get the new limit once it listens again.
  await waitUntil(
    async () => {
      const probe = connect();
      const outcome = await probe.exec('true', { timeoutMs: 5000 }).catch(() => undefined);
      await probe.close();
      return outcome?.exitCode === 0 ? true : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 100, what: 'sshd to listen again after SIGHUP' },
  );
});

afterAll(async () => {
  await Promise.all(transports.map((transport) => transport.close()));
  await testbed?.stop();
});

/** Runs `total` commands with `concurrency` of them in flight at any time. */
async function runMany(
  ssh: SshTransport,
  command: string,
  total: number,
  concurrency: number,
): Promise<ExecOutcome[]> {
  const outcomes: ExecOutcome[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      next++;
      outcomes.push(await ssh.exec(command, { timeoutMs: 60_000 }));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}

describe('SshTransport under the server session limit', () => {
  it('runs 1000 commands, 200 at once, all of them successfully (default maxChannels)', async () => {
    const ssh = connect();
    await ssh.open();
    const startMs = performance.now();
    const outcomes = await runMany(ssh, 'true', 1000, 200);
    const elapsedMs = performance.now() - startMs;
    const failed = outcomes.filter((outcome) => outcome.exitCode !== 0 || outcome.error);
    console.info(
      `1000 × exec('true'), 200 at once, MaxSessions 10: ${Math.round(elapsedMs)}ms, ` +
        `${ssh.channelStats.refusals} refused opens retried, ${failed.length} failed, ` +
        `channel limit now ${ssh.channelStats.limit}/${ssh.channelStats.max}`,
    );
    expect(failed.map((outcome) => outcome.error?.message)).toEqual([]);
    expect(outcomes).toHaveLength(1000);
    expect(elapsedMs).toBeLessThan(60_000);
    expect(ssh.channelStats).toMatchObject({ busy: 0, waiting: 0 });
  });

  it('lowers its channel limit to what the server accepts when maxChannels is above it', async () => {
    const ssh = connect({ maxChannels: 20 });
    const outcomes = await runMany(ssh, 'sleep 0.05', 200, 200);
    expect(outcomes.filter((outcome) => outcome.exitCode !== 0)).toEqual([]);
    const { refusals, limit } = ssh.channelStats;
    expect(refusals).toBeGreaterThan(0);
    expect(limit).toBeLessThan(20);
    expect(await testbed.server('direct').container.logs()).toContain('no more sessions');
  });

  it('gives up at the deadline, or after connectTimeoutMs (3 s), when every channel is refused', async () => {
    const ssh = connect({ maxChannels: 20, connectTimeoutMs: 3000 });
    const shells: ShellChannel[] = [];
    for (let index = 0; index < 10; index++) shells.push(await ssh.openShell({ pty: false }));
    const stopped = await ssh.exec('true', { timeoutMs: 500 });
    expect(stopped).toMatchObject({ exitCode: -1, error: { code: 'COMMAND_TIMEOUT' } });
    expect(stopped.error?.message).toBe(`Timed out after 500ms running \`true\` on ${placeOf()}.`);
    await expect(ssh.openShell({ pty: false, timeoutMs: 300 })).rejects.toThrow(
      `Timed out after 300ms opening a shell on ${placeOf()}.`,
    );
    const refused = await ssh.openShell({ pty: false }).catch((error: Error) => error);
    expect(refused).toMatchObject({ code: 'CHANNEL_FAILED' });
    expect((refused as Error).message).toMatch(
      new RegExp(
        `^Could not open an SSH channel on ${escape(placeOf())}: the server refused it \\d+ times in 3000ms \\(open failed\\)\\.\\n` +
          `Fix: the server allows fewer sessions per connection than maxChannels \\(20\\): lower maxChannels, or raise MaxSessions in its sshd_config\\.$`,
      ),
    );
    await Promise.all(shells.map((shell) => shell.close()));
    expect((await ssh.exec('echo free', { timeoutMs: 10_000 })).stdout.toString()).toBe('free\n');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
