import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalForward } from './local-forward.js';
import { directTcp } from './tcp-opener.js';

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A loopback server that answers each connection with `reply(received)` once the client ends. */
async function startUpperServer(): Promise<number> {
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => socket.end(Buffer.concat(chunks).toString().toUpperCase()));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
    socket.end(text);
  });
}

describe('startLocalForward', () => {
  it('pipes every accepted connection to the remote address, ends passed on both ways', async () => {
    const port = await startUpperServer();
    const forward = await startLocalForward(directTcp(), '127.0.0.1', port);
    expect(forward.host).toBe('127.0.0.1');
    const big = 'x'.repeat(1 << 20);
    const replies = await Promise.all([exchange(forward.port, 'one'), exchange(forward.port, big)]);
    expect(replies).toEqual(['ONE', big.toUpperCase()]);
    await forward.close();
    await forward.close();
    await expect(exchange(forward.port, 'late')).rejects.toThrow('ECONNREFUSED');
  });

  it('closes an accepted connection whose remote stream cannot be opened', async () => {
    const port = await startUpperServer();
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const forward = await startLocalForward(directTcp(), '127.0.0.1', port);
    expect(await exchange(forward.port, 'lost')).toBe('');
    await forward.close();
  });

  it('cuts the connections still open when closed', async () => {
    const server = createServer(() => undefined);
    const accepted = new Promise((resolve) => server.once('connection', resolve));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const forward = await startLocalForward(
      directTcp(),
      '127.0.0.1',
      (server.address() as { port: number }).port,
    );
    const socket = connect({ host: '127.0.0.1', port: forward.port });
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await accepted;
    await forward.close();
    await closed;
    expect(socket.destroyed).toBe(true);
  });
});
