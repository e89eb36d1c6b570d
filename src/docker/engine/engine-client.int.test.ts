import { connect, type Socket } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { engine as sharedEngine } from '../../../test/helpers/engine.js';
import { ClosedError } from '../../errors.js';
import { StartedContainer } from '../containers/started-container.js';
import { EngineClient } from './engine-client.js';

const FORWARDED = { kind: 'ssh', url: 'ssh://lab-1/var/run/docker.sock' } as const;

/** A connection factory to the local socket that keeps every connection it opened. */
function trackingFactory() {
  const sockets: Socket[] = [];
  return {
    sockets,
    createConnection: () =>
      new Promise<Socket>((resolve, reject) => {
        const socket = connect('/var/run/docker.sock');
        sockets.push(socket);
        socket.once('connect', () => resolve(socket));
        socket.once('error', reject);
      }),
  };
}

async function refusal(work: () => Promise<unknown>): Promise<unknown> {
  return work().then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('EngineClient.close', () => {
  it('ends the connections it kept alive and refuses every later request', async () => {
    const factory = trackingFactory();
    const engine = new EngineClient(FORWARDED, { createConnection: factory.createConnection });
    await engine.version();
    await engine.json({ method: 'GET', path: '/info' });
    expect(factory.sockets).toHaveLength(1);
    expect(factory.sockets[0]!.destroyed).toBe(false);
    await Promise.all([engine.close(), engine.close()]);
    await engine.close();
    expect(engine.isClosed).toBe(true);
    expect(factory.sockets[0]!.destroyed).toBe(true);
    const calls = [
      ['GET /version', () => engine.version()],
      ['GET /_ping', () => engine.json({ method: 'GET', path: '/_ping' })],
      ['GET /events', () => engine.stream({ method: 'GET', path: '/events' })],
      ['POST /exec/x/start', () => engine.hijack({ method: 'POST', path: '/exec/x/start' })],
    ] as const;
    for (const [request, call] of calls) {
      const error = await refusal(call);
      expect(error).toBeInstanceOf(ClosedError);
      expect((error as Error).message).toBe(
        `Cannot send ${request} to the Docker engine at ssh://lab-1/var/run/docker.sock: the engine client was closed.`,
      );
    }
    expect(await engine.ping()).toBe(false);
    // Nothing reconnected behind the caller.
    expect(factory.sockets).toHaveLength(1);
  });

  it('stops a request under way with a ClosedError, and runs on await using', async () => {
    await using container = await StartedContainer.start(sharedEngine, {
      image: inject('images').busybox,
      cmd: ['sleep', '3600'],
      purpose: 'engine-client-test',
    });
    let waiting: Promise<unknown>;
    {
      await using engine = EngineClient.fromEnvironment();
      await engine.ping();
      // The engine answers a wait only when the container exits: it is under way at close.
      waiting = refusal(() =>
        engine.json({ method: 'POST', path: `/containers/${container.id}/wait` }),
      );
      await new Promise((resolve) => setImmediate(resolve));
    }
    const error = await waiting;
    expect(error).toBeInstanceOf(ClosedError);
    expect((error as Error).message).toBe(
      `Cannot send POST /containers/${container.id}/wait to the Docker engine at unix:///var/run/docker.sock: the engine client was closed.`,
    );
  });
});
