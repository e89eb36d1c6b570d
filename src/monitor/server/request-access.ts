/**
 * Who may use the server. With a token (bound beyond loopback, or asked for), every request must
 * carry it: a page opened with `?token=` gets it as a cookie too, for its scripts and stream.
 * Without one (loopback only), the `Host` header must name this machine: a web page on another
 * site that re-points its own name at 127.0.0.1 (DNS rebinding) must not read the API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isTokenValid, tokenCookie, tokenOfRequest } from './access-token.js';
import { HttpProblem } from './http-replies.js';
import { isLoopbackAddress } from './server-options.js';

/** What {@link checkAccess} needs of the server. */
export interface AccessSettings {
  /** The token requests need; undefined when none. */
  token: string | undefined;
  /** The port listened on (it names the cookie). */
  port: number;
}

/** Throws a 401 (no or a wrong token) or a 403 (a foreign `Host`) when `request` may not pass. */
export function checkAccess(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  settings: AccessSettings,
): void {
  if (settings.token === undefined) return checkHostHeader(request.headers.host);
  const given = tokenOfRequest(request, url, settings.port);
  if (!isTokenValid(given?.value, settings.token))
    throw new HttpProblem(
      401,
      given === undefined
        ? 'an access token is required: open the URL the monitor printed (it ends in ?token=...)'
        : 'the access token is wrong: open the URL the monitor printed (it ends in ?token=...)',
      { 'WWW-Authenticate': 'Bearer realm="otto monitor"' },
    );
  if (given?.from === 'query' && !url.pathname.startsWith('/api/'))
    response.setHeader('Set-Cookie', tokenCookie(settings.port, settings.token));
}

function checkHostHeader(host: string | undefined): void {
  const name = (host ?? '').replace(/:\d+$/, '');
  if (isLoopbackAddress(name)) return;
  throw new HttpProblem(
    403,
    `the Host header "${host ?? ''}" is not this machine's: without an access token only 127.0.0.1 and localhost are served`,
  );
}
