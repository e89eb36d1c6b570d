import { readFile, writeFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { engine } from '../../test/helpers/engine.js';
import { describeHostContract } from '../../test/helpers/host-contract.js';
import { startLocalSshd, type LocalSshd } from '../../test/helpers/local-sshd.js';
import { startSshTestbed, type SshTestbed } from '../../test/helpers/ssh-testbed.js';
import { StartedContainer } from '../docker/containers/started-container.js';
import { ContainerHost } from './container-host.js';
import { SshHost } from './ssh-host.js';
import { waitUntil } from '../common/deadline.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';

let testbed: SshTestbed;
beforeAll(async () => {
  testbed = await startSshTestbed(['direct', 'behind', 'deep']);
}, 120_000);
afterAll(() => testbed?.stop());

function direct(knownHostsPath = testbed.newKnownHostsPath()) {
  const server = testbed.server('direct');
  return {
    host: server.host,
    port: server.port,
    username: 'otto',
    password: 'otto',
    knownHostsPath,
    name: 'direct',
  };
}

describeHostContract(
  'ssh',
  (options) => Promise.resolve(new SshHost(direct(), { id: 'ssh-direct', ...options })),
  { hasPty: true, hasSudo: true },
);
describeHostContract('ssh without a terminal', (options) =>
  Promise.resolve(new SshHost(direct(), { id: 'ssh-plain', pty: false, ...options })),
);

describe('SshHost through hops', () => {
  it('runs on a host two hops away, each hop with its own credentials', async () => {
    const knownHostsPath = testbed.newKnownHostsPath();
    const behind = testbed.server('behind');
    const deep = testbed.server('deep');
    await using host = new SshHost({
      host: deep.host,
      port: deep.port,
      username: 'root',
      password: 'root',
      knownHostsPath,
      hop: {
        host: behind.host,
        port: behind.port,
        username: 'otto',
        privateKey: testbed.keys.privateKey,
        knownHostsPath,
        hop: direct(knownHostsPath),
      },
    });
    expect((await host.run(['hostname', 'id -un'])).results.map((result) => result.output)).toEqual(
      ['deep\n', 'root\n'],
    );
    expect((await host.oneshot('hostname')).stdout).toBe('deep\n');
  });

  it('moves files with sftp and scp through a hop', async () => {
    const local = await makeTempDir('otto-ssh-host-');
    await writeFile(join(local, 'note.txt'), 'through the hop\n');
    const behind = testbed.server('behind');
    for (const transfer of ['sftp', 'scp'] as const) {
      const knownHostsPath = testbed.newKnownHostsPath();
      await using host = new SshHost(
        {
          host: behind.host,
          port: behind.port,
          username: 'otto',
          password: 'otto',
          knownHostsPath,
          hop: direct(knownHostsPath),
        },
        { transfer },
      );
      await host.put([join(local, 'note.txt')], '/tmp');
      expect((await host.run('cat /tmp/note.txt')).only().output).toBe('through the hop\n');
      const back = await makeTempDir('otto-ssh-back-');
      await host.get(['/tmp/note.txt'], back);
      expect(await readFile(join(back, 'note.txt'), 'utf8')).toBe('through the hop\n');
    }
  });
});

describe('ContainerHost on the engine of an SSH host', () => {
  let sshd: LocalSshd;
  let container: StartedContainer;
  beforeAll(async () => {
    sshd = await startLocalSshd();
    container = await StartedContainer.start(engine, {
      image: inject('images').busybox,
      cmd: ['sleep', '3600'],
      purpose: 'container-over-ssh-test',
    });
  }, 120_000);
  afterAll(async () => {
    await container?.stop();
    await sshd?.stop();
  });

  it('runs sessions, oneshots and transfers through the forwarded engine socket', async () => {
    await using dockerHost = new SshHost({
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKey: sshd.keys.privateKey,
      knownHostsPath: sshd.knownHostsPath,
    });
    await using app = ContainerHost.onSshHost(dockerHost, container.id);
    // check: an error result (e.g. the forwarded socket failing) throws with its reason.
    await app.run('cd /tmp; X=over-ssh', { check: true });
    expect((await app.run('echo "$PWD $X"', { check: true })).only().output).toBe(
      '/tmp over-ssh\n',
    );
    expect((await app.oneshot(['hostname'])).stdout).toBe(`${container.id.slice(0, 12)}\n`);
    const local = await makeTempDir('otto-over-ssh-');
    await writeFile(join(local, 'payload.txt'), 'via ssh and the engine\n');
    await app.put([join(local, 'payload.txt')], '/tmp');
    expect((await app.run('cat /tmp/payload.txt')).only().output).toBe('via ssh and the engine\n');
    expect(app.engine.endpoint.url).toBe(
      `unix:///var/run/docker.sock on ${dockerHost.ssh.address}`,
    );
  });
});

describe('SshHost.interact', () => {
  it('bridges a terminal to a login shell, forwards the window size and leaves on Ctrl-]', async () => {
    await using host = new SshHost(direct(), { id: 'ssh-interact' });
    const input = new PassThrough();
    const output = Object.assign(new PassThrough(), { columns: 80, rows: 24 });
    let seen = '';
    output.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    /** Asks for the size until the answer shows `size` (a resize reaches the server a little later). */
    const waitForSize = (size: string): Promise<true> =>
      waitUntil(
        () => {
          if (seen.includes(size)) return Promise.resolve(true as const);
          input.write('stty size\n');
          return Promise.resolve(undefined);
        },
        { timeoutMs: 10_000, intervalMs: 100, what: `the terminal size ${size}` },
      );
    const bridge = host.interact({ input, output });
    await waitForSize('24 80');
    Object.assign(output, { columns: 132, rows: 40 });
    output.emit('resize');
    await waitForSize('40 132');
    input.write(Buffer.from([0x1d]));
    await bridge;
    expect(seen).toContain('24 80');
    expect(seen).toContain('40 132');
  });
});
