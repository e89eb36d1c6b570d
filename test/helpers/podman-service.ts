import { spawn, type ChildProcess } from 'node:child_process';
import { access, mkdtemp, open, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChild } from '../../src/common/child-process.js';
import { waitUntil } from '../../src/common/deadline.js';
import { ensurePrograms } from '../../src/common/system-packages.js';
import { EngineClient } from '../../src/docker/engine/engine-client.js';
import { ensureBusyboxImage } from '../../src/docker/images/busybox-image.js';
import { removePodmanState, snapshotHostNetworking } from './podman-state.js';

/** Podman's Docker-compatible service on a socket of its own, with private storage. */
export interface PodmanService {
  /** Path of the service's socket, e.g. `/tmp/otto-podman-Xy12ab/podman.sock`. */
  socketPath: string;
  /** The temp dir holding its configuration, storage, socket and log; removed on stop. */
  dir: string;
  /** The endpoint as `DOCKER_HOST` takes it: `unix://<socketPath>`. */
  url: string;
  /** An engine client on the service (closed on stop). */
  engine: EngineClient;
  /** The busybox base image, imported into the service's storage. */
  busyboxImage: string;
  /** Runs the podman CLI on the same private storage and configuration; resolves with stdout. */
  podman(args: readonly string[]): Promise<string>;
  /** Stops the service, removes every container, network and volume and the temp dir. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
const DNSNAME_PLUGIN = '/usr/lib/cni/dnsname';

/**
 * Starts `podman system service` on a socket in a temp dir, with its own containers.conf
 * (`CONTAINERS_CONF`), storage roots (vfs driver), network config dir and tmp dir, so that the
 * machine's podman configuration and state are not touched. Installs Debian's podman when it is
 * missing and imports `otto/busybox` through the Engine API (no registry).
 * @example await using podman = await startPodmanService();
 */
export async function startPodmanService(): Promise<PodmanService> {
  const programs = await ensurePrograms([
    {
      program: 'podman',
      debianPackage: 'podman',
      purpose: "for the tests of Podman's Docker-compatible service",
    },
    // The CNI plugin that makes container names resolve on Podman's networks; it brings dnsmasq.
    {
      program: 'dnsmasq',
      debianPackage: 'golang-github-containernetworking-plugin-dnsname',
      purpose: "for container names on Podman's networks",
    },
  ]);
  await access(DNSNAME_PLUGIN).catch(() => {
    throw new Error(
      `${DNSNAME_PLUGIN} is missing: names would not resolve on Podman's networks; apt-get install golang-github-containernetworking-plugin-dnsname.`,
    );
  });
  const podmanPath = programs.get('podman')!;
  const dir = await mkdtemp(join(tmpdir(), 'otto-podman-'));
  const before = await snapshotHostNetworking();
  const env = await writePodmanConfig(dir);
  const globalArgs = [
    '--root',
    join(dir, 'root'),
    '--runroot',
    join(dir, 'run'),
    '--storage-driver',
    'vfs',
    '--tmpdir',
    join(dir, 'tmp'),
  ];
  const podman = async (args: readonly string[]): Promise<string> =>
    (await runChild(podmanPath, [...globalArgs, ...args], { env })).stdout;
  const socketPath = join(dir, 'podman.sock');
  const url = `unix://${socketPath}`;
  const logPath = join(dir, 'service.log');
  const child = await spawnService(
    podmanPath,
    [...globalArgs, 'system', 'service', '--time=0', url],
    env,
    logPath,
  );
  const engine = new EngineClient({ kind: 'unix', url, socketPath });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await engine.close();
      await stopChild(child);
      await removePodmanState(dir, podman, before);
    })());
  try {
    await waitForPing(engine, child, logPath);
    const image = await ensureBusyboxImage(engine);
    return {
      socketPath,
      dir,
      url,
      engine,
      busyboxImage: image.ref,
      podman,
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Writes the service's containers.conf and returns the environment that points podman at it.
 * `default_ulimits = []`: Debian's podman otherwise asks for rlimits above this machine's hard limit.
 */
async function writePodmanConfig(dir: string): Promise<NodeJS.ProcessEnv> {
  const configPath = join(dir, 'containers.conf');
  await writeFile(
    configPath,
    [
      '[containers]',
      'default_ulimits = []',
      '[engine]',
      // No systemd here to manage cgroups or collect the journal.
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      `events_logfile_path = "${join(dir, 'events.log')}"`,
      '[network]',
      // Debian's default with its containernetworking-plugins; netavark, when installed, behaves otherwise.
      'network_backend = "cni"',
      `network_config_dir = "${join(dir, 'networks')}"`,
      '',
    ].join('\n'),
  );
  return { ...process.env, CONTAINERS_CONF: configPath };
}

async function spawnService(
  podmanPath: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  logPath: string,
): Promise<ChildProcess> {
  const log = await open(logPath, 'w');
  try {
    return spawn(podmanPath, args, { env, stdio: ['ignore', log.fd, log.fd] });
  } finally {
    await log.close();
  }
}

async function waitForPing(
  engine: EngineClient,
  child: ChildProcess,
  logPath: string,
): Promise<void> {
  try {
    await waitUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`it exited with code ${child.exitCode}`);
        return (await engine.ping()) ? true : undefined;
      },
      {
        timeoutMs: READY_TIMEOUT_MS,
        what: `podman's service at ${engine.endpoint.url} to answer /_ping`,
      },
    );
  } catch (error) {
    const log = await readFile(logPath, 'utf8').catch(() => '');
    throw new Error(
      `Podman's service at ${engine.endpoint.url} did not start.\n${log.slice(-4000)}`,
      {
        cause: error,
      },
    );
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
