// The collector part over SSH: the same contenders polling the SSH test bed's sshd (127.0.0.1,
// user otto, key login) through `SshHost.oneshot`, one channel per tick on one connection, as the
// collector does (or a persistent shell of the contender's own). There is one server, so the contenders take turns: a round of ticks each,
// interleaved, in alternating order, and the sshd container's cgroup is read around each round.
import { SshHost } from '../src/hosts/ssh-host.ts';
import { EngineClient } from '../src/docker/engine/engine-client.ts';
import { startSshTestbed } from '../test/helpers/ssh-testbed.ts';
import { ensureTestbedImages } from '../test/setup/testbed-images.ts';
import { collectContenders } from './monitor-collector-contenders.mts';
import {
  checkContenders,
  measureRound,
  reportCollector,
  type PolledTarget,
} from './monitor-collector-lib.mts';
import { envInt, readContainerCpuNs } from './monitor-report.mts';

const TICKS = envInt('BENCH_TICKS', 10);
const ROUNDS = envInt('BENCH_ROUNDS', 3);

/** Each contender polls the test bed's sshd in turn; the sshd container's CPU is what is measured. */
export async function benchCollectorSsh(): Promise<void> {
  const engine = EngineClient.fromEnvironment();
  const { images } = await ensureTestbedImages(engine);
  const testbed = await startSshTestbed(['direct'], { image: images.testbed });
  const server = testbed.server('direct');
  const host = new SshHost(
    {
      host: server.host,
      port: server.port,
      username: 'otto',
      privateKey: testbed.keys.privateKey,
      knownHostsPath: testbed.newKnownHostsPath(),
    },
    { log: false },
  );
  try {
    const targets: PolledTarget[] = collectContenders({ monitor: false }).map((contender) => ({
      contender,
      host,
      cpuNs: () => readContainerCpuNs(engine, server.container.id),
      tickMs: [],
      outputBytes: [],
    }));
    await checkContenders(targets);
    const shares = new Map(targets.map((target) => [target, [] as number[]]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        const result = await measureRound([target], TICKS, 1000);
        shares.get(target)!.push(result.get(target)!);
      }
    }
    reportCollector(
      `collector cost over SSH (the sshd container's CPU): ${ROUNDS} rounds of ${TICKS} ticks at 1 s per contender, interleaved`,
      targets.map((target) => ({ target, sharesPercent: shares.get(target)! })),
    );
  } finally {
    await host.close();
    await testbed.stop();
    await engine.close();
  }
}
