import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { waitUntil } from '../../src/common/deadline.js';
import { StartedContainer } from '../../src/docker/containers/started-container.js';
import { StartedNetwork } from '../../src/docker/networks/started-network.js';
import { engine } from './engine.js';

const { utils } = ssh2;

/** The SSH servers a test file can ask for. */
export type TestbedServerName = 'direct' | 'behind' | 'deep' | 'keyonly';

/** One running test bed sshd and where this machine (or its hop) reaches it. */
export interface TestbedServer {
  container: StartedContainer;
  /** Address to connect to: 127.0.0.1 when published, else its address on its inner network. */
  host: string;
  port: number;
  /** The container's hostname, which equals its name in the test bed. */
  hostname: TestbedServerName;
}

/** A key pair for the tests, in memory and on disk. */
export interface TestKeys {
  privateKey: string;
  privateKeyPath: string;
  /** The same kind of key, encrypted with `passphrase`. */
  encryptedKey: string;
  encryptedKeyPath: string;
  passphrase: string;
  /** Both public keys, one per line, for authorized_keys. */
  authorizedKeys: string;
}

/** The running servers, a temp dir and the test keys; `stop()` removes them all. */
export interface SshTestbed {
  servers: Partial<Record<TestbedServerName, TestbedServer>>;
  keys: TestKeys;
  tempDir: string;
  /** A new, not yet existing known_hosts path in the temp dir. */
  newKnownHostsPath(): string;
  /** The server, or an error when the test bed was started without it. */
  server(name: TestbedServerName): TestbedServer;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const READY_TIMEOUT_MS = 20_000;

/**
 * Makes an ed25519 key pair (plain and passphrase-protected) in `dir`.
 * @example const keys = await generateTestKeys(dir);
 */
export async function generateTestKeys(dir: string): Promise<TestKeys> {
  const plain = parseableKeyPair({ comment: 'otto-test' });
  const passphrase = 'otto-passphrase';
  const encrypted = parseableKeyPair({
    comment: 'otto-test-encrypted',
    passphrase,
    cipher: 'aes256-ctr',
    rounds: 16,
  });
  const privateKeyPath = join(dir, 'id_ed25519');
  const encryptedKeyPath = join(dir, 'id_ed25519_encrypted');
  await writeFile(privateKeyPath, plain.private, { mode: 0o600 });
  await writeFile(encryptedKeyPath, encrypted.private, { mode: 0o600 });
  return {
    privateKey: plain.private,
    privateKeyPath,
    encryptedKey: encrypted.private,
    encryptedKeyPath,
    passphrase,
    authorizedKeys: `${plain.public}\n${encrypted.public}`,
  };
}

/**
 * An ed25519 key pair that ssh2 can read back. About 1 in 256 of the pairs ssh2 generates cannot
 * be (it strips a leading zero byte of the public key; ssh2 issues 1390 and 1513): generate again.
 */
function parseableKeyPair(
  options: Parameters<typeof utils.generateKeyPairSync>[1],
): ReturnType<typeof utils.generateKeyPairSync> {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519', options);
    const passphrase = (options as { passphrase?: string }).passphrase;
    const readable = [utils.parseKey(pair.private, passphrase), utils.parseKey(pair.public)];
    if (!readable.some((key) => key instanceof Error)) return pair;
  }
}

/**
 * Starts the asked-for SSH servers from the test bed image. `direct` is published on 127.0.0.1 and
 * also on the internal network `lab`; `behind` is only on `lab` (one hop through `direct`) and on
 * `deep`; `deep` is only on `deep` (two hops); `keyonly` is published and refuses passwords.
 * @example await using testbed = await startSshTestbed(['direct', 'behind']);
 */
export async function startSshTestbed(
  names: readonly TestbedServerName[],
  options: { image?: string } = {},
): Promise<SshTestbed> {
  // Inside a test run the global setup provides the image; scripts (benchmarks) pass it.
  const image = options.image ?? (await import('vitest')).inject('images').testbed;
  const tempDir = await mkdtemp(join(tmpdir(), 'otto-ssh-testbed-'));
  const keys = await generateTestKeys(tempDir);
  const suffix = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const networks: StartedNetwork[] = [];
  const containers: StartedContainer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(containers.map((container) => container.stop()));
    await Promise.all(networks.map((network) => network.stop()));
    await rm(tempDir, { recursive: true, force: true });
  };
  try {
    const needsLab = names.some((name) => name !== 'keyonly');
    const lab = needsLab ? await startNetwork(`otto-ssh-lab-${suffix}`, networks) : undefined;
    const deep = names.includes('deep')
      ? await startNetwork(`otto-ssh-deep-${suffix}`, networks)
      : undefined;
    const started = await Promise.all(
      names.map((name) => startServer(name, image, keys, { lab, deep }, containers)),
    );
    let knownHostsCount = 0;
    const servers = Object.fromEntries(started.map((server) => [server.hostname, server]));
    return {
      servers,
      keys,
      tempDir,
      newKnownHostsPath: () => join(tempDir, `known_hosts-${++knownHostsCount}`),
      server: (name) => {
        const server = servers[name];
        if (!server) throw new Error(`The SSH test bed was started without "${name}".`);
        return server;
      },
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startNetwork(name: string, networks: StartedNetwork[]): Promise<StartedNetwork> {
  const network = await StartedNetwork.start(engine, {
    name,
    internal: true,
    purpose: 'ssh-testbed',
  });
  networks.push(network);
  return network;
}

async function startServer(
  name: TestbedServerName,
  image: string,
  keys: TestKeys,
  networks: { lab?: StartedNetwork; deep?: StartedNetwork },
  containers: StartedContainer[],
): Promise<TestbedServer> {
  const isPublished = name === 'direct' || name === 'keyonly';
  const home = name === 'deep' ? networks.deep : name === 'behind' ? networks.lab : undefined;
  const container = await StartedContainer.start(engine, {
    image,
    hostname: name,
    env: {
      SERVICES: 'sshd',
      AUTHORIZED_KEYS: keys.authorizedKeys,
      ...(name === 'keyonly' ? { PASSWORD_AUTH: 'no' } : {}),
    },
    network: home?.name,
    publish: isPublished ? [{ containerPort: 22 }] : [],
    purpose: `ssh-testbed-${name}`,
  });
  containers.push(container);
  if (name === 'direct' && networks.lab) await networks.lab.connect(container.id);
  if (name === 'behind' && networks.deep) await networks.deep.connect(container.id);
  await container.refresh();
  const host = isPublished ? '127.0.0.1' : container.ipAddress(home!.name);
  const port = isPublished ? container.hostPort(22) : 22;
  await waitForSshd(container, isPublished ? port : undefined);
  return { container, host, port, hostname: name };
}

/** Waits until sshd logs that it listens and, when published, answers with an SSH banner. */
export async function waitForSshd(
  container: StartedContainer,
  publishedPort: number | undefined,
): Promise<void> {
  await waitUntil(
    async () => ((await container.logs()).includes('Server listening') ? true : undefined),
    { timeoutMs: READY_TIMEOUT_MS, intervalMs: 50, what: `sshd in ${container.name} to listen` },
  );
  if (publishedPort === undefined) return;
  await waitUntil(() => readBanner(publishedPort), {
    timeoutMs: READY_TIMEOUT_MS,
    intervalMs: 50,
    what: `an SSH banner on 127.0.0.1:${publishedPort}`,
  });
}

/** Connects to a loopback port and resolves true once the peer sends `SSH-`. */
export function readBanner(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (value: true | undefined): void => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(1000, () => done(undefined));
    socket.once('data', (chunk: Buffer) =>
      done(chunk.toString('latin1').startsWith('SSH-') ? true : undefined),
    );
    socket.once('error', () => done(undefined));
    socket.once('close', () => done(undefined));
  });
}
