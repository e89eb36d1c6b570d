import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { engine } from '../../test/helpers/engine.js';
import { startSshTestbed, type SshTestbed } from '../../test/helpers/ssh-testbed.js';
import { SILENT_LOGGER } from '../common/logger.js';
import { StartedContainer } from '../docker/containers/started-container.js';
import { ContainerHost } from '../hosts/container-host.js';
import type { Host } from '../hosts/host.js';
import { SshHost } from '../hosts/ssh-host.js';
import type { HostState } from './metric-types.js';
import { clearHostParsers, defineMetricParser, registerHostParsers } from './host-parsers.js';
import { Monitor } from './monitor.js';

/**
 * The collector against real hosts: busybox containers with load generated in them (CPU, disk,
 * network between two containers), a container that stops answering and comes back, a custom
 * parser of one host, and SSH test bed hosts (direct and through a hop), one of which stops answering.
 */

const containers: StartedContainer[] = [];
const hosts: Host[] = [];

async function startBusybox(
  id: string,
): Promise<{ host: ContainerHost; container: StartedContainer }> {
  const container = await StartedContainer.start(engine, {
    image: inject('images').busybox,
    cmd: ['sleep', '3600'],
    entrypoint: [],
    purpose: 'monitor-collector-test',
  });
  containers.push(container);
  const host = new ContainerHost(container.id, { id, log: false });
  hosts.push(host);
  return { host, container };
}

afterAll(async () => {
  clearHostParsers();
  await Promise.all(hosts.map((host) => host.close()));
  await Promise.all(containers.map((container) => container.stop()));
});

/** The host's values of `key` over the whole run, tick by tick (null where it had none). */
function valuesOf(monitor: Monitor, host: string, key: string): Array<number | null> {
  return monitor.data({ host }).values[`${host}/${key}`] ?? [];
}

/** The largest value of any series of `host` whose key matches `pattern`, over the run. */
function maxOf(monitor: Monitor, host: string, pattern: RegExp): number {
  const { values } = monitor.data({ host });
  const matching = Object.entries(values).filter(([id]) => pattern.test(id.slice(host.length + 1)));
  return Math.max(0, ...matching.flatMap(([, column]) => column.filter((v) => v !== null)));
}

/** Waits tick by tick until `check` holds, failing with `what` after `maxTicks` ticks. */
async function untilTick(
  monitor: Monitor,
  what: string,
  check: () => boolean,
  maxTicks = 12,
): Promise<void> {
  for (let tick = 0; tick < maxTicks; tick++) {
    if (check()) return;
    await monitor.nextTick();
  }
  if (!check()) throw new Error(`After ${maxTicks} ticks: ${what} did not happen.`);
}

/**
 * Kills or starts a container again. (Not pause: a paused container cannot be removed, so a test
 * killed while one is paused would leave the engine stuck removing it.)
 */
async function switchContainer(
  container: StartedContainer,
  action: 'kill' | 'start',
): Promise<void> {
  await engine.json({
    method: 'POST',
    path: `/containers/${container.id}/${action}`,
    okStatus: [204, 304],
  });
}

function stateOf(monitor: Monitor, host: string): HostState | undefined {
  return monitor.meta().states.find((state) => state.host === host);
}

describe('the collector on busybox containers', () => {
  let load: ContainerHost;
  let listen: ContainerHost;
  let send: ContainerHost;
  let listenContainer: StartedContainer;
  let sendContainer: StartedContainer;
  let monitor: Monitor;

  beforeAll(async () => {
    const started = await Promise.all(
      ['c-load', 'c-listen', 'c-send'].map((id) => startBusybox(id)),
    );
    [load, listen, send] = started.map((each) => each.host) as [
      ContainerHost,
      ContainerHost,
      ContainerHost,
    ];
    listenContainer = started[1]!.container;
    sendContainer = started[2]!.container;
    registerHostParsers('c-load', [
      defineMetricParser({
        name: 'answer',
        command: 'echo 42',
        tab: 'app',
        chart: 'Answer',
        unit: '',
        parse: (output) => [{ key: 'app.answer', value: Number(output.trim()), label: 'answer' }],
      }),
    ]);
    monitor = await Monitor.start({
      hosts: [load, listen, send],
      intervalMs: 500,
      logger: SILENT_LOGGER,
    });
    // The first tick is a baseline for the counters: rates appear from the second.
    await monitor.nextTick();
    await monitor.nextTick();
  });
  afterAll(() => monitor?.stop());

  it('reads every default metric of each host under one timestamp per tick', () => {
    const meta = monitor.meta();
    for (const id of ['c-load', 'c-listen', 'c-send']) {
      const keys = meta.series.filter((series) => series.host === id).map((series) => series.key);
      expect(keys).toEqual(
        expect.arrayContaining(['cpu.busy', 'mem.used', 'load.1m', 'net.eth0.rx', 'net.eth0.tx']),
      );
      expect(keys.some((key) => key.startsWith('df.'))).toBe(true);
      expect(keys.some((key) => /^disk\..+\.write$/.test(key))).toBe(true);
      // No loopback interface: its traffic says nothing about the host's network.
      expect(keys.some((key) => key.startsWith('net.lo.'))).toBe(false);
    }
    const times = ['c-load', 'c-listen', 'c-send'].map((host) => monitor.data({ host }).timestamps);
    expect(times[1]).toEqual(times[0]);
    expect(times[2]).toEqual(times[0]);
    expect(new Set(times[0]!.slice(1).map((ms, index) => ms - times[0]![index]!))).toEqual(
      new Set([500]),
    );
  });

  it("draws the custom parser's series on its host only, placed as the parser says", () => {
    const series = monitor.meta().series.filter((each) => each.key === 'app.answer');
    expect(series).toEqual([
      {
        id: 'c-load/app.answer',
        host: 'c-load',
        key: 'app.answer',
        label: 'answer',
        labels: {},
        tab: 'app',
        chart: 'Answer',
        unit: '',
      },
    ]);
    expect(valuesOf(monitor, 'c-load', 'app.answer').every((value) => value === 42)).toBe(true);
  });

  it('shows a busy loop as a busy core, a written file as disk writes', async () => {
    await load.run('sh -c "while :; do :; done" >/dev/null 2>&1 & echo $! > /tmp/spin.pid', {
      check: true,
    });
    try {
      await untilTick(
        monitor,
        'a core at 80% busy or more',
        () =>
          valuesOf(monitor, 'c-load', 'cpu.busy').length > 0 &&
          maxOf(monitor, 'c-load', /^cpu\.\d+\.busy$/) >= 80,
      );
    } finally {
      await load.run('kill "$(cat /tmp/spin.pid)"', { check: true });
    }
    const before = maxOf(monitor, 'c-load', /^disk\..+\.write$/);
    await load.run(
      'dd if=/dev/zero of=/tmp/big bs=1M count=64 conv=fsync 2>/dev/null; rm /tmp/big',
      {
        check: true,
      },
    );
    await untilTick(
      monitor,
      'disk writes of 10 MB/s or more',
      () => maxOf(monitor, 'c-load', /^disk\..+\.write$/) >= Math.max(10e6, before),
    );
  });

  it("counts traffic between two containers in each one's own interface", async () => {
    const listenIp = listenContainer.ipAddress();
    // busybox nc ends a connection when its stdin ends: the listener's stays open for 30 s.
    await listen.run('sleep 30 | nc -l -p 9000 >/dev/null 2>&1 &', { check: true });
    // Until the listener listens, the connection is refused: try again (in a subshell, so that
    // the session's shell does not exit).
    await send.run(
      `(for try in $(seq 50); do dd if=/dev/zero bs=1M count=32 2>/dev/null | nc ${listenIp} 9000 && exit 0; sleep 0.1; done; exit 1)`,
      { check: true },
    );
    await untilTick(
      monitor,
      'c-listen to receive and c-send to send 5 MB/s or more',
      () =>
        maxOf(monitor, 'c-listen', /^net\.eth0\.rx$/) >= 5e6 &&
        maxOf(monitor, 'c-send', /^net\.eth0\.tx$/) >= 5e6,
    );
    await listen.run('pkill nc; true');
  });

  it('shows a host that stops answering as down while the others keep their ticks, then up', async () => {
    const container = sendContainer;
    await switchContainer(container, 'kill');
    let started = false;
    try {
      await untilTick(
        monitor,
        'c-send to be down',
        () => stateOf(monitor, 'c-send')?.status === 'down',
      );
      expect(stateOf(monitor, 'c-send')?.reason).toBe('the container is not running');
      const downAtMs = stateOf(monitor, 'c-send')!.timestampMs;
      const after = (host: string): number[] =>
        monitor.data({ host }).timestamps.filter((ms) => ms >= downAtMs);
      // A tick of a loaded machine may run out of time for any host: wait for two of each.
      await untilTick(
        monitor,
        'c-load and c-listen to answer two ticks while c-send is down',
        () => after('c-load').length >= 2 && after('c-listen').length >= 2,
      );
      expect(after('c-send')).toEqual([]);
      expect(stateOf(monitor, 'c-send')?.status).toBe('down');
      await switchContainer(container, 'start');
      started = true;
      await untilTick(
        monitor,
        'c-send to be up again',
        () => stateOf(monitor, 'c-send')?.status === 'up',
      );
    } finally {
      if (!started) await switchContainer(container, 'start');
    }
  });
});

describe('the collector on SSH hosts', () => {
  let testbed: SshTestbed;
  let direct: SshHost;
  let behind: SshHost;
  let behindSshd: ContainerHost;

  beforeAll(async () => {
    testbed = await startSshTestbed(['direct', 'behind']);
    const knownHostsPath = testbed.newKnownHostsPath();
    const server = testbed.server('direct');
    const target = {
      host: server.host,
      port: server.port,
      username: 'otto',
      password: 'otto',
      knownHostsPath,
    };
    direct = new SshHost(target, { id: 'ssh-direct', log: false });
    const inner = testbed.server('behind');
    behind = new SshHost(
      {
        host: inner.host,
        port: inner.port,
        username: 'otto',
        password: 'otto',
        knownHostsPath,
        hop: target,
      },
      { id: 'ssh-behind', log: false },
    );
    behindSshd = new ContainerHost(inner.container.id, { log: false });
    hosts.push(direct, behind, behindSshd);
  }, 120_000);
  afterAll(() => testbed?.stop());

  it('reads hosts directly and through a hop, and shows one that stops answering as down', async () => {
    await using monitor = await Monitor.start({
      hosts: [direct, behind],
      intervalMs: 1000,
      logger: SILENT_LOGGER,
    });
    await untilTick(monitor, 'both SSH hosts to give CPU figures', () =>
      ['ssh-direct', 'ssh-behind'].every((host) =>
        valuesOf(monitor, host, 'cpu.busy').some((v) => v !== null),
      ),
    );
    expect(monitor.meta().states.map((state) => [state.host, state.status])).toEqual([
      ['ssh-direct', 'up'],
      ['ssh-behind', 'up'],
    ]);
    // With its sshd processes stopped, a host keeps its connection but answers nothing: its
    // ticks run out of time.
    await behindSshd.oneshot('pkill -STOP sshd', { check: true });
    try {
      await untilTick(
        monitor,
        'ssh-behind to be down',
        () => stateOf(monitor, 'ssh-behind')?.status === 'down',
      );
      expect(stateOf(monitor, 'ssh-behind')?.reason).toBe('no answer within 800ms');
      const downAtMs = stateOf(monitor, 'ssh-behind')!.timestampMs;
      await monitor.nextTick();
      const after = (host: string): number[] =>
        monitor.data({ host }).timestamps.filter((ms) => ms >= downAtMs);
      expect(after('ssh-direct').length).toBeGreaterThan(0);
      expect(after('ssh-behind')).toEqual([]);
    } finally {
      await behindSshd.oneshot('pkill -CONT sshd', { check: true });
    }
    await untilTick(
      monitor,
      'ssh-behind to be up again',
      () => stateOf(monitor, 'ssh-behind')?.status === 'up',
    );
  });
});
