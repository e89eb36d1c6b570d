/**
 * The dashboard's access token. A server reachable from other machines requires one: 128 random
 * bits, base64url, printed in the URL it gives. A request carries it as `?token=`, as an
 * `Authorization: Bearer` header, or in the cookie the server sets when the page is opened with
 * the token in its URL (so that the page's scripts, module imports and event stream, which the
 * browser fetches without the query, are let in too).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A new random access token: 128 bits, base64url (22 characters). */
export function createAccessToken(): string {
  return randomBytes(16).toString('base64url');
}

/** Name of the token's cookie: per port, since cookies do not tell ports apart. */
export function tokenCookieName(port: number): string {
  return `otto-monitor-${port}`;
}

/** Where a request's token came from, when it has one. */
export interface RequestToken {
  value: string;
  from: 'query' | 'header' | 'cookie';
}

/** The token a request carries: `?token=`, then `Authorization: Bearer`, then the cookie. */
export function tokenOfRequest(
  request: IncomingMessage,
  url: URL,
  port: number,
): RequestToken | undefined {
  const query = url.searchParams.get('token');
  if (query !== null) return { value: query, from: 'query' };
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (bearer) return { value: bearer[1]!, from: 'header' };
  const cookie = cookieValue(request.headers.cookie, tokenCookieName(port));
  return cookie === undefined ? undefined : { value: cookie, from: 'cookie' };
}

/** Compares in constant time: hashing first makes both sides one length, whatever was sent. */
export function isTokenValid(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

/** The `Set-Cookie` value that lets the page's own requests in (not readable by scripts). */
export function tokenCookie(port: number, token: string): string {
  return `${tokenCookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
