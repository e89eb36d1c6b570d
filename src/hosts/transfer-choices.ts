import type { Place } from '../common/place.js';
import {
  AutoTransfer,
  ncCandidate,
  scpCandidate,
  sftpCandidate,
  shellCandidate,
  type TransferCandidate,
} from '../transfers/auto-transfer.js';
import { FtpTransfer, probeFtp, type FtpTransferOptions } from '../transfers/ftp-transfer.js';
import { NcTransfer, type NcOptions, type NcTransferTarget } from '../transfers/nc-transfer.js';
import { remoteShellOf } from '../transfers/remote-shell.js';
import { ScpTransfer } from '../transfers/scp-transfer.js';
import { SftpTransfer } from '../transfers/sftp-transfer.js';
import { ShellTransfer } from '../transfers/shell-transfer.js';
import type { SshTransport } from '../transports/ssh/ssh-transport.js';
import type { TcpOpener } from '../transports/tcp-opener.js';
import type { Transport } from '../transports/transport.js';
import {
  HostTransfers,
  type HostFtpOptions,
  type HostTransferKind,
  type TransferMaker,
} from './host-transfers.js';

/** What the transfers of a host that runs shell commands need. */
export interface ShellHostParts {
  place: Place;
  /** The host's transport: its `exec` runs the transfers' scripts. */
  transport: Transport;
  /** Opens the nc and FTP streams, as the host's network sees them. */
  tcp: TcpOpener;
  /** The host's address at the end of `tcp` (127.0.0.1 through an SSH connection). */
  address: string;
  /** The host's login, FTP's default credentials. */
  user?: string;
  password?: string;
  ftp?: HostFtpOptions;
  nc?: NcOptions;
}

/** The transfers of a telnet host: `ftp`, `nc`, `shell` and `auto` (in that order of preference). */
export function telnetTransfers(
  parts: ShellHostParts,
  defaultKind: HostTransferKind,
): HostTransfers {
  const candidates = shellCandidates(parts);
  return new HostTransfers(parts.place, defaultKind, {
    ...makersOf(candidates),
    auto: () => new AutoTransfer(parts.place, candidates),
  });
}

/**
 * The transfers of an SSH host: `sftp`, `scp`, `ftp`, `nc`, `shell` and `auto` (in that order of
 * preference; FTP only with a password).
 */
export function sshTransfers(
  ssh: SshTransport,
  parts: ShellHostParts,
  defaultKind: HostTransferKind,
): HostTransfers {
  const sftp = once(() => new SftpTransfer(ssh));
  const scp = once(() => new ScpTransfer(ssh));
  const candidates = [
    { ...sftpCandidate(ssh), create: sftp },
    { ...scpCandidate(ssh), create: scp },
    ...shellCandidates(parts),
  ];
  return new HostTransfers(parts.place, defaultKind, {
    ...makersOf(candidates),
    auto: () => new AutoTransfer(parts.place, candidates),
  });
}

/** ftp (with credentials), nc and shell, each made once whichever way it is asked for. */
function shellCandidates(parts: ShellHostParts): TransferCandidate[] {
  const shell = remoteShellOf(parts.transport);
  const ncTarget: NcTransferTarget = {
    shell,
    tcp: parts.tcp,
    address: parts.address,
    ...(parts.nc ? { options: parts.nc } : {}),
  };
  const nc = once(() => new NcTransfer(ncTarget));
  const shellTransfer = once(() => new ShellTransfer(shell));
  const ftp = ftpOptionsOf(parts);
  return [
    ...(ftp ? [ftpCandidate(ftp)] : []),
    { ...ncCandidate(ncTarget), create: nc },
    { ...shellCandidate(shell), create: shellTransfer },
  ];
}

function ftpCandidate(options: FtpTransferOptions): TransferCandidate {
  const create = once(() => new FtpTransfer(options));
  return { kind: 'ftp', probe: (signal) => probeFtp(options, signal), create };
}

function ftpOptionsOf(parts: ShellHostParts): FtpTransferOptions | undefined {
  const user = parts.ftp?.user ?? parts.user;
  const password = parts.ftp?.password ?? parts.password;
  if (user === undefined || password === undefined) return undefined;
  return {
    place: parts.place,
    tcp: parts.tcp,
    host: parts.address,
    user,
    password,
    ...(parts.ftp?.port !== undefined ? { port: parts.ftp.port } : {}),
    ...(parts.ftp?.connectTimeoutMs !== undefined
      ? { connectTimeoutMs: parts.ftp.connectTimeoutMs }
      : {}),
  };
}

function makersOf(
  candidates: readonly TransferCandidate[],
): Partial<Record<HostTransferKind, TransferMaker>> {
  return Object.fromEntries(
    candidates.map((candidate) => [candidate.kind, () => candidate.create()]),
  );
}

/** The same object on every call, made on the first. */
function once<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => (made ??= make());
}
