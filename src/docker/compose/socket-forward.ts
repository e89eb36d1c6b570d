import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream';
import type { ConnectionFactory } from '../engine/engine-agent.js';

/**
 * A local Unix socket that forwards each connection to a remote engine's socket through a
 * connection factory (a lab host's SSH connection and its hops), so a local program (the compose
 * CLI) can use that engine with `DOCKER_HOST=unix://…`. The socket lives in a private temp folder
 * (mode 0700): only this user can use it. Nothing listens on the network.
 */

/** A running forward; close it when the program is done. */
export interface SocketForward {
  /** The local socket's path. */
  socketPath: string;
  /** `unix://<socketPath>`, for `DOCKER_HOST`. */
  dockerHost: string;
  /** Stops listening, ends every forwarded connection and removes the folder. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens a forward to whatever `connect` reaches.
 * @example await using forward = await openSocketForward(() => ssh.openUnixSocket('/var/run/docker.sock'));
 */
export async function openSocketForward(
  connect: ConnectionFactory,
): Promise<SocketForward & AsyncDisposable> {
  const dir = await mkdtemp(join(tmpdir(), 'otto-engine-'));
  await chmod(dir, 0o700);
  const socketPath = join(dir, 'docker.sock');
  const open = new Set<Socket>();
  const server = createServer((local) => forwardConnection(local, connect, open));
  try {
    await listen(server, socketPath);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    })());
  return { socketPath, dockerHost: `unix://${socketPath}`, close, [Symbol.asyncDispose]: close };
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function forwardConnection(local: Socket, connect: ConnectionFactory, open: Set<Socket>): void {
  open.add(local);
  local.once('close', () => open.delete(local));
  // Pause until the remote end exists, so the client's first request is not lost.
  local.pause();
  connect().then(
    (remote) => {
      if (local.destroyed) {
        remote.destroy();
        return;
      }
      pipeline(local, remote, local, () => {
        local.destroy();
        remote.destroy();
      });
    },
    () => local.destroy(),
  );
}
