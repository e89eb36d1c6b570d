// `npm run bench -- fixtures`: container fixtures side by side with bare Engine API calls and
// testcontainers 12, in one run: a start without ports, a start with a published port until a GET
// answers, 20 starts in parallel, and the memory of a process holding 20. BENCH_PARTS picks parts
// (single,port,parallel,rss); BENCH_ROUNDS (15) and BENCH_PARALLEL_ROUNDS (5) set the rounds.
import { benchFixtureRss } from './fixtures-rss.mts';
import { benchFixtureStarts } from './fixtures-start.mts';
import { closeRawAgent, sweepBenchContainers } from './fixtures-raw.mts';

const PARTS = (process.env.BENCH_PARTS ?? 'single,port,parallel,rss').split(',');

export async function run() {
  const startMs = performance.now();
  try {
    await sweepBenchContainers();
    await benchFixtureStarts(PARTS);
    if (PARTS.includes('rss')) {
      const rssStartMs = performance.now();
      await benchFixtureRss();
      console.log(`\n(rss: ${((performance.now() - rssStartMs) / 1000).toFixed(0)} s)`);
    }
  } finally {
    // Raw and testcontainers containers of a contender that failed midway; otto's are removed
    // by their owner's watchdog, like any fixture's.
    const left = await sweepBenchContainers();
    if (left > 0) console.error(`fixtures benchmark: removed ${left} container(s) left behind`);
    closeRawAgent();
  }
  console.log(`\nfixtures benchmark: ${((performance.now() - startMs) / 1000).toFixed(0)} s`);
}
