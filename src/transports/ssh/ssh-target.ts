import { integerIn, nonEmptyString, show } from '../../common/value-checks.js';
import { homedir } from 'node:os';
import { ConfigError } from '../../errors.js';

/** What to do with a server's host key. */
export type HostKeyPolicy = 'accept-new' | 'strict' | 'off';

const HOST_KEY_POLICIES: readonly HostKeyPolicy[] = ['accept-new', 'strict', 'off'];

/** Where and how to reach an SSH server; `hop` chains through other servers first. */
export interface SshTarget {
  /** The server's address: a name or an IP address. */
  host: string;
  /** The server's port. @default 22 */
  port?: number;
  /** The user to log in as. */
  username: string;
  /** Password for password authentication. */
  password?: string;
  /** Private key content (OpenSSH or PEM). */
  privateKey?: string | Buffer;
  /** Private key file, read at connect time; `~/` is the home folder. */
  privateKeyPath?: string;
  /** Passphrase of an encrypted private key. */
  passphrase?: string;
  /** ssh-agent socket path. @default process.env.SSH_AUTH_SOCK when `useAgent` is set */
  agent?: string;
  /** Offer the keys of the ssh-agent at `SSH_AUTH_SOCK`. @default false */
  useAgent?: boolean;
  /**
   * `accept-new` trusts and records an unknown host but refuses a changed key; `strict` refuses
   * unknown hosts too; `off` trusts anything. @default 'accept-new'
   */
  hostKeyPolicy?: HostKeyPolicy;
  /** OpenSSH known_hosts file, shared with `ssh`. @default '~/.ssh/known_hosts' */
  knownHostsPath?: string;
  /** Give up connecting (TCP plus handshake plus login) after this long. @default 10000 */
  connectTimeoutMs?: number;
  /** Keepalive probe interval; 0 disables them. @default 15000 */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives after which the connection counts as dropped. @default 3 */
  keepaliveCountMax?: number;
  /**
   * Session channels (shells, execs, sftp) open at once; more wait their turn. OpenSSH's
   * MaxSessions defaults to 10, so opening more would fail instead of queueing. @default 8
   */
  maxChannels?: number;
  /** An SSH server to connect through first (itself possibly with a hop, to any depth). */
  hop?: SshTarget;
  /** Name for messages, e.g. a lab host id. */
  name?: string;
}

/** An {@link SshTarget} with every default filled in and paths expanded. */
export interface ResolvedSshTarget {
  host: string;
  port: number;
  username: string;
  password?: string;
  privateKey?: string | Buffer;
  privateKeyPath?: string;
  passphrase?: string;
  agent?: string;
  hostKeyPolicy: HostKeyPolicy;
  knownHostsPath: string;
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  maxChannels: number;
  hop?: ResolvedSshTarget;
  name?: string;
}

/**
 * Checks a target and its hops and fills every default. Throws one {@link ConfigError} listing
 * all problems (`INVALID_SSH_TARGET`), or `HOP_CYCLE` when a user@host:port repeats in the chain.
 * @example const target = normalizeSshTarget({ host: '10.0.0.5', username: 'otto', password: 'otto' });
 */
export function normalizeSshTarget(target: SshTarget): ResolvedSshTarget {
  checkHopCycle(target);
  const problems: string[] = [];
  const resolved = resolveLink(target, '', problems);
  if (problems.length > 0) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    throw new ConfigError(
      'INVALID_SSH_TARGET',
      [
        `Invalid SSH target ${describeRaw(target)}: ${count}.`,
        ...problems.map((p) => `  - ${p}`),
      ].join('\n'),
    );
  }
  return resolved;
}

/** `user@host:port` of one link. */
export function describeLink(
  target: Pick<ResolvedSshTarget, 'username' | 'host' | 'port'>,
): string {
  return `${target.username}@${target.host}:${target.port}`;
}

/** The whole chain for messages: `otto@10.0.0.5:22 via root@127.0.0.1:32771`. */
export function describeChain(target: ResolvedSshTarget): string {
  return target.hop
    ? `${describeLink(target)} via ${describeChain(target.hop)}`
    : describeLink(target);
}

/** The links of a chain in connection order: the first hop first, the target last. */
export function listLinks(target: ResolvedSshTarget): ResolvedSshTarget[] {
  return target.hop ? [...listLinks(target.hop), target] : [target];
}

function describeRaw(target: SshTarget): string {
  const link = `${String(target.username)}@${String(target.host)}:${String(target.port ?? 22)}`;
  return target.name ? `"${target.name}" (${link})` : link;
}

function checkHopCycle(target: SshTarget): void {
  const seen: string[] = [];
  for (let link: SshTarget | undefined = target; link; link = link.hop) {
    const key = `${String(link.username)}@${String(link.host)}:${String(link.port ?? 22)}`;
    if (seen.includes(key)) {
      const cycle = [...seen.slice(seen.indexOf(key)), key].join(' -> ');
      throw new ConfigError(
        'HOP_CYCLE',
        `Invalid SSH hop chain for ${seen[0]}: it goes round in a cycle, ${cycle}.`,
        { fix: 'each hop must be a different user@host:port; remove the repeated hop.' },
      );
    }
    seen.push(key);
  }
}

function resolveLink(target: SshTarget, path: string, problems: string[]): ResolvedSshTarget {
  const check = (field: string, problem: string | undefined): void => {
    if (problem) problems.push(`${path}${field}: ${problem}`);
  };
  check('host', nonEmptyString(target.host));
  check('port', integerIn(target.port, 1, 65535));
  check('username', nonEmptyString(target.username));
  check('hostKeyPolicy', oneOf(target.hostKeyPolicy, HOST_KEY_POLICIES));
  check('connectTimeoutMs', integerIn(target.connectTimeoutMs, 1, 86_400_000));
  check('keepaliveIntervalMs', integerIn(target.keepaliveIntervalMs, 0, 86_400_000));
  check('keepaliveCountMax', integerIn(target.keepaliveCountMax, 1, 1000));
  check('maxChannels', integerIn(target.maxChannels, 1, 1000));
  const agent = target.agent ?? (target.useAgent ? process.env.SSH_AUTH_SOCK : undefined);
  checkCredentials(target, agent, (problem) => problems.push(`${path || ''}${problem}`));
  const resolved: ResolvedSshTarget = {
    host: target.host,
    port: target.port ?? 22,
    username: target.username,
    password: target.password,
    privateKey: target.privateKey,
    privateKeyPath: target.privateKeyPath && expandHome(target.privateKeyPath),
    passphrase: target.passphrase,
    agent,
    hostKeyPolicy: target.hostKeyPolicy ?? 'accept-new',
    knownHostsPath: expandHome(target.knownHostsPath ?? '~/.ssh/known_hosts'),
    connectTimeoutMs: target.connectTimeoutMs ?? 10_000,
    keepaliveIntervalMs: target.keepaliveIntervalMs ?? 15_000,
    keepaliveCountMax: target.keepaliveCountMax ?? 3,
    maxChannels: target.maxChannels ?? 8,
    name: target.name,
  };
  if (target.hop) resolved.hop = resolveLink(target.hop, `${path}hop.`, problems);
  return stripUndefined(resolved);
}

function checkCredentials(
  target: SshTarget,
  agent: string | undefined,
  report: (problem: string) => void,
): void {
  if (target.privateKey !== undefined && target.privateKeyPath !== undefined)
    report('privateKey, privateKeyPath: give one of them, not both');
  if (target.passphrase !== undefined && !target.privateKey && !target.privateKeyPath)
    report('passphrase: given without privateKey or privateKeyPath');
  if (target.useAgent && !agent)
    report('useAgent: no ssh-agent socket (SSH_AUTH_SOCK is not set and agent is not given)');
  if (
    !target.password &&
    !target.privateKey &&
    !target.privateKeyPath &&
    !agent &&
    !target.useAgent
  )
    report('credentials: none given; set password, privateKey, privateKeyPath or agent');
}

function oneOf(value: unknown, allowed: readonly string[]): string | undefined {
  if (value === undefined || allowed.includes(value as string)) return undefined;
  return `expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(value)}`;
}

/** Expands a leading `~/` to the home folder. */
export function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
}

function stripUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>)
    if (value[key] === undefined) delete value[key];
  return value;
}
