// Part 1 of the monitor benchmark: what collection costs on a monitored host at a 1 s interval,
// measured as the CPU time of the host's container cgroup (every process the tick spawns there)
// per tick, over the 1 s interval. Contenders run side by side: each polls its own fresh container, all in the same
// ticks, so that the machine's noise falls on all of them alike; an unpolled container is the idle
// baseline and `true` the floor of a oneshot (the exec's own cost in the container). A persistent
// shell of the contender's own (`openSession`) pays no exec per tick: that is how otto collects.
import { waitUntil } from '../src/common/deadline.ts';
import { EngineClient } from '../src/docker/engine/engine-client.ts';
import { ensureBaseImage } from '../src/docker/images/base-images.ts';
import { StartedContainer } from '../src/docker/containers/started-container.ts';
import { ContainerHost } from '../src/hosts/container-host.ts';
import { Monitor } from '../src/monitor/monitor.ts';
import { collectContenders, type CollectContender } from './monitor-collector-contenders.mts';
import {
  checkContenders,
  measureRound,
  reportCollector,
  type PolledTarget,
} from './monitor-collector-lib.mts';
import { describeCpuSource, envInt, readContainerCpuNs } from './monitor-report.mts';

/** Ticks per round, rounds, and the sleeping processes of the "busy" container variant. */
const TICKS = envInt('BENCH_TICKS', 10);
const ROUNDS = envInt('BENCH_ROUNDS', 3);
const BUSY_PROCESSES = envInt('BENCH_MONITOR_PROCESSES', 200);
const INTERVAL_MS = 1000;

/** A container whose process table holds `processes` sleeping processes besides its init. */
async function startTarget(
  engine: EngineClient,
  image: string,
  processes: number,
): Promise<{ container: StartedContainer; host: ContainerHost }> {
  const cmd =
    processes === 0
      ? ['sleep', 'infinity']
      : ['sh', '-c', `for i in $(seq ${processes}); do sleep infinity & done; wait`];
  const container = await StartedContainer.start(engine, { image, cmd, purpose: 'bench' });
  const host = new ContainerHost(container.id, { engine, log: false });
  await waitUntil(
    async () => {
      const { stdout } = await host.oneshot('ls -d /proc/[0-9]* | wc -l');
      return Number(stdout.trim()) >= processes + 1 ? true : undefined;
    },
    { timeoutMs: 30_000, what: `${processes} processes in container ${host.id}` },
  );
  return { container, host };
}

/** A contender on its own container. */
interface ContainerTarget extends PolledTarget {
  variant: string;
  containerId: string;
  stop(): Promise<void>;
}

/** One contender on its own container: a oneshot per tick, or a whole Monitor, or nothing. */
async function makeTarget(
  engine: EngineClient,
  image: string,
  contender: CollectContender,
  variant: { name: string; processes: number },
): Promise<ContainerTarget> {
  const { container, host } = await startTarget(engine, image, variant.processes);
  const stop = async (): Promise<void> => {
    await monitor?.stop();
    await host.close();
    await container.stop();
  };
  let monitor: Monitor | undefined;
  try {
    if (contender.monitor)
      monitor = await Monitor.start({ hosts: [host], intervalMs: INTERVAL_MS });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    contender,
    host,
    variant: variant.name,
    containerId: container.id,
    cpuNs: () => readContainerCpuNs(engine, container.id),
    ...(monitor && { ticksDone: () => monitor.ticks }),
    tickMs: [],
    outputBytes: [],
    stop,
  };
}

/** The collector part on container hosts: idle and busy containers, every contender at once. */
export async function benchCollector(): Promise<void> {
  const engine = EngineClient.fromEnvironment();
  const image = (await ensureBaseImage(engine, 'debian')).ref;
  const contenders = collectContenders({ monitor: true });
  const variants = [
    { name: 'idle container (2 processes)', processes: 0 },
    { name: `container with ${BUSY_PROCESSES} sleeping processes`, processes: BUSY_PROCESSES },
  ];
  const targets: ContainerTarget[] = [];
  try {
    for (const variant of variants)
      for (const contender of contenders)
        targets.push(await makeTarget(engine, image, contender, variant));
    const source = await describeCpuSource(targets[0]!.containerId);
    await checkContenders(targets);
    const shares = new Map<PolledTarget, number[]>(targets.map((target) => [target, []]));
    // One variant at a time (fewer execs at once on a 2-core machine), the variants alternating.
    for (let round = 0; round < ROUNDS; round++)
      for (const variant of variants) {
        const polled = targets.filter((target) => target.variant === variant.name);
        const result = await measureRound(polled, TICKS, INTERVAL_MS);
        for (const [target, share] of result) shares.get(target)!.push(share);
      }
    for (const variant of variants) {
      const rows = targets.filter((target) => target.variant === variant.name);
      reportCollector(
        `collector cost on a container host, ${variant.name}: ${ROUNDS} rounds of ${TICKS} ticks at 1 s, the contenders in the same ticks`,
        rows.map((target) => ({ target, sharesPercent: shares.get(target)! })),
      );
    }
    console.log(`\nCPU time read from ${source}; each contender polled its own container.`);
  } finally {
    for (const target of targets) await target.stop();
    await engine.close();
  }
}
