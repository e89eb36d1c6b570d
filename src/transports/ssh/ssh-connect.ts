import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import type {
  AnyAuthMethod,
  AuthHandlerMiddleware,
  Client as SshClient,
  ConnectConfig,
  HostVerifier,
  ParsedKey,
  ServerHostKeyAlgorithm,
  utils as Ssh2Utils,
} from 'ssh2';
import { describePlace, placeDetails, type Place } from '../../common/place.js';
import { ConfigError, ConnectionError } from '../../errors.js';
import { prepareHostKeyCheck, type HostKeyCheck } from './host-key-check.js';

/**
 * ssh2 is loaded on the first connection only: it weighs about 16 MiB of memory, which a process
 * that never speaks SSH should not carry. It is CommonJS, so only its default export is reliable
 * under Node's ESM loader.
 */
function loadSsh2(): Promise<{ Client: typeof SshClient; utils: typeof Ssh2Utils }> {
  return import('ssh2').then(
    (module) => module.default as { Client: typeof SshClient; utils: typeof Ssh2Utils },
  );
}
import { describeLink, type ResolvedSshTarget } from './ssh-target.js';

/** Where a link sits in its chain, for the stream it rides on and for messages. */
export interface LinkContext {
  /** A tunnel over the previous hop; without one, a TCP connection is made. */
  sock?: Duplex;
  /** The host the whole chain reaches, for messages. */
  place: Place;
  /** True when this link is only a hop on the way to the target. */
  isHop: boolean;
}

/**
 * A link as messages name it: the host (`host "db-1" (otto@10.0.0.5:22 via …) [ssh]`), or
 * `hop root@10.0.0.1:22 on the way to host "db-1" (…) [ssh]`.
 */
export function describeLinkIn(target: ResolvedSshTarget, context: LinkContext): string {
  const place = describePlace(context.place);
  return context.isHop ? `hop ${describeLink(target)} on the way to ${place}` : place;
}

/** What authentication tried, for the AUTH_FAILED message. */
interface AuthLog {
  tried: string[];
  serverMethods?: string[];
}

/**
 * Opens one authenticated SSH connection (one link of a hop chain): host key checked against
 * known_hosts, then public key, agent and password tried in that order.
 * Throws a {@link ConnectionError} (`CONNECT_FAILED`, `AUTH_FAILED`, `HOST_KEY_MISMATCH`,
 * `HOST_KEY_UNKNOWN`) or a {@link ConfigError} for an unusable private key.
 */
export async function connectLink(
  target: ResolvedSshTarget,
  context: LinkContext,
): Promise<SshClient> {
  const key = await loadPrivateKey(target, context);
  const hostKeyCheck = await prepareHostKeyCheck(target, {
    label: describeLinkIn(target, context),
    details: placeDetails(context.place),
  });
  const authLog: AuthLog = { tried: [] };
  const config: ConnectConfig = {
    host: target.host,
    port: target.port,
    username: target.username,
    sock: context.sock,
    readyTimeout: target.connectTimeoutMs,
    keepaliveInterval: target.keepaliveIntervalMs,
    keepaliveCountMax: target.keepaliveCountMax,
    algorithms: { serverHostKey: hostKeyCheck.algorithms as ServerHostKeyAlgorithm[] },
    hostVerifier: createHostVerifier(hostKeyCheck),
    authHandler: createAuthHandler(target, key, authLog),
  };
  return openClient(config, (error) =>
    describeFailure(error, target, context, hostKeyCheck, authLog),
  );
}

async function openClient(
  config: ConnectConfig,
  describe: (error: Error & { level?: string }) => Error,
): Promise<SshClient> {
  const { Client } = await loadSsh2();
  const client = new Client();
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error & { level?: string }): void => {
      if (settled) return;
      settled = true;
      client.destroy();
      reject(describe(error));
    };
    client.once('ready', () => {
      settled = true;
      // Nagle's algorithm holds back small packets (a channel open, a command) until the previous
      // one is acknowledged, which with delayed ACKs adds about 40ms to every exec round trip.
      if (!config.sock) client.setNoDelay(true);
      resolve(client);
    });
    // An 'error' listener stays for the client's whole life: without one, a late error (a lost
    // connection, a keepalive timeout) would crash the process. Drops are seen through 'close'.
    client.on('error', fail);
    client.once('close', () => fail(new Error('the server closed the connection')));
    try {
      client.connect(config);
    } catch (error) {
      fail(error as Error);
    }
  });
}

function createHostVerifier(check: HostKeyCheck): HostVerifier {
  return (keyBlob, verify) => {
    check.verify(keyBlob).then(verify, () => verify(false));
  };
}

function createAuthHandler(
  target: ResolvedSshTarget,
  key: ParsedKey | undefined,
  log: AuthLog,
): AuthHandlerMiddleware {
  const username = target.username;
  const candidates: AnyAuthMethod[] = [];
  if (key) candidates.push({ type: 'publickey', username, key });
  if (target.agent) candidates.push({ type: 'agent', username, agent: target.agent });
  if (target.password !== undefined)
    candidates.push({ type: 'password', username, password: target.password });
  return (methodsLeft, _partialSuccess, next) => {
    if (methodsLeft) log.serverMethods = methodsLeft;
    for (let method = candidates.shift(); method; method = candidates.shift()) {
      const wireName = method.type === 'agent' ? 'publickey' : method.type;
      if (methodsLeft && !methodsLeft.includes(wireName)) continue;
      log.tried.push(method.type === 'agent' ? 'publickey (agent)' : method.type);
      return next(method);
    }
    next(false as unknown as AnyAuthMethod);
  };
}

async function loadPrivateKey(
  target: ResolvedSshTarget,
  context: LinkContext,
): Promise<ParsedKey | undefined> {
  const source = target.privateKeyPath ?? 'given as privateKey';
  let content = target.privateKey;
  if (target.privateKeyPath) {
    try {
      content = await readFile(target.privateKeyPath);
    } catch (error) {
      throw keyError(target, context, source, (error as Error).message, error);
    }
  }
  if (content === undefined) return undefined;
  const { utils } = await loadSsh2();
  const key = utils.parseKey(content, target.passphrase);
  if (key instanceof Error) throw keyError(target, context, source, key.message, key);
  if (!key.isPrivateKey())
    throw keyError(target, context, source, 'it is a public key, not a private key');
  return key;
}

function keyError(
  target: ResolvedSshTarget,
  context: LinkContext,
  source: string,
  reason: string,
  cause?: unknown,
): ConfigError {
  return new ConfigError(
    'KEY_INVALID',
    `Cannot use the private key (${source}) for ${describeLinkIn(target, context)}: ${/[.?!]$/.test(reason) ? reason : `${reason}.`}`,
    { ...placeDetails(context.place), cause },
  );
}

function describeFailure(
  error: Error & { level?: string; code?: string },
  target: ResolvedSshTarget,
  context: LinkContext,
  hostKeyCheck: HostKeyCheck,
  authLog: AuthLog,
): Error {
  if (hostKeyCheck.refusal) return hostKeyCheck.refusal;
  const link = describeLinkIn(target, context);
  const details = placeDetails(context.place);
  if (error.level === 'client-authentication') {
    return new ConnectionError(
      'AUTH_FAILED',
      `Authentication failed for ${link}: ${describeAuth(authLog)}.`,
      { ...details, operation: 'authentication', cause: error },
    );
  }
  return new ConnectionError(
    'CONNECT_FAILED',
    `Could not connect to ${link}: ${describeReason(error, target)}.`,
    { ...details, operation: 'connect', cause: error },
  );
}

function describeAuth(log: AuthLog): string {
  const accepted = log.serverMethods ?? [];
  if (log.tried.length === 0) {
    return `no credentials fit the methods it accepts (${accepted.join(', ') || 'none'})`;
  }
  const refusedOutright = log.tried.some((method) => !accepted.includes(method.split(' ')[0]!));
  const only =
    refusedOutright && accepted.length > 0 ? ` (it accepts only ${accepted.join(', ')})` : '';
  return `the server refused ${log.tried.join(', ')}${only}`;
}

function describeReason(
  error: Error & { level?: string; code?: string },
  target: ResolvedSshTarget,
): string {
  if (error.level === 'client-timeout' && /handshake/.test(error.message))
    return `no SSH session within ${target.connectTimeoutMs}ms`;
  if (error.code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED)';
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN')
    return `cannot resolve ${target.host} (${error.code})`;
  return error.message.replace(/\.$/, '');
}
