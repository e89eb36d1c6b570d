import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { describePlace, placeDetails, type Place } from '../common/place.js';
import { ConnectionError, toError } from '../errors.js';

/**
 * Opens TCP byte streams to addresses as a host's network sees them: straight from this machine,
 * or through an SSH connection (a `direct-tcpip` channel from its last hop). Telnet sessions, FTP
 * control and data connections and netcat streams all go through one, so that they reach a host
 * behind a hop chain exactly as they reach one next door.
 * @example
 * const tcp = hop ? tcpThrough(hop) : directTcp();
 * const socket = await tcp.open('10.0.0.7', 23);
 */
export interface TcpOpener {
  /** What the streams go through, for messages: `root@127.0.0.1:32771`; undefined when direct. */
  readonly via: string | undefined;
  /**
   * Opens a stream to `host:port`. A refusal, an unreachable address or the deadline reject with
   * a `ConnectionError` (`CONNECT_FAILED`) whose message says why; aborting `signal` rejects too.
   */
  open(host: string, port: number, options?: TcpOpenOptions): Promise<Duplex>;
}

/** Options of one {@link TcpOpener.open}. */
export interface TcpOpenOptions {
  /** Give up after this long. @default 10000 */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Streams straight from this machine. */
export function directTcp(): TcpOpener {
  return {
    via: undefined,
    open: (host, port, options = {}) => openSocket(host, port, options),
  };
}

/** What {@link tcpThrough} needs of an SSH connection (an `SshTransport`, or `SshHost.ssh`). */
export interface TcpTunnels {
  readonly address: string;
  forwardOut(host: string, port: number): Promise<Duplex>;
}

/** Streams through `ssh`'s connection (and its hops): the host `ssh` reaches opens them. */
export function tcpThrough(ssh: TcpTunnels): TcpOpener {
  return {
    via: ssh.address,
    open: async (host, port, options = {}) => {
      options.signal?.throwIfAborted();
      const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
      const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])];
      const stop = AbortSignal.any(signals);
      const opening = ssh.forwardOut(host, port);
      const stopped = new Promise<never>((_, reject) => {
        const onStop = (): void => {
          opening.then((late) => late.destroy()).catch(() => undefined);
          reject(
            options.signal?.aborted
              ? toError(options.signal.reason)
              : connectFailed(host, port, `no connection within ${timeoutMs}ms via ${ssh.address}`),
          );
        };
        if (stop.aborted) onStop();
        else stop.addEventListener('abort', onStop, { once: true });
      });
      try {
        return await Promise.race([opening, stopped]);
      } catch (error) {
        if (error instanceof ConnectionError && error.code === 'FORWARD_FAILED')
          throw connectFailed(host, port, `${error.message.replace(/\.$/, '')}`, error);
        throw error;
      }
    },
  };
}

function openSocket(host: string, port: number, options: TcpOpenOptions): Promise<Socket> {
  options.signal?.throwIfAborted();
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(
      () => fail(connectFailed(host, port, `no connection within ${timeoutMs}ms`)),
      timeoutMs,
    );
    const onAbort = (): void => fail(options.signal!.reason);
    const settle = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
    };
    const fail = (error: unknown): void => {
      settle();
      socket.destroy();
      reject(toError(error));
    };
    const onError = (error: NodeJS.ErrnoException): void =>
      fail(connectFailed(host, port, socketReason(error), error));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('connect', () => {
      settle();
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

/** `connection refused`, `host unreachable`, ... from a socket error. */
export function socketReason(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running on that port?)';
    case 'EHOSTUNREACH':
      return 'host unreachable';
    case 'ENETUNREACH':
      return 'network unreachable';
    case 'ETIMEDOUT':
      return 'the connection timed out';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host name';
    default:
      return error.message;
  }
}

function connectFailed(host: string, port: number, why: string, cause?: unknown): ConnectionError {
  return new ConnectionError('CONNECT_FAILED', `Cannot connect to ${host}:${port}: ${why}.`, {
    ...(cause ? { cause } : {}),
  });
}

/**
 * A connect failure of a {@link TcpOpener} told from the host's side: `Cannot connect to host
 * "router" (otto@10.0.0.7:23) [telnet]: connection refused (...)`. Other errors pass unchanged.
 */
export function connectFailureAt(place: Place, error: unknown): unknown {
  if (!(error instanceof ConnectionError) || error.code !== 'CONNECT_FAILED') return error;
  const why = error.message.replace(/^Cannot connect to [^ ]+: /, '');
  return new ConnectionError(
    'CONNECT_FAILED',
    `Cannot connect to ${describePlace(place)}: ${why}`,
    {
      ...placeDetails(place),
      cause: error,
    },
  );
}
