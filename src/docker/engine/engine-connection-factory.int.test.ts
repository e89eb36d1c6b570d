import { ConnectionError } from '../../errors.js';
import { connect } from 'node:net';
import { Duplex } from 'node:stream';
import { describe, expect, inject, it } from 'vitest';
import { StartedContainer } from '../containers/started-container.js';
import { DockerExecTransport } from '../exec/docker-exec-transport.js';
import { EngineClient } from './engine-client.js';

const SOCKET = '/var/run/docker.sock';
const FORWARDED = { kind: 'ssh', url: 'ssh://lab-1/var/run/docker.sock' } as const;

/** A connection factory to the local socket that counts its connections. */
function countingFactory(wrap: (socket: Duplex) => Duplex = (socket) => socket) {
  const factory = {
    opened: 0,
    createConnection: () => {
      factory.opened++;
      const socket = connect(SOCKET);
      return new Promise<Duplex>((resolve, reject) => {
        socket.once('connect', () => resolve(wrap(socket)));
        socket.once('error', reject);
      });
    },
  };
  return factory;
}

describe('EngineClient over a connection factory', () => {
  it('sends requests, keeping one connection alive between them', async () => {
    const factory = countingFactory();
    const engine = new EngineClient(FORWARDED, { createConnection: factory.createConnection });
    expect((await engine.version()).apiVersion).toMatch(/^1\.\d+$/);
    expect(await engine.ping()).toBe(true);
    await engine.json({ method: 'GET', path: '/info' });
    expect(factory.opened).toBe(1);
    await engine.close();
  });

  it('runs commands and shells over streams that are not sockets', async () => {
    // Duplex.from gives a plain duplex, as an SSH channel is: no setKeepAlive, no ref/unref.
    const factory = countingFactory((socket) =>
      Duplex.from({ readable: socket, writable: socket }),
    );
    // Disposed last: the container and the transport still need it when they are disposed.
    await using engine = new EngineClient(FORWARDED, {
      createConnection: factory.createConnection,
    });
    await using container = await StartedContainer.start(engine, {
      image: inject('images').busybox,
      cmd: ['sleep', '3600'],
      purpose: 'engine-connection-factory-test',
    });
    await using transport = new DockerExecTransport(engine, container.id);
    const outcome = await transport.exec('echo "via $0"; exit 4', { timeoutMs: 10_000 });
    expect({ exitCode: outcome.exitCode, stdout: outcome.stdout.toString() }).toEqual({
      exitCode: 4,
      stdout: 'via sh\n',
    });
    expect(transport.address).toBe(
      `container ${container.name} id ${container.id.slice(0, 12)} at ssh://lab-1/var/run/docker.sock`,
    );
    const channel = await transport.openShell({ pty: false });
    let text = '';
    channel.onData((chunk) => (text += chunk.toString()));
    const closed = new Promise((resolve) => channel.onClose(resolve));
    channel.write('echo hi\nexit\n');
    await closed;
    expect(text).toBe('hi\n');
  });

  it('reports a factory that cannot connect as an unreachable engine', async () => {
    const engine = new EngineClient(FORWARDED, {
      createConnection: () => Promise.reject(new Error('the SSH server refused the forward')),
    });
    await expect(engine.version()).rejects.toMatchObject({
      code: 'ENGINE_UNREACHABLE',
      message:
        'Cannot reach the Docker engine at ssh://lab-1/var/run/docker.sock for GET /version: the SSH server refused the forward.\nFix: start the engine (`otto engine ensure` installs and starts it on Debian) or set DOCKER_HOST.',
    });
  });

  it("passes on the factory's own error when it says why (an SSH login refused)", async () => {
    const refused = new ConnectionError(
      'AUTH_FAILED',
      'Authentication failed for host "lab-1" (otto@10.0.0.5:22) [ssh]: the server refused password.',
    );
    const engine = new EngineClient(FORWARDED, { createConnection: () => Promise.reject(refused) });
    await expect(engine.version()).rejects.toBe(refused);
  });
});
