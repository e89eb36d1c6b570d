import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SshTarget } from '../../transports/ssh/ssh-target.js';
import { ClosedError, ConnectionError, DockerError, isOttoError } from '../../errors.js';
import {
  ConnectionFactoryAgent,
  createKeepAliveAgent,
  createTlsAgent,
  type ConnectionFactory,
} from './engine-agent.js';
import {
  DEFAULT_SOCKET_PATH,
  resolveEngineEndpoint,
  type EngineEndpoint,
} from './engine-endpoint.js';
import {
  EngineHttpError,
  sendForHijack,
  sendForJson,
  sendForResponse,
  type HttpCall,
  type HttpTarget,
} from './engine-http.js';

/** A byte stream that can feed a request body: a Node readable stream, or a tar archive being packed. */
export interface ByteSource {
  /** Sends the bytes into `destination` and returns it. */
  pipe<T extends NodeJS.WritableStream>(destination: T): T;
  /** Registers a listener for a failure of the source. */
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** One request to the Engine API. */
export interface EngineRequest {
  /** HTTP method. */
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  /** API path without version, e.g. `/images/otto%2Fbusybox/json`. */
  path: string;
  /** Query parameters; undefined ones are left out, a list repeats its key. */
  query?: Record<string, string | number | boolean | string[] | undefined>;
  /** JSON body. */
  body?: unknown;
  /** Raw body (a tar archive for build, import and archive uploads). */
  input?: ByteSource | Buffer;
  /** Status codes that count as success. @default [200, 201, 204] */
  okStatus?: readonly number[];
  /** Aborts the request; it then rejects with an `AbortError`. */
  signal?: AbortSignal;
}

/** What the engine says about itself. */
export interface EngineVersion {
  /** The engine's release, e.g. `20.10.24`. */
  version: string;
  /** The newest API version it speaks, e.g. `1.41`. */
  apiVersion: string;
  /** Operating system of the engine, e.g. `linux`. */
  os: string;
  /** Processor architecture of the engine, e.g. `amd64`. */
  arch: string;
}

/** Options of an {@link EngineClient}. */
export interface EngineClientOptions {
  /**
   * Opens each connection to the engine's API, for an engine reached some other way than the
   * endpoint says: e.g. a lab host's `/var/run/docker.sock` forwarded over its SSH connection.
   * The endpoint then only names the engine in messages.
   * @default connections to the endpoint's socket or address
   */
  createConnection?: ConnectionFactory;
  /**
   * How another process (the watchdog that removes this process's resources after it dies) reaches
   * the engine again; needed with `createConnection`.
   * @default the endpoint, unless `createConnection` is given (then no other process can reach it)
   */
  reach?: EngineReach;
}

/** How a process other than this one reaches an engine: its endpoint, or a socket on an SSH host. */
export interface EngineReach {
  /** The endpoint; with `overSsh` it only names the engine in messages. */
  endpoint: EngineEndpoint;
  /** The engine's socket on an SSH host, forwarded over a connection of the reaching process. */
  overSsh?: { target: SshTarget; socketPath: string };
}

const DEFAULT_OK = [200, 201, 204] as const;

/**
 * A connection to one Docker engine through its HTTP API. Knows nothing of images or containers:
 * those are functions in the neighbouring folders that take a client.
 * @example
 * const engine = EngineClient.fromEnvironment();
 * console.log((await engine.version()).version);
 */
export class EngineClient {
  /** Where the engine listens; its `url` names the engine in messages. */
  readonly endpoint: EngineEndpoint;
  /** How another process reaches this engine again; undefined when it cannot. */
  readonly reach: EngineReach | undefined;
  private readonly target: HttpTarget;
  private readonly agent: Agent;
  private readonly closeTunnel: () => Promise<void>;
  private closing: Promise<void> | undefined;

  constructor(
    endpoint: EngineEndpoint = resolveEngineEndpoint(),
    options: EngineClientOptions = {},
  ) {
    this.endpoint = endpoint;
    this.reach = options.reach ?? (options.createConnection ? undefined : { endpoint });
    const tunnel =
      endpoint.kind === 'ssh' && !options.createConnection ? createSshTunnel(endpoint) : undefined;
    this.closeTunnel = tunnel?.close ?? (() => Promise.resolve());
    const createConnection = options.createConnection ?? tunnel?.createConnection;
    const tls = !createConnection && endpoint.kind === 'tls' ? readTlsMaterial() : undefined;
    this.agent = createConnection
      ? new ConnectionFactoryAgent(createConnection)
      : tls
        ? createTlsAgent(tls)
        : createKeepAliveAgent();
    this.target = httpTarget(endpoint, this.agent, createConnection !== undefined, tls);
  }

  /** A client for the engine that `DOCKER_HOST` (or the default socket) names. */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): EngineClient {
    return new EngineClient(resolveEngineEndpoint(env));
  }

  /** Sends a request and returns the parsed JSON answer (or undefined for an empty one). */
  async json<T>(request: EngineRequest): Promise<T> {
    return (await this.dial(request, sendForJson)) as T;
  }

  /** Sends a request and returns the response body as a stream (logs, archives, progress). */
  stream(request: EngineRequest): Promise<IncomingMessage> {
    return this.dial(request, sendForResponse);
  }

  /**
   * Sends a request that takes over the connection (`Upgrade: tcp`) and returns it as one
   * bidirectional byte stream, e.g. an exec with stdin attached. `end()` half-closes it: the
   * engine then closes the process's stdin and keeps sending its output until it exits.
   */
  hijack(request: Omit<EngineRequest, 'input' | 'signal'>): Promise<Duplex> {
    return this.dial(request, sendForHijack);
  }

  /** True when the engine answers `/_ping`; never throws. */
  async ping(signal?: AbortSignal): Promise<boolean> {
    try {
      await this.json({ method: 'GET', path: '/_ping', signal });
      return true;
    } catch {
      return false;
    }
  }

  /** Asks the engine for its version, API version, OS and architecture. */
  async version(): Promise<EngineVersion> {
    const raw = await this.json<{ Version: string; ApiVersion: string; Os: string; Arch: string }>({
      method: 'GET',
      path: '/version',
    });
    return { version: raw.Version, apiVersion: raw.ApiVersion, os: raw.Os, arch: raw.Arch };
  }

  /** True once {@link close} was called. */
  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Closes the client: ends every connection of its agent (those kept alive and those of requests
   * under way) and the SSH tunnel it opened. Final: every later request rejects with a
   * `ClosedError`. Idempotent; a second call waits for the first. Streams already handed over
   * (hijacked exec connections) belong to their owners and stay open.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.agent.destroy();
      await this.closeTunnel();
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async dial<T>(
    request: EngineRequest,
    send: (target: HttpTarget, call: HttpCall) => Promise<T>,
  ): Promise<T> {
    if (this.closing) throw this.closedError(request);
    const call: HttpCall = {
      method: request.method,
      path: request.path,
      query: request.query,
      body: request.body,
      input: request.input,
      okStatus: request.okStatus ?? DEFAULT_OK,
      signal: request.signal,
      mayRetry: () => !this.closing,
    };
    try {
      return await send(this.target, call);
    } catch (error) {
      // close() destroyed the connection under the request.
      if (this.closing) throw this.closedError(request);
      throw this.toError(request, error);
    }
  }

  private closedError(request: EngineRequest): ClosedError {
    return new ClosedError(
      `Cannot send ${request.method} ${request.path} to the Docker engine at ${this.endpoint.url}: the engine client was closed.`,
      { transport: this.endpoint.url, operation: `${request.method} ${request.path}` },
    );
  }

  private toError(request: EngineRequest, error: unknown): Error {
    const where = `${request.method} ${request.path}`;
    const failure = error as { code?: string; name?: string; message?: string };
    if (error instanceof EngineHttpError) {
      return new DockerError(
        'ENGINE_REQUEST_FAILED',
        `Engine request ${where} failed at ${this.endpoint.url} with HTTP ${error.statusCode}: ${error.reason}`,
        {
          transport: this.endpoint.url,
          operation: where,
          cause: error,
        },
      );
    }
    if (failure.name === 'AbortError') return error as Error;
    // The way to the engine failed (an SSH login, a forward): that error already says why.
    if (isOttoError(error)) return error;
    return new ConnectionError(
      'ENGINE_UNREACHABLE',
      `Cannot reach the Docker engine at ${this.endpoint.url} for ${where}: ${failure.code ?? failure.message}.`,
      {
        transport: this.endpoint.url,
        operation: where,
        fix: 'start the engine (`otto engine ensure` installs and starts it on Debian) or set DOCKER_HOST.',
        cause: error,
      },
    );
  }
}

/** HTTP status of an engine error, or undefined for other errors. */
export function engineStatusOf(error: unknown): number | undefined {
  const cause = (error as { cause?: { statusCode?: number } } | undefined)?.cause;
  return error instanceof DockerError ? cause?.statusCode : undefined;
}

/** Where the HTTP requests go; a connection factory's agent ignores the address. */
function httpTarget(
  endpoint: EngineEndpoint,
  agent: Agent,
  viaFactory: boolean,
  tls: HttpTarget['tls'],
): HttpTarget {
  if (viaFactory) return { agent, socketPath: DEFAULT_SOCKET_PATH };
  if (endpoint.kind === 'unix') return { agent, socketPath: endpoint.socketPath };
  if (tls) return { agent, host: endpoint.host, port: endpoint.port, tls };
  return { agent, host: endpoint.host, port: endpoint.port };
}

/** The client certificates DOCKER_CERT_PATH names (ca.pem, cert.pem, key.pem), as the docker CLI reads them. */
function readTlsMaterial(): NonNullable<HttpTarget['tls']> {
  const dir = process.env.DOCKER_CERT_PATH;
  if (!dir) return {};
  const read = (name: string): Buffer | undefined => {
    try {
      return readFileSync(join(dir, name));
    } catch {
      return undefined;
    }
  };
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
}

/**
 * For DOCKER_HOST=ssh://user@host[:port]: the engine's socket forwarded over an SSH connection of
 * ours (the SSH transport is loaded only then), authenticated by the ssh-agent, host key checked.
 */
function createSshTunnel(endpoint: EngineEndpoint): {
  createConnection: ConnectionFactory;
  close: () => Promise<void>;
} {
  let opening:
    Promise<{ openUnixSocket(path: string): Promise<Duplex>; close(): Promise<void> }> | undefined;
  const open = () =>
    (opening ??= import('../../transports/ssh/ssh-transport.js').then(
      ({ SshTransport }) =>
        new SshTransport({
          host: endpoint.host!,
          port: endpoint.port,
          username: endpoint.username ?? process.env.USER ?? 'root',
          useAgent: true,
        }),
    ));
  return {
    createConnection: async () => (await open()).openUnixSocket(DEFAULT_SOCKET_PATH),
    close: async () => {
      if (opening) await (await opening).close();
    },
  };
}
