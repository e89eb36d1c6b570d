/**
 * A process that owns Docker resources, for the crash-cleanup tests and the reaper benchmark:
 * run as `node --import tsx test/helpers/resource-owner.ts '<json>'` with
 * `{ prefix, containers, networks, volumes, then: 'wait' | 'exit' }`. It creates them through the
 * library (so its watchdog starts), prints one JSON line `{ containers, networks, volumes,
 * watchdogPid, firstStartMs }` and then waits to be killed, or exits without stopping anything.
 */
import { StartedContainer } from '../../src/docker/containers/started-container.js';
import { EngineClient } from '../../src/docker/engine/engine-client.js';
import { StartedNetwork } from '../../src/docker/networks/started-network.js';
import { watchdogPid } from '../../src/docker/ownership/watchdog.js';
import { StartedVolume } from '../../src/docker/volumes/started-volume.js';
import { SshTransport } from '../../src/transports/ssh/ssh-transport.js';
import type { SshTarget } from '../../src/transports/ssh/ssh-target.js';

/** What the owner is asked to create. */
export interface OwnerPlan {
  prefix: string;
  containers: number;
  networks: number;
  volumes: number;
  then: 'wait' | 'exit';
  /** Reach the engine's socket over SSH (as a docker-capable lab host's engine is reached). */
  ssh?: SshTarget;
}

/** What the owner prints once everything exists. */
export interface OwnerReport {
  containers: string[];
  networks: string[];
  volumes: string[];
  watchdogPid: number | undefined;
  firstStartMs: number;
}

const plan = JSON.parse(process.argv[2] ?? '{}') as OwnerPlan;
const engine = plan.ssh ? engineOverSsh(plan.ssh) : EngineClient.fromEnvironment();
const range = (count: number) => Array.from({ length: count }, (_, index) => index);
const firstStartedAt = performance.now();
const first =
  plan.containers > 0
    ? await StartedContainer.start(engine, {
        image: 'otto/busybox:latest',
        name: `${plan.prefix}-c0`,
        cmd: ['sleep', '600'],
      })
    : undefined;
const firstStartMs = performance.now() - firstStartedAt;
const networks = await Promise.all(
  range(plan.networks).map((index) =>
    StartedNetwork.start(engine, { name: `${plan.prefix}-n${index}` }),
  ),
);
const volumes = await Promise.all(
  range(plan.volumes).map((index) =>
    StartedVolume.create(engine, { name: `${plan.prefix}-v${index}` }),
  ),
);
const others = await Promise.all(
  range(Math.max(0, plan.containers - 1)).map((index) =>
    StartedContainer.start(engine, {
      image: 'otto/busybox:latest',
      name: `${plan.prefix}-c${index + 1}`,
      cmd: ['sleep', '600'],
      network: networks[0]?.name,
      binds: volumes[0] ? [`${volumes[0].name}:/data`] : undefined,
    }),
  ),
);
const report: OwnerReport = {
  containers: [first, ...others].filter((c) => c !== undefined).map((c) => c.id),
  networks: networks.map((network) => network.id),
  volumes: volumes.map((volume) => volume.name),
  watchdogPid: watchdogPid(),
  firstStartMs,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
function engineOverSsh(target: SshTarget): EngineClient {
  const ssh = new SshTransport(target);
  const socketPath = '/var/run/docker.sock';
  const endpoint = { kind: 'ssh' as const, url: `unix://${socketPath} on ${ssh.address}` };
  return new EngineClient(endpoint, {
    createConnection: () => ssh.openUnixSocket(socketPath),
    reach: { endpoint, overSsh: { target, socketPath } },
  });
}

if (plan.then === 'wait') setInterval(() => undefined, 60_000);
else await engine.close();
