/**
 * The monitor's HTTP server (`node:http`, no framework): the JSON API, the event stream and the
 * dashboard's files, for one {@link MonitorSource}: a live monitor or a replay, it does not
 * know which.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { MonitorSource } from '../monitor-source.js';
import { handleApi } from './api-routes.js';
import { EventStreams } from './event-streams.js';
import { HttpProblem, sendError } from './http-replies.js';
import { listenOn, serverUrls } from './listen.js';
import { checkAccess } from './request-access.js';
import {
  normalizeServerOptions,
  type MonitorServerOptions,
  type ResolvedServerOptions,
} from './server-options.js';
import { dashboardDirectory, serveStatic } from './static-files.js';

export type { MonitorServerOptions } from './server-options.js';

/** A running dashboard server; close it when done (or `await using` it). */
export interface MonitorServer extends AsyncDisposable {
  /** The dashboard's URL, with `?token=` when one is required. */
  readonly url: string;
  /** Every URL it is reached at (one per address of this machine when bound to 0.0.0.0). */
  readonly urls: readonly string[];
  /** The port it listens on (the one the system chose for port 0). */
  readonly port: number;
  /** The address it listens on. */
  readonly bind: string;
  /** Stops listening and ends event streams and open connections. Idempotent, bounded. */
  close(): Promise<void>;
}

/**
 * Serves `source`'s dashboard and API over HTTP, on 127.0.0.1 and a free port by default. Bound
 * beyond loopback, every request must carry a random access token, which `url` holds.
 * @example
 * await using server = await startMonitorServer(monitor, { port: 8080 });
 * console.log(`dashboard: ${server.url}`);
 */
export async function startMonitorServer(
  source: MonitorSource,
  options: MonitorServerOptions = {},
): Promise<MonitorServer> {
  const resolved = normalizeServerOptions(options);
  const server = new HttpMonitorServer(source, resolved);
  await server.listen();
  return server;
}

class HttpMonitorServer implements MonitorServer {
  private readonly server: Server;
  private readonly streams: EventStreams;
  private readonly dashboardDir = dashboardDirectory();
  private listeningPort = 0;
  private listeningUrls: string[] = [];
  private closing: Promise<void> | undefined;

  constructor(
    private readonly source: MonitorSource,
    private readonly options: ResolvedServerOptions,
  ) {
    this.streams = new EventStreams(source, {
      keepaliveMs: options.keepaliveMs,
      maxBufferedBytes: options.maxStreamBufferBytes,
    });
    this.server = createServer((request, response) => void this.answer(request, response));
  }

  get port(): number {
    return this.listeningPort;
  }

  get bind(): string {
    return this.options.bind;
  }

  get urls(): string[] {
    return this.listeningUrls;
  }

  get url(): string {
    return this.urls[0]!;
  }

  async listen(): Promise<void> {
    try {
      this.listeningPort = await listenOn(this.server, this.options.bind, this.options.port);
      this.listeningUrls = serverUrls(this.options.bind, this.listeningPort, this.options.token);
    } catch (error) {
      this.streams.closeAll();
      throw error;
    }
  }

  close(): Promise<void> {
    return (this.closing ??= this.shutDown());
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async shutDown(): Promise<void> {
    this.streams.closeAll();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    // Requests in flight (an export) get a moment to finish; then their connections are cut.
    const cut = setTimeout(() => this.server.closeAllConnections(), this.options.closeTimeoutMs);
    await closed;
    clearTimeout(cut);
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const url = requestUrl(request);
      checkAccess(request, response, url, { ...this.options, port: this.listeningPort });
      if (url.pathname.startsWith('/api/')) {
        await handleApi(request, response, url, { source: this.source, streams: this.streams });
      } else if (!(await serveStatic(request, response, url.pathname, this.dashboardDir))) {
        throw new HttpProblem(404, `no such page: ${url.pathname}`);
      }
    } catch (error) {
      this.fail(request, response, error);
    }
  }

  private fail(request: IncomingMessage, response: ServerResponse, error: unknown): void {
    if (response.headersSent) return void response.destroy();
    if (error instanceof HttpProblem)
      return sendError(response, error.status, error.message, error.headers);
    // The path only: the query may hold the access token, which no log may show.
    const what = `${request.method} ${(request.url ?? '/').split('?')[0]}`;
    const message = error instanceof Error ? error.message : String(error);
    this.options.logger.error(`monitor server: ${what} failed: ${message}`);
    sendError(response, 500, `${what} failed: ${message}`);
  }
}

/** The request's URL; a target that is not a path (`*`, an absolute URL) is refused. */
function requestUrl(request: IncomingMessage): URL {
  const target = request.url ?? '/';
  if (!target.startsWith('/')) throw new HttpProblem(400, 'the request target must be a path');
  return new URL(`http://monitor${target}`);
}
