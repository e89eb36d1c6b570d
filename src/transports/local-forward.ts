import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../common/logger.js';
import type { TcpOpener } from './tcp-opener.js';

/** A loopback port that leads to a remote address; see {@link startLocalForward}. */
export interface LocalForward {
  /** Always the loopback address: nothing else on the network can use the forward. */
  readonly host: '127.0.0.1';
  /** The port the forward listens on, picked by the system. */
  readonly port: number;
  /** Stops listening and cuts every connection still open. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link startLocalForward}. */
export interface LocalForwardOptions {
  /** Deadline of opening each remote stream. @default 10000 */
  timeoutMs?: number;
  /** Told why a connection could not be forwarded (the client just sees it closed). */
  logger?: Logger;
}

/**
 * Listens on 127.0.0.1 (a free port) and pipes every accepted connection to `tcp.open(host,
 * port)`: for libraries (an FTP client) that connect to an address themselves, so that they
 * reach a host behind an SSH hop chain like one next door. A remote stream that cannot be opened
 * closes the accepted connection.
 * @example
 * const forward = await startLocalForward(tcpThrough(hop), '10.0.0.7', 21);
 * await ftp.access({ host: forward.host, port: forward.port });
 * await forward.close();
 */
export async function startLocalForward(
  tcp: TcpOpener,
  host: string,
  port: number,
  options: LocalForwardOptions = {},
): Promise<LocalForward> {
  const live = new Set<Duplex>();
  // Half-open allowed: each side's end is passed on (an upload's end of data) while the other
  // side still sends.
  const server = createServer(
    { allowHalfOpen: true },
    (socket) => void forwardOne(socket, tcp, host, port, options, live),
  );
  await listen(server);
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('no TCP address to listen on');
  let closing: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    port: address.port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const stream of live) stream.destroy();
      });
      return closing;
    },
  };
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}

async function forwardOne(
  socket: Socket,
  tcp: TcpOpener,
  host: string,
  port: number,
  options: LocalForwardOptions,
  live: Set<Duplex>,
): Promise<void> {
  live.add(socket);
  socket.once('close', () => live.delete(socket));
  // An error on either side cuts both; pipe() alone would leave the other side open.
  socket.on('error', () => socket.destroy());
  socket.setNoDelay(true);
  let remote: Duplex;
  try {
    remote = await tcp.open(host, port, { timeoutMs: options.timeoutMs ?? 10_000 });
  } catch (error) {
    options.logger?.debug(`local forward to ${host}:${port}: ${(error as Error).message}`);
    socket.destroy();
    return;
  }
  if (socket.destroyed) {
    remote.destroy();
    return;
  }
  live.add(remote);
  remote.once('close', () => {
    live.delete(remote);
    // A remote that went away without an end (a cut channel) still ends the client's side.
    socket.end();
  });
  remote.on('error', () => {
    remote.destroy();
    socket.destroy();
  });
  socket.once('error', () => remote.destroy());
  socket.pipe(remote);
  remote.pipe(socket);
}
