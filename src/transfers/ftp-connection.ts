/**
 * One logged-in FTP session (RFC 959), passive mode only. The control connection is basic-ftp's
 * (`FTPContext`: reply parsing, multi-line replies, login); every data connection is ours: `EPSV`
 * (RFC 2428, the port on the control connection's host) or else `PASV` (host and port) names
 * where the server listens, and the connection is opened through the {@link TcpOpener}, so that a
 * server behind an SSH hop chain is reached from the hop as its control connection is. Owning the
 * data side also means a transfer always waits for the server's final reply: basic-ftp closes the
 * whole session when a data socket fails, which would lose the `451`/`552` that says why (a full
 * disk reads as a lost connection), and it needs `net.Socket`s, which an SSH channel is not.
 */

import { Client, FTPError, type FTPResponse } from 'basic-ftp';
import { posix } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describePlace, placeDetails, type Place } from '../common/place.js';
import { ConnectionError } from '../errors.js';
import { connectFailureAt, type TcpOpener } from '../transports/tcp-opener.js';
import { parseFtpList, type FtpEntry } from './ftp-list.js';
import { replyText } from './ftp-problems.js';
import { socketFor } from '../transports/stream-socket.js';

/** Where an FTP server is and how to log in, every option resolved. */
export interface FtpEndpoint {
  /** The host, its address and `[ftp]`, for messages. */
  place: Place;
  tcp: TcpOpener;
  host: string;
  port: number;
  user: string;
  password: string;
  connectTimeoutMs: number;
  /** Time allowed for one control reply while no data moves. */
  commandTimeoutMs: number;
}

/** Errors of the local side of a transfer (the file read or written here), see {@link isLocalFailure}. */
const localFailures = new WeakSet<object>();

/** True when a transfer failed on this machine's side: its local file, not the server or network. */
export function isLocalFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && localFailures.has(error);
}

/** Listings larger than this are refused (a listing is held in memory). */
const MAX_LISTING_BYTES = 64 << 20;

/** A session that is open and logged in; {@link close} ends it and any transfer under way. */
export class FtpConnection {
  private passive: 'EPSV' | 'PASV' = 'EPSV';
  private readonly data = new Set<Duplex>();
  /** Aborted by {@link close}: stops a data connection being opened. */
  private readonly closing = new AbortController();

  private constructor(
    private readonly client: Client,
    private readonly endpoint: FtpEndpoint,
  ) {}

  /**
   * Connects through the endpoint's {@link TcpOpener}, reads the greeting, logs in and sets binary
   * mode, all within `connectTimeoutMs`. Rejects with a `ConnectionError`: `AUTH_FAILED` for a
   * refused login (naming the user, never the password), `CONNECT_FAILED` for the rest; aborting
   * `signal` rejects with its reason.
   */
  static async open(endpoint: FtpEndpoint, signal?: AbortSignal): Promise<FtpConnection> {
    const timeoutMs = endpoint.connectTimeoutMs;
    const stream = await endpoint.tcp
      .open(endpoint.host, endpoint.port, { timeoutMs, signal })
      .catch((error: unknown) => {
        throw connectFailureAt(endpoint.place, error);
      });
    const client = new Client(endpoint.commandTimeoutMs);
    const stop = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])]);
    const onStop = (): void => client.close();
    stop.addEventListener('abort', onStop, { once: true });
    try {
      client.ftp.socket = await socketFor(stream);
      await readGreeting(client).catch((error: unknown) => {
        throw connectFailed(endpoint, error);
      });
      await client.login(endpoint.user, endpoint.password).catch((error: unknown) => {
        throw error instanceof FTPError
          ? authFailed(endpoint, error)
          : connectFailed(endpoint, error);
      });
      await client.useDefaultSettings();
      return new FtpConnection(client, endpoint);
    } catch (error) {
      client.close();
      if (signal?.aborted) throw signal.reason;
      if (stop.aborted) throw connectFailed(endpoint, new Error(`no login within ${timeoutMs}ms`));
      throw error instanceof ConnectionError ? error : connectFailed(endpoint, error);
    } finally {
      stop.removeEventListener('abort', onStop);
    }
  }

  /** True once the session ended (closed here, by the server, or by a lost connection). */
  get isClosed(): boolean {
    return this.client.closed;
  }

  /** Sends one command; a reply of 400 or more rejects with basic-ftp's `FTPError`. */
  command(line: string): Promise<FTPResponse> {
    return this.client.send(line);
  }

  /** True when `path` is a directory the session may enter (`CWD`). */
  async isDirectory(path: string): Promise<boolean> {
    const reply = await this.client.sendIgnoringError(`CWD ${path}`);
    return reply.code >= 200 && reply.code < 300;
  }

  /** The entries of directory `dir` (`LIST -a`, `.` included); a missing one lists nothing. */
  async list(dir: string): Promise<FtpEntry[]> {
    const chunks: Buffer[] = [];
    let sizeBytes = 0;
    await this.transfer(`LIST -a ${dir}`, async (data) => {
      for await (const chunk of data as AsyncIterable<Buffer>) {
        sizeBytes += chunk.length;
        if (sizeBytes > MAX_LISTING_BYTES)
          throw new Error(`the listing of ${dir} is larger than ${MAX_LISTING_BYTES} bytes`);
        chunks.push(chunk);
      }
    });
    return parseFtpList(Buffer.concat(chunks).toString('utf8'));
  }

  /**
   * The entry of `path` as its parent directory lists it (exact names, no patterns), or
   * undefined when it is missing; `/` is the `.` of its own listing.
   */
  async stat(path: string): Promise<FtpEntry | undefined> {
    const parent = posix.dirname(path);
    const name = parent === path ? '.' : posix.basename(path);
    return (await this.list(parent)).find((entry) => entry.name === name);
  }

  /** Stores `source` as `path` (`STOR`), calling `onBytes` with the bytes sent so far. */
  async upload(
    source: Readable,
    path: string,
    onBytes: (doneBytes: number) => void,
  ): Promise<void> {
    let doneBytes = 0;
    const move = (data: Duplex): Promise<void> => {
      const moving = pipeline(source, data);
      // Counted once piped: a 'data' listener alone would start the flow into nowhere.
      source.on('data', (chunk: Buffer) => onBytes((doneBytes += chunk.length)));
      return moving;
    };
    await this.transfer(`STOR ${path}`, move, source);
  }

  /** Reads `path` into `destination` (`RETR`); resolves with the number of bytes received. */
  async download(
    destination: Writable,
    path: string,
    onBytes: (doneBytes: number) => void,
  ): Promise<number> {
    let doneBytes = 0;
    await this.transfer(
      `RETR ${path}`,
      (data) => {
        const moving = pipeline(data, destination);
        data.on('data', (chunk: Buffer) => onBytes((doneBytes += chunk.length)));
        return moving;
      },
      destination,
    );
    return doneBytes;
  }

  /** Ends the session and every data connection at once (`QUIT` is sent, not waited for). */
  close(): void {
    this.closing.abort(new Error('the FTP session was closed'));
    for (const stream of this.data) stream.destroy();
    this.client.close();
  }

  /** Lets the process exit while this session is idle (`true`), or holds it again (`false`). */
  setIdle(idle: boolean): void {
    if (idle) this.client.ftp.socket.unref();
    else this.client.ftp.socket.ref();
  }

  /**
   * Runs a command with a data connection: opens it before the command, moves the data with
   * `move` once the server says `150`, and resolves when both the data moved and the final reply
   * came. A failure of the local side (`local`: a file that cannot be read or written) wins over
   * the server's reply, which wins over a failure of the data connection itself.
   */
  private async transfer(
    command: string,
    move: (data: Duplex) => Promise<void>,
    local?: Readable | Writable,
  ): Promise<void> {
    let localError: Error | undefined;
    // At once: a file that cannot be opened says so while the data connection is being opened.
    local?.on('error', (error) => (localError ??= error));
    let data: Duplex;
    try {
      data = await this.openData();
    } catch (error) {
      local?.destroy();
      throw error;
    }
    this.data.add(data);
    // Listened to for good: a reset can come after the transfer was settled, and a pipeline
    // passes the connection's error on to the local stream, where it is not the local side's.
    let dataError: Error | undefined;
    data.on('error', (error) => (dataError ??= error));
    try {
      await this.runWithData(command, data, move);
    } catch (error) {
      if (localError === undefined || localError === dataError) throw error;
      localFailures.add(localError);
      throw localError;
    } finally {
      this.data.delete(data);
      data.destroy();
      local?.destroy();
    }
  }

  private runWithData(
    command: string,
    data: Duplex,
    move: (data: Duplex) => Promise<void>,
  ): Promise<void> {
    const ftp = this.client.ftp;
    let moving: Promise<void> | undefined;
    let dataError: Error | undefined;
    return ftp.handle(command, (reply, task) => {
      if (reply instanceof Error) {
        data.destroy();
        task.reject(reply);
      } else if (reply.code === 150 || reply.code === 125) {
        // The data may take longer than a command: only the deadline of the call bounds it.
        ftp.socket.setTimeout(0);
        moving ??= move(data).then(
          () => void ftp.socket.setTimeout(this.endpoint.commandTimeoutMs),
          (error: unknown) => {
            dataError = error instanceof Error ? error : new Error(String(error));
            data.destroy();
          },
        );
      } else if (reply.code >= 200 && reply.code < 300) {
        // A server may confirm before the last bytes arrived here: the data decides.
        void (moving ?? Promise.resolve()).then(() =>
          dataError === undefined ? task.resolve(reply) : task.reject(dataError),
        );
      } else {
        data.destroy();
        task.reject(new Error(`unexpected reply to ${command.split(' ')[0]}: ${replyText(reply)}`));
      }
    }) as Promise<void>;
  }

  /** Asks where the server listens (`EPSV`, or `PASV` where it is unknown) and connects there. */
  private async openData(): Promise<Duplex> {
    const { tcp, host, connectTimeoutMs } = this.endpoint;
    const options = { timeoutMs: connectTimeoutMs, signal: this.closing.signal };
    if (this.passive === 'EPSV') {
      const reply = await this.client.sendIgnoringError('EPSV');
      const port = /\|\|\|(\d+)\|/.exec(reply.message)?.[1];
      if (reply.code === 229 && port) return tcp.open(host, Number(port), options);
      this.passive = 'PASV';
    }
    const reply = await this.command('PASV');
    const numbers = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(reply.message)?.slice(1).map(Number);
    if (!numbers) throw new Error(`cannot read the passive address in ${replyText(reply)}`);
    const [a, b, c, d, high, low] = numbers as [number, number, number, number, number, number];
    return tcp.open(`${a}.${b}.${c}.${d}`, high * 256 + low, options);
  }
}

/** Waits for the server's `220` greeting; another reply (`421 Too many users`) rejects. */
function readGreeting(client: Client): Promise<FTPResponse> {
  return client.ftp.handle(undefined, (reply, task) => {
    if (reply instanceof Error) task.reject(reply);
    else if (reply.code >= 200 && reply.code < 300) task.resolve(reply);
    else task.reject(new FTPError(reply));
  }) as Promise<FTPResponse>;
}

function authFailed(endpoint: FtpEndpoint, reply: FTPError): ConnectionError {
  return new ConnectionError(
    'AUTH_FAILED',
    `FTP login failed for ${endpoint.user} on ${describePlace(endpoint.place)}: the server answered ${replyText(reply)}.`,
    {
      ...placeDetails(endpoint.place),
      operation: 'login',
      fix: `check the user and password of ${endpoint.user} for FTP on ${endpoint.host}:${endpoint.port}.`,
      cause: reply,
    },
  );
}

function connectFailed(endpoint: FtpEndpoint, error: unknown): ConnectionError {
  if (error instanceof ConnectionError && error.code === 'CONNECT_FAILED') return error;
  const why =
    error instanceof FTPError
      ? `the server answered ${replyText(error)}`
      : (error instanceof Error ? error.message : String(error)).split('\n')[0]!.replace(/\.$/, '');
  return new ConnectionError(
    'CONNECT_FAILED',
    `Could not open an FTP session on ${describePlace(endpoint.place)}: ${why}.`,
    { ...placeDetails(endpoint.place), operation: 'connect', cause: error },
  );
}
