import type { Duplex } from 'node:stream';
import type { NcOptions } from '../transfers/nc-transfer.js';
import { SshTransport } from '../transports/ssh/ssh-transport.js';
import type { SshTarget } from '../transports/ssh/ssh-target.js';
import { tcpThrough } from '../transports/tcp-opener.js';
import { BaseHost } from './base-host.js';
import { normalizeHostOptions, transportOptionsOf, type HostOptions } from './host-options.js';
import type { HostFtpOptions } from './host-transfers.js';
import { sshTransfers } from './transfer-choices.js';

/** The transfer protocols of an SSH host (`auto`: the best it offers, probed once). */
export const SSH_TRANSFERS = ['sftp', 'scp', 'ftp', 'nc', 'shell', 'auto'] as const;
/** How an SSH host moves files: `sftp`, `scp`, `ftp`, `nc`, `shell` or `auto`. */
export type SshTransferKind = (typeof SSH_TRANSFERS)[number];

/**
 * What an SSH host's connection offers besides commands: tunnels through it, each a new channel
 * on the same connection (and its hops). Our own type, so that no type of the SSH driver is
 * part of the public API.
 */
export interface SshTunnels {
  /** The chain, for messages: `otto@10.0.0.5:22 via root@127.0.0.1:32771`. */
  readonly address: string;
  /**
   * Opens a TCP tunnel (`direct-tcpip`) from the host to `host:port`, as `ssh -W` does. A refusal
   * rejects with a `ConnectionError` (`FORWARD_FAILED`).
   * @example const db = await host.ssh.forwardOut('127.0.0.1', 5432);
   */
  forwardOut(host: string, port: number): Promise<Duplex>;
  /**
   * Opens a stream to a Unix socket on the host, e.g. `/var/run/docker.sock`. A refusal rejects
   * with a `ConnectionError` (`FORWARD_FAILED`).
   */
  openUnixSocket(path: string): Promise<Duplex>;
}

/** Options of an {@link SshHost} besides where it is. */
export interface SshHostOptions extends HostOptions {
  /**
   * How `put` and `get` move files, unless a call names another. nc and FTP streams go through
   * the SSH connection to the host's 127.0.0.1. @default 'sftp'
   */
  transfer?: SshTransferKind;
  /** FTP transfers: the server's port and credentials. @default port 21, the SSH login */
  ftp?: HostFtpOptions;
  /** netcat transfers: the command and the ports it may listen on. */
  nc?: NcOptions;
}

/**
 * A machine reached over SSH: one connection (through any number of hops) multiplexes the
 * persistent shells (the login shell on a terminal, so prompts such as sudo's work), an exec
 * channel per oneshot, and SFTP, SCP, FTP, netcat or shell transfers. Host keys are checked
 * against known_hosts.
 * @example
 * await using db = new SshHost({ host: '10.0.0.5', username: 'otto', password: 'secret', hop: { host: 'jump.lab', username: 'otto', privateKeyPath: '~/.ssh/id_ed25519' } });
 * await db.run('sudo systemctl restart postgresql', { expects: [[/password/i, 'secret\n']] });
 */
export class SshHost extends BaseHost {
  /** The host's SSH connection, for tunnels (`forwardOut`, `openUnixSocket`). */
  readonly ssh: SshTunnels;

  /**
   * Makes the host; nothing connects until the first call. Invalid options or an invalid target
   * throw a `ConfigError` listing every problem.
   */
  constructor(target: SshTarget, options: SshHostOptions = {}) {
    const resolved = normalizeHostOptions(options, {
      id: target.name ?? `${target.username}@${target.host}`,
      pty: true,
    });
    const ssh = new SshTransport(
      { ...target, name: target.name ?? resolved.id },
      { logger: resolved.logger, ...transportOptionsOf(resolved) },
    );
    const transfers = sshTransfers(
      ssh,
      {
        place: ssh.place,
        transport: ssh,
        tcp: tcpThrough(ssh),
        address: '127.0.0.1',
        user: target.username,
        password: target.password,
        ftp: options.ftp,
        nc: options.nc,
      },
      options.transfer ?? 'sftp',
    );
    super(ssh, transfers, resolved);
    this.ssh = ssh;
  }
}
