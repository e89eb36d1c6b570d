import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeepAliveAgent } from './engine-agent.js';
import { sendForJson } from './engine-http.js';

/**
 * A loopback HTTP server that answers on keep-alive connections, and drops the second request
 * that arrives on a connection it has already answered: what a reused connection looks like when
 * the other end closed it just as it was reused.
 */
function startDroppingServer(): Promise<{ server: Server; port: number; connections: number[] }> {
  const answered = new WeakMap<Socket, number>();
  const connections: number[] = [];
  const server = createServer((request, response) => {
    const socket = request.socket;
    const count = answered.get(socket) ?? 0;
    if (count === 0) connections.push(connections.length + 1);
    answered.set(socket, count + 1);
    if (count >= 1) return void socket.destroy();
    response.setHeader('Content-Type', 'application/json');
    response.end(JSON.stringify({ path: request.url, connection: connections.length }));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        server,
        port: typeof address === 'object' && address ? address.port : 0,
        connections,
      });
    }),
  );
}

let server: Server | undefined;
afterEach(
  () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
);

describe('requests on a kept-alive connection closed as it is reused', () => {
  it('are sent once more on a new connection', async () => {
    const started = await startDroppingServer();
    server = started.server;
    const target = { agent: createKeepAliveAgent(), host: '127.0.0.1', port: started.port };
    const call = (path: string) => sendForJson(target, { method: 'GET', path, okStatus: [200] });
    expect(await call('/first')).toEqual({ path: '/first', connection: 1 });
    expect(await call('/second')).toEqual({ path: '/second', connection: 2 });
    expect(started.connections).toEqual([1, 2]);
    target.agent.destroy();
  });
});
