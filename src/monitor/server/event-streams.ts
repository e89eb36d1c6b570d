/**
 * `GET /api/stream`: server-sent events. The stream opens with a `retry:` hint (how soon the
 * browser reconnects), then carries one `data:` line of JSON per {@link StreamMessage}, and a
 * comment line every `keepaliveMs` so that idle connections are not cut by proxies. A client
 * that reads slower than messages come (its socket's queue past `maxBufferedBytes`) is dropped:
 * the browser reconnects and reloads, rather than the server's memory growing without end.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StreamMessage } from '../api-types.js';
import type { MonitorSource } from '../monitor-source.js';
import { SECURITY_HEADERS } from './http-replies.js';

/** How soon a browser reconnects after the stream was cut. */
const RETRY_MS = 2000;

/** Settings of {@link EventStreams}. */
export interface EventStreamSettings {
  keepaliveMs: number;
  maxBufferedBytes: number;
}

/** The open event streams of one server: one subscription to the source per client. */
export class EventStreams {
  private readonly clients = new Map<ServerResponse, () => void>();
  private readonly keepalive: ReturnType<typeof setInterval>;
  private isClosed = false;

  constructor(
    private readonly source: MonitorSource,
    private readonly settings: EventStreamSettings,
  ) {
    // One timer for every client rather than one each.
    this.keepalive = setInterval(() => this.writeAll(': keepalive\n\n'), settings.keepaliveMs);
    this.keepalive.unref();
  }

  /** Streams clients connected now. */
  get size(): number {
    return this.clients.size;
  }

  /** Answers `request` with the stream, until the client goes or the server closes. */
  open(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    response.write(`retry: ${RETRY_MS}\n\n`);
    if (this.isClosed) return void response.end();
    const unsubscribe = this.source.subscribe((message) => this.send(response, message));
    this.clients.set(response, unsubscribe);
    request.socket.setNoDelay(true);
    response.on('close', () => this.drop(response));
  }

  /** Ends every stream and stops the keepalive; later clients get an ended stream. */
  closeAll(): void {
    this.isClosed = true;
    clearInterval(this.keepalive);
    for (const response of [...this.clients.keys()]) {
      this.drop(response);
      response.end();
    }
  }

  private send(response: ServerResponse, message: StreamMessage): void {
    this.write(response, `data: ${JSON.stringify(message)}\n\n`);
  }

  private writeAll(text: string): void {
    for (const response of [...this.clients.keys()]) this.write(response, text);
  }

  private write(response: ServerResponse, text: string): void {
    if (response.writableLength > this.settings.maxBufferedBytes) {
      this.drop(response);
      response.destroy();
      return;
    }
    response.write(text);
  }

  private drop(response: ServerResponse): void {
    const unsubscribe = this.clients.get(response);
    if (!unsubscribe) return;
    this.clients.delete(response);
    unsubscribe();
  }
}
