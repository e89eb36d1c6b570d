import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../src/common/deadline.js';
import { runChild } from '../../src/common/child-process.js';
import { StartedContainer } from '../../src/docker/containers/started-container.js';
import { DockerArchiveTransfer } from '../../src/docker/exec/docker-archive-transfer.js';
import { DockerExecTransport } from '../../src/docker/exec/docker-exec-transport.js';
import { runHelperExec } from '../../src/docker/exec/exec-api.js';
import { ensureBusyboxImage } from '../../src/docker/images/busybox-image.js';
import { buildImage, inspectImage, removeImage } from '../../src/docker/images/image-api.js';
import { packRootfs } from '../../src/docker/images/rootfs-tar.js';
import {
  OWNER_LABEL,
  ownershipLabels,
  PURPOSE_LABEL,
  RUN_ID,
  RUN_LABEL,
} from '../../src/docker/labels.js';
import { StartedNetwork } from '../../src/docker/networks/started-network.js';
import { ContainerHost } from '../../src/hosts/container-host.js';
import type { HostOptions } from '../../src/hosts/host-options.js';
import type { Transport } from '../../src/transports/transport.js';
import { describeHostContract } from '../helpers/host-contract.js';
import {
  isWatchdogRunning,
  remainingOf,
  removeByIds,
  startOwnerProcess,
} from '../helpers/owner-process.js';
import { startPodmanService, type PodmanService } from '../helpers/podman-service.js';
import {
  findProcessesUsing,
  snapshotHostNetworking,
  type HostNetworking,
} from '../helpers/podman-state.js';
import {
  describeTransferContract,
  type TransferContractTarget,
} from '../helpers/transfer-contract.js';

// One private Podman service for the whole file; every difference from Docker asserted here is
// listed in docs/engines.md.
let podman: PodmanService;
let networkingBefore: HostNetworking;
const containers: StartedContainer[] = [];

beforeAll(async () => {
  networkingBefore = await snapshotHostNetworking();
  podman = await startPodmanService();
}, 300_000);

afterAll(async () => {
  await Promise.all(containers.map((container) => container.stop()));
  await podman?.stop();
});

async function startIdle(
  spec: { network?: string; binds?: string[] } = {},
): Promise<StartedContainer> {
  const container = await StartedContainer.start(podman.engine, {
    image: podman.busyboxImage,
    cmd: ['sleep', '3600'],
    entrypoint: [],
    purpose: 'podman-test',
    ...spec,
  });
  containers.push(container);
  return container;
}

/** A command through a transport, its stdout; a non-zero exit rejects with its output. */
async function execOn(transport: Transport, command: string): Promise<string> {
  const outcome = await transport.exec(command, { timeoutMs: 30_000 });
  if (outcome.exitCode !== 0)
    throw new Error(`\`${command}\` exited with ${outcome.exitCode}: ${outcome.output.toString()}`);
  return outcome.stdout.toString();
}

function contextWith(dockerfile: string) {
  return packRootfs([{ kind: 'file', path: 'Dockerfile', mode: 0o644, content: dockerfile }]);
}

describe("Podman's Docker-compatible service", () => {
  it('answers ping and version with the Docker API version it speaks', async () => {
    expect(await podman.engine.ping()).toBe(true);
    const version = await podman.engine.version();
    expect(version.version).toMatch(/^4\.\d+\.\d+$/);
    expect(version).toEqual({
      version: version.version,
      apiVersion: '1.41',
      os: 'linux',
      arch: 'amd64',
    });
  });

  it('imports otto/busybox from a rootfs tar, shows its tags as Docker does and skips a second import', async () => {
    const image = await inspectImage(podman.engine, podman.busyboxImage);
    expect(image?.tags).toContain('otto/busybox:latest');
    expect(image?.labels).toMatchObject({
      [OWNER_LABEL]: 'otto-ts',
      [PURPOSE_LABEL]: 'base-image',
    });
    expect((await ensureBusyboxImage(podman.engine)).built).toBe(false);
  });

  it('builds through /build, following the steps, and names the failing step', async () => {
    const steps: string[] = [];
    const id = await buildImage(
      podman.engine,
      await contextWith(`FROM ${podman.busyboxImage}\nRUN echo built > /built.txt\n`),
      {
        subject: 'podman-build-test',
        labels: ownershipLabels('podman-test'),
        onProgress: (event) => {
          if (event.phase === 'build') steps.push(event.message);
        },
      },
    );
    try {
      // Docker adds one LABEL step for all the labels; Podman one LABEL step per label.
      const labels = ownershipLabels('podman-test');
      const total = 2 + Object.keys(labels).length;
      expect(steps.slice(0, 2)).toEqual([
        `Step 1/${total} : FROM ${podman.busyboxImage}`,
        `Step 2/${total} : RUN echo built > /built.txt`,
      ]);
      // In the engine's own order, which is not ours.
      const labelSteps = steps.slice(2).map((step) => step.replace(/^Step \d+\/\d+ : /, ''));
      expect(labelSteps.sort()).toEqual(
        Object.entries(labels)
          .map(([key, value]) => `LABEL "${key}"="${value}"`)
          .sort(),
      );
      expect((await inspectImage(podman.engine, id))?.labels).toMatchObject(labels);
    } finally {
      await removeImage(podman.engine, id, { force: true });
    }
    const failing = `FROM ${podman.busyboxImage}\nRUN echo failing; exit 3\n`;
    await expect(
      buildImage(podman.engine, await contextWith(failing), {
        subject: 'podman-build-test',
        source: { text: failing, path: 'Dockerfile' },
      }),
    ).rejects.toThrow(
      'Building podman-build-test failed at step 2/2 (RUN echo failing; exit 3, Dockerfile line 2): building at STEP "RUN echo failing; exit 3": while running runtime: exit status 3',
    );
  });

  it('starts a container with our labels and removes it on stop', async () => {
    const container = await StartedContainer.start(podman.engine, {
      image: podman.busyboxImage,
      cmd: ['sleep', '3600'],
      purpose: 'podman-test',
    });
    const listed = await podman.engine.json<Array<{ Id: string; Labels: Record<string, string> }>>({
      method: 'GET',
      path: '/containers/json',
      query: { filters: JSON.stringify({ label: [`${RUN_LABEL}=${RUN_ID}`] }) },
    });
    expect(listed.find((entry) => entry.Id === container.id)?.Labels).toMatchObject(
      ownershipLabels('podman-test'),
    );
    expect((await container.refresh()).running).toBe(true);
    await container.stop();
    await expect(container.refresh()).rejects.toThrow(
      `Engine request GET /containers/${container.id}/json failed at ${podman.url} with HTTP 404`,
    );
  });
});

/** Hosts on one container, started on first use: the contract's observer sees the same processes. */
function onOneContainer(
  defaults: HostOptions = {},
): (options?: HostOptions) => Promise<ContainerHost> {
  let started: Promise<StartedContainer> | undefined;
  return async (options) =>
    new ContainerHost((await (started ??= startIdle())).id, {
      engine: podman.engine,
      ...defaults,
      ...options,
    });
}

describeHostContract('podman container (busybox)', onOneContainer());
describeHostContract('podman container (busybox) on a terminal', onOneContainer({ pty: true }), {
  hasPty: true,
  isSlowTerminal: true,
});

describeTransferContract(
  'docker-archive on podman',
  async (): Promise<TransferContractTarget> => {
    const readOnlyHostDir = await mkdtemp(join(tmpdir(), 'otto-podman-ro-'));
    const container = await startIdle({ binds: [`${readOnlyHostDir}:/read-only:ro`] });
    const shell = new DockerExecTransport(podman.engine, container.id);
    await execOn(shell, 'mkdir -p /contract');
    return {
      transfer: new DockerArchiveTransfer(podman.engine, container.id, { hostId: 'podman-box' }),
      sh: (command) => execOn(shell, command),
      remoteDir: '/contract',
      // Podman refuses per file, with the kernel's reason; Docker refuses the mount as a whole.
      readOnly: {
        dir: '/read-only',
        reason: 'cannot write /read-only/small.txt: read-only file system',
      },
      close: async () => {
        await shell.close();
        await container.stop();
        await rm(readOnlyHostDir, { recursive: true, force: true });
      },
    };
  },
  { hasFull: false, makesMissingDirs: true },
);

describe('archives and execs on podman', () => {
  it('extracts an archive into a missing directory, making it (Docker answers 404)', async () => {
    const container = await startIdle();
    await podman.engine.json({
      method: 'PUT',
      path: `/containers/${container.id}/archive`,
      query: { path: '/made/here' },
      input: await packRootfs([{ kind: 'file', path: 'a.txt', mode: 0o644, content: 'a\n' }]),
      okStatus: [200],
    });
    await using host = new ContainerHost(container.id, { engine: podman.engine });
    expect((await host.oneshot('cat /made/here/a.txt')).stdout).toBe('a\n');
  });

  it('runs a command without a terminal, streams apart, and with one', async () => {
    const container = await startIdle();
    await using plain = new DockerExecTransport(podman.engine, container.id);
    const outcome = await plain.exec('echo out; echo err >&2; exit 3', { timeoutMs: 10_000 });
    expect([outcome.exitCode, outcome.stdout.toString(), outcome.stderr.toString()]).toEqual([
      3,
      'out\n',
      'err\n',
    ]);
    await using terminal = new ContainerHost(container.id, { engine: podman.engine, pty: true });
    const result = (await terminal.run('[ -t 1 ] && readlink /proc/self/fd/1')).only();
    expect(result.output.replace(/\r/g, '')).toMatch(/^\/dev\/pts\/\d+\n$/);
  });

  it('keeps a conmon process for every exec that ended, until exit_command_delay passes', async () => {
    const container = await startIdle();
    for (let index = 0; index < 3; index += 1)
      expect(await runHelperExec(podman.engine, container.id, ['true'])).toBe(0);
    const { stdout } = await runChild(
      'pgrep',
      ['-f', `conmon .*-c ${container.id} .*--exec-attach`],
      { check: false },
    );
    expect(stdout.trim().split('\n').length).toBeGreaterThanOrEqual(3);
  });
});

describe('networks on podman', () => {
  it('joins two containers to a network of ours, where they reach each other by name and alias', async () => {
    await using network = await StartedNetwork.start(podman.engine, {
      name: `otto-podman-${randomBytes(4).toString('hex')}`,
      purpose: 'podman-test',
    });
    const server = await startIdle({ network: network.name });
    const client = await startIdle({ network: network.name });
    const late = await startIdle();
    await network.connect(late.id, ['late-joiner']);
    await using host = new ContainerHost(client.id, { engine: podman.engine });
    const ping = async (target: string) =>
      (await host.oneshot(`ping -c 1 -W 5 ${target}`)).exitCode;
    expect([
      await ping(server.ipAddress(network.name)),
      await ping(server.name),
      await ping('late-joiner'),
    ]).toEqual([0, 0, 0]);
    // The network goes at the end of the block; its members must be gone by then.
    await Promise.all([server, client, late].map((container) => container.stop()));
  });

  it('resolves no names on an internal network (Docker does)', async () => {
    await using network = await StartedNetwork.start(podman.engine, {
      name: `otto-podman-${randomBytes(4).toString('hex')}`,
      internal: true,
      purpose: 'podman-test',
    });
    const server = await startIdle({ network: network.name });
    const client = await startIdle({ network: network.name });
    await using host = new ContainerHost(client.id, { engine: podman.engine });
    expect((await host.oneshot(`ping -c 1 -W 5 ${server.ipAddress(network.name)}`)).exitCode).toBe(
      0,
    );
    const byName = await host.oneshot(`ping -c 1 -W 5 ${server.name}`);
    expect([byName.exitCode, byName.output]).toEqual([1, `ping: bad address '${server.name}'\n`]);
    await Promise.all([server, client].map((container) => container.stop()));
  });
});

describe('compose on podman', () => {
  it('brings a one-service busybox stack up and down with docker-compose', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'otto-podman-compose-'));
    const project = `otto-podman-${randomBytes(4).toString('hex')}`;
    await writeFile(
      join(dir, 'docker-compose.yml'),
      [
        'services:',
        '  box:',
        `    image: ${podman.busyboxImage}`,
        '    command: ["sleep", "3600"]',
        '',
      ].join('\n'),
    );
    const env = { ...process.env, DOCKER_HOST: podman.url };
    const compose = (args: string[]) =>
      runChild('docker-compose', ['-p', project, ...args], { cwd: dir, env });
    try {
      await compose(['up', '-d']);
      const ids = (await compose(['ps', '-q'])).stdout.trim();
      expect(ids).toMatch(/^[0-9a-f]{64}$/);
      await using box = new ContainerHost(ids, { engine: podman.engine });
      expect((await box.oneshot('echo up')).stdout).toBe('up\n');
    } finally {
      await compose(['down', '--volumes', '--timeout', '0']);
      await rm(dir, { recursive: true, force: true });
    }
    expect(
      await podman.podman(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]),
    ).toBe('');
  });
});

// Last in the file: the service's own cleanup, which afterAll then finds done.
describe('cleanup on podman', () => {
  it("has the watchdog remove a SIGKILLed owner's containers, network and volume", async () => {
    const owner = await startOwnerProcess(
      {
        prefix: `otto-podman-owner-${randomBytes(3).toString('hex')}`,
        containers: 2,
        networks: 1,
        volumes: 1,
        then: 'wait',
      },
      { DOCKER_HOST: podman.url },
    );
    try {
      expect(owner.report.watchdogPid).toBeGreaterThan(0);
      const all = owner.report.containers.length + owner.report.networks.length;
      expect(all).toBe(3);
      owner.child.kill('SIGKILL');
      await owner.exited;
      const empty = { containers: [], networks: [], volumes: [] };
      await waitUntil(
        async () =>
          isDeepStrictEqual(await remainingOf(podman.engine, owner.report), empty)
            ? true
            : undefined,
        {
          timeoutMs: 30_000,
          intervalMs: 250,
          what: "the owner's resources on podman to be removed",
        },
      );
      await waitUntil(
        () => Promise.resolve(isWatchdogRunning(owner.report.watchdogPid) ? undefined : true),
        {
          timeoutMs: 30_000,
          what: 'the watchdog to end',
        },
      );
    } finally {
      await removeByIds(podman.engine, owner.report);
    }
  });
});

describe('stopping the podman service', () => {
  it('ends every process of it, removes its storage and leaves the host networking as it was', async () => {
    await Promise.all(containers.splice(0).map((container) => container.stop()));
    await podman.stop();
    expect(await findProcessesUsing(podman.dir)).toEqual([]);
    await expect(stat(podman.dir)).rejects.toThrow('ENOENT');
    expect((await readFile('/proc/self/mounts', 'utf8')).includes(podman.dir)).toBe(false);
    // CNI bridges, address and DNS state, iptables chains and rules: as they were.
    expect(await snapshotHostNetworking()).toEqual(networkingBefore);
  });
});
