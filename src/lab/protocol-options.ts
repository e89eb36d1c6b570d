/**
 * The per-protocol option tables of lab hosts (`ssh_options`, `telnet_options`, ...) and of a
 * repo's `[host_defaults.<protocol>_options]`: which keys each takes and what kind of value each
 * key holds. Both lab files and settings are checked against these tables, strictly: a key that
 * is not listed is an error. A protocol's work adds its keys here, to its table below and to its
 * interface (a compile-time check in lab-file-schema.ts keeps the two the same).
 */

/**
 * The kinds of value an option holds, each checked the same wherever it appears. Durations are
 * in seconds, as in otto's lab files; a fraction is allowed. A `pattern` is the source of a
 * regular expression (matched ignoring case), checked to compile; a `count` is a whole number
 * from 1 to 9999 (a terminal's columns or rows).
 */
export type OptionKind = 'port' | 'seconds' | 'path' | 'text' | 'pattern' | 'count';

/** One key of an option table. */
export interface OptionRule {
  kind: OptionKind;
  description: string;
}

/** Every option table and its keys: the one place where protocol options are declared. */
export const PROTOCOL_OPTION_TABLES = {
  ssh_options: {
    port: { kind: 'port', description: "SSH port; the host's own `port` wins; default 22" },
    known_hosts: {
      kind: 'path',
      description: 'OpenSSH known_hosts file (~/ is the home folder); default ~/.ssh/known_hosts',
    },
    connect_timeout: {
      kind: 'seconds',
      description:
        'Give up connecting (TCP, handshake and login) after this many seconds; default 10',
    },
  },
  telnet_options: {
    port: { kind: 'port', description: "Telnet port; the host's own `port` wins; default 23" },
    login_prompt: {
      kind: 'pattern',
      description:
        'Regular expression of the login prompt, matched ignoring case at the end of the output; default "(login|username)\\s*:\\s*$"',
    },
    password_prompt: {
      kind: 'pattern',
      description:
        'Regular expression of the password prompt, matched ignoring case; default "password\\s*:\\s*$"',
    },
    connect_timeout: {
      kind: 'seconds',
      description: 'Give up opening the TCP connection after this many seconds; default 10',
    },
    login_timeout: {
      kind: 'seconds',
      description:
        'Give up when no shell answers this many seconds after connecting (negotiation and login); default 20',
    },
    cols: { kind: 'count', description: 'Terminal width sent to the server (NAWS); default 200' },
    rows: { kind: 'count', description: 'Terminal height sent to the server (NAWS); default 50' },
  },
  sftp_options: {},
  scp_options: {},
  ftp_options: {
    port: { kind: 'port', description: 'FTP control port (passive mode only); default 21' },
    connect_timeout: {
      kind: 'seconds',
      description: 'Give up connecting and logging in after this many seconds; default 10',
    },
  },
  nc_options: {
    exec_name: {
      kind: 'text',
      description: 'The netcat command on the host, e.g. "busybox nc"; default "nc"',
    },
    port_min: {
      kind: 'port',
      description: 'Lowest port a transfer listens on; default 9000',
    },
    port_max: {
      kind: 'port',
      description: 'Highest port a transfer listens on; default 9999',
    },
    listener_timeout: {
      kind: 'seconds',
      description: 'Give up waiting for a listener to accept after this many seconds; default 10',
    },
  },
} as const satisfies Record<string, Record<string, OptionRule>>;

/** The name of an option table: `ssh_options`, `telnet_options`, ... */
export type ProtocolOptionTable = keyof typeof PROTOCOL_OPTION_TABLES;

/** The longest timeout a lab option may give: a day, in seconds. */
export const MAX_TIMEOUT_SECONDS = 86_400;

/** `ssh_options` of a lab host or of `[host_defaults]`. */
export interface LabSshOptions {
  /** SSH port (1 to 65535); the host's own `port` wins. @default 22 */
  port?: number;
  /** OpenSSH known_hosts file; `~/` is the home folder. @default '~/.ssh/known_hosts' */
  known_hosts?: string;
  /** Seconds to give up connecting after (TCP, handshake and login); more than 0. @default 10 */
  connect_timeout?: number;
}

/** `telnet_options` of a lab host or of `[host_defaults]`. */
export interface LabTelnetOptions {
  /** Telnet port (1 to 65535); the host's own `port` wins. @default 23 */
  port?: number;
  /** Regular expression of the login prompt, matched ignoring case. @default '(login|username)\\s*:\\s*$' */
  login_prompt?: string;
  /** Regular expression of the password prompt, matched ignoring case. @default 'password\\s*:\\s*$' */
  password_prompt?: string;
  /** Seconds to give up opening the TCP connection after. @default 10 */
  connect_timeout?: number;
  /** Seconds to give up after when no shell answers (negotiation and login). @default 20 */
  login_timeout?: number;
  /** Terminal width sent to the server (1 to 9999). @default 200 */
  cols?: number;
  /** Terminal height sent to the server (1 to 9999). @default 50 */
  rows?: number;
}

/** `ftp_options` of a lab host or of `[host_defaults]` (passive mode only). */
export interface LabFtpOptions {
  /** FTP control port (1 to 65535). @default 21 */
  port?: number;
  /** Seconds to give up connecting and logging in after. @default 10 */
  connect_timeout?: number;
}

/** `nc_options` of a lab host or of `[host_defaults]`. */
export interface LabNcOptions {
  /** The netcat command on the host (words split on spaces, e.g. `busybox nc`). @default 'nc' */
  exec_name?: string;
  /** Lowest port a transfer listens on; at most `port_max`. @default 9000 */
  port_min?: number;
  /** Highest port a transfer listens on. @default 9999 */
  port_max?: number;
  /** Seconds to give up waiting for a listener to accept after. @default 10 */
  listener_timeout?: number;
}

/** An option table that takes no keys yet (its protocol's work will add them). */
export type LabNoOptions = Record<string, never>;

/** The option tables a lab host, and a repo's `[host_defaults]`, may give. */
export interface LabProtocolOptions {
  /** Options of SSH connections. */
  ssh_options?: LabSshOptions;
  /** Options of telnet terminals. */
  telnet_options?: LabTelnetOptions;
  /** Options of SFTP transfers: none yet. */
  sftp_options?: LabNoOptions;
  /** Options of SCP transfers: none yet. */
  scp_options?: LabNoOptions;
  /** Options of FTP transfers. */
  ftp_options?: LabFtpOptions;
  /** Options of netcat transfers. */
  nc_options?: LabNcOptions;
}

/** Milliseconds for a duration given in seconds (at least 1 ms, so that a tiny one stays a timeout). */
export function secondsToMs(seconds: number): number {
  return Math.max(1, Math.round(seconds * 1000));
}
