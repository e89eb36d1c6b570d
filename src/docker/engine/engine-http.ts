/**
 * HTTP to the Docker engine with node:http only. A request is a method, a path with its query,
 * and an optional JSON or streamed body; the answer is read as JSON, handed over as a stream, or,
 * for a hijack (`Connection: Upgrade`, `Upgrade: tcp`), the connection itself becomes a raw
 * bidirectional stream once the engine answers `101 UPGRADED`. A status outside the accepted ones
 * is read to its end for the engine's `{"message": ...}` and becomes an {@link EngineHttpError}.
 */
import {
  request as httpRequest,
  type Agent,
  type ClientRequest,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';
import type { Duplex } from 'node:stream';
import { loadHttps } from './engine-agent.js';

/** Where requests go: a unix socket, or host and port, through an agent. */
export interface HttpTarget {
  agent?: Agent;
  socketPath?: string;
  host?: string;
  port?: number;
  /** TLS material, for an engine on https. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
}

/** What a request carries. */
export interface HttpCall {
  method: string;
  path: string;
  query?: Record<string, unknown>;
  body?: unknown;
  input?:
    | Buffer
    | {
        pipe<T extends NodeJS.WritableStream>(destination: T): T;
        on(event: 'error', listener: (error: Error) => void): unknown;
      };
  okStatus: readonly number[];
  signal?: AbortSignal;
  /** Whether a request that met a stale kept-alive connection may be sent again. @default always */
  mayRetry?: () => boolean;
}

/** The engine answered with a status we did not accept. */
export class EngineHttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: string,
  ) {
    super(`HTTP ${statusCode}: ${reason}`);
  }
}

/** Builds `path?query`: arrays repeat their key, objects are sent as JSON, undefined is left out. */
export function buildPath(path: string, query: Record<string, unknown> = {}): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      const text =
        typeof item === 'object' && item !== null
          ? JSON.stringify(item)
          : String(item as string | number | boolean);
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(text)}`);
    }
  }
  return parts.length > 0 ? `${path}?${parts.join('&')}` : path;
}

/**
 * Errors of requests sent on a kept-alive connection that the engine (or an SSH channel in
 * between) closed just as it was reused: the request never reached the engine, so it is sent
 * once more on a new connection, as Node's documentation advises for `reusedSocket`.
 */
const staleReuses = new WeakSet<Error>();

function rejectWith(req: ClientRequest, reject: (error: Error) => void) {
  return (error: Error & { code?: string }) => {
    const reset = error.code === 'ECONNRESET' || error.code === 'EPIPE';
    if (req.reusedSocket && (reset || error.message === 'socket hang up')) staleReuses.add(error);
    reject(error);
  };
}

async function retryingStaleReuse<T>(call: HttpCall, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    // A streamed body cannot be sent twice.
    const replayable = call.input === undefined || Buffer.isBuffer(call.input);
    const mayRetry = replayable && (call.mayRetry?.() ?? true);
    if (!(error instanceof Error && staleReuses.has(error)) || !mayRetry) throw error;
    return send();
  }
}

/** Sends a request and resolves with the response once its status is accepted. */
export function sendForResponse(target: HttpTarget, call: HttpCall): Promise<IncomingMessage> {
  return retryingStaleReuse(call, () => sendForResponseOnce(target, call));
}

function sendForResponseOnce(target: HttpTarget, call: HttpCall): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = openRequest(target, call, {});
    req.on('error', rejectWith(req, reject));
    req.on('response', (response) => {
      if (call.okStatus.includes(response.statusCode ?? 0)) resolve(response);
      else readFailure(response).then(reject, reject);
    });
    writeBody(req, call);
  });
}

/** Sends a request and resolves with its body parsed as JSON (or text, or undefined when empty). */
export async function sendForJson(target: HttpTarget, call: HttpCall): Promise<unknown> {
  const response = await sendForResponse(target, call);
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return parseBody(Buffer.concat(chunks));
}

/** Sends a hijacking request and resolves with the raw connection after `101 UPGRADED`. */
export function sendForHijack(target: HttpTarget, call: HttpCall): Promise<Duplex> {
  return retryingStaleReuse(call, () => sendForHijackOnce(target, call));
}

function sendForHijackOnce(target: HttpTarget, call: HttpCall): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const req = openRequest(target, call, { Connection: 'Upgrade', Upgrade: 'tcp' });
    req.on('error', rejectWith(req, reject));
    req.on('upgrade', (_response, socket, head) => {
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.on('response', (response) => void readFailure(response).then(reject, reject));
    writeBody(req, call);
  });
}

function openRequest(
  target: HttpTarget,
  call: HttpCall,
  extraHeaders: Record<string, string>,
): ClientRequest {
  const headers: Record<string, string | number> = { ...extraHeaders };
  if (call.input) headers['Content-Type'] = 'application/x-tar';
  else if (call.body !== undefined) headers['Content-Type'] = 'application/json';
  const options: RequestOptions = {
    method: call.method,
    path: buildPath(call.path, call.query),
    headers,
    agent: target.agent,
    socketPath: target.socketPath,
    host: target.host,
    port: target.port,
    signal: call.signal,
    ...(target.tls ?? {}),
  };
  return target.tls ? loadHttps().request(options) : httpRequest(options);
}

function writeBody(req: ClientRequest, call: HttpCall): void {
  if (Buffer.isBuffer(call.input)) return void req.end(call.input);
  if (call.input) {
    call.input.on('error', (error) => req.destroy(error));
    call.input.pipe(req);
    return;
  }
  req.end(call.body === undefined ? undefined : JSON.stringify(call.body));
}

async function readFailure(response: IncomingMessage): Promise<EngineHttpError> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return new EngineHttpError(
    response.statusCode ?? 0,
    reasonOf(text) || response.statusMessage || 'no reason given',
  );
}

/** The engine's `{"message": ...}`, or the body as text. */
function reasonOf(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed)
      return String(parsed.message);
  } catch {
    // not JSON: the text is the reason
  }
  return text;
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
