import { raceDeadline } from '../common/deadline.js';
import { describePlace, placeDetails, type Place } from '../common/place.js';
import { TransferError } from '../errors.js';
import type { SshTransport } from '../transports/ssh/ssh-transport.js';
import { probeNc, NcTransfer, type NcTransferTarget } from './nc-transfer.js';
import type { RemoteShell } from './remote-shell.js';
import { ScpTransfer } from './scp-transfer.js';
import { SftpTransfer } from './sftp-transfer.js';
import { probeShell } from './shell-encoding.js';
import { ShellTransfer } from './shell-transfer.js';
import type { Transfer, TransferKind, TransferOptions, TransferResult } from './transfer.js';

/** One transfer `auto` may pick, with the check that says whether it works on the host. */
export interface TransferCandidate {
  kind: TransferKind;
  /** Resolves with undefined when the transfer can work there, else with why not. */
  probe(signal: AbortSignal): Promise<string | undefined>;
  /** Makes the transfer (called once, when it is chosen). */
  create(): Transfer;
}

/** Options of an {@link AutoTransfer}. */
export interface AutoTransferOptions {
  /** Time allowed for all the probes together. @default 30000 */
  probeTimeoutMs?: number;
}

/**
 * The best transfer a host supports: on first use it probes the candidates (in preference
 * order, once; concurrent first calls share the probe) and uses the first that works from then
 * on. When none works, every call fails with a `TransferError` that lists each and why.
 * @example
 * const auto = new AutoTransfer(host.place, [ncCandidate(target), shellCandidate(shell)]);
 * await auto.put(['app.tar'], '/srv'); // auto.kind is now 'nc' or 'shell'
 */
export class AutoTransfer implements Transfer {
  private choice: Promise<Transfer> | undefined;
  private picked: Transfer | undefined;
  private readonly probeTimeoutMs: number;

  constructor(
    private readonly hostPlace: Place,
    private readonly candidates: readonly TransferCandidate[],
    options: AutoTransferOptions = {},
  ) {
    this.probeTimeoutMs = options.probeTimeoutMs ?? 30_000;
  }

  /** The chosen transfer's kind once probed; the first candidate's before. */
  get kind(): TransferKind {
    return this.picked?.kind ?? this.candidates[0]?.kind ?? 'shell';
  }

  /** The chosen transfer's place once probed; the host's, as `[auto]`, before. */
  get place(): Place {
    return this.picked?.place ?? { ...this.hostPlace, kind: 'auto' };
  }

  /** The transfer chosen for the host, probing on first use; `signal` stops only this wait. */
  async chosen(signal?: AbortSignal): Promise<Transfer> {
    if (this.picked) return this.picked;
    this.choice ??= this.choose();
    this.choice.catch(() => (this.choice = undefined));
    if (!signal) return await this.choice;
    signal.throwIfAborted();
    const waited = await raceDeadline(this.choice, undefined, signal);
    if (waited.kind === 'done') return waited.value;
    if (waited.kind === 'failed') throw waited.error;
    throw signal.reason;
  }

  async put(
    paths: readonly string[],
    dir: string,
    options?: TransferOptions,
  ): Promise<TransferResult> {
    return (await this.chosen(options?.signal)).put(paths, dir, options);
  }

  async get(
    paths: readonly string[],
    dir: string,
    options?: TransferOptions,
  ): Promise<TransferResult> {
    return (await this.chosen(options?.signal)).get(paths, dir, options);
  }

  private async choose(): Promise<Transfer> {
    const signal = AbortSignal.timeout(this.probeTimeoutMs);
    const reasons: string[] = [];
    for (const candidate of this.candidates) {
      const why = await candidate.probe(signal).catch((error: unknown) => firstLine(error));
      if (why === undefined) return (this.picked = candidate.create());
      reasons.push(`${candidate.kind}: ${why.replace(/\.+$/, '')}`);
    }
    throw new TransferError(
      'TRANSFER_FAILED',
      `No transfer works on ${describePlace(this.hostPlace)}: ${reasons.join('; ') || 'none offered'}.`,
      {
        ...placeDetails(this.hostPlace),
        operation: 'choose a transfer',
        fix: 'install one of the tools named on the host, or set its `transfer` option to one that works.',
      },
    );
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.replace(/\.$/, '');
}

/** SFTP, usable when the server starts its SFTP subsystem. */
export function sftpCandidate(ssh: SshTransport): TransferCandidate {
  return {
    kind: 'sftp',
    probe: async () => {
      const sftp = await ssh.openSftp();
      sftp.end();
      return undefined;
    },
    create: () => new SftpTransfer(ssh),
  };
}

/** SCP, usable when the host has an `scp` program. */
export function scpCandidate(ssh: SshTransport): TransferCandidate {
  return {
    kind: 'scp',
    probe: async (signal) => {
      const outcome = await ssh.exec('command -v scp', { timeoutMs: 30_000, signal });
      return outcome.exitCode === 0 ? undefined : 'no scp program on the host';
    },
    create: () => new ScpTransfer(ssh),
  };
}

/** netcat, usable when the host's `nc` is found and its flag style recognised. */
export function ncCandidate(target: NcTransferTarget): TransferCandidate {
  return {
    kind: 'nc',
    probe: (signal) => probeNc(target.shell, target.options, signal),
    create: () => new NcTransfer(target),
  };
}

/** The shell-only transfer (base64 through the shell), usable on nearly every POSIX shell. */
export function shellCandidate(shell: RemoteShell): TransferCandidate {
  return {
    kind: 'shell',
    probe: (signal) => probeShell(shell, signal),
    create: () => new ShellTransfer(shell),
  };
}
