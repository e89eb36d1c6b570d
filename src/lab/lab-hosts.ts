import { ConfigError } from '../errors.js';
import type { Host } from '../hosts/host.js';
import type { HostOptions } from '../hosts/host-options.js';
import { SshHost } from '../hosts/ssh-host.js';
import type { SshTarget } from '../transports/ssh/ssh-target.js';
import { closestIds } from './closest.js';
import type { Lab } from './lab.js';
import type { LabFileHost } from './lab-file.js';
import { labSchemas } from './lab-file-schema.js';
import { secondsToMs, type LabProtocolOptions, type LabSshOptions } from './protocol-options.js';
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
  const options = checkSshOptions({ ...defaults.ssh_options, ...entry.ssh_options }, id);
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

/**
 * The merged ssh_options of a host, checked like a lab file's: lab files and settings are checked
 * when read, but a lab or defaults built in code reach here unchecked.
 */
function checkSshOptions(options: LabSshOptions, id: string): LabSshOptions {
  const schema = labSchemas().host.shape.ssh_options;
  const parsed = schema.safeParse(options, { reportInput: true, error: genericIssueMessage });
  if (parsed.success) return options;
  const problems = describeIssues(parsed.error.issues, { schema, keyWord: 'option' }).map(
    (problem) =>
      `${problem.path ? `ssh_options.${problem.path}` : 'ssh_options'}: ${problem.message}`,
  );
  throw new ConfigError(
    'INVALID_HOST_OPTION',
    `Invalid ssh_options for host "${id}": ${problems.join('; ')}${problems.at(-1)!.endsWith('?') ? '' : '.'}`,
  );
}
