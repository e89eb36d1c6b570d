import { isIP } from 'node:net';
import { getDefaultLogger, type Logger } from '../../common/logger.js';
import { MonitorError } from '../../errors.js';
import { createAccessToken } from './access-token.js';

/** Options of {@link startMonitorServer}. */
export interface MonitorServerOptions {
  /** Address to listen on; beyond loopback (0.0.0.0, ::, a LAN address) a token is required. @default '127.0.0.1' */
  bind?: string;
  /** Port to listen on; 0 lets the system choose a free one. @default 0 */
  port?: number;
  /** Access token every request must carry; @default a random one beyond loopback, none on it */
  token?: string;
  /** Period of the comment that keeps idle event streams open through proxies. @default 15000 */
  keepaliveMs?: number;
  /** Bytes an event stream may have queued for a slow client before it is dropped. @default 4 MiB */
  maxStreamBufferBytes?: number;
  /** Time `close` waits for requests in flight before cutting their connections. @default 2000 */
  closeTimeoutMs?: number;
  /** Receives server problems (a request that failed on the server's side). @default the default logger */
  logger?: Logger;
}

/** Server options with every default filled. */
export interface ResolvedServerOptions {
  bind: string;
  port: number;
  /** Undefined when requests need none (loopback, no token asked). */
  token: string | undefined;
  keepaliveMs: number;
  maxStreamBufferBytes: number;
  closeTimeoutMs: number;
  logger: Logger;
}

/**
 * Resolves the server's options once: defaults filled, a random token made when the server is
 * reachable from other machines.
 * @example normalizeServerOptions({ bind: '0.0.0.0' }).token // 'Xq3...' (22 characters)
 */
export function normalizeServerOptions(options: MonitorServerOptions = {}): ResolvedServerOptions {
  const bind = options.bind ?? '127.0.0.1';
  const port = options.port ?? 0;
  const problems = [checkBind(bind), checkPort(port), checkToken(options.token)].filter(
    (problem) => problem !== undefined,
  );
  if (problems.length > 0)
    throw new MonitorError(
      'MONITOR_OPTIONS',
      `Cannot serve the monitor's dashboard: ${problems.join('; ')}.`,
    );
  return {
    bind,
    port,
    token: options.token ?? (isLoopbackAddress(bind) ? undefined : createAccessToken()),
    keepaliveMs: options.keepaliveMs ?? 15_000,
    maxStreamBufferBytes: options.maxStreamBufferBytes ?? 4 * 1024 * 1024,
    closeTimeoutMs: options.closeTimeoutMs ?? 2000,
    logger: options.logger ?? getDefaultLogger(),
  };
}

/** True for addresses only this machine reaches: 127.0.0.0/8, ::1, `localhost`. */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  if (bare.startsWith('::ffff:')) return isLoopbackAddress(bare.slice('::ffff:'.length));
  return isIP(bare) === 4 && bare.startsWith('127.');
}

function checkBind(bind: string): string | undefined {
  if (typeof bind === 'string' && bind.trim() !== '' && !/\s/.test(bind)) return undefined;
  return `the bind address must be an address or a host name, got ${JSON.stringify(bind)}`;
}

function checkPort(port: number): string | undefined {
  if (Number.isInteger(port) && port >= 0 && port <= 65_535) return undefined;
  return `the port must be a whole number from 0 to 65535, got ${JSON.stringify(port)}`;
}

function checkToken(token: string | undefined): string | undefined {
  if (token === undefined || /^[\x21-\x7e]{8,}$/.test(token)) return undefined;
  return 'the token must be at least 8 printable characters without spaces';
}
