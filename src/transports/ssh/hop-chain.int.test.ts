import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshTestbed, type SshTestbed } from '../../../test/helpers/ssh-testbed.js';
import { waitUntil } from '../../common/deadline.js';
import { SshTransport } from './ssh-transport.js';
import type { SshTarget } from './ssh-target.js';

let testbed: SshTestbed;

beforeAll(async () => {
  testbed = await startSshTestbed(['direct', 'behind', 'deep']);
});

afterAll(() => testbed?.stop());

/** A link to a test bed server, logging in as otto with a password unless told otherwise. */
function link(name: 'direct' | 'behind' | 'deep', options: Partial<SshTarget> = {}): SshTarget {
  const { host, port } = testbed.server(name);
  return {
    host,
    port,
    username: 'otto',
    password: 'otto',
    knownHostsPath: testbed.newKnownHostsPath(),
    ...options,
  };
}

describe('SSH hop chains', () => {
  it('reaches a host one hop away', async () => {
    await using ssh = new SshTransport(
      link('behind', {
        hop: link('direct', { username: 'root', privateKey: testbed.keys.privateKey }),
      }),
    );
    const { host, port } = testbed.server('direct');
    expect(ssh.address).toBe(`otto@${testbed.server('behind').host}:22 via root@${host}:${port}`);
    expect((await ssh.exec('hostname', { timeoutMs: 10_000 })).stdout.toString()).toBe('behind\n');
  });

  it('reaches a host two hops away, each hop with its own credentials', async () => {
    const target = link('deep', {
      username: 'root',
      password: 'root',
      hop: link('behind', {
        privateKeyPath: testbed.keys.encryptedKeyPath,
        passphrase: testbed.keys.passphrase,
        password: undefined,
        hop: link('direct'),
      }),
    });
    await using ssh = new SshTransport(target);
    const outcome = await ssh.exec('hostname; id -un', { timeoutMs: 10_000 });
    expect(outcome.stdout.toString()).toBe('deep\nroot\n');
    const shell = await ssh.openShell({ pty: false });
    const seen = new Promise<string>((resolve) =>
      shell.onData((chunk) => resolve(chunk.toString())),
    );
    shell.write('hostname\n');
    expect(await seen).toBe('deep\n');
    await shell.close();
  });

  it('closes the whole chain for good: later calls are refused, nothing reconnects', async () => {
    const ssh = new SshTransport(link('deep', { hop: link('behind', { hop: link('direct') }) }));
    expect((await ssh.exec('hostname', { timeoutMs: 10_000 })).stdout.toString()).toBe('deep\n');
    await ssh.close();
    await ssh.close();
    await expect(ssh.exec('hostname', { timeoutMs: 10_000 })).rejects.toThrow(
      `Cannot run a command on host "${ssh.address}" [ssh]: it was closed.`,
    );
    // Every link was ended: the first hop sees no session of otto's any more.
    await using observer = new SshTransport(link('direct', { username: 'root', password: 'root' }));
    await waitUntil(
      async () => {
        const count = await observer.exec('ps -e -o args= | grep -c "^sshd: otto" || true', {
          timeoutMs: 10_000,
        });
        return count.stdout.toString() === '0\n' ? true : undefined;
      },
      { timeoutMs: 5000, intervalMs: 50, what: "otto's sessions on the first hop to end" },
    );
  });

  it('refuses a cycle before connecting', () => {
    const direct = link('direct');
    const behind = link('behind', { hop: direct });
    direct.hop = behind;
    const { host, port } = testbed.server('direct');
    const behindHost = testbed.server('behind').host;
    expect(() => new SshTransport(link('deep', { hop: behind }))).toThrow(
      `Invalid SSH hop chain for otto@${testbed.server('deep').host}:22: it goes round in a cycle, ` +
        `otto@${behindHost}:22 -> otto@${host}:${port} -> otto@${behindHost}:22.\n` +
        'Fix: each hop must be a different user@host:port; remove the repeated hop.',
    );
  });

  it('names the hop that could not reach the next one', async () => {
    const { host, port } = testbed.server('direct');
    const behindHost = testbed.server('behind').host;
    await using ssh = new SshTransport(link('behind', { port: 2, hop: link('direct') }));
    await expect(ssh.open()).rejects.toThrow(
      `Could not connect to host "otto@${behindHost}:2 via otto@${host}:${port}" [ssh]: hop otto@${host}:${port} could not open a tunnel to ${behindHost}:2 (Connection refused).`,
    );
  });

  it('names the hop whose login failed', async () => {
    const { host, port } = testbed.server('direct');
    const behindHost = testbed.server('behind').host;
    await using ssh = new SshTransport(
      link('behind', {
        hop: link('direct', {
          password: undefined,
          privateKey: testbed.keys.encryptedKey,
          passphrase: testbed.keys.passphrase,
          username: 'nobody',
        }),
      }),
    );
    await expect(ssh.open()).rejects.toThrow(
      `Authentication failed for hop nobody@${host}:${port} on the way to host "otto@${behindHost}:22 via nobody@${host}:${port}" [ssh]: the server refused publickey.`,
    );
  });
});
