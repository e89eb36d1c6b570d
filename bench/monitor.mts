// `npm run bench -- monitor`: what `otto monitor` costs, next to otto's own way, in one run.
//   collector      CPU share of what the collection spawns on a monitored container host at 1 s
//                  (our collect command, with top processes, a whole Monitor; otto's top -bn2 line)
//   collector-ssh  the same over SSH, measured on the test bed's sshd container
//   store          points written per second: our batched store against otto's commit per point
//   render         the dashboard's first render of 24 h x 10 hosts at 1 s, in headless chromium
// BENCH_PARTS picks parts (collector,collector-ssh,store,render); BENCH_TICKS (10) and
// BENCH_ROUNDS (3) size the collector's rounds, BENCH_MONITOR_PROCESSES (200) its busy container.
import { benchCollector } from './monitor-collector.mts';
import { benchCollectorSsh } from './monitor-collector-ssh.mts';
import { benchRender } from './monitor-render.mts';
import { benchStore } from './monitor-store.mts';

const PARTS = (process.env.BENCH_PARTS ?? 'collector,collector-ssh,store,render').split(',');

const BENCHES: Record<string, () => Promise<void>> = {
  collector: benchCollector,
  'collector-ssh': benchCollectorSsh,
  store: benchStore,
  render: benchRender,
};

export async function run(): Promise<void> {
  const unknown = PARTS.filter((part) => !(part in BENCHES));
  if (unknown.length > 0)
    throw new Error(
      `BENCH_PARTS names ${unknown.join(', ')}: expected some of ${Object.keys(BENCHES).join(',')}.`,
    );
  const startMs = performance.now();
  for (const part of Object.keys(BENCHES).filter((name) => PARTS.includes(name))) {
    const partStartMs = performance.now();
    await BENCHES[part]!();
    console.log(`\n(${part}: ${((performance.now() - partStartMs) / 1000).toFixed(0)} s)`);
  }
  console.log(`\nmonitor benchmark: ${((performance.now() - startMs) / 1000).toFixed(0)} s`);
}
