import type { Duplex } from 'node:stream';
import { ConfigError } from '../errors.js';
import { ScpTransfer } from '../transfers/scp-transfer.js';
import { SftpTransfer } from '../transfers/sftp-transfer.js';
import type { Transfer } from '../transfers/transfer.js';
import { SshTransport } from '../transports/ssh/ssh-transport.js';
import type { SshTarget } from '../transports/ssh/ssh-target.js';
import { BaseHost } from './base-host.js';
import { normalizeHostOptions, transportOptionsOf, type HostOptions } from './host-options.js';

/** The transfer protocols of an SSH host. */
export const SSH_TRANSFERS = ['sftp', 'scp'] as const;
/** How an SSH host moves files: `sftp` or `scp`. */
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
  /** How `put` and `get` move files. @default 'sftp' */
  transfer?: SshTransferKind;
}

/**
 * A machine reached over SSH: one connection (through any number of hops) multiplexes the
 * persistent shells (the login shell on a terminal, so prompts such as sudo's work), an exec
 * channel per oneshot, and SFTP or SCP transfers. Host keys are checked against known_hosts.
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
    super(ssh, createTransfer(options.transfer ?? 'sftp', ssh), resolved);
    this.ssh = ssh;
  }
}

function createTransfer(kind: SshTransferKind, ssh: SshTransport): Transfer {
  if (kind === 'sftp') return new SftpTransfer(ssh);
  if (kind === 'scp') return new ScpTransfer(ssh);
  throw new ConfigError(
    'INVALID_TRANSFER',
    `Invalid transfer "${String(kind)}" for an SSH host: expected one of ${SSH_TRANSFERS.join(', ')}.`,
  );
}
