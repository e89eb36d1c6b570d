import { ConfigError } from '../errors.js';
import type { Host } from '../hosts/host.js';
import type { HostOptions } from '../hosts/host-options.js';
import { SshHost, type SshTransferKind } from '../hosts/ssh-host.js';
import {
  TelnetHost,
  type TelnetHostTarget,
  type TelnetTransferKind,
} from '../hosts/telnet-host.js';
import type { HostFtpOptions } from '../hosts/host-transfers.js';
import type { NcOptions } from '../transfers/nc-transfer.js';
import type { SshTarget } from '../transports/ssh/ssh-target.js';
import { closestIds } from './closest.js';
import type { Lab } from './lab.js';
import type { LabFileHost } from './lab-file.js';
import { labSchemas } from './lab-file-schema.js';
import { TELNET_TRANSFERS } from './lab-host-entry.js';
import {
  secondsToMs,
  type LabNcOptions,
  type LabProtocolOptions,
  type ProtocolOptionTable,
} from './protocol-options.js';
import { describeIssues, genericIssueMessage } from './schema-issues.js';

/**
 * Repo-wide protocol defaults (`[host_defaults.<protocol>_options]`), merged under each host's own
 * tables, key by key.
 */
export type HostDefaults = LabProtocolOptions;

/**
 * The lab host with that id; an unknown id names the closest ones, among `otherIds` too (hosts
 * that are not in the lab files, such as compose services).
 */
export function findLabHost(lab: Lab, id: string, otherIds: readonly string[] = []): LabFileHost {
  const host = lab.hosts.get(id);
  if (host) return host;
  const near = closestIds(id, [...lab.hosts.keys(), ...otherIds]);
  throw new ConfigError(
    'UNKNOWN_HOST',
    `No host "${id}" in lab ${lab.names.join(', ') || '(none given)'}${near ? `; did you mean ${near}?` : '.'}`,
    {
      fix: 'otto --list-hosts lists the hosts of the lab.',
    },
  );
}

/**
 * Where and how to reach a lab host over SSH: its address and port, the credentials its `user`
 * (or first `creds` entry) names, its key, and its hop chain resolved by host id, each hop with its
 * own credentials and options. `host_defaults` apply under each host's own `ssh_options`.
 * @example const target = sshTargetFor(lab, 'pepper_seed'); // hop: carrot_seed's target
 */
export function sshTargetFor(
  lab: Lab,
  id: string,
  defaults: HostDefaults = {},
  seen: string[] = [],
): SshTarget {
  if (seen.includes(id))
    throw new ConfigError(
      'HOP_CYCLE',
      `Hop cycle in lab ${lab.names.join(', ')}: ${[...seen, id].join(' -> ')}.`,
    );
  const { entry } = findLabHost(lab, id);
  const options = checkOptions(
    'ssh_options',
    { ...defaults.ssh_options, ...entry.ssh_options },
    id,
  );
  const user = entry.user ?? Object.keys(entry.creds)[0];
  if (user === undefined)
    throw new ConfigError(
      'NO_CREDENTIALS',
      `Host "${id}" has no credentials: its creds table is empty.`,
    );
  return {
    name: id,
    host: entry.ip,
    port: entry.port ?? options.port ?? 22,
    username: user,
    password: entry.creds[user] || undefined,
    privateKeyPath: entry.key,
    passphrase: entry.passphrase,
    knownHostsPath: options.known_hosts,
    connectTimeoutMs:
      options.connect_timeout === undefined ? undefined : secondsToMs(options.connect_timeout),
    hop: entry.hop ? sshTargetFor(lab, entry.hop, defaults, [...seen, id]) : undefined,
  };
}

/**
 * Where and how to reach a telnet lab host: its address and telnet port, the user and password its
 * `user` (or first `creds` entry) names, its `telnet_options` (over the repo's defaults) and its
 * SSH hop chain resolved by id.
 * @example const target = telnetTargetFor(lab, 'old_router'); // hop: the SSH target of its hop
 */
export function telnetTargetFor(
  lab: Lab,
  id: string,
  defaults: HostDefaults = {},
): TelnetHostTarget {
  const { entry } = findLabHost(lab, id);
  const options = checkOptions(
    'telnet_options',
    { ...defaults.telnet_options, ...entry.telnet_options },
    id,
  );
  const user = entry.user ?? Object.keys(entry.creds)[0];
  return {
    name: id,
    host: entry.ip,
    port: entry.port ?? options.port ?? 23,
    user,
    password: user === undefined ? undefined : entry.creds[user] || undefined,
    loginPrompt: options.login_prompt,
    passwordPrompt: options.password_prompt,
    connectTimeoutMs: msOf(options.connect_timeout),
    loginTimeoutMs: msOf(options.login_timeout),
    cols: options.cols,
    rows: options.rows,
    hop: entry.hop ? sshTargetFor(lab, entry.hop, defaults, [id]) : undefined,
  };
}

/** The FTP and nc options of a lab host (its tables over the repo's defaults), as hosts take them. */
export function transferOptionsFor(
  lab: Lab,
  id: string,
  defaults: HostDefaults = {},
): { ftp: HostFtpOptions; nc: NcOptions } {
  const { entry } = findLabHost(lab, id);
  const ftp = checkOptions('ftp_options', { ...defaults.ftp_options, ...entry.ftp_options }, id);
  const nc = checkNcOptions(
    checkOptions('nc_options', { ...defaults.nc_options, ...entry.nc_options }, id),
    id,
  );
  return {
    ftp: definedOnly({ port: ftp.port, connectTimeoutMs: msOf(ftp.connect_timeout) }),
    nc: definedOnly({
      execName: nc.exec_name,
      portMin: nc.port_min,
      portMax: nc.port_max,
      listenerTimeoutMs: msOf(nc.listener_timeout),
    }),
  };
}

/**
 * Creates the host object of a lab host: an {@link SshHost} (`term: ssh`, the default; transfer
 * scp unless given) or a {@link TelnetHost} (`term: telnet`; transfer auto unless given), its hop
 * chain resolved by id either way.
 * @example await using carrot = createLabHost(lab, 'carrot_seed');
 */
export function createLabHost(
  lab: Lab,
  id: string,
  options: HostOptions & { defaults?: HostDefaults } = {},
): Host {
  const { term, transfer } = checkLabHostSupported(lab, id);
  const { entry } = findLabHost(lab, id);
  const { defaults, ...hostOptions } = options;
  const common = {
    id,
    log: entry.log ?? true,
    ...hostOptions,
    ...transferOptionsFor(lab, id, defaults),
  };
  if (term === 'telnet')
    return new TelnetHost(telnetTargetFor(lab, id, defaults), {
      ...common,
      transfer: transfer as TelnetTransferKind,
    });
  return new SshHost(sshTargetFor(lab, id, defaults), { ...common, transfer });
}

/**
 * Refuses, before anything is made, a lab host whose terminal and transfer do not go together
 * (scp and sftp need SSH); returns both, defaults filled.
 */
export function checkLabHostSupported(
  lab: Lab,
  id: string,
): { term: 'ssh' | 'telnet'; transfer: SshTransferKind } {
  const { entry } = findLabHost(lab, id);
  const term = entry.term ?? 'ssh';
  const transfer = entry.transfer ?? (term === 'telnet' ? 'auto' : 'scp');
  if (term === 'telnet' && !(TELNET_TRANSFERS as readonly string[]).includes(transfer))
    throw new ConfigError(
      'UNSUPPORTED_HOST',
      `Host "${id}" uses term "telnet" with transfer "${transfer}", which needs SSH; a telnet host moves files by ${TELNET_TRANSFERS.join(', ')}.`,
      { fix: 'give the host "transfer": "auto" (or ftp, nc, shell), or --transfer auto.' },
    );
  return { term, transfer };
}

/** A lab duration in milliseconds, or undefined when not given. */
function msOf(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : secondsToMs(seconds);
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function checkNcOptions(options: LabNcOptions, id: string): LabNcOptions {
  const min = options.port_min ?? 9000;
  const max = options.port_max ?? 9999;
  if (min <= max) return options;
  throw new ConfigError(
    'INVALID_HOST_OPTION',
    `Invalid nc_options for host "${id}": port_min ${min} is above port_max ${max}.`,
  );
}

/**
 * A host's merged option table, checked like a lab file's: lab files and settings are checked
 * when read, but a lab or defaults built in code reach here unchecked.
 */
function checkOptions<Name extends ProtocolOptionTable>(
  name: Name,
  options: NonNullable<LabProtocolOptions[Name]>,
  id: string,
): NonNullable<LabProtocolOptions[Name]> {
  const schema = labSchemas().host.shape[name];
  const parsed = schema.safeParse(options, { reportInput: true, error: genericIssueMessage });
  if (parsed.success) return options;
  const problems = describeIssues(parsed.error.issues, { schema, keyWord: 'option' }).map(
    (problem) => `${problem.path ? `${name}.${problem.path}` : name}: ${problem.message}`,
  );
  throw new ConfigError(
    'INVALID_HOST_OPTION',
    `Invalid ${name} for host "${id}": ${problems.join('; ')}${problems.at(-1)!.endsWith('?') ? '' : '.'}`,
  );
}
