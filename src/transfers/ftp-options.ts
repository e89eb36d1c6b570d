import type { Place } from '../common/place.js';
import type { TcpOpener } from '../transports/tcp-opener.js';
import type { FtpEndpoint } from './ftp-connection.js';
import { transferPlace } from './transfer-run.js';

/** Where an FTP server is, how it is reached and how to log in. */
export interface FtpTransferOptions {
  /** The host the files move to and from, for messages; its kind becomes `ftp`, its address the FTP login's. */
  place: Place;
  /** Opens the control connection and every passive data connection (direct or through hops). */
  tcp: TcpOpener;
  /** The server's address as the end of `tcp` (this machine, or the last hop) reaches it. */
  host: string;
  /** @default 21 */
  port?: number;
  user: string;
  /** Never shown in a message or a log line. */
  password: string;
  /** Time allowed to connect and log in. @default 10000 */
  connectTimeoutMs?: number;
  /** Time allowed for one reply of the server while no data moves. @default 30000 */
  commandTimeoutMs?: number;
}

const DEFAULT_PORT = 21;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;

/** The endpoint of `options`, every default filled; the place's address is the FTP login's. */
export function normalizeFtpOptions(options: FtpTransferOptions): FtpEndpoint {
  const port = options.port ?? DEFAULT_PORT;
  const via = options.tcp.via ? ` via ${options.tcp.via}` : '';
  // Always the FTP login's own address: the host's place names its telnet or SSH address, whose
  // port is not the one FTP connects to.
  const transport = `${options.user}@${options.host}:${port}${via}`;
  return {
    place: transferPlace({ ...options.place, transport }, 'ftp'),
    tcp: options.tcp,
    host: options.host,
    port,
    user: options.user,
    password: options.password,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
  };
}
