/**
 * Answers of the monitor's server: JSON bodies, JSON errors `{ error }`, the security headers
 * every answer carries, and request bodies read with a size cap.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Largest request body accepted (events are a few hundred bytes). */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Only this origin's scripts, styles, images and connections; no frames, plugins or base tags.
 * The dashboard has no inline script or style attribute (uPlot styles through the CSSOM, which
 * a CSP does not restrict).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** Headers of every answer: no sniffing, no framing, no referrer (a URL may hold the token). */
export const SECURITY_HEADERS: OutgoingHttpHeaders = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

/** A request the server refuses: its HTTP status and the message of its `{ error }` body. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: OutgoingHttpHeaders = {},
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}

/** Sends `body` as JSON, never cached. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  response.end(text);
}

/** Sends `{ error: message }` with `status`. */
export function sendError(
  response: ServerResponse,
  status: number,
  message: string,
  headers: OutgoingHttpHeaders = {},
): void {
  sendJson(response, status, { error: message }, headers);
}

/** An empty answer (204 and the like). */
export function sendEmpty(response: ServerResponse, status: number): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' });
  response.end();
}

/**
 * Reads a JSON request body, refusing one over {@link MAX_BODY_BYTES} (413), of another content
 * type (415: a cross-site form cannot send `application/json` without a preflight this server
 * never grants) and text that is not JSON (400).
 */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type))
    throw new HttpProblem(415, `body: expected Content-Type application/json, got "${type}"`);
  const text = await readBodyText(request);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpProblem(400, `body: not valid JSON (${(error as Error).message})`);
  }
}

async function readBodyText(request: IncomingMessage): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let sizeBytes = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    sizeBytes += chunk.length;
    if (sizeBytes > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(): HttpProblem {
  // The connection closes after the answer: the rest of the body is not read.
  return new HttpProblem(413, `body: larger than ${MAX_BODY_BYTES / 1024} KiB`, {
    Connection: 'close',
  });
}
