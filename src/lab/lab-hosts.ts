import { ConfigError } from '../errors.js';
import type { Host } from '../hosts/host.js';
import type { HostOptions } from '../hosts/host-options.js';
import { SshHost } from '../hosts/ssh-host.js';
import type { SshTarget } from '../transports/ssh/ssh-target.js';
import { closestIds } from './closest.js';
import type { Lab } from './lab.js';
import type { LabFileHost } from './lab-file.js';

/** Repo-wide protocol defaults (`[host_defaults.<protocol>_options]`), merged under each host's own. */
export interface HostDefaults {
  ssh_options?: Record<string, unknown>;
}

/** The lab host with that id; an unknown id names the closest ones. */
export function findLabHost(lab: Lab, id: string): LabFileHost {
  const host = lab.hosts.get(id);
  if (host) return host;
  const near = closestIds(id, [...lab.hosts.keys()]);
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
  const options = { ...defaults.ssh_options, ...entry.ssh_options };
  const user = entry.user ?? Object.keys(entry.creds)[0];
  if (user === undefined)
    throw new ConfigError(
      'NO_CREDENTIALS',
      `Host "${id}" has no credentials: its creds table is empty.`,
    );
  return {
    name: id,
    host: entry.ip,
    port: entry.port ?? numberOption(options, 'port', id) ?? 22,
    username: user,
    password: entry.creds[user] || undefined,
    privateKeyPath: entry.key,
    passphrase: entry.passphrase,
    knownHostsPath: stringOption(options, 'known_hosts', id),
    connectTimeoutMs: secondsOption(options, 'connect_timeout', id),
    hop: entry.hop ? sshTargetFor(lab, entry.hop, defaults, [...seen, id]) : undefined,
  };
}

/**
 * Creates the host object of a lab host. SSH hosts (`term: ssh`, the default) with scp or sftp
 * transfers are built now; telnet, ftp and nc come with later work and are refused clearly.
 * @example await using carrot = createLabHost(lab, 'carrot_seed');
 */
export function createLabHost(
  lab: Lab,
  id: string,
  options: HostOptions & { defaults?: HostDefaults } = {},
): Host {
  const transfer = checkLabHostSupported(lab, id);
  const { entry } = findLabHost(lab, id);
  const { defaults, ...hostOptions } = options;
  return new SshHost(sshTargetFor(lab, id, defaults), {
    id,
    log: entry.log ?? true,
    ...hostOptions,
    transfer,
  });
}

/**
 * Refuses, before anything is made, a lab host whose terminal or transfer otto-ts cannot drive
 * yet; returns its transfer.
 */
export function checkLabHostSupported(lab: Lab, id: string): 'scp' | 'sftp' {
  const { entry } = findLabHost(lab, id);
  if ((entry.term ?? 'ssh') !== 'ssh') throw unsupported(id, `term "${entry.term}"`);
  const transfer = entry.transfer ?? 'scp';
  if (transfer !== 'scp' && transfer !== 'sftp') throw unsupported(id, `transfer "${transfer}"`);
  return transfer;
}

function unsupported(id: string, what: string): ConfigError {
  return new ConfigError(
    'UNSUPPORTED_HOST',
    `Host "${id}" uses ${what}, which otto-ts does not support yet; its SSH hosts (scp or sftp) work.`,
  );
}

function numberOption(
  options: Record<string, unknown>,
  key: string,
  id: string,
): number | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new ConfigError(
    'INVALID_HOST_OPTION',
    `Invalid ssh_options.${key} for host "${id}": expected a number, got ${JSON.stringify(value)}.`,
  );
}

function secondsOption(
  options: Record<string, unknown>,
  key: string,
  id: string,
): number | undefined {
  const seconds = numberOption(options, key, id);
  return seconds === undefined ? undefined : Math.round(seconds * 1000);
}

function stringOption(
  options: Record<string, unknown>,
  key: string,
  id: string,
): string | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  throw new ConfigError(
    'INVALID_HOST_OPTION',
    `Invalid ssh_options.${key} for host "${id}": expected a string, got ${JSON.stringify(value)}.`,
  );
}
