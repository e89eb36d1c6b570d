import type { NcOptions } from '../transfers/nc-transfer.js';
import { SshTransport } from '../transports/ssh/ssh-transport.js';
import type { SshTarget } from '../transports/ssh/ssh-target.js';
import { directTcp, tcpThrough } from '../transports/tcp-opener.js';
import { TelnetTransport } from '../transports/telnet/telnet-transport.js';
import type { TelnetTarget } from '../transports/telnet/telnet-target.js';
import { BaseHost } from './base-host.js';
import { normalizeHostOptions, transportOptionsOf, type HostOptions } from './host-options.js';
import { SessionPoolTransport } from './session-pool-transport.js';
import type { HostFtpOptions } from './host-transfers.js';
import { telnetTransfers } from './transfer-choices.js';

/** The transfer protocols of a telnet host (`auto`: the best it offers, probed once). */
export const TELNET_HOST_TRANSFERS = ['ftp', 'nc', 'shell', 'auto'] as const;
/** How a telnet host moves files: `ftp`, `nc`, `shell` (base64 through the shell) or `auto`. */
export type TelnetTransferKind = (typeof TELNET_HOST_TRANSFERS)[number];

/** Where a telnet host is: the telnet target, and the SSH hop chain in front of it, if any. */
export type TelnetHostTarget = TelnetTarget & {
  /** The SSH host to go through (with its own hops): telnet, FTP and nc streams all ride it. */
  hop?: SshTarget;
};

/** Options of a {@link TelnetHost} besides where it is. */
export interface TelnetHostOptions extends HostOptions {
  /** How `put` and `get` move files, unless a call names another. @default 'auto' */
  transfer?: TelnetTransferKind;
  /** FTP transfers: the server's port and credentials. @default port 21, the telnet login */
  ftp?: HostFtpOptions;
  /** netcat transfers: the command and the ports it may listen on. */
  nc?: NcOptions;
  /** Most extra logged-in sessions that serve oneshots at once. @default 8 */
  maxOneshotSessions?: number;
  /** An idle oneshot session is logged out after this long. @default 30000 */
  oneshotIdleMs?: number;
}

/**
 * A device reached over telnet (busybox consoles, firmware shells): every session is a logged-in
 * telnet connection driven by the shared session engine, `oneshot`s run on a pool of extra
 * logged-in sessions (a serial caller reuses a warm one; a oneshot's stderr arrives after its
 * stdout), and files move by FTP, netcat or base64 through the shell. Through an SSH `hop`, every
 * stream (telnet, FTP control and data, nc) is a forwarded channel of that connection.
 * @example
 * await using router = new TelnetHost({ host: '10.0.0.7', user: 'admin', password: 'secret', hop: { host: 'jump.lab', username: 'otto', password: 'otto' } });
 * await router.run('ip addr');
 * await router.put(['fw.bin'], '/tmp', { transfer: 'nc' });
 */
export class TelnetHost extends BaseHost {
  private readonly hopSsh: SshTransport | undefined;

  /** Makes the host; nothing connects until the first call. Invalid options throw a `ConfigError`. */
  constructor(target: TelnetHostTarget, options: TelnetHostOptions = {}) {
    const { hop, ...telnetTarget } = target;
    const resolved = normalizeHostOptions(options, {
      id: target.name ?? `${target.user ? `${target.user}@` : ''}${target.host}`,
      pty: true,
    });
    const transportOptions = { logger: resolved.logger, ...transportOptionsOf(resolved) };
    const hopSsh = hop ? new SshTransport(hop, transportOptions) : undefined;
    const tcp = hopSsh ? tcpThrough(hopSsh) : (target.tcp ?? directTcp());
    const telnet = new TelnetTransport(
      { ...telnetTarget, name: target.name ?? resolved.id, tcp },
      transportOptions,
    );
    const pool = new SessionPoolTransport(telnet, {
      ...(options.maxOneshotSessions !== undefined
        ? { maxSessions: options.maxOneshotSessions }
        : {}),
      ...(options.oneshotIdleMs !== undefined ? { idleTimeoutMs: options.oneshotIdleMs } : {}),
      openTimeoutMs: resolved.openTimeoutMs,
      recoverTimeoutMs: resolved.recoverTimeoutMs,
      killTimeoutMs: resolved.killTimeoutMs,
    });
    const transfers = telnetTransfers(
      {
        place: telnet.place,
        transport: pool,
        tcp,
        address: telnet.target.host,
        user: target.user,
        password: target.password,
        ftp: options.ftp,
        nc: options.nc,
      },
      options.transfer ?? 'auto',
    );
    super(pool, transfers, resolved);
    this.hopSsh = hopSsh;
  }

  /** Closes every session, the oneshot pool and the transfers, then the hop's connection. */
  override async close(): Promise<void> {
    await super.close();
    await this.hopSsh?.close();
  }
}
