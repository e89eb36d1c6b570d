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
export type SshTransferKind = (typeof SSH_TRANSFERS)[number];

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
  /** The SSH connection, for tunnels (`forwardOut`, `openUnixSocket`). */
  readonly ssh: SshTransport;

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
