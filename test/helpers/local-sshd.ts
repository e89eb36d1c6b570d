import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { runChild } from '../../src/common/child-process.js';
import { ensurePrograms } from '../../src/common/system-packages.js';
import { generateTestKeys, type TestKeys } from './ssh-testbed.js';

/** An OpenSSH server on this machine, for this user, on a loopback port. */
export interface LocalSshd {
  host: '127.0.0.1';
  port: number;
  /** This process's user, the only one it lets in (by key). */
  username: string;
  keys: TestKeys;
  /** A known_hosts path of its own in the temp dir (not yet existing). */
  knownHostsPath: string;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;

/**
 * Starts `sshd -D -e` with its own config, host key, authorized key and pid file in a temp dir,
 * listening on 127.0.0.1 only; the system's sshd config and service are never touched. Installs
 * Debian's openssh-server first when sshd is missing. It acts as a docker-capable SSH host: the
 * engine socket can be reached through it with `openUnixSocket('/var/run/docker.sock')`.
 * @example await using sshd = await startLocalSshd();
 */
export async function startLocalSshd(): Promise<LocalSshd> {
  const programs = await ensurePrograms([
    {
      program: 'sshd',
      debianPackage: 'openssh-server',
      purpose: 'for the local SSH server of the tests',
    },
  ]);
  const tempDir = await mkdtemp(join(tmpdir(), 'otto-local-sshd-'));
  const keys = await generateTestKeys(tempDir);
  const hostKeyPath = join(tempDir, 'ssh_host_ed25519_key');
  await runChild('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKeyPath]);
  await writeFile(join(tempDir, 'authorized_keys'), `${keys.authorizedKeys}\n`, { mode: 0o600 });
  const port = await findFreePort();
  const configPath = join(tempDir, 'sshd_config');
  await writeFile(configPath, sshdConfig(tempDir, hostKeyPath, port));
  // sshd insists on its privilege separation directory, which only the service normally creates.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const child = spawn(programs.get('sshd')!, ['-D', '-e', '-f', configPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stop = async (): Promise<void> => {
    await stopChild(child);
    await rm(tempDir, { recursive: true, force: true });
  };
  try {
    await waitForListening(child, port);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    host: '127.0.0.1',
    port,
    username: userInfo().username,
    keys,
    knownHostsPath: join(tempDir, 'known_hosts'),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

function sshdConfig(dir: string, hostKeyPath: string, port: number): string {
  return [
    `ListenAddress 127.0.0.1`,
    `Port ${port}`,
    `HostKey ${hostKeyPath}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    // The temp dir lives under the world-writable /tmp, which StrictModes would refuse.
    'StrictModes no',
    'UsePAM no',
    'AllowTcpForwarding yes',
    'AllowStreamLocalForwarding yes',
    'Subsystem sftp internal-sftp',
    'UseDNS no',
    'PrintMotd no',
    'MaxSessions 50',
    '',
  ].join('\n');
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function waitForListening(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(
      () => fail(`no "Server listening" within ${READY_TIMEOUT_MS}ms`),
      READY_TIMEOUT_MS,
    );
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new Error(`The local sshd on 127.0.0.1:${port} did not start: ${why}.\n${log}`));
    };
    child.stderr!.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString('utf8')).slice(-8192);
      if (log.includes('Server listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => fail(`it exited with code ${code}`));
    child.once('error', (error) => fail(error.message));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
