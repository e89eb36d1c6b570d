import { describePlace, placeDetails, type Place } from '../common/place.js';
import { ConfigError } from '../errors.js';
import { AutoTransfer } from '../transfers/auto-transfer.js';
import type { Transfer, TransferKind, TransferOptions } from '../transfers/transfer.js';

/** How a host call moves files: one protocol, or `auto` (the best one the host offers, probed once). */
export type HostTransferKind = TransferKind | 'auto';

/**
 * Options of a host's `put` and `get`: the transfer contract's, and which transfer to use for
 * this call.
 * @example await host.put(['app.tar'], '/srv', { transfer: 'nc' });
 */
export interface HostTransferOptions extends TransferOptions {
  /** The transfer of this call. @default the host's own (its `transfer` option) */
  transfer?: HostTransferKind;
}

/** Makes one kind of transfer of a host; called once, on first use. */
export type TransferMaker = () => Transfer;

/**
 * A host's transfers by kind: each made once, on first use, and kept; `auto` is resolved by
 * probing once (its choice is cached). Closes those that hold a connection (FTP).
 */
export class HostTransfers {
  private readonly made = new Map<HostTransferKind, Transfer>();

  constructor(
    private readonly place: Place,
    /** The kind used when a call names none. */
    readonly defaultKind: HostTransferKind,
    private readonly makers: Partial<Record<HostTransferKind, TransferMaker>>,
  ) {
    if (!makers[defaultKind]) throw this.invalid(defaultKind, 'host');
  }

  /** The transfers of a host that has one way to move files (local copies, container archives). */
  static only(transfer: Transfer): HostTransfers {
    const make = (): Transfer => transfer;
    return new HostTransfers(transfer.place, transfer.kind, { [transfer.kind]: make, auto: make });
  }

  /** The kinds a call may name, `auto` included where offered. */
  get kinds(): HostTransferKind[] {
    return Object.keys(this.makers) as HostTransferKind[];
  }

  /**
   * The transfer of that kind (the host's default when undefined), with `auto` resolved: a
   * `ConfigError` (`INVALID_TRANSFER`) for a kind the host does not offer.
   */
  async resolve(kind: HostTransferKind | undefined, signal?: AbortSignal): Promise<Transfer> {
    const transfer = this.transferOf(kind ?? this.defaultKind, kind ? 'call' : 'host');
    return transfer instanceof AutoTransfer ? transfer.chosen(signal) : transfer;
  }

  /** Closes the transfers made that hold a connection of their own. */
  async close(): Promise<void> {
    const closing = [...new Set(this.made.values())].map(async (transfer) => {
      const closable = transfer as Transfer & { close?: () => Promise<void> };
      await closable.close?.();
    });
    this.made.clear();
    await Promise.allSettled(closing);
  }

  private transferOf(kind: HostTransferKind, whose: 'host' | 'call'): Transfer {
    const made = this.made.get(kind);
    if (made) return made;
    const make = this.makers[kind];
    if (!make) throw this.invalid(kind, whose);
    const transfer = make();
    this.made.set(kind, transfer);
    return transfer;
  }

  private invalid(kind: unknown, whose: 'host' | 'call'): ConfigError {
    const subject =
      whose === 'host' ? describePlace(this.place) : `a call on ${describePlace(this.place)}`;
    const why = kind === 'ftp' ? " (FTP needs a password: the login's, or ftp.password)" : '';
    return new ConfigError(
      'INVALID_TRANSFER',
      `Invalid transfer ${JSON.stringify(kind)} for ${subject}: it offers ${this.kinds.join(', ')}${why}.`,
      placeDetails(this.place),
    );
  }
}

/** FTP options of a host (passive mode only). */
export interface HostFtpOptions {
  /** The FTP server's control port on the host. @default 21 */
  port?: number;
  /** Time allowed to connect and log in. @default 10000 */
  connectTimeoutMs?: number;
  /** The FTP user. @default the host's login user */
  user?: string;
  /** The FTP password. @default the host's login password */
  password?: string;
}
