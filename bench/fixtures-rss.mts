// Memory: RSS of a process holding 20 started container fixtures, each with a published port it
// waited for, beside a bare node process and testcontainers holding as many. One child process
// (bench/fixtures-rss-holder.mjs) per sample, on plain node with --expose-gc.
import { spawnOk, median } from './lib.mjs';

const HOLDERS = ['bare', 'otto', 'testcontainers'] as const;
const NAMES: Record<(typeof HOLDERS)[number], string> = {
  bare: 'bare node process',
  otto: 'otto: 20 startContainerFixture, a port each (port probe)',
  testcontainers: 'testcontainers: 20 start(), an exposed port each (default wait)',
};

/** Runs `rounds` holders of each kind, interleaved, and prints the median RSS of each. */
export async function benchFixtureRss(count = 20, rounds = 3): Promise<void> {
  const samples = new Map(HOLDERS.map((holder) => [holder, [] as number[]]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? HOLDERS : [...HOLDERS].reverse();
    for (const holder of order) {
      const out = await spawnOk('node', [
        '--expose-gc',
        'bench/fixtures-rss-holder.mjs',
        holder,
        String(count),
      ]);
      samples.get(holder)!.push(Number(out.trim().split('\n').pop()) / 1024 / 1024);
    }
  }
  const bare = median(samples.get('bare')!);
  console.log(
    `\n### memory: RSS holding ${count} container fixtures (${rounds} holders each, node --expose-gc, after gc)\n`,
  );
  console.log('| contender | median RSS | range | above bare node |\n|---|---:|---:|---:|');
  for (const holder of HOLDERS) {
    const values = samples.get(holder)!;
    const range = `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;
    console.log(
      `| ${NAMES[holder]} | ${median(values).toFixed(1)} MiB | ${range} | ${(median(values) - bare).toFixed(1)} MiB |`,
    );
  }
}
