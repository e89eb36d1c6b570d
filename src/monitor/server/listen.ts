/**
 * Listening for the monitor's server, and the URLs it is reached at. A failure to listen says on
 * which address and why, in the words of the command line's `--bind` and `--port`.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { MonitorError } from '../../errors.js';

/** Starts `server` listening on `bind`:`port`; resolves with the port it got. */
export function listenOn(server: Server, bind: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(listenError(error, bind, port));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host: bind, port });
  });
}

/** `127.0.0.1:8080`, `[::1]:8080`. */
export function formatAddress(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/**
 * The URLs the dashboard is reached at: the bind address itself, or for a wildcard (0.0.0.0,
 * ::) each external address of this machine (loopback when it has none), `?token=` included.
 */
export function serverUrls(bind: string, port: number, token: string | undefined): string[] {
  const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  return hostsOf(bind).map((host) => `http://${formatAddress(host, port)}/${query}`);
}

function hostsOf(bind: string): string[] {
  if (bind !== '0.0.0.0' && bind !== '::') return [bind];
  const addresses = Object.values(networkInterfaces())
    .flatMap((infos) => infos ?? [])
    .filter((info) => !info.internal)
    .filter((info) => bind === '::' || info.family === 'IPv4')
    .filter((info) => !info.address.startsWith('fe80:'))
    .map((info) => info.address);
  return addresses.length > 0 ? addresses : [bind === '::' ? '::1' : '127.0.0.1'];
}

const REASONS: Record<string, { why: string; fix: string }> = {
  EADDRINUSE: {
    why: 'the port is in use',
    fix: 'choose another --port, or 0 for any free one',
  },
  EADDRNOTAVAIL: {
    why: 'the address is not on this machine',
    fix: 'choose an address of this machine for --bind (127.0.0.1, or 0.0.0.0 for all of them)',
  },
  EACCES: {
    why: 'permission denied (ports below 1024 need root)',
    fix: 'choose a --port from 1024, or 0 for any free one',
  },
  ENOTFOUND: {
    why: 'the name does not resolve',
    fix: 'give --bind an IP address of this machine, or a name that resolves to one',
  },
  EAI_AGAIN: {
    why: 'the name does not resolve',
    fix: 'give --bind an IP address of this machine, or a name that resolves to one',
  },
};

function listenError(error: NodeJS.ErrnoException, bind: string, port: number): MonitorError {
  const reason = REASONS[error.code ?? ''];
  const why = reason?.why ?? error.message;
  return new MonitorError(
    'MONITOR_LISTEN_FAILED',
    `Cannot listen on ${formatAddress(bind, port)}: ${why}.`,
    { cause: error, ...(reason ? { fix: reason.fix } : {}) },
  );
}
