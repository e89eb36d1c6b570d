import { Agent, type AgentOptions, type ClientRequest, type ClientRequestArgs } from 'node:http';
import type * as https from 'node:https';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Opens one byte stream to an engine's API socket, e.g. a unix socket forwarded over an SSH
 * connection (`streamlocal` channel). Each call must return a new, independent stream.
 */
export type ConnectionFactory = () => Promise<Duplex>;

// Keep-alive, measured on this machine (Docker 20.10 on its unix socket, Node 20, 400 interleaved
// requests): a small GET takes 0.445 ms on a kept-alive connection and 0.536 ms on a new one, so
// an exec round trip (create, start, inspect; start always gets its own connection, which the
// engine closes at the end of the stream) is about 0.2 ms faster out of 55 ms: within the noise.
// We keep connections alive anyway: it is free, it does not depend on the Node version's global
// agent, and over a forwarded socket each new connection costs an SSH channel round trip.
const KEEP_ALIVE_MS = 5_000;

/** An HTTP agent for engine requests: connections are kept alive between requests. */
export class EngineAgent extends Agent {
  constructor(options: AgentOptions = { keepAlive: true, keepAliveMsecs: KEEP_ALIVE_MS }) {
    super(options);
  }
}

/** An HTTP agent that keeps engine connections alive between requests. */
export function createKeepAliveAgent(): Agent {
  return new EngineAgent();
}

const require = createRequire(import.meta.url);

/**
 * node:https, loaded on first use: it brings TLS and crypto with it, over a MiB of memory that a
 * process talking to a local socket has no use for.
 */
export function loadHttps(): typeof https {
  return require('node:https') as typeof https;
}

/** An HTTPS agent for an engine on tls (DOCKER_TLS_VERIFY), with the client's certificates. */
export function createTlsAgent(tls: { ca?: Buffer; cert?: Buffer; key?: Buffer }): Agent {
  return new (loadHttps().Agent)({ keepAlive: true, keepAliveMsecs: KEEP_ALIVE_MS, ...tls });
}

/**
 * An HTTP agent whose connections come from a {@link ConnectionFactory} instead of a socket path
 * or an address; they are kept alive between requests like those of the default agent.
 */
export class ConnectionFactoryAgent extends EngineAgent {
  constructor(private readonly factory: ConnectionFactory) {
    super();
  }

  // Node's agent accepts the stream through the callback when nothing is returned.
  override createConnection(
    _options: ClientRequestArgs,
    callback?: (error: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    this.factory().then(
      (stream) => callback?.(null, stream),
      (error: unknown) => callback?.(asError(error), undefined as unknown as Duplex),
    );
    return undefined;
  }

  // Node's own implementations call net.Socket methods (setKeepAlive, ref, unref, timeouts) that a
  // channel stream lacks; for a real socket they are used as they are (Node 22 changed them).
  override keepSocketAlive(socket: Duplex): boolean {
    // Node returns whether it kept the socket; its typings say void.
    if (isNetSocket(socket)) return super.keepSocketAlive(socket) as unknown as boolean;
    callIfPresent(socket, 'unref');
    return true;
  }

  override reuseSocket(socket: Duplex, request: ClientRequest): void {
    if (isNetSocket(socket)) return super.reuseSocket(socket, request);
    callIfPresent(socket, 'ref');
  }
}

function isNetSocket(socket: Duplex): socket is Socket {
  return socket instanceof Socket;
}

function callIfPresent(socket: Duplex, method: 'ref' | 'unref'): void {
  const candidate = (socket as Partial<Record<typeof method, () => void>>)[method];
  if (typeof candidate === 'function') candidate.call(socket);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
