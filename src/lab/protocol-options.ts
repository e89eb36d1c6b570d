/**
 * The per-protocol option tables of lab hosts (`ssh_options`, `telnet_options`, ...) and of a
 * repo's `[host_defaults.<protocol>_options]`: which keys each takes and what kind of value each
 * key holds. Both lab files and settings are checked against these tables, strictly: a key that
 * is not listed is an error. A protocol's work adds its keys here, to its table below and to its
 * interface (a compile-time check in lab-file-schema.ts keeps the two the same).
 */

/**
 * The kinds of value an option holds, each checked the same wherever it appears. Durations are
 * in seconds, as in otto's lab files; a fraction is allowed.
 */
export type OptionKind = 'port' | 'seconds' | 'path';

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
  telnet_options: {},
  sftp_options: {},
  scp_options: {},
  ftp_options: {},
  nc_options: {},
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

/** An option table that takes no keys yet (its protocol's work will add them). */
export type LabNoOptions = Record<string, never>;

/** The option tables a lab host, and a repo's `[host_defaults]`, may give. */
export interface LabProtocolOptions {
  /** Options of SSH connections. */
  ssh_options?: LabSshOptions;
  /** Options of telnet terminals: none yet. */
  telnet_options?: LabNoOptions;
  /** Options of SFTP transfers: none yet. */
  sftp_options?: LabNoOptions;
  /** Options of SCP transfers: none yet. */
  scp_options?: LabNoOptions;
  /** Options of FTP transfers: none yet. */
  ftp_options?: LabNoOptions;
  /** Options of netcat transfers: none yet. */
  nc_options?: LabNoOptions;
}

/** Milliseconds for a duration given in seconds (at least 1 ms, so that a tiny one stays a timeout). */
export function secondsToMs(seconds: number): number {
  return Math.max(1, Math.round(seconds * 1000));
}
