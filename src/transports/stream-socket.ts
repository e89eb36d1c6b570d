import { createServer, Socket, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * A `net.Socket` for any byte stream, for libraries that need a real socket (the one way the
 * project gives them one). basic-ftp drives its control connection through socket
 * methods (`setEncoding`, `setTimeout`, `setKeepAlive`, `remoteAddress`) that a forwarded SSH
 * channel lacks, so a channel is joined to a loopback socket pair: a listener on 127.0.0.1 takes
 * exactly one connection, from the socket this function made (checked by its port), and the two
 * are piped together. A stream that is a socket already (a direct connection) is returned as it
 * is. Either end closing closes the other.
 */
export async function socketFor(stream: Duplex): Promise<Socket> {
  if (stream instanceof Socket) return stream;
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
  try {
    await listenOnLoopback(server);
    const { port } = server.address() as AddressInfo;
    const client = new Socket({ allowHalfOpen: true });
    const accepted = acceptFrom(server, client);
    await connectTo(client, port);
    joinStreams(await accepted, stream, client);
    return client;
  } catch (error) {
    stream.destroy();
    throw error;
  } finally {
    server.close();
  }
}

function listenOnLoopback(server: ReturnType<typeof createServer>): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}

/** The first connection that comes from `client`; any other one is refused. */
function acceptFrom(server: ReturnType<typeof createServer>, client: Socket): Promise<Socket> {
  return new Promise((resolve) => {
    const onConnection = (peer: Socket): void => {
      if (peer.remotePort !== client.localPort || peer.remoteAddress !== client.localAddress) {
        peer.destroy();
        return;
      }
      server.removeListener('connection', onConnection);
      resolve(peer);
    };
    server.on('connection', onConnection);
  });
}

function connectTo(client: Socket, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    client.once('error', reject);
    client.connect(port, '127.0.0.1', () => {
      client.removeListener('error', reject);
      client.setNoDelay(true);
      resolve();
    });
  });
}

/** Pipes `peer` and `stream` both ways, half-closes passed on; a close or error ends all three. */
function joinStreams(peer: Socket, stream: Duplex, client: Socket): void {
  peer.setNoDelay(true);
  peer.pipe(stream);
  stream.pipe(peer);
  const closeAll = (): void => {
    peer.destroy();
    stream.destroy();
    client.destroy();
  };
  for (const end of [peer, stream, client]) {
    end.once('close', closeAll);
    // An error closes the stream, and closeAll follows; the error itself is the client's to see.
    if (end !== client) end.on('error', () => undefined);
  }
  peer.resume();
}
