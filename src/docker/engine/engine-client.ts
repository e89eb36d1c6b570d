import Modem from 'docker-modem';
import type { Agent, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ConnectionError, DockerError } from '../../errors.js';
import {
  ConnectionFactoryAgent,
  createKeepAliveAgent,
  type ConnectionFactory,
} from './engine-agent.js';
import {
  DEFAULT_SOCKET_PATH,
  resolveEngineEndpoint,
  type EngineEndpoint,
} from './engine-endpoint.js';

/** A byte stream that can feed a request body: a Node stream, or a tar-stream pack. */
export interface ByteSource {
  pipe<T extends NodeJS.WritableStream>(destination: T): T;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** One request to the Engine API. */
export interface EngineRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  /** API path without version, e.g. `/images/otto%2Fbusybox/json`. */
  path: string;
  query?: Record<string, string | number | boolean | string[] | undefined>;
  /** JSON body. */
  body?: unknown;
  /** Raw body (a tar archive for build, import and archive uploads). */
  input?: ByteSource | Buffer;
  /** Status codes that count as success. @default [200, 201, 204] */
  okStatus?: readonly number[];
  signal?: AbortSignal;
}

/** What the engine says about itself. */
export interface EngineVersion {
  version: string;
  apiVersion: string;
  os: string;
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
}

const DEFAULT_OK = [200, 201, 204] as const;

/** How a request's answer is handed back. */
type AnswerMode = 'json' | 'stream' | 'hijack';

/**
 * A connection to one Docker engine through its HTTP API. Knows nothing of images or containers:
 * those are functions in the neighbouring folders that take a client.
 * @example
 * const engine = EngineClient.fromEnvironment();
 * console.log((await engine.version()).version);
 */
export class EngineClient {
  readonly endpoint: EngineEndpoint;
  private readonly modem: Modem;
  private readonly agent: Agent | undefined;

  constructor(
    endpoint: EngineEndpoint = resolveEngineEndpoint(),
    options: EngineClientOptions = {},
  ) {
    this.endpoint = endpoint;
    this.agent = createAgent(endpoint, options);
    this.modem = new Modem(modemOptions(endpoint, this.agent, options));
  }

  /** A client for the engine that `DOCKER_HOST` (or the default socket) names. */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): EngineClient {
    return new EngineClient(resolveEngineEndpoint(env));
  }

  /** Sends a request and returns the parsed JSON answer (or undefined for an empty one). */
  async json<T>(request: EngineRequest): Promise<T> {
    const answer = await this.dial(request, 'json');
    return (Buffer.isBuffer(answer) ? parseBody(answer) : answer) as T;
  }

  /** Sends a request and returns the response body as a stream (logs, archives, progress). */
  async stream(request: EngineRequest): Promise<IncomingMessage> {
    return (await this.dial(request, 'stream')) as IncomingMessage;
  }

  /**
   * Sends a request that takes over the connection (`Upgrade: tcp`) and returns it as one
   * bidirectional byte stream, e.g. an exec with stdin attached. `end()` half-closes it: the
   * engine then closes the process's stdin and keeps sending its output until it exits.
   */
  async hijack(request: Omit<EngineRequest, 'input' | 'signal'>): Promise<Duplex> {
    return (await this.dial(request, 'hijack')) as Duplex;
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

  async version(): Promise<EngineVersion> {
    const raw = await this.json<{ Version: string; ApiVersion: string; Os: string; Arch: string }>({
      method: 'GET',
      path: '/version',
    });
    return { version: raw.Version, apiVersion: raw.ApiVersion, os: raw.Os, arch: raw.Arch };
  }

  /** Closes the connections kept alive for later requests; requests under way are not affected. */
  close(): void {
    this.agent?.destroy();
  }

  private dial(request: EngineRequest, mode: AnswerMode): Promise<unknown> {
    const okStatus = request.okStatus ?? DEFAULT_OK;
    const statusCodes: Record<number, true> = Object.fromEntries(
      okStatus.map((code) => [code, true]),
    );
    const options = { _query: compactQuery(request.query), _body: request.body ?? {} };
    return new Promise((resolve, reject) => {
      this.modem.dial(
        {
          path: `${request.path}?`,
          method: request.method,
          options,
          statusCodes,
          isStream: mode !== 'json',
          hijack: mode === 'hijack',
          openStdin: mode === 'hijack',
          file: request.input,
          abortSignal: request.signal,
        } as unknown as Modem.DialOptions,
        (error: unknown, answer: unknown) =>
          error ? reject(this.toError(request, error)) : resolve(answer),
      );
    });
  }

  private toError(request: EngineRequest, error: unknown): Error {
    const where = `${request.method} ${request.path}`;
    const failure = error as {
      statusCode?: number;
      json?: { message?: string };
      code?: string;
      name?: string;
      message?: string;
    };
    if (failure.statusCode !== undefined) {
      const reason = failure.json?.message ?? extractReason(failure.message);
      return new DockerError(
        'ENGINE_REQUEST_FAILED',
        `Engine request ${where} failed at ${this.endpoint.url} with HTTP ${failure.statusCode}: ${reason}`,
        {
          where: this.endpoint.url,
          operation: where,
          cause: error,
        },
      );
    }
    if (failure.name === 'AbortError') return error as Error;
    return new ConnectionError(
      'ENGINE_UNREACHABLE',
      `Cannot reach the Docker engine at ${this.endpoint.url} for ${where}: ${failure.code ?? failure.message}.`,
      {
        where: this.endpoint.url,
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

function createAgent(endpoint: EngineEndpoint, options: EngineClientOptions): Agent | undefined {
  if (options.createConnection) return new ConnectionFactoryAgent(options.createConnection);
  // TLS needs an https agent and ssh brings its own; both keep the driver's.
  return endpoint.kind === 'unix' || endpoint.kind === 'tcp' ? createKeepAliveAgent() : undefined;
}

function modemOptions(
  endpoint: EngineEndpoint,
  agent: Agent | undefined,
  options: EngineClientOptions,
): Modem.ConstructorOptions {
  // The factory's agent ignores the socket path; the driver only needs one to build the request.
  if (options.createConnection) return { socketPath: DEFAULT_SOCKET_PATH, agent };
  if (endpoint.kind === 'unix') return { socketPath: endpoint.socketPath, agent };
  if (endpoint.kind === 'ssh') {
    return {
      protocol: 'ssh',
      host: endpoint.host,
      port: endpoint.port,
      username: endpoint.username,
      sshOptions: { agent: process.env.SSH_AUTH_SOCK },
    };
  }
  // With TLS the driver reads DOCKER_CERT_PATH and DOCKER_TLS_VERIFY itself.
  if (endpoint.kind === 'tls') return undefined as unknown as Modem.ConstructorOptions;
  return { protocol: 'http', host: endpoint.host, port: endpoint.port, agent };
}

function compactQuery(query: EngineRequest['query']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) out[key] = value;
  return out;
}

function parseBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function extractReason(message: string | undefined): string {
  return (message ?? 'no reason given').replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '').trim();
}
