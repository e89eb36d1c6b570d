import type { LabProtocolOptions } from './protocol-options.js';

/** How sessions reach a lab host. */
export const LAB_TERMS = ['ssh', 'telnet'] as const;

/** How files move to and from a lab host (`auto`: the best one the host offers, probed once). */
export const LAB_TRANSFERS = ['scp', 'sftp', 'ftp', 'nc', 'shell', 'auto'] as const;

/** The transfers a telnet host can use (scp and sftp need SSH). */
export const TELNET_TRANSFERS = ['ftp', 'nc', 'shell', 'auto'] as const;

/** A lab host's cross-compilation toolchain (otto's coverage support). */
export interface LabToolchain {
  /** The sysroot the binaries were built against. */
  sysroot?: string;
  /** gcov, relative to the sysroot. */
  gcov?: string;
  /** lcov, relative to the sysroot. */
  lcov?: string;
}

/**
 * A host as written in a lab file (otto 0.3.6's fields, plus `id`, `port`, `key` and
 * `passphrase`), after validation.
 */
export interface LabHostEntry extends LabProtocolOptions {
  /** Host id; default: ne[+neId] + _board[+slot], lowercased. */
  id?: string;
  /** IP address or DNS name. */
  ip: string;
  /** SSH or telnet port (1 to 65535); default per term (22 for SSH, 23 for telnet). */
  port?: number;
  /** Network element name. */
  ne: string;
  /** Network element number, appended to `ne` in the default id. */
  neId?: string | number;
  /** Board name; the default id is `<ne>_<board>`. */
  board?: string;
  /** Slot, appended to `board` in the default id. */
  slot?: string | number;
  /** Display name. */
  name?: string;
  /** `{ user: password }`, at least one entry; the first is used unless `user` is set. */
  creds: Record<string, string>;
  /** Which entry of `creds` to use. */
  user?: string;
  /** Private key file for key authentication (`~/` is the home folder). */
  key?: string;
  /** Passphrase of `key`. */
  passphrase?: string;
  /** Labs the host belongs to. */
  labs?: string[];
  /** How sessions reach the host. @default 'ssh' */
  term?: (typeof LAB_TERMS)[number];
  /** How files move. @default 'scp' for SSH hosts, 'auto' for telnet hosts */
  transfer?: (typeof LAB_TRANSFERS)[number];
  /** Id of the lab host to go through (an SSH host); telnet, FTP and nc streams go through it too. */
  hop?: string;
  /** Reservation tags. */
  resources?: string[];
  /** A virtual machine rather than hardware (informational). */
  is_virtual?: boolean;
  /** The host runs a Docker engine that containers may use. */
  docker_capable?: boolean;
  /** Hardware version (informational). */
  hw_version?: string;
  /** Software version (informational). */
  sw_version?: string;
  /** Log the host's commands and output. @default true */
  log?: boolean;
  /** Also echo the host's output on the console (otto's switch, kept for compatibility). */
  log_stdout?: boolean;
  /** Cross-compilation toolchain, for coverage. */
  toolchain?: LabToolchain;
}
